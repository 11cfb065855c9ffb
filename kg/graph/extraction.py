"""Extraction for `kg build` with a per-paper cache, so a rebuild re-reads only new or changed papers.

The extractor has two stages (:mod:`kg.extract.pipeline`): a per-paper spaCy pass that turns title and
abstract into mentions (the costly part, run on a process pool), and a corpus-level consolidation
over every paper's mentions. The mentions of each paper are cached in the graph folder, keyed by the
paper's content hash (title + abstract, all the spaCy pass reads) and the extractor version. The
consolidation continues the last build's (:mod:`kg.extract.incremental`, its state kept beside the
cache), consolidating again only the papers it has to, so a build with the cache and the state gives
exactly the graph a build without them gives. The cache is JSON Lines and the state MessagePack, never
pickle: a graph folder may come from elsewhere, and reading it must not run code (msgspec decodes the
lines straight into the typed mentions, several times faster than json plus dataclasses.asdict). A
build that mostly adds papers copies the previous cache file and appends the new papers' lines instead
of encoding every paper again.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import msgspec

from kg.extract import extractor_version, incremental
from kg.extract.incremental import State, consolidate_papers
from kg.extract.mentions import Mention
from kg.extract.pipeline import EXTRACTOR, collector_paused, mentions_of, with_shared_values
from kg.model import Paper, PaperExtraction

#: the cache file in each generation of a graph folder: a line with the extractor version, then a line
#: ``{"hash": content hash, "mentions": [...]}`` per paper
CACHE = "extraction-cache.jsonl"
#: the consolidation's state in each generation (:mod:`kg.extract.incremental`)
STATE = "consolidation.msgpack"

Mentions = dict[str, list[Mention]]


@dataclass(frozen=True)
class Extracted:
    """The corpus' extractions, how many papers were taken from the cache, the cache to keep, and the
    content hashes the cache read at the start held (whether needed or not)."""

    extractions: list[PaperExtraction]
    reused: int
    mentions: Mentions
    version: str
    cached: frozenset[str] = frozenset()
    state: bytes = b""  # the consolidation's state for the next build, encoded (kg.extract.incremental)
    consolidated: int = 0  # papers consolidated (all, unless the previous build's consolidation was continued)


def extract_papers(papers: Sequence[Paper], cached: Mentions, jobs: int = 1, previous: State | None = None) -> Extracted:
    """One :class:`PaperExtraction` per paper (same order, sorted by key as `kg.sources.read_inputs`
    gives them), equal to ``extract_corpus(papers)``.

    Papers whose content hash is in ``cached`` are not run through spaCy again; the others are,
    on ``jobs`` processes. ``cached`` must come from the same extractor version (:func:`load_cache`).
    The consolidation continues ``previous`` (the last build's, :func:`load_state`) when it can.
    """
    hashes = [paper.content_hash for paper in papers]  # each one hashes the paper's text: taken once
    todo = {h: paper for h, paper in zip(hashes, papers) if h not in cached}
    fresh = dict(zip(todo, mentions_of(list(todo.values()), jobs)))
    mentions = {h: fresh[h] if h in fresh else cached[h] for h in hashes}
    version = extractor_version()
    found = consolidate_papers([p.key for p in papers], hashes, [mentions[h] for h in hashes], version, previous, cached)
    with collector_paused():
        extractions = [PaperExtraction(paper=paper, entities=entities, extractor=EXTRACTOR, extractor_version=version)
                       for paper, entities in zip(papers, found.entities)]
    reused = sum(1 for h in hashes if h not in fresh)
    state = incremental.encode_state(found.state)
    return Extracted(extractions, reused, mentions, version, frozenset(cached), state, found.redone)


def load_cache(graph_dir: Path) -> Mentions:
    """The mentions cached by the last build in ``graph_dir`` ({} when none, or another extractor version).

    A missing or unreadable cache only costs time, never correctness, so it is never an error. The
    mentions are decoded with the cyclic garbage collector paused: they hold no cycles, and its passes
    over the growing heap took 90% of the time (10k synthetic papers: 4.3 -> 0.5 s).
    """
    path = Path(graph_dir) / CACHE
    try:
        with open(path, "rb") as handle, collector_paused():
            if json.loads(handle.readline()) != {"version": extractor_version()}:
                return {}  # checked before the (large) mentions are read
            entries = map(_DECODER.decode, handle)
            return {entry.hash: compact_mentions(entry.mentions) for entry in entries}
    except (OSError, ValueError, msgspec.DecodeError):
        return {}


def load_state(graph_dir: Path) -> State | None:
    """The consolidation state the last build in ``graph_dir`` left (None when none, or unusable)."""
    return incremental.load_state(Path(graph_dir) / STATE, extractor_version())


def save_state(generation: Path, extracted: Extracted) -> None:
    """Write ``extracted``'s consolidation state into the new ``generation`` for the next build."""
    if extracted.state:
        (generation / STATE).write_bytes(extracted.state)


def compact_mentions(mentions: list[Mention]) -> list[Mention]:
    """Freshly decoded ``mentions`` with equal sentences, votes and reasons made one object each, as
    they are when a pool worker's pickle brings them (JSON keeps no sharing): the cache of 44k
    synthetic papers decodes into 0.73 GB instead of 1.23 GB, for 0.3 s more."""
    with_shared_values(mentions)
    seen: dict[str, str] = {}
    for m in mentions:
        sentence = seen.setdefault(m.evidence.sentence, m.evidence.sentence)
        if sentence is not m.evidence.sentence:
            m.evidence = replace(m.evidence, sentence=sentence)
    return mentions


def save_cache(path: Path, extracted: Extracted, previous: Path | None = None) -> None:
    """Write ``extracted``'s mentions and extractor version to ``path`` (in a new generation, which
    `write_chunks` swaps in atomically) for the next build.

    When ``previous`` is the cache file the build read (`load_cache`) and at most half of its entries
    are no longer needed, it is copied and only the papers it lacks appended: its other entries are
    harmless (keyed by content hash) until they are the bigger share, and then the file is rewritten
    with the needed ones only.
    """
    header = json.dumps({"version": extracted.version}).encode("utf-8") + b"\n"
    stale = len(extracted.cached - extracted.mentions.keys())
    if extracted.cached and 2 * stale <= len(extracted.cached) and previous and _first_line(previous) == header:
        shutil.copyfile(previous, path)
        hashes = sorted(extracted.mentions.keys() - extracted.cached)
    else:
        path.write_bytes(header)
        hashes = sorted(extracted.mentions)
    encoder = msgspec.json.Encoder()
    with open(path, "ab") as handle:
        for content_hash in hashes:
            handle.write(encoder.encode(CacheEntry(content_hash, extracted.mentions[content_hash])) + b"\n")


def _first_line(path: Path) -> bytes | None:
    """The first line of ``path`` (None when it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            return handle.readline()
    except OSError:
        return None


class CacheEntry(msgspec.Struct):
    """One line of the cache: a content hash and the mentions of the paper with that title and abstract."""

    hash: str
    mentions: list[Mention]


#: decodes a cache line straight into typed mentions (msgspec builds the dataclasses; data only, no code)
_DECODER = msgspec.json.Decoder(CacheEntry)
