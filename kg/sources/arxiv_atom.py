"""Reader for arXiv Atom feeds (``.atom`` / ``.xml``), format name ``arxiv-atom``.

Parsed as a stream with defusedxml's SAX parser: DTDs, entity declarations (XXE, "billion laughs")
and external references are refused, so such a file becomes a Reject and nothing is ever fetched.
Per entry: ``id`` -> arxiv_id, ``title``, ``summary`` (whitespace collapsed), ``published`` -> date,
``author/name`` -> authors and author_count, the alternate ``link`` -> url.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXException, SAXParseException
from xml.sax.expatreader import ExpatLocator
from xml.sax.handler import ContentHandler, feature_namespaces

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.expatreader import DefusedExpatParser

from kg.model import Paper, Reject, Source, arxiv_id_or_none
from kg.sources.fields import RecordError, build_paper, collapse, excerpt, parse_date_value

FORMAT = "arxiv-atom"
ATOM = "http://www.w3.org/2005/Atom"
CHUNK_BYTES = 1 << 16
_TEXT_FIELDS = ("id", "title", "summary", "published")
_UNSAFE = {
    DTDForbidden: "a document type declaration (DTD) is not allowed",
    EntitiesForbidden: "entity declarations are not allowed (XXE, entity expansion)",
    ExternalReferenceForbidden: "external references are not allowed",
}


@dataclass
class _Entry:
    """What one ``<entry>`` held, as collected by the SAX handler."""

    line: int
    text: dict[str, str] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (rel, href)


class _FeedHandler(ContentHandler):
    """Collects ``<entry>`` elements of an Atom feed; finished entries wait in ``done``."""

    def __init__(self):
        super().__init__()
        self.done: list[_Entry] = []
        self.root: tuple[str | None, str] | None = None
        self._entry: _Entry | None = None
        self._path: list[str] = []  # local names from the entry down
        self._chars: list[str] = []

    def startElementNS(self, name, qname, attrs):
        if self.root is None:
            self.root = name
        if self._entry is None:
            if name == (ATOM, "entry"):
                self._entry = _Entry(line=self._locator.getLineNumber())
                self._path = []
            return
        self._path.append(name[1] if name[0] == ATOM else "")
        if self._path in (["title"], ["summary"], ["id"], ["published"], ["author", "name"]):
            self._chars = []
        if self._path == ["link"]:
            href = attrs.get((None, "href"))
            if href:
                self._entry.links.append((attrs.get((None, "rel"), "alternate"), href))

    def endElementNS(self, name, qname):
        entry = self._entry
        if entry is None:
            return
        if not self._path:
            self.done.append(entry)
            self._entry = None
            return
        if len(self._path) == 1 and self._path[0] in _TEXT_FIELDS:
            entry.text.setdefault(self._path[0], "".join(self._chars))
        elif self._path == ["author", "name"]:
            entry.authors.append(collapse("".join(self._chars)))
        self._path.pop()

    def characters(self, content):
        if self._entry is not None:
            self._chars.append(content)


def read_arxiv_atom(path: Path, year: int | None = None) -> Iterator[Paper | Reject]:
    """Papers and rejects of one Atom feed, parsed as it is read."""
    shown = str(path)
    parser = DefusedExpatParser(forbid_dtd=True)
    handler = _FeedHandler()
    parser.setContentHandler(handler)
    handler.setDocumentLocator(ExpatLocator(parser))
    parser.setFeature(feature_namespaces, True)
    try:
        with open(path, "rb") as stream:
            for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
                parser.feed(chunk)
                if handler.root is not None and handler.root != (ATOM, "feed"):
                    yield Reject(shown, 1, f"not an Atom feed (root element <{handler.root[1]}>)", "")
                    return
                yield from _finished(handler, shown, year)
            parser.close()
    except DefusedXmlException as error:
        yield Reject(shown, _line(parser), f"refused unsafe XML: {_UNSAFE.get(type(error), error)}", "")
        return
    except SAXParseException as error:
        yield Reject(shown, error.getLineNumber(), f"invalid XML: {error.getMessage()}", "")
        return
    except (SAXException, ValueError) as error:
        yield Reject(shown, _line(parser), f"invalid XML: {error}", "")
        return
    yield from _finished(handler, shown, year)
    if handler.root is None:
        yield Reject(shown, None, "no XML element in the file", "")


def _finished(handler: _FeedHandler, path: str, year: int | None) -> Iterator[Paper | Reject]:
    entries, handler.done = handler.done, []
    for entry in entries:
        yield entry_to_paper(entry, path, year)


def entry_to_paper(entry: _Entry, path: str, year: int | None = None) -> Paper | Reject:
    """One Atom entry as a Paper, or a Reject naming the line where the entry starts."""
    raw_id = collapse(entry.text.get("id", ""))
    arxiv_id = arxiv_id_or_none(raw_id)
    url = next((href for rel, href in entry.links if rel == "alternate"), None)
    try:
        published = entry.text.get("published", "").strip()
        return build_paper(
            entry.text.get("title"),
            collapse(entry.text.get("summary", "")),
            Source(path, entry.line, FORMAT),
            record_id=None if arxiv_id else (raw_id or None),
            arxiv_id=arxiv_id,
            authors=tuple(name for name in entry.authors if name),
            author_count=len(entry.authors) or None,
            date=parse_date_value(published, year, "published") if published else None,
            url=url,
        )
    except RecordError as error:
        return Reject(path, entry.line, str(error), excerpt(entry.text.get("title", "") or raw_id))


def _line(parser: DefusedExpatParser) -> int | None:
    try:
        return parser.getLineNumber()
    except (AttributeError, SAXException):
        return None
