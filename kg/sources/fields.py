"""Field parsing shared by the readers: dates, links, authors, and a JSON object -> Paper.

Every parser raises :class:`RecordError` with a one-line reason when a value is unusable; the
readers turn that into a :class:`kg.model.Reject` naming file and line.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping

from kg.model import Paper, PaperDate, Source, arxiv_id_or_none, normalise_title

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)

#: ``Mar 17``, ``Oct 14, 2024``, ``Oct 14, 2024 2`` (2 upvotes), ``Jun 5 2`` -- the HF page date line
PAGE_DATE = re.compile(r"^([A-Za-z]{3,9})\.? (\d{1,2})(?:, (\d{4}))?(?: (\d+))?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z ]*)?$")
#: every character str.split() treats as whitespace (all below U+3001), mapped to a plain space
_TO_SPACE = {code: " " for code in range(0x3001) if chr(code).isspace()}
_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^]+")
_URL_TRAILING = ".,;:!?'\"*"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
EXCERPT_CHARS = 80


class RecordError(ValueError):
    """A record (or a value in it) that cannot become a Paper; the message is the reject reason.

    ``line`` is the line at fault when it is not the line where the record starts.
    """

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.line = line


def excerpt(text: str) -> str:
    """A short one-line excerpt of ``text`` for a Reject.

    >>> excerpt("  a\\n b  ")
    'a b'
    """
    return " ".join(text[: EXCERPT_CHARS * 4].split())[:EXCERPT_CHARS]


def collapse(text: str) -> str:
    """``text`` with every run of whitespace turned into one space, trimmed.

    >>> collapse(" Low-Rank\\n  Adaptation ")
    'Low-Rank Adaptation'
    """
    text = text.translate(_TO_SPACE)
    while "  " in text:  # C-speed passes, each at least halving every run of spaces
        text = text.replace("  ", " ")
    return text.strip()


def make_date(month: int, day: int, year: int | None) -> PaperDate:
    """A validated PaperDate; a year-less date is checked against a leap year (``Feb 29`` is fine).

    >>> make_date(2, 29, None).iso()
    '--02-29'
    >>> make_date(2, 30, 2024)
    Traceback (most recent call last):
    kg.sources.fields.RecordError: no such date: 2024-02-30
    """
    try:
        _dt.date(2000 if year is None else year, month, day)
    except ValueError:
        raise RecordError(f"no such date: {PaperDate(month=month, day=day, year=year).iso()}") from None
    return PaperDate(month=month, day=day, year=year)


def month_number(name: str) -> int | None:
    """1..12 for an English month name or its abbreviation (``Sep``, ``Sept``, ``September``).

    >>> month_number("Sept"), month_number("Mars")
    (9, None)
    """
    lowered = name.lower()
    for number, full in enumerate(_MONTH_NAMES, start=1):
        if len(lowered) >= 3 and full.startswith(lowered):
            return number
    return None


def parse_page_date(line: str, year: int | None = None) -> tuple[PaperDate, int | None] | None:
    """The date and upvotes of an HF page date line, or None when ``line`` is not one.

    ``year`` fills in a date printed without one; a printed year always wins. A line that has the
    shape of a date line but names no real date raises RecordError.

    >>> parse_page_date("Mar 17")
    (PaperDate(month=3, day=17, year=None), None)
    >>> parse_page_date("Oct 14, 2024 2")
    (PaperDate(month=10, day=14, year=2024), 2)
    >>> parse_page_date("Jun 5 2", year=2025)
    (PaperDate(month=6, day=5, year=2025), 2)
    >>> parse_page_date("Attention Is All You Need") is None
    True
    """
    match = PAGE_DATE.match(line.strip())
    if not match:
        return None
    month = month_number(match.group(1))
    if month is None:
        return None
    printed_year = int(match.group(3)) if match.group(3) else None
    upvotes = int(match.group(4)) if match.group(4) else None
    date = make_date(month, int(match.group(2)), printed_year if printed_year is not None else year)
    return date, upvotes


def parse_date_value(value: object, year: int | None = None, field: str = "date") -> PaperDate:
    """A date field of a JSON record or feed: ISO date or datetime, or ``Mar 17``-style text.

    >>> parse_date_value("2024-03-17T09:00:00.000Z")
    PaperDate(month=3, day=17, year=2024)
    >>> parse_date_value("Mar 17", year=2024)
    PaperDate(month=3, day=17, year=2024)
    """
    if not isinstance(value, str):
        raise RecordError(f"field '{field}' must be a date string, got {type(value).__name__}")
    text = value.strip()
    iso = _ISO_DATE.match(text)
    if iso:
        return make_date(int(iso.group(2)), int(iso.group(3)), int(iso.group(1)))
    page = parse_page_date(text, year)
    if page is None or page[1] is not None:
        raise RecordError(f"field '{field}' is not a date: {excerpt(text)!r}")
    return page[0]


def find_links(text: str) -> tuple[str, ...]:
    """The http(s) URLs in ``text``, in order, without trailing punctuation, each once.

    >>> find_links("Code: https://github.com/a/b. See (https://x.org/p_(1)), url{http://y.io/z}.")
    ('https://github.com/a/b', 'https://x.org/p_(1)', 'http://y.io/z')
    """
    seen: dict[str, None] = {}
    for match in _URL.finditer(text):
        url = _trim_url(match.group(0))
        if len(url) > len("https://"):
            seen.setdefault(url, None)
    return tuple(seen)


def _trim_url(url: str) -> str:
    """Drop trailing punctuation and closing brackets that the URL does not open."""
    while url:
        last = url[-1]
        if last in _URL_TRAILING:
            url = url[:-1]
        elif last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last]):
            url = url[:-1]
        else:
            break
    return url


def parse_authors(value: object) -> tuple[tuple[str, ...], int | None]:
    """Author names and count from a list of names, a list of ``{"name": ...}``, or a count.

    >>> parse_authors([{"name": "Ada"}, "Alan"])
    (('Ada', 'Alan'), 2)
    >>> parse_authors(7)
    ((), 7)
    """
    if value is None:
        return (), None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return (), value
    if isinstance(value, list):
        names = []
        for item in value:
            name = item.get("name") if isinstance(item, Mapping) else item
            if not isinstance(name, str):
                raise RecordError("field 'authors' must list names (strings or objects with 'name')")
            require_unicode(name, "authors")
            if name.strip():
                names.append(collapse(name))
        return tuple(names), len(names)
    raise RecordError("field 'authors' must be a list of names or a number of authors")


def _optional_str(record: Mapping, *keys: str) -> str | None:
    """The first of ``keys`` present in ``record`` as a non-empty string (stripped)."""
    for key in keys:
        value = record.get(key)
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool) and key == "id":
            value = str(value)
        if not isinstance(value, str):
            raise RecordError(f"field '{key}' must be a string, got {type(value).__name__}")
        require_unicode(value, key)
        if value.strip():
            return value.strip()
    return None


def require_unicode(value: str, field: str) -> None:
    """Raise RecordError when ``value`` holds a lone surrogate (JSON's ``"\\ud800"``): not text.

    >>> require_unicode("caf\u00e9", "title")
    >>> require_unicode("a \\ud800", "title")
    Traceback (most recent call last):
    kg.sources.fields.RecordError: field 'title' holds an unpaired surrogate (not valid Unicode text)
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordError(f"field '{field}' holds an unpaired surrogate (not valid Unicode text)") from None


def _upvotes(record: Mapping) -> int | None:
    value = record.get("upvotes")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError("field 'upvotes' must be a whole number >= 0")
    return value


def require_title_and_abstract(title: str | None, abstract: str | None) -> None:
    """Raise RecordError unless both a title and an abstract are given (not blank)."""
    has_title = bool(title and title.strip())
    has_abstract = bool(abstract and abstract.strip())
    if not has_title and not has_abstract:
        raise RecordError("record has neither a title nor an abstract")
    if not has_abstract:
        raise RecordError("title without an abstract")
    if not has_title:
        raise RecordError("abstract without a title")


def build_paper(
    title: str | None,
    abstract: str | None,
    source: Source,
    **fields,
) -> Paper:
    """A Paper from a title and an abstract (both required), plus optional fields.

    URLs found in the abstract go to ``links``.

    >>> build_paper("T", None, Source("f.txt", 3, "hf-text"))
    Traceback (most recent call last):
    kg.sources.fields.RecordError: title without an abstract
    """
    require_title_and_abstract(title, abstract)
    title = collapse(title)
    if not normalise_title(title):
        raise RecordError("title has no letters or digits")
    return Paper(title=title, abstract=abstract.strip(), links=find_links(abstract), sources=(source,), **fields)


def paper_from_mapping(record: object, source: Source, year: int | None = None) -> Paper:
    """A Paper from one JSON object (JSON Lines record or HF API item).

    Accepted fields: ``title``; ``abstract`` or ``summary``; ``id``; ``date``, ``published`` or
    ``publishedAt``; ``authors`` (names or a count); ``url``; ``upvotes``. An HF API item's nested
    ``paper`` object is read with its fields taking precedence over the item's own.

    >>> p = paper_from_mapping({"paper": {"id": "2106.09685", "title": "LoRA", "summary": "Low rank."}},
    ...                        Source("a.json", 1, "hf-api"))
    >>> p.arxiv_id, p.title, p.abstract
    ('2106.09685', 'LoRA', 'Low rank.')
    """
    if not isinstance(record, Mapping):
        raise RecordError(f"expected a JSON object, got {_json_type(record)}")
    nested = record.get("paper")
    if isinstance(nested, Mapping):
        record = {**record, **nested}
    title = _optional_str(record, "title")
    abstract = _optional_str(record, "abstract", "summary")
    record_id = _optional_str(record, "id")
    url = _optional_str(record, "url")
    date_key = next((k for k in ("date", "published", "publishedAt") if record.get(k) is not None), None)
    date = parse_date_value(record[date_key], year, date_key) if date_key else None
    authors, author_count = parse_authors(record.get("authors"))
    return build_paper(
        title,
        abstract,
        source,
        record_id=record_id,
        arxiv_id=arxiv_id_or_none(record_id) or arxiv_url_id(url),
        authors=authors,
        author_count=author_count,
        date=date,
        upvotes=_upvotes(record),
        url=url,
    )


def arxiv_url_id(url: str | None) -> str | None:
    """The arXiv id of an arxiv.org URL, or None for any other URL.

    >>> arxiv_url_id("https://arxiv.org/pdf/1706.03762v7.pdf"), arxiv_url_id("https://x.org/abs/1706.03762")
    ('1706.03762', None)
    """
    if not url or not re.match(r"^https?://(www\.|export\.)?arxiv\.org/", url.strip(), re.IGNORECASE):
        return None
    return arxiv_id_or_none(url)


def _json_type(value: object) -> str:
    names = {list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
