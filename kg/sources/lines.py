"""Reading a file as numbered lines, one line at a time, tolerant of bad bytes.

Each line is decoded on its own, so one line of invalid UTF-8 spoils only the record it belongs to.
Windows (CRLF) line endings and a UTF-8 byte order mark are accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

BOM = "\ufeff"


@dataclass(frozen=True)
class Line:
    """One line: 1-based number, text without its line ending, and whether it was valid UTF-8."""

    number: int
    text: str
    valid: bool = True

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def decode_line(raw: bytes, number: int) -> Line:
    """Decode one raw line (ending included or not); invalid UTF-8 is replaced and flagged.

    >>> decode_line(b"\\xef\\xbb\\xbfTitle\\r\\n", 1)
    Line(number=1, text='Title', valid=True)
    >>> decode_line(b"caf\\xe9\\n", 2).valid
    False
    """
    raw = raw.removesuffix(b"\n").removesuffix(b"\r")
    try:
        text, valid = raw.decode("utf-8"), True
    except UnicodeDecodeError:
        text, valid = raw.decode("utf-8", errors="replace"), False
    if number == 1:
        text = text.removeprefix(BOM)
    return Line(number, text, valid)


def numbered_lines(stream: BinaryIO) -> Iterator[Line]:
    """Every line of a binary stream, numbered from 1 (streaming: one line in memory at a time)."""
    for number, raw in enumerate(stream, start=1):
        yield decode_line(raw, number)


def invalid_line(lines: list[Line]) -> Line | None:
    """The first line among ``lines`` that was not valid UTF-8, if any."""
    return next((line for line in lines if not line.valid), None)
