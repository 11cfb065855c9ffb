"""Stable IRIs for papers, entities, evidence, source records and extractors (layout: ontology/README.md).

Every IRI is a pure function of the paper key or the entity's type and canonical name, so the same
input always gives the same IRIs, whatever order it was read in.
"""

from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache
from urllib.parse import quote

import pyoxigraph as ox

from kg.errors import KGError
from kg.model import Paper

#: characters that would otherwise vanish from a slug but tell two names apart ('C++' vs 'C')
_SPELLED_OUT = {"+": "plus", "#": "sharp", "&": "and", "@": "at", "%": "percent", "*": "star"}


@lru_cache(maxsize=1 << 16)  # entity names repeat across papers
def slug(text: str) -> str:
    """A lowercase, URL-safe, deterministic slug that keeps distinct names distinct.

    NFKC-normalised and case-folded; every run of other characters becomes one '-'; '+', '#', '&',
    '@', '%' and '*' are spelled out. A name with no letters or digits at all gets a hash.

    >>> slug("LLaMA-2-7B")
    'llama-2-7b'
    >>> slug("ViT-B/16")
    'vit-b-16'
    >>> slug("C++"), slug("C#"), slug("C")
    ('c-plus-plus', 'c-sharp', 'c')
    >>> slug("  Low-Rank   Adaptation ")
    'low-rank-adaptation'
    """
    words: list[str] = []
    current: list[str] = []
    for char in unicodedata.normalize("NFKC", text).casefold():
        if char.isalnum():
            current.append(char)
            continue
        if current:
            words.append("".join(current))
            current = []
        if char in _SPELLED_OUT:
            words.append(_SPELLED_OUT[char])
    if current:
        words.append("".join(current))
    if words:
        return "-".join(words)
    return "x" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def normalise_base(base: str) -> str:
    """``base`` checked to be an absolute http(s) IRI and ending in '/' or '#'.

    >>> normalise_base("https://example.org/kg")
    'https://example.org/kg/'
    >>> normalise_base("https://example.org/%zz/")
    Traceback (most recent call last):
    kg.errors.KGError: base IRI 'https://example.org/%zz/': expected an absolute http(s) IRI such as https://example.org/kg/
    """
    error = KGError(f"base IRI {base!r}: expected an absolute http(s) IRI such as https://example.org/kg/")
    if not base.startswith(("http://", "https://")) or any(c.isspace() or c in '<>"{}|\\^`' for c in base):
        raise error
    base = base if base.endswith(("/", "#")) else base + "/"
    try:
        ox.NamedNode(base + "paper/x")  # RFC 3987 syntax: percent escapes, host, port
    except ValueError:
        raise error from None
    return base


def _segment(text: str) -> str:
    """``text`` percent-encoded as one path segment (arXiv ids like 'hep-th/9901001' keep one segment)."""
    return quote(text, safe=".-_~")


def paper_iri(base: str, paper: Paper) -> str:
    """``BASE/paper/<arXiv id or title hash>``."""
    return keyed_paper_iri(base, paper.key)


def keyed_paper_iri(base: str, key: str) -> str:
    """The IRI of the paper whose key (`kg.model.Paper.key`) is ``key``, when that is at hand."""
    return f"{base}paper/{_segment(key)}"


def entity_iri(base: str, entity_type: str, name: str) -> str:
    """``BASE/<type>/<slug of canonical name>``, e.g. ``BASE/method/low-rank-adaptation``."""
    return f"{base}{entity_type.lower()}/{slug(name)}"


def evidence_iri(paper: str, entity: str, base: str) -> str:
    """``<paper>/evidence/<type>/<slug>``: one evidence node per paper-entity pair."""
    return f"{paper}/evidence/{entity[len(base):]}"


def source_iri(paper: str, number: int) -> str:
    """``<paper>/source/<n>``, ``n`` the 1-based position in the paper's sorted sources."""
    return f"{paper}/source/{number}"


@lru_cache(maxsize=64)  # one per extractor version, asked for by every paper
def extractor_iri(base: str, name: str, version: str) -> str:
    """``BASE/extractor/<name>/<version>``: the one node per extractor version that papers point to.

    >>> extractor_iri("https://ex.org/", "kg-rules", "0.1.0+964d100fbb")
    'https://ex.org/extractor/kg-rules/0.1.0%2B964d100fbb'
    """
    return f"{base}extractor/{_segment(name)}/{_segment(version)}"
