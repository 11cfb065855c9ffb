"""Input files as an earlier build parsed them, kept by the hash of their bytes, so a rebuild parses
only new or changed files (a grown corpus is mostly the files it had).

Each file's papers and rejects are kept in a file of their own in the graph folder's generation
(:data:`FOLDER`), named by a hash of the file's bytes, ``--year`` and the readers' code, so a file
changed in any way, or read by other code, is parsed again. Records name their file as read; a
reused file's records name it as given now. A file whose bytes changed while it was parsed is not
kept. A kept file is immutable: the next generation hard-links it (copies it where links fail), so
the previous generation stays intact. MessagePack, never pickle: a graph folder may come from
elsewhere. A missing or unreadable entry only costs a parse.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Iterable

import msgspec

from kg.model import Paper, Reject

#: the folder of parsed files in each generation of a graph folder
FOLDER = "parsed-inputs"


class FileRecords(msgspec.Struct, array_like=True):
    """The papers and rejects one file gave, each in file order."""

    papers: list[Paper]
    rejects: list[Reject]


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(FileRecords)


class ParsedFiles:
    """The files an earlier build parsed (in generation folder ``previous``, None: none) and those this
    build reads, to keep in its own generation (`save`)."""

    def __init__(self, previous: Path | None, year: int | None):
        self.previous = previous / FOLDER if previous is not None else None
        self.year = year
        self.used: set[str] = set()  # keys of the files read now, from ``previous`` or parsed
        self.fresh: dict[str, bytes] = {}  # key -> the encoded records of a file parsed now

    def records(self, path: Path, parse: Iterable[Paper | Reject]) -> list[Paper | Reject]:
        """The records of the file at ``path``: as an earlier build parsed the same bytes (`load`), else
        from ``parse`` (the file's reader, run only then)."""
        shown = str(path)
        key = self.key(path)
        if key is not None:
            found = self.load(key, shown)
            if found is not None:
                self.used.add(key)
                return found
        records = list(parse)
        papers = [record for record in records if isinstance(record, Paper)]
        rejects = [record for record in records if isinstance(record, Reject)]
        named = all(source.path == shown for paper in papers for source in paper.sources)
        if key is not None and named and all(reject.path == shown for reject in rejects) and self.key(path) == key:
            self.fresh[key] = _ENCODER.encode(FileRecords(papers, rejects))
            self.used.add(key)
        return records

    def key(self, path: Path) -> str | None:
        """The name of ``path``'s entry: a hash of its bytes, the year and the readers' code (None when
        it is not a regular file one can read)."""
        try:
            if not path.is_file():
                return None
            with open(path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha1")
        except OSError:
            return None
        digest.update(f"{self.year}".encode() + _readers_digest())
        return digest.hexdigest()

    def load(self, key: str, shown: str) -> list[Paper | Reject] | None:
        """The records of entry ``key`` from the previous generation, the rejects naming their file
        ``shown`` (the papers' sources are named by `kg.sources.read_inputs`); None when there is
        none, or it cannot be read."""
        if self.previous is None:
            return None
        try:
            found = _DECODER.decode((self.previous / f"{key}.msgpack").read_bytes())
        except (OSError, msgspec.DecodeError):
            return None
        return [*found.papers, *(replace(reject, path=shown) for reject in found.rejects)]

    def save(self, generation: Path) -> None:
        """Keep the entries of the files read now in the new ``generation``: hard links to the
        previous generation's (never written to: they are immutable), the newly parsed ones written."""
        folder = generation / FOLDER
        folder.mkdir()
        for key in sorted(self.used):
            target = folder / f"{key}.msgpack"
            if key in self.fresh:
                target.write_bytes(self.fresh[key])
                continue
            try:
                os.link(self.previous / target.name, target)
            except OSError:
                try:
                    shutil.copyfile(self.previous / target.name, target)
                except OSError:  # gone (another build swapped generations meanwhile): parsed again next time
                    target.unlink(missing_ok=True)


@cache
def _readers_digest() -> bytes:
    """A digest of the code that turns a file into records: the readers, the model and the Python
    version (string and number parsing)."""
    from kg import model

    here = Path(__file__).parent
    sources = b"".join(path.read_bytes() for path in sorted(here.glob("*.py")))
    return hashlib.sha1(sources + Path(model.__file__).read_bytes() + platform.python_version().encode()).digest()
