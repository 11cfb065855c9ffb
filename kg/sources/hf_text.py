"""Reader for Hugging Face Daily Papers page dumps (``.txt``), format name ``hf-text``.

A page is: chrome lines ("new", "Subscribe", ...) and the page's own date line, then entries.
Chrome is skipped wherever it appears (files of several pages joined together read fine).
An entry is a one-line title, a blank line, the abstract paragraph, and optionally a meta block::

    Some Title

    The abstract ...

      • 5 authors          (or an organisation line such as "openbmb OpenBMB", or nothing)
    ·
    Aug 28 2               (date without year, with 2 upvotes; also "Oct 14, 2024" and "Oct 14, 2024 2")

Paragraphs are paired into (title, abstract) by position, using their shape to recover when one
side is missing: a title is one line of at most ``TITLE_MAX_CHARS`` characters that does not end
with a full stop. A meta block belongs to the entry just above it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.model import Paper, Reject, Source
from kg.sources.fields import (
    PAGE_DATE,
    RecordError,
    build_paper,
    excerpt,
    parse_page_date,
    require_title_and_abstract,
)
from kg.sources.lines import Line, invalid_line, numbered_lines

FORMAT = "hf-text"
CHROME = frozenset(
    {
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
    }
)
META_SEPARATOR = "·"
TITLE_MAX_CHARS = 300
_AUTHORS = re.compile(r"^•\s*(\d+)\s+authors?$")

Paragraph = list[Line]


def read_hf_text(path: Path, year: int | None = None) -> Iterator[Paper | Reject]:
    """Papers and rejects of one page dump, streaming line by line."""
    with open(path, "rb") as stream:
        yield from parse_hf_text(numbered_lines(stream), str(path), year)


def parse_hf_text(lines: Iterable[Line], path: str, year: int | None = None) -> Iterator[Paper | Reject]:
    """Papers and rejects from the numbered lines of a page dump shown as ``path``."""
    group: list[Paragraph] = []
    in_header = True
    for paragraph in paragraphs(lines):
        if is_chrome(paragraph):  # also mid-file, where two page dumps were joined
            in_header = True
            continue
        if in_header and is_page_date(paragraph):
            continue
        in_header = False
        if is_meta_block(paragraph):
            yield from _entries(group, paragraph, path, year)
            group = []
        else:
            group.append(paragraph)
    if group:
        yield from _entries(group, None, path, year)


def paragraphs(lines: Iterable[Line]) -> Iterator[Paragraph]:
    """Runs of non-blank lines."""
    current: Paragraph = []
    for line in lines:
        if line.blank:
            if current:
                yield current
                current = []
        else:
            current.append(line)
    if current:
        yield current


def is_chrome(paragraph: Paragraph) -> bool:
    """A line of page furniture such as "Subscribe" or "Daily Papers"."""
    return len(paragraph) == 1 and paragraph[0].text.strip() in CHROME


def is_page_date(paragraph: Paragraph) -> bool:
    """A lone date line: after the chrome it is the page's own date, not a paper's."""
    return len(paragraph) == 1 and bool(PAGE_DATE.match(paragraph[0].text.strip()))


def is_meta_block(paragraph: Paragraph) -> bool:
    """The authors / organisation, "·", date block below an abstract."""
    return any(line.text.strip() == META_SEPARATOR or _AUTHORS.match(line.text.strip()) for line in paragraph)


def looks_like_title(paragraph: Paragraph) -> bool:
    """One short line that does not end like a sentence.

    >>> looks_like_title([Line(1, "LoRA: Low-Rank Adaptation of Large Language Models")])
    True
    >>> looks_like_title([Line(1, "We propose LoRA.")])
    False
    """
    if len(paragraph) != 1:
        return False
    text = paragraph[0].text.strip()
    return len(text) <= TITLE_MAX_CHARS and not text.endswith(".")


def pair_paragraphs(group: list[Paragraph]) -> list[tuple[Paragraph | None, Paragraph | None]]:
    """(title, abstract) pairs of consecutive text paragraphs; a missing side is None.

    Two paragraphs that end a group always pair (a short abstract may look like a title).
    """
    pairs: list[tuple[Paragraph | None, Paragraph | None]] = []
    i = 0
    while i < len(group):
        first = group[i]
        following = group[i + 1] if i + 1 < len(group) else None
        if not looks_like_title(first):
            pairs.append((None, first))
            i += 1
        elif following is not None and (not looks_like_title(following) or i + 2 == len(group)):
            pairs.append((first, following))
            i += 2
        else:
            pairs.append((first, None))
            i += 1
    return pairs


def organisation_name(line: str) -> str:
    """The organisation shown on a page: ``openbmb OpenBMB`` is the handle then the display name.

    >>> organisation_name("openbmb OpenBMB"), organisation_name("ReactiveAI Reactive AI")
    ('OpenBMB', 'Reactive AI')
    >>> organisation_name("HKUSTGZ")
    'HKUSTGZ'
    """
    handle, _, name = line.strip().partition(" ")
    if name and handle.casefold() == "".join(name.split()).casefold():
        return name.strip()
    return line.strip()


def parse_meta_block(paragraph: Paragraph, year: int | None = None) -> dict:
    """Paper fields of a meta block: author_count or organization, date, upvotes.

    >>> parse_meta_block([Line(1, "  • 5 authors"), Line(2, "·"), Line(3, "Aug 28 2")])
    {'author_count': 5, 'date': PaperDate(month=8, day=28, year=None), 'upvotes': 2}
    """
    fields: dict = {}
    after_separator = False
    for line in paragraph:
        text = line.text.strip()
        authors = _AUTHORS.match(text)
        try:
            dated = parse_page_date(text, year) if after_separator and "date" not in fields else None
        except RecordError as error:
            raise RecordError(str(error), line.number) from None
        if text == META_SEPARATOR and not after_separator:
            after_separator = True
        elif authors and not after_separator and "author_count" not in fields:
            fields["author_count"] = int(authors.group(1))
        elif dated:
            fields["date"], fields["upvotes"] = dated
        elif not after_separator and not fields:
            fields["organization"] = organisation_name(text)
        else:
            raise RecordError(f"unexpected line in the authors/date block: {excerpt(text)!r}", line.number)
    return {key: value for key, value in fields.items() if value is not None}


def _entries(
    group: list[Paragraph], meta: Paragraph | None, path: str, year: int | None
) -> Iterator[Paper | Reject]:
    """The records of one run of text paragraphs; ``meta`` belongs to the last of them."""
    if not group:
        yield Reject(path, meta[0].number, "authors/date block without a paper above it", excerpt(meta[0].text))
        return
    pairs = pair_paragraphs(group)
    for index, (title, abstract) in enumerate(pairs):
        own_meta = meta if index == len(pairs) - 1 else None
        yield _entry(title, abstract, own_meta, path, year)


def _entry(
    title: Paragraph | None,
    abstract: Paragraph | None,
    meta: Paragraph | None,
    path: str,
    year: int | None,
) -> Paper | Reject:
    first = (title or abstract)[0]
    every_line = (title or []) + (abstract or []) + (meta or [])
    bad = invalid_line(every_line)
    if bad is not None:
        return Reject(path, bad.number, "not valid UTF-8", excerpt(bad.text))
    title_text = title[0].text if title else None
    abstract_text = " ".join(line.text.strip() for line in abstract) if abstract else None
    try:
        require_title_and_abstract(title_text, abstract_text)
        fields = parse_meta_block(meta, year) if meta else {}
        return build_paper(title_text, abstract_text, Source(path, first.number, FORMAT), **fields)
    except RecordError as error:
        return Reject(path, error.line or first.number, str(error), excerpt(first.text))
