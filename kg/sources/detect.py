"""Which reader a file needs, from its extension and the first bytes of its content.

Content decides the family (XML, JSON, text); the extension settles what content alone cannot.
A file no reader can take raises :class:`kg.sources.fields.RecordError` with the reason.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

from kg.sources.fields import RecordError
from kg.sources.hf_text import CHROME, META_SEPARATOR
from kg.sources.lines import BOM

HEAD_BYTES = 1 << 16
_BY_EXTENSION = {".txt": "hf-text", ".jsonl": "jsonl", ".json": "hf-api", ".atom": "arxiv-atom", ".xml": "arxiv-atom"}
_ATOM_ROOT = re.compile(r"<(?:[\w.-]+:)?feed[\s>/]")


def detect_format(path: Path, head: bytes) -> str:
    """The format name for a file whose content starts with ``head``.

    >>> detect_format(Path("x.data"), b'{"title": "T", "abstract": "A"}\\n')
    'jsonl'
    >>> detect_format(Path("x.txt"), b"\\x00\\x01")
    Traceback (most recent call last):
    kg.sources.fields.RecordError: binary file (contains NUL bytes), not a paper list
    """
    if b"\x00" in head:
        raise RecordError("binary file (contains NUL bytes), not a paper list")
    text, valid = _decode_head(head)
    start = text.removeprefix(BOM).lstrip()
    if not start:
        raise RecordError("empty file" if not head else "file holds only whitespace")
    extension = path.suffix.lower()
    if start.startswith("<"):
        if _ATOM_ROOT.search(start) or extension in (".atom", ".xml"):
            return "arxiv-atom"
        raise RecordError("XML or HTML that is not an Atom feed")
    if start.startswith("{") and (extension != ".json" or _first_line_is_json(start)):
        return "jsonl"
    if start.startswith("["):
        return "jsonl" if extension == ".jsonl" and _first_line_is_json(start) else "hf-api"
    if start.startswith("{"):
        return "hf-api"
    if extension in _BY_EXTENSION:
        return _BY_EXTENSION[extension]
    if valid and _looks_like_hf_page(start):
        return "hf-text"
    kind = "text" if valid else "bytes that are not UTF-8 text"
    raise RecordError(f"unknown extension {extension or '(none)'!r} and the content ({kind}) is no known format")


def _decode_head(head: bytes) -> tuple[str, bool]:
    """The text of ``head`` and whether it is valid UTF-8 (a character cut at the end is fine)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        return decoder.decode(head, final=False), True
    except UnicodeDecodeError:
        return head.decode("utf-8", errors="replace"), False


def _first_line_is_json(text: str) -> bool:
    """Whether the first line is a whole JSON value by itself (as in JSON Lines)."""
    first, newline, _ = text.partition("\n")
    if not newline:
        return False
    try:
        json.loads(first)
    except (ValueError, RecursionError):
        return False
    return True


def _looks_like_hf_page(text: str) -> bool:
    """Page chrome or a meta-block separator among the first lines."""
    lines = {line.strip() for line in text.splitlines()[:200]}
    return bool(lines & CHROME) or META_SEPARATOR in lines
