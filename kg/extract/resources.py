"""The data the rules read: the curated lexicon (kg/extract/lexicon, read with its own loader) and the extractor's own word lists (kg/extract/rules/*.tsv), plus a version that changes
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
import spacy

from kg.extract.lexicon import FILE_NAMES, LEXICON_DIR, read_lexicon_file
from kg.extract.tokenizer import install_tokenizer
from kg import model
from kg.model import ENTITY_TYPES

PACKAGE_DIR = Path(__file__).parent
RULES_DIR = PACKAGE_DIR / "rules"

KEY_SEPARATORS = re.compile(r"[\s\-_/.,:;'’`\"()\[\]{}–—\\]+")  # with backslash: LaTeX macros


#: Greek letters spelled out, as LaTeX writes them ("D$\\epsilon$pS" comes through as "DepsilonpS")
_GREEK_NAMES = {**{code: unicodedata.name(chr(code)).rsplit(" ", 1)[-1].lower() for code in range(0x3B1, 0x3CA)},
                ord("λ"): "lambda"}  # Unicode spells it LAMDA; NFKC already maps the variant forms (ϵ -> ε)


@lru_cache(maxsize=131072)
def name_key(text: str) -> str:
    """Comparison key of a name: case, Unicode form, spaces, hyphens and a plural 's' (glued to the
    word) ignored, Greek letters spelled out.

    Versions and sizes stay in the key, so sizes of one family remain distinct.

    >>> name_key("Mixture-of-Experts") == name_key("mixture of experts")
    True
    >>> name_key("LLaMA-2-7B") == name_key("LLaMA-2-13B")
    False
    >>> name_key("LLMs") == name_key("LLM")
    True
    >>> name_key("WSD-S") == name_key("WSD")  # a variant, not a plural
    False
    >>> name_key("DεpS") == name_key("DepsilonpS")
    True
    """
    key = KEY_SEPARATORS.sub("", unicodedata.normalize("NFKC", text).casefold().translate(_GREEK_NAMES))
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss") and text[-2:-1].isalnum():
        key = key[:-1]
    return key


@dataclass(frozen=True, eq=False)
class LexiconEntry:
    """One curated thing: its type, canonical name and the surface forms it is known by. One object
    per thing (shared by all its forms' keys), compared and hashed by identity: cheap as a cache key."""

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
    lexicon_prefixes: frozenset[str] = frozenset()  # keys of the first tokens of multi-token forms
    heads: dict[str, Head] = field(default_factory=dict)  # lower-case word -> head
    cues: dict[str, str] = field(default_factory=dict)  # "benchmark" -> "Benchmark"
    name_suffixes: dict[str, str] = field(default_factory=dict)  # "bench" -> "Benchmark"
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


def available_lexicon() -> list:
    """Entries of the lexicon files that exist (the lexicon grows file by file)."""
    return [entry for kind, name in FILE_NAMES.items() if (LEXICON_DIR / name).is_file()
            for entry in read_lexicon_file(LEXICON_DIR / name, kind)]


def index_lexicon(entries) -> dict[str, LexiconEntry]:
    """Lexicon entries (``kg.extract.lexicon.load_lexicon``) indexed by :func:`name_key` of every form.

    A form listed under two entries keeps the first (the loader's order is fixed, so this is
    deterministic).
    """
    index: dict[str, LexiconEntry] = {}
    for e in entries:
        entry = LexiconEntry(e.type, e.canonical, tuple(dict.fromkeys(e.surface_forms)))
        for form in entry.forms:
            index.setdefault(name_key(form), entry)
    return index


def read_heads(path: Path) -> dict[str, Head]:
    """``rules/heads.tsv``: ``word<TAB>type<TAB>standalone|modified``."""
    return {
        cells[0].lower(): Head(cells[1], len(cells) > 2 and cells[2] == "standalone")
        for _, cells in _tsv_rows(path)
        if len(cells) >= 2 and cells[1] in ENTITY_TYPES
    }


def read_cues(path: Path) -> dict[str, str]:
    """``rules/cues.tsv`` (``noun<TAB>type``: "benchmark" after a name makes it a Benchmark) and
    ``rules/name_suffixes.tsv`` (``suffix<TAB>type``)."""
    return {cells[0].lower(): cells[1] for _, cells in _tsv_rows(path) if len(cells) >= 2}


def read_word_lists(directory: Path) -> dict[str, frozenset[str]]:
    """Every ``rules/<name>.txt``: one lower-case word or phrase per line."""
    return {
        path.stem: frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                             if line.strip() and not line.startswith("#"))
        for path in sorted(directory.glob("*.txt"))
    }


def verb_forms(base: str) -> set[str]:
    """A verb and its -s, -ed and -ing forms (regular spelling; good enough for a block list).

    >>> sorted(verb_forms("achieve"))
    ['achieve', 'achieved', 'achieves', 'achieving']
    """
    stem = base[:-1] if base.endswith("e") else base
    plural = base + "es" if base.endswith(("s", "sh", "ch", "x")) else base + "s"
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        plural, past = base[:-1] + "ies", base[:-1] + "ied"
    else:
        past = stem + "ed"
    return {base, plural, past, stem + "ing"}


def with_derived_lists(words: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """Add ``verbs_all`` (every form of rules/verbs.txt) and ``not_entities_keys`` (name keys)."""
    derived = dict(words)
    derived["verbs_all"] = frozenset(f for v in words.get("verbs", ()) for f in verb_forms(v))
    derived["not_entities_keys"] = frozenset(name_key(w) for w in words.get("not_entities", ()))
    return derived


def resources_version(*directories: Path) -> str:
    """``kg.__version__`` plus a short hash of everything mentions depend on: the spaCy version (its
    tokenizer), the extractor code, every data file and kg/model.py (cached mentions embed its
    :class:`~kg.model.Evidence`)."""
    digest = hashlib.sha1(spacy.__version__.encode())
    files = sorted(p for d in directories if d.is_dir() for p in d.iterdir() if p.is_file()
                   and p.suffix in {".py", ".tsv", ".txt", ".json"})
    for path in [*files, Path(model.__file__)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:10]}"


def lexicon_prefixes(lexicon: dict[str, LexiconEntry]) -> frozenset[str]:
    """Keys of every proper token prefix of a lexicon form, tokenized as the extractor tokenizes
    text, so matching extends an n-gram only while some form can still match.

    >>> sorted(lexicon_prefixes({"x": LexiconEntry("Task", "image classification", ("image classification",))}))
    ['image']
    """
    tokenizer = install_tokenizer(spacy.blank("en")).tokenizer
    prefixes = set()
    for form in sorted({f for entry in lexicon.values() for f in entry.forms}):
        raws = [KEY_SEPARATORS.sub("", t.lower_) for t in tokenizer(form)]
        prefixes.update("".join(raws[:k]) for k in range(1, len(raws)))
    prefixes.discard("")  # a form opening with punctuation must not let every comma start a match
    return frozenset(prefixes)


@lru_cache(maxsize=1)
def load_resources() -> Resources:
    """Load the lexicon and rule files shipped in the package (cached)."""
    lexicon = index_lexicon(available_lexicon())
    return Resources(
        lexicon=lexicon,
        lexicon_prefixes=lexicon_prefixes(lexicon),
        heads=read_heads(RULES_DIR / "heads.tsv"),
        cues=read_cues(RULES_DIR / "cues.tsv"),
        name_suffixes=read_cues(RULES_DIR / "name_suffixes.tsv"),
        words=with_derived_lists(read_word_lists(RULES_DIR)),
        version=resources_version(PACKAGE_DIR, LEXICON_DIR, RULES_DIR),
    )
