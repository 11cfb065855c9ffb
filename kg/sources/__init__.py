"""Readers: turn input files into merged :class:`kg.model.Paper` records plus rejects.

Formats (detected per file from extension and content, see :mod:`kg.sources.detect`):
``hf-text`` (Hugging Face Daily Papers page dumps), ``jsonl``, ``hf-api`` (HF daily papers API
JSON) and ``arxiv-atom``. A file no reader can take, and every bad record, becomes a
:class:`kg.model.Reject` naming file and line; the other files and records are still read.
Files are read as streams where the format allows (text, JSON Lines, Atom); an ``hf-api``
document is read whole and decoded element by element. Records of the same paper are merged
(:mod:`kg.sources.merge`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from kg.errors import InputError
from kg.model import Paper, ReadResult, Reject
from kg.sources.arxiv_atom import read_arxiv_atom
from kg.sources.detect import HEAD_BYTES, detect_format
from kg.sources.fields import RecordError
from kg.sources.hf_api import read_hf_api
from kg.sources.hf_text import read_hf_text
from kg.sources.jsonl import read_jsonl
from kg.sources.merge import merge_papers
from kg.sources.parsed import ParsedFiles

__all__ = ["FORMATS", "iter_input_files", "read_file", "read_inputs"]

#: the entry `kg build` keeps in every output folder (kg.graph.store); walking skips such folders
OUTPUT_MARKER = ".current"

Reader = Callable[[Path, int | None], Iterator[Paper | Reject]]
FORMATS: dict[str, Reader] = {
    "hf-text": read_hf_text,
    "jsonl": read_jsonl,
    "hf-api": read_hf_api,
    "arxiv-atom": read_arxiv_atom,
}


def iter_input_files(paths: Sequence[str | os.PathLike]) -> list[Path]:
    """Every file named by ``paths``, directories walked recursively, each once, sorted by path.

    Hidden entries (names starting with ``.``) inside a walked directory are skipped; a
    subdirectory that cannot be listed is returned as it is, so reading it gives a Reject.
    """
    files: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError(path, None, "no such file or directory")
        if path.is_dir():
            files.update(_walk(path))
        else:
            files.add(path)
    return sorted(files)


def _walk(root: Path) -> Iterator[Path]:
    unlistable: list[Path] = []
    for folder, subfolders, names in os.walk(root, onerror=lambda error: unlistable.append(Path(error.filename))):
        if os.path.lexists(os.path.join(folder, OUTPUT_MARKER)):
            subfolders[:] = []  # a folder `kg build` wrote: its graph.ttl and rejects.jsonl are not inputs
            continue
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        yield from (Path(folder, name) for name in names if not name.startswith("."))
    yield from unlistable


def read_file(path: Path, year: int | None = None) -> Iterator[Paper | Reject]:
    """Every record of one file, each a Paper or a Reject; never raises for bad content."""
    shown = str(path)
    try:
        if path.is_dir():
            yield Reject(shown, None, "cannot list this directory (permission denied?)")
            return
        if not path.is_file():
            yield Reject(shown, None, "not a regular file")
            return
        with open(path, "rb") as stream:
            head = stream.read(HEAD_BYTES)
        yield from FORMATS[detect_format(path, head)](path, year)
    except RecordError as error:
        yield Reject(shown, None, str(error))
    except OSError as error:
        yield Reject(shown, None, f"cannot read: {error.strerror or error}")


def source_names(paths: Sequence[str | os.PathLike], files: Sequence[Path]) -> dict[Path, str]:
    """How each input file is recorded in the graph: relative to the folder holding the input it was
    found under (``kg build seeds`` -> ``seeds/000.txt``, ``kg build x/day1.txt`` -> ``day1.txt``), so
    a file keeps its name when other inputs are added, whatever the working directory. Should two files
    get one name, every file is named relative to the files' common folder instead.

    >>> source_names(["/data/seeds", "/tmp/day1.txt"], [Path("/data/seeds/000.txt"), Path("/tmp/day1.txt")])
    {PosixPath('/data/seeds/000.txt'): 'seeds/000.txt', PosixPath('/tmp/day1.txt'): 'day1.txt'}
    """
    bases = {Path(given): Path(os.path.abspath(given)).parent for given in paths}
    names = {}
    for file in files:
        outermost = [bases[folder] for folder in (file, *file.parents) if folder in bases][-1]
        names[file] = source_name(file, outermost)
    if len(set(names.values())) < len({os.path.abspath(file) for file in files}):
        common = Path(os.path.commonpath([os.path.abspath(file) for file in files]))  # a folder: files differ
        names = {file: source_name(file, common) for file in files}
    return names


def source_name(path: Path, base: Path) -> str:
    """How a paper's source file is recorded: relative to ``base``, so that the graph does not change
    with the working directory or with how the input path was written.

    >>> source_name(Path("/data/seeds/000.txt"), Path("/data"))
    'seeds/000.txt'
    """
    return Path(os.path.relpath(os.path.abspath(path), base)).as_posix()


def read_inputs(paths: Sequence[str | os.PathLike], year: int | None = None, parsed: ParsedFiles | None = None
                ) -> ReadResult:
    """Read every input file and merge records of the same paper.

    Papers' sources name their files as :func:`source_names` says; rejects name them as given, so that messages point at the file the user typed.

    ``year`` completes dates printed without one (``Mar 17``); otherwise their year stays unknown.
    ``parsed`` (made with the same ``year``) gives the records of files an earlier build parsed and
    keeps those of the files parsed now.
    Papers come sorted by key and rejects by file and line, so the same set of inputs in any order
    gives the same result. ``records_read == len(papers) + duplicates_merged + len(rejects)``.
    """
    papers: list[Paper] = []
    rejects: list[Reject] = []
    files = iter_input_files(paths)
    names = source_names(paths, files)
    for path in files:
        name = names[path]
        records = read_file(path, year) if parsed is None else parsed.records(path, read_file(path, year))
        for record in records:
            if isinstance(record, Reject):
                rejects.append(record)
            else:
                record.sources = tuple(replace(source, path=name) for source in record.sources)
                papers.append(record)
    merged, duplicates = merge_papers(papers)
    rejects.sort(key=lambda reject: (reject.path, reject.line or 0, reject.reason))
    return ReadResult(
        papers=merged,
        rejects=rejects,
        records_read=len(papers) + len(rejects),
        duplicates_merged=duplicates,
    )
