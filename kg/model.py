"""Typed records passed between the stages: sources -> extract -> graph.

Every stage takes and returns these dataclasses; RDF (kg.graph) is the one source of truth after
extraction, and every later view (analysis, viz, query) derives from the RDF store.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field

ENTITY_TYPES = ("Method", "Model", "Dataset", "Benchmark", "Metric", "Task")
ROLES = ("proposed", "used", "evaluated_on")

_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")


def normalise_title(title: str) -> str:
    """Title key used to merge the same paper from two sources.

    >>> normalise_title("  LoRA: Low-Rank   Adaptation of LLMs. ")
    'lora low rank adaptation of llms'
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def arxiv_id_or_none(value: str | None) -> str | None:
    """The bare arXiv id (no version) in ``value``, or None.

    >>> arxiv_id_or_none("http://arxiv.org/abs/2106.09685v2")
    '2106.09685'
    """
    if not value:
        return None
    tail = value.strip().rstrip("/").split("/abs/")[-1].split("/pdf/")[-1]
    tail = tail.removesuffix(".pdf")
    if tail.lower().startswith("arxiv:"):
        tail = tail[6:]
    m = _ARXIV_ID.match(tail)
    return m.group(1) if m else None


@dataclass(frozen=True, order=True)
class Source:
    """Where a paper record was read: file (as given), 1-based line, reader format."""

    path: str
    line: int
    format: str


@dataclass(frozen=True)
class PaperDate:
    """A publication date whose year may be unknown (HF pages print ``Mar 17``)."""

    month: int
    day: int
    year: int | None = None

    def iso(self) -> str:
        """``2024-03-17``, or the XSD gMonthDay ``--03-17`` when the year is unknown."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass
class Paper:
    """One paper, possibly merged from several source records."""

    title: str
    abstract: str
    record_id: str | None = None  # the id the input gave, if any (e.g. the annotation files' ids)
    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()  # names, when the source lists them
    author_count: int | None = None
    organization: str | None = None  # HF pages sometimes show a submitting organisation instead
    date: PaperDate | None = None
    upvotes: int | None = None
    url: str | None = None
    links: tuple[str, ...] = ()  # URLs found in the abstract (code, models, project pages)
    sources: tuple[Source, ...] = ()

    @property
    def key(self) -> str:
        """Stable identity: the arXiv id, else a hash of the normalised title."""
        if self.arxiv_id:
            return self.arxiv_id
        digest = hashlib.sha1(normalise_title(self.title).encode("utf-8")).hexdigest()
        return f"t{digest[:16]}"

    @property
    def id(self) -> str:
        """The id shown to users: the input's own id when it gave one, else ``key``."""
        return self.record_id or self.key

    @property
    def content_hash(self) -> str:
        """Hash of what extraction reads (title and abstract): unchanged papers need no re-extraction."""
        text = json.dumps([self.title, self.abstract or ""], ensure_ascii=True)  # no separator can collide
        return hashlib.sha1(text.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Reject:
    """A record that was skipped, and why."""

    path: str
    line: int | None
    reason: str
    excerpt: str = ""

    @property
    def where(self) -> str:
        """``file:line``, or ``file`` when the line is unknown.

        >>> Reject("a.jsonl", 3, "invalid JSON").where
        'a.jsonl:3'
        """
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass
class ReadResult:
    """Output of the readers: merged papers plus the bookkeeping the build summary prints.

    Invariant: ``records_read == len(papers) + duplicates_merged + len(rejects)``.
    """

    papers: list[Paper] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    records_read: int = 0
    duplicates_merged: int = 0


@dataclass(frozen=True, slots=True)
class Evidence:
    """One mention of an entity: where it is and what it looked like."""

    section: str  # "title" or "abstract"
    sentence: str
    start: int  # character offsets of the surface form in the section's text
    end: int
    surface: str


@dataclass
class ExtractedEntity:
    """One thing a paper proposes, uses or is evaluated on."""

    name: str  # canonical name (consolidated across the corpus)
    type: str  # one of ENTITY_TYPES
    role: str  # one of ROLES
    aliases: tuple[str, ...] = ()
    confidence: float = 1.0
    evidence: tuple[Evidence, ...] = ()  # first is the primary evidence
    reasons: tuple[str, ...] = ()  # why it was found, e.g. "lexicon", "pattern:we-propose", "abbreviation"


@dataclass
class PaperExtraction:
    """What the extractor found in one paper."""

    paper: Paper
    entities: list[ExtractedEntity] = field(default_factory=list)
    extractor: str = "kg-rules"
    extractor_version: str = "0"
