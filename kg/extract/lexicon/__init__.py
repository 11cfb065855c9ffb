"""The curated lexicon of ML entities: one TSV file per entity type (format in README.md).

>>> entries = load_lexicon()
>>> lora = next(e for e in entries if e.canonical == "Low-Rank Adaptation")
>>> lora.type, lora.aliases[0]
('Method', 'LoRA')
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import InputError
from kg.model import ENTITY_TYPES

LEXICON_DIR = Path(__file__).resolve().parent
HEADER = "canonical\taliases"
ALIAS_SEPARATOR = "|"
FILE_NAMES = {
    "Method": "methods.tsv",
    "Model": "models.tsv",
    "Dataset": "datasets.tsv",
    "Benchmark": "benchmarks.tsv",
    "Metric": "metrics.tsv",
    "Task": "tasks.tsv",
}
assert tuple(FILE_NAMES) == ENTITY_TYPES


@dataclass(frozen=True)
class LexiconEntry:
    """One curated entity: its canonical name, type, other surface forms, and where it is listed."""

    canonical: str
    type: str
    aliases: tuple[str, ...]
    path: str
    line: int

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """The canonical name followed by the aliases."""
        return (self.canonical, *self.aliases)


def sort_key(canonical: str) -> tuple[str, str]:
    """Order of lines in a lexicon file: case-insensitive, ties broken by the exact text.

    >>> sorted(["mAP", "BLEU", "accuracy"], key=sort_key)
    ['accuracy', 'BLEU', 'mAP']
    """
    return (canonical.casefold(), canonical)


def _clean_form(form: str, path: Path, line: int) -> str:
    """A surface form, rejected when empty or padded with whitespace."""
    if not form or form != form.strip():
        raise InputError(path, line, f"empty or space-padded name {form!r}")
    if "\t" in form:
        raise InputError(path, line, f"tab inside name {form!r}")
    return form


def parse_entry(text: str, entity_type: str, path: Path, line: int) -> LexiconEntry:
    """Parse one ``canonical<TAB>alias1|alias2`` line.

    >>> parse_entry("Low-Rank Adaptation\\tLoRA", "Method", Path("m.tsv"), 2).aliases
    ('LoRA',)
    >>> parse_entry("accuracy\\t", "Metric", Path("x.tsv"), 3).aliases
    ()
    """
    if text.count("\t") != 1:
        raise InputError(path, line, f"expected exactly one tab (canonical<TAB>aliases), got {text!r}")
    canonical, alias_field = text.split("\t")
    aliases = alias_field.split(ALIAS_SEPARATOR) if alias_field else []
    return LexiconEntry(
        canonical=_clean_form(canonical, path, line),
        type=entity_type,
        aliases=tuple(_clean_form(alias, path, line) for alias in aliases),
        path=str(path),
        line=line,
    )


def read_lexicon_file(path: Path, entity_type: str) -> list[LexiconEntry]:
    """Every entry of one lexicon file, in file order; InputError (file and line) on a bad line."""
    if entity_type not in ENTITY_TYPES:
        raise InputError(path, None, f"unknown entity type {entity_type!r}")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, None, f"cannot read lexicon file: {error}") from None
    if not lines or lines[0] != HEADER:
        raise InputError(path, 1, f"header must be {HEADER!r}")
    return [parse_entry(text, entity_type, path, number) for number, text in enumerate(lines[1:], start=2)]


@lru_cache(maxsize=4)
def load_lexicon(directory: Path = LEXICON_DIR) -> tuple[LexiconEntry, ...]:
    """All entries of the six files in ``directory``, types in ENTITY_TYPES order."""
    return tuple(
        entry
        for entity_type, file_name in FILE_NAMES.items()
        for entry in read_lexicon_file(Path(directory) / file_name, entity_type)
    )


def lexicon_problems(entries: tuple[LexiconEntry, ...] | list[LexiconEntry]) -> list[str]:
    """Consistency problems, one ``path:line: message`` string each (empty when the lexicon is clean).

    Checked: each file sorted by ``sort_key``; within a type, a surface form (compared
    case-insensitively) names one entity only; a canonical name is listed in one type only; no alias
    is another form of its entry followed by "score" (the matcher would take "FID score" whole, and
    the name the text gives is "FID").

    >>> e = lambda c, t, a=(), n=2: LexiconEntry(c, t, a, "f.tsv", n)
    >>> lexicon_problems([e("LoRA", "Method"), e("QLoRA", "Method", ("lora",), 3)])
    ["f.tsv:3: 'lora' (QLoRA) already names LoRA in Method"]
    """
    problems = []
    owner: dict[tuple[str, str], LexiconEntry] = {}
    types_of_canonical: dict[str, set[str]] = defaultdict(set)
    previous: dict[str, LexiconEntry] = {}
    for entry in entries:
        before = previous.get(entry.type)
        if before is not None and sort_key(before.canonical) >= sort_key(entry.canonical):
            problems.append(f"{entry.path}:{entry.line}: {entry.canonical!r} is not sorted after {before.canonical!r}")
        previous[entry.type] = entry
        types_of_canonical[entry.canonical.casefold()].add(entry.type)
        if len(set(entry.surface_forms)) != len(entry.surface_forms):
            problems.append(f"{entry.path}:{entry.line}: {entry.canonical!r} repeats a surface form")
        folded = {form.casefold() for form in entry.surface_forms}
        problems.extend(f"{entry.path}:{entry.line}: {form!r} is {form[:-6]!r} with 'score' after it"
                        for form in entry.aliases
                        if form.casefold().endswith(" score") and form.casefold()[:-6] in folded)
        for form in entry.surface_forms:
            key = (entry.type, form.casefold())
            other = owner.setdefault(key, entry)
            if other is not entry:
                problems.append(
                    f"{entry.path}:{entry.line}: {form!r} ({entry.canonical}) already names {other.canonical} in {entry.type}"
                )
    for canonical, types in sorted(types_of_canonical.items()):
        if len(types) > 1:
            problems.append(f"canonical {canonical!r} is listed in several types: {', '.join(sorted(types))}")
    return problems
