"""Reader for Hugging Face daily papers API dumps (``.json``), format name ``hf-api``.

The document is a JSON list of objects shaped like
``{"paper": {"id", "title", "summary", "authors": [{"name"}], "publishedAt", "upvotes"}, ...}``
(extra fields are ignored; the same fields at the top level also work), or one such object.
Elements are decoded one at a time, so each gets the line where it starts, a bad element is a
Reject, and a syntax error rejects only the rest of the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from pathlib import Path

from kg.model import Paper, Reject, Source
from kg.sources.fields import RecordError, excerpt, paper_from_mapping
from kg.sources.lines import BOM

FORMAT = "hf-api"
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def read_hf_api(path: Path, year: int | None = None) -> Iterator[Paper | Reject]:
    """Papers and rejects of one API dump (the document is read whole, then decoded per element)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        yield Reject(str(path), line, f"not valid UTF-8 (byte {error.start})", "")
        return
    yield from parse_hf_api(text.removeprefix(BOM), str(path), year)


def parse_hf_api(text: str, path: str, year: int | None = None) -> Iterator[Paper | Reject]:
    """Papers and rejects of an API dump's text, shown as ``path``."""
    for line, value in _values(text, path):
        if isinstance(value, Reject):
            yield value
            continue
        try:
            yield paper_from_mapping(value, Source(path, line, FORMAT), year)
        except RecordError as error:
            yield Reject(path, line, str(error), excerpt(json.dumps(value, ensure_ascii=False)[:400]))


def _values(text: str, path: str) -> Iterator[tuple[int, object]]:
    """(line, element) for each list element, or for the one top-level object; errors as Rejects."""
    cursor = _Cursor(text)
    cursor.skip_whitespace()
    opener = cursor.peek()
    if opener == "{":
        line, value = _decode_one(cursor, path)
        yield line, value
        complete, trailing = not isinstance(value, Reject), "unexpected data after the JSON object"
    elif opener == "[":
        cursor.advance(1)
        complete = yield from _elements(cursor, path)
        trailing = "unexpected data after the JSON list"
    else:
        yield cursor.line, cursor.reject(path, "expected a JSON list of papers or one paper object")
        return
    cursor.skip_whitespace()
    if complete and not cursor.at_end():
        yield cursor.line, cursor.reject(path, trailing)


def _elements(cursor: "_Cursor", path: str) -> Generator[tuple[int, object], None, bool]:
    """The elements of a list whose ``[`` was just passed; returns whether the list closed properly."""
    cursor.skip_whitespace()
    if cursor.peek() == "]":
        cursor.advance(1)
        return True
    while True:
        cursor.skip_whitespace()
        line, value = _decode_one(cursor, path)
        yield line, value
        if isinstance(value, Reject):
            return False
        cursor.skip_whitespace()
        separator = cursor.peek()
        if separator not in (",", "]"):
            yield cursor.line, cursor.reject(path, "expected ',' or ']' after a list element")
            return False
        cursor.advance(1)
        if separator == "]":
            return True


def _decode_one(cursor: "_Cursor", path: str) -> tuple[int, object]:
    """(line, value) of the JSON value at the cursor, moving past it; a Reject on a syntax error."""
    line = cursor.line
    try:
        value, end = _DECODER.raw_decode(cursor.text, cursor.index)
    except ValueError as error:
        return line, cursor.reject(path, f"invalid JSON: {error}")
    except RecursionError:
        return line, cursor.reject(path, "invalid JSON: nested too deeply")
    cursor.advance(end - cursor.index)
    return line, value


class _Cursor:
    """A position in a JSON text that keeps its line number up to date in linear time."""

    def __init__(self, text: str):
        self.text = text
        self.index = 0
        self.line = 1

    def peek(self) -> str:
        return self.text[self.index : self.index + 1]

    def at_end(self) -> bool:
        return self.index >= len(self.text)

    def advance(self, count: int) -> None:
        end = self.index + count
        self.line += self.text.count("\n", self.index, end)
        self.index = end

    def skip_whitespace(self) -> None:
        self.advance(_WHITESPACE.match(self.text, self.index).end() - self.index)

    def reject(self, path: str, reason: str) -> Reject:
        """A Reject for the rest of the document, from the current position."""
        return Reject(path, self.line, reason, excerpt(self.text[self.index : self.index + 400]))
