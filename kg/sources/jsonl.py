"""Reader for JSON Lines (``.jsonl``), format name ``jsonl``: one JSON object per line.

Fields: ``title``, ``abstract`` or ``summary``, optional ``id``, ``date``/``published``,
``authors`` (names or a count), ``url``, ``upvotes`` (see :func:`kg.sources.fields.paper_from_mapping`).
Blank lines are not records; every other line is one record, good or rejected.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.model import Paper, Reject, Source
from kg.sources.fields import RecordError, excerpt, paper_from_mapping
from kg.sources.lines import Line, numbered_lines

FORMAT = "jsonl"


def read_jsonl(path: Path, year: int | None = None) -> Iterator[Paper | Reject]:
    """Papers and rejects of one JSON Lines file, streaming line by line."""
    with open(path, "rb") as stream:
        yield from parse_jsonl(numbered_lines(stream), str(path), year)


def parse_jsonl(lines: Iterable[Line], path: str, year: int | None = None) -> Iterator[Paper | Reject]:
    """Papers and rejects from the numbered lines of a JSON Lines file shown as ``path``."""
    for line in lines:
        if line.blank:
            continue
        yield parse_jsonl_line(line, path, year)


def parse_jsonl_line(line: Line, path: str, year: int | None = None) -> Paper | Reject:
    """One record: a Paper, or a Reject saying what is wrong with the line."""
    if not line.valid:
        return Reject(path, line.number, "not valid UTF-8", excerpt(line.text))
    try:
        record = json.loads(line.text)
    except ValueError as error:
        return Reject(path, line.number, f"invalid JSON: {error}", excerpt(line.text))
    except RecursionError:
        return Reject(path, line.number, "invalid JSON: nested too deeply", excerpt(line.text))
    try:
        return paper_from_mapping(record, Source(path, line.number, FORMAT), year)
    except RecordError as error:
        return Reject(path, line.number, str(error), excerpt(line.text))
