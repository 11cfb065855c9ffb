"""The data the rules read: the curated lexicon (kg/extract/lexicon/*.tsv, owned by the lexicon
work) and the extractor's own word lists (kg/extract/rules/*.tsv), plus a version that changes
whenever any of them, or the extractor code, changes (the incremental build re-extracts then).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg import __version__
from kg.model import ENTITY_TYPES

PACKAGE_DIR = Path(__file__).parent
LEXICON_DIR = PACKAGE_DIR / "lexicon"
RULES_DIR = PACKAGE_DIR / "rules"

_KEY_DROP = re.compile(r"[\s\-_/.,:;'’`\"()\[\]{}–—]+")


def name_key(text: str) -> str:
    """Comparison key of a name: case, Unicode form, spaces, hyphens and a plural 's' ignored.

    Versions and sizes stay in the key, so sizes of one family remain distinct.

    >>> name_key("Mixture-of-Experts") == name_key("mixture of experts")
    True
    >>> name_key("LLaMA-2-7B") == name_key("LLaMA-2-13B")
    False
    >>> name_key("LLMs") == name_key("LLM")
    True
    """
    key = _KEY_DROP.sub("", unicodedata.normalize("NFKC", text).casefold())
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]
    return key


@dataclass(frozen=True)
class LexiconEntry:
    """One curated thing: its type, canonical name and the surface forms it is known by."""

    type: str
    canonical: str
    forms: tuple[str, ...]


@dataclass(frozen=True)
class Head:
    """A head noun that makes a phrase an entity candidate of ``type``."""

    type: str
    standalone: bool  # whether the bare word is an entity on its own ("quantization": yes)


@dataclass(frozen=True)
class Resources:
    """Everything the rules read, loaded once."""

    lexicon: dict[str, LexiconEntry] = field(default_factory=dict)  # name_key(form) -> entry
    max_lexicon_tokens: int = 1
    heads: dict[str, Head] = field(default_factory=dict)  # lower-case word -> head
    cues: dict[str, str] = field(default_factory=dict)  # "benchmark" -> "Benchmark"
    words: dict[str, frozenset[str]] = field(default_factory=dict)  # named word lists (rules/*.txt)
    version: str = "0"

    def word_list(self, name: str) -> frozenset[str]:
        """A word list from ``rules/<name>.txt`` (lower-case entries)."""
        return self.words.get(name, frozenset())


def _tsv_rows(path: Path):
    """(line number, cells) of a TSV file, skipping blank lines and ``#`` comments."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, [cell.strip() for cell in line.split("\t")]


def read_lexicon(directory: Path) -> dict[str, LexiconEntry]:
    """Lexicon files ``type<TAB>canonical<TAB>alias|alias`` -> entries by :func:`name_key`.

    Malformed rows (unknown type, missing name) are skipped: the lexicon is curated by hand and
    grows while others use it, so one bad line must not stop extraction. A form listed under two
    entries keeps the first (files read in sorted order, so this is deterministic).
    """
    entries: dict[str, LexiconEntry] = {}
    for path in sorted(directory.glob("*.tsv")):
        for _, cells in _tsv_rows(path):
            if len(cells) < 2 or cells[0] not in ENTITY_TYPES or not cells[1]:
                continue
            aliases = [a.strip() for a in cells[2].split("|")] if len(cells) > 2 else []
            entry = LexiconEntry(cells[0], cells[1], tuple(dict.fromkeys([cells[1], *filter(None, aliases)])))
            for form in entry.forms:
                entries.setdefault(name_key(form), entry)
    return entries


def read_heads(path: Path) -> dict[str, Head]:
    """``rules/heads.tsv``: ``word<TAB>type<TAB>standalone|modified``."""
    return {
        cells[0].lower(): Head(cells[1], len(cells) > 2 and cells[2] == "standalone")
        for _, cells in _tsv_rows(path)
        if len(cells) >= 2 and cells[1] in ENTITY_TYPES
    }


def read_cues(path: Path) -> dict[str, str]:
    """``rules/cues.tsv``: ``noun<TAB>type`` — "benchmark" after a name makes it a Benchmark."""
    return {cells[0].lower(): cells[1] for _, cells in _tsv_rows(path) if len(cells) >= 2}


def read_word_lists(directory: Path) -> dict[str, frozenset[str]]:
    """Every ``rules/<name>.txt``: one lower-case word or phrase per line."""
    return {
        path.stem: frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                             if line.strip() and not line.startswith("#"))
        for path in sorted(directory.glob("*.txt"))
    }


def resources_version(*directories: Path) -> str:
    """``kg.__version__`` plus a short hash of the extractor code and every data file."""
    digest = hashlib.sha1()
    files = sorted(p for d in directories if d.is_dir() for p in d.iterdir() if p.is_file()
                   and p.suffix in {".py", ".tsv", ".txt", ".json"})
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:10]}"


@lru_cache(maxsize=1)
def load_resources() -> Resources:
    """Load the lexicon and rule files shipped in the package (cached)."""
    lexicon = read_lexicon(LEXICON_DIR) if LEXICON_DIR.is_dir() else {}
    longest = max((len(form.split()) for e in lexicon.values() for form in e.forms), default=1)
    return Resources(
        lexicon=lexicon,
        max_lexicon_tokens=longest,
        heads=read_heads(RULES_DIR / "heads.tsv"),
        cues=read_cues(RULES_DIR / "cues.tsv"),
        words=read_word_lists(RULES_DIR),
        version=resources_version(PACKAGE_DIR, LEXICON_DIR, RULES_DIR),
    )
