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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import msgspec

from kg.extract import extractor_version, incremental
from kg.extract.incremental import State, consolidate_papers
from kg.extract.mentions import Mention
from kg.extract.pipeline import (
    EXTRACTOR,
    collector_paused,
    mentions_of,
    paper_mentions,
    with_shared_values,
)
from kg.graph.build import Encoded, Extractions
from kg.model import Paper

#: the cache file in each generation of a graph folder: a line with the extractor version, then a line
#: ``{"hash": content hash, "mentions": [...]}`` per paper
CACHE = "extraction-cache.jsonl"
#: where each entry of the cache is, beside it: :class:`CacheIndex`
CACHE_INDEX = "extraction-cache-index.msgpack"
#: the consolidation's state in each generation (:mod:`kg.extract.incremental`)
STATE = "consolidation.msgpack"

Mentions = Mapping[str, list[Mention]]


@dataclass(frozen=True)
class Extracted:
    """The corpus' extractions (an unchanged paper's entities kept encoded, as the consolidation
    copied them), how many papers were taken from the cache, the cache to keep, and the content hashes
    the cache read at the start held (whether needed or not)."""

    extractions: Extractions
    reused: int
    mentions: Mentions
    version: str
    cached: frozenset[str] = frozenset()
    state: bytes = b""  # the consolidation's state for the next build, encoded (kg.extract.incremental)
    consolidated: int = 0  # papers consolidated (all, unless the previous build's consolidation was continued)
    hashes: tuple[str, ...] = ()  # each paper's content hash, in the order of the extractions


def extract_papers(papers: Sequence[Paper], cached: Mentions, jobs: int = 1, graph_dir: Path | None = None) -> Extracted:
    """One :class:`PaperExtraction` per paper (same order, sorted by key as `kg.sources.read_inputs`
    gives them), equal to ``extract_corpus(papers)`` (an :class:`Extractions`: those of papers whose
    entities the consolidation copied are made when asked for).

    Papers whose content hash is in ``cached`` are not run through spaCy again; the others are,
    on ``jobs`` processes. ``cached`` must come from the same extractor version (:func:`load_cache`).
    The consolidation continues the last build's in ``graph_dir`` (:func:`load_state`) when it can; that
    state is read after the spaCy pass, so the pool's workers never start beside it (forked, each would
    count its pages again).
    """
    hashes = [paper.content_hash for paper in papers]  # each one hashes the paper's text: taken once
    todo = {h: paper for h, paper in zip(hashes, papers) if h not in cached}
    fresh = dict(zip(todo, mentions_of(list(todo.values()), jobs)))
    mentions = PaperMentions(dict(zip(hashes, papers)), fresh, cached)
    version = extractor_version()
    previous = load_state(graph_dir) if graph_dir is not None else None
    keys = [p.key for p in papers]
    found = consolidate_papers(keys, hashes, mentions, version, previous, cached)
    del previous  # the state objects go with ``found`` below, once encoded
    state = incremental.encode_state(found.state)
    redone, entities, names = found.redone, found.entities, found.state.names
    del found
    with collector_paused():
        encoded = [Encoded(paper, key, EXTRACTOR, version, raw)
                   for paper, key, raw in zip(papers, keys, incremental.entities_in(state))]
    reused = sum(1 for h in hashes if h not in fresh)  # after the consolidation: a damaged entry is extracted then
    return Extracted(Extractions(encoded, entities, names), reused, mentions, version, frozenset(cached), state, redone,
                     tuple(hashes))


class PaperMentions(Mapping[str, list[Mention]]):
    """The mentions of a build's papers by content hash: the ``fresh`` ones (just extracted), else the
    ``cached`` ones; a paper whose cache entry turns out to be unreadable is extracted when asked for."""

    def __init__(self, papers: dict[str, Paper], fresh: dict[str, list[Mention]], cached: Mentions):
        self.papers, self.fresh, self.cached = papers, fresh, cached

    def __getitem__(self, content_hash: str) -> list[Mention]:
        found = self.fresh.get(content_hash)
        if found is None:
            try:
                found = self.cached[content_hash]
            except KeyError:
                found = self.fresh[content_hash] = paper_mentions(self.papers[content_hash])
        return found

    def __contains__(self, content_hash: object) -> bool:
        return content_hash in self.papers

    def __iter__(self) -> Iterator[str]:
        return iter(self.papers)

    def __len__(self) -> int:
        return len(self.papers)


class CacheFile(Mapping[str, list[Mention]]):
    """The mentions a cache file holds by content hash, where each entry is in the file (``spans``),
    each decoded when first asked for: a rebuild that continues the last consolidation needs the
    mentions of few papers. An entry that cannot be decoded is dropped (KeyError)."""

    def __init__(self, path: Path, spans: dict[str, tuple[int, int]]):
        self.path, self.spans = path, spans
        self.decoded: dict[str, list[Mention]] = {}

    def __getitem__(self, content_hash: str) -> list[Mention]:
        found = self.decoded.get(content_hash)
        if found is None:
            start, end = self.spans[content_hash]
            try:
                with open(self.path, "rb") as handle:
                    handle.seek(start)
                    entry = _DECODER.decode(handle.read(end - start))
            except (OSError, msgspec.DecodeError):
                entry = None
            if entry is None or entry.hash != content_hash:
                del self.spans[content_hash]
                raise KeyError(content_hash)
            with collector_paused():
                found = self.decoded[content_hash] = compact_mentions(entry.mentions)
        return found

    def __contains__(self, content_hash: object) -> bool:
        return content_hash in self.spans

    def __iter__(self) -> Iterator[str]:
        return iter(self.spans)

    def __len__(self) -> int:
        return len(self.spans)


#: how every cache line starts: the content hash comes next, then ``","``
_LINE_START = b'{"hash":"'


def load_cache(graph_dir: Path) -> Mentions:
    """The mentions cached by the last build in ``graph_dir`` ({} when none, or another extractor version),
    each paper's decoded when first asked for (:class:`CacheFile`).

    A missing or unreadable cache only costs time, never correctness, so it is never an error: a line
    that does not start as :class:`CacheEntry` lines do is left out, and one that does not decode
    is left out when asked for. The file of the generation read now is the one read later.
    """
    path = (Path(graph_dir) / CACHE).resolve()
    try:
        with open(path, "rb") as handle:
            if json.loads(handle.readline()) != {"version": extractor_version()}:
                return {}  # checked before the (large) mentions are read
        return CacheFile(path, cache_spans(path))
    except (OSError, ValueError):  # ValueError: also a header that is not JSON, or not ASCII
        return {}


def cache_spans(path: Path) -> dict[str, tuple[int, int]]:
    """Where each entry of the cache file at ``path`` is: from its index (:data:`CACHE_INDEX`, beside
    it) when that was written for a file of its size, else found line by line (OSError, ValueError
    when it cannot be read). An entry is checked when decoded (`CacheFile`), so a wrong index costs an
    extraction, never a wrong mention."""
    try:
        index = _INDEX_DECODER.decode((path.parent / CACHE_INDEX).read_bytes())
        if index.size == path.stat().st_size:
            return index.spans
    except (OSError, msgspec.DecodeError):
        pass
    spans = {}
    with open(path, "rb") as handle:
        handle.readline()
        start = handle.tell()
        for line in handle:
            end = start + len(line)
            if line.startswith(_LINE_START) and line[49:51] == b'",':
                spans[line[9:49].decode("ascii")] = (start, end)
            start = end
    return spans


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
    `write_chunks` swaps in atomically) for the next build, and its index beside it.

    When ``previous`` is the cache file the build read (`load_cache`) and at most half of its entries
    are no longer needed, it is copied and only the papers it lacks appended: its other entries are
    harmless (keyed by content hash) until they are the bigger share, and then the file is rewritten
    with the needed ones only.
    """
    header = json.dumps({"version": extracted.version}).encode("utf-8") + b"\n"
    stale = len(extracted.cached - extracted.mentions.keys())
    spans = None
    if extracted.cached and 2 * stale <= len(extracted.cached) and previous and _first_line(previous) == header:
        try:
            spans = cache_spans(previous)
        except (OSError, ValueError):
            pass
    if spans is not None:
        shutil.copyfile(previous, path)
        hashes = sorted(extracted.mentions.keys() - extracted.cached)
    else:
        path.write_bytes(header)
        spans, hashes = {}, sorted(extracted.mentions)
    encoder = msgspec.json.Encoder()
    with open(path, "ab") as handle:
        for content_hash in hashes:
            start = handle.tell()
            handle.write(encoder.encode(CacheEntry(content_hash, extracted.mentions[content_hash])) + b"\n")
            spans[content_hash] = (start, handle.tell())
        size = handle.tell()
    (path.parent / CACHE_INDEX).write_bytes(msgspec.msgpack.encode(CacheIndex(size, spans)))


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


class CacheIndex(msgspec.Struct, array_like=True):
    """Where each entry of a cache file of ``size`` bytes is (content hash -> start and end offsets)."""

    size: int
    spans: dict[str, tuple[int, int]]


_INDEX_DECODER = msgspec.msgpack.Decoder(CacheIndex)
#: decodes a cache line straight into typed mentions (msgspec builds the dataclasses; data only, no code)
_DECODER = msgspec.json.Decoder(CacheEntry)
