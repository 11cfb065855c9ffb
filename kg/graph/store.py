"""The on-disk graph: an Oxigraph store plus graph.ttl and build records, swapped in atomically.

Layout of a graph folder ``<out>``::

    <out>/.current        -> .gen-XXXX        (symlink, switched by one atomic rename)
    <out>/.gen-XXXX/      store/ graph.ttl chunks.tsv rejects.jsonl build.json graph.html extraction-cache.jsonl
                          extraction-cache-index.msgpack consolidation.msgpack analysis-cache/ parsed-inputs/
    <out>/store           -> .current/store   (fixed symlinks, one per file, made once)
    <out>/graph.ttl       -> .current/graph.ttl ...

A build writes a complete new generation beside the old one and then switches ``.current``, so a
reader (or a build killed at any moment) always finds the old or the new store + graph.ttl pair,
never a mixture or half-written files. Leftovers of a killed build are removed by the next build.

When at most half of the graph changed, a new generation's store starts as a checkpoint of the
current one (RocksDB hard-links its immutable files, so the current generation is never written to)
and gets only the statements that changed; chunks.tsv holds each chunk's place in graph.ttl and
fingerprint for that comparison, and for a paper the digest of the extraction it was written from,
so an unchanged paper's text is copied rather than written again (`previous_chunks`). The counts in
build.json are then the previous build's plus and minus what changed (`write_chunks`, `load_store`,
`updated_counts`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import queue
import re
import shutil
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kg.errors import KGError
from kg.graph.build import TURTLE_PREFIXES, Chunk, Reuse
from kg.graph.layout import CURRENT, GENERATION_PREFIX, INDEX, MANIFEST, REJECTS, STORE, TURTLE, current_generation
from kg.graph.stats import GraphCounts, graph_counts, quad_counts
from kg.io import replace_dir
from kg.model import Reject
from kg.vocab import PREFIXES

_LOCK = ".lock"

Triple = tuple[URIRef, URIRef, Node]


def open_graph(graph_dir: Path) -> Graph:
    """An rdflib Graph over the Oxigraph store that ``kg build`` wrote in ``graph_dir``, read-only.

    Adding to it raises. Plain strings come back as literals typed xsd:string (oxrdflib makes the
    datatype explicit), so compare their ``str()`` or use SPARQL rather than ``== Literal("x")``.
    Raises KGError when there is no graph there.
    """
    graph = Graph(store=OxigraphStore(store=open_store(graph_dir)), identifier=DATASET_DEFAULT_GRAPH_ID)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def open_store(graph_dir: Path) -> ox.Store:
    """The pyoxigraph store of ``graph_dir``, opened read-only."""
    path = Path(graph_dir) / STORE
    if not path.is_dir():
        raise KGError(f"{graph_dir}: no graph here; run `kg build` first")
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise KGError(f"{graph_dir}: cannot open the graph store: {exc}") from None


@dataclass(frozen=True)
class WrittenGraph:
    """What `write_chunks` wrote: the new generation folder, the counts of its graph, and how the store
    was made: ``reused_chunks`` is how many chunks the previous generation's store already held
    (0 when the store was bulk-loaded from scratch)."""

    generation: Path
    counts: GraphCounts
    reused_chunks: int = 0


@dataclass(frozen=True)
class Span:
    """Where one chunk's text is in the new graph.ttl, its fingerprint (SHA-1 of the text) and the
    digest of what the text was made from (`Chunk.digest`, may be empty)."""

    key: str
    fingerprint: str
    start: int
    end: int
    digest: str = ""


def write_graph(graph_dir: Path, triples: Iterable[Triple], **options) -> WrittenGraph:
    """Write rdflib ``triples`` (fixtures, other tools' graphs) as a new generation of ``graph_dir``.

    One chunk holding every triple as sorted N-Triples lines, so never applied as a delta;
    ``options`` as for `write_chunks`.
    """
    return write_chunks(graph_dir, [Chunk("", triples_text(triples).encode("utf-8"))], **options)


def triples_text(triples: Iterable[Triple]) -> str:
    """``triples`` as sorted, distinct N-Triples lines (valid Turtle); blank nodes are refused."""
    lines = set()
    for triple in triples:
        if any(isinstance(term, BNode) for term in triple):
            raise ValueError(f"blank node in {triple!r}: graphs use stable IRIs only")
        lines.add(" ".join(term.n3() for term in triple) + " .\n")
    return "".join(sorted(lines))


def write_chunks(
    graph_dir: Path,
    chunks: Iterable[Chunk],
    *,
    rejects: Iterable[Reject] = (),
    manifest: dict | None = None,
    extras: Callable[[Graph, Path], None] | None = None,
) -> WrittenGraph:
    """Write a new generation of ``graph_dir`` (store, graph.ttl, chunks.tsv, rejects.jsonl, build.json)
    and swap it in.

    graph.ttl is the chunks' text in the order given. The store is a checkpoint of the previous
    generation's (hard links, made in milliseconds) with only the statements of changed chunks that
    changed deleted and loaded, when there is a previous generation with a chunk index and at most half
    of the chunks changed; else it is bulk-loaded from graph.ttl in pieces (`StoreLoader`), while
    graph.ttl is written when no previous store exists. Either way it holds exactly graph.ttl's
    triples. build.json is ``manifest`` plus the graph's counts. ``extras(graph, generation_dir)``
    may add files (e.g. graph.html) to the new generation before the swap.
    """
    graph_dir = Path(graph_dir)
    graph_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(graph_dir):
        remove_stale_generations(graph_dir)
        previous = read_index(graph_dir) if (graph_dir / STORE).is_dir() else None  # a store to update
        generation = Path(tempfile.mkdtemp(prefix=GENERATION_PREFIX, dir=graph_dir))
        try:
            generation.chmod(0o755)  # mkdtemp makes it private; the graph is for every reader
            if previous is None:  # nothing to update: load the store while graph.ttl is written
                with StoreLoader(ox.Store(str(generation / STORE))) as loader:
                    spans = write_turtle(generation / TURTLE, chunks, loader.add)
                loaded = Loaded()
            else:
                spans = write_turtle(generation / TURTLE, chunks)
                loaded = load_store(graph_dir, generation, spans, previous)
            if all(span.key for span in spans):
                write_index(generation / INDEX, spans)
            store = ox.Store.read_only(str(generation / STORE))  # closed, the writer's compactions are done
            graph = Graph(store=OxigraphStore(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
            counts = updated_counts(graph_dir, loaded)
            if counts is None or counts.triples != len(store):  # a wrong previous count never carries over
                counts = graph_counts(graph)
            write_rejects(generation / REJECTS, rejects)
            write_manifest(generation / MANIFEST, {**(manifest or {}), "counts": counts.as_dict()})
            if extras is not None:
                extras(graph, generation)
            graph.close()  # drops the store handle now: rdflib's Graph is in a reference cycle the
            del graph, store  # collector may be paused for (kg build pauses it)
            check_no_foreign_files(graph_dir, generation)
            fsync_tree(generation)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        replace_dir(generation, graph_dir / CURRENT)
        link_current_files(graph_dir, generation)
    return WrittenGraph(generation, counts, loaded.reused_chunks)


def write_turtle(path: Path, chunks: Iterable[Chunk], also: Callable[[bytes], None] | None = None) -> list[Span]:
    """graph.ttl: the prefixes, then each chunk's text (also given to ``also``, if any); where each
    chunk went and its fingerprint (hashed here unless the chunk knows it)."""
    spans = []
    keys = set()
    with open(path, "wb") as out:
        out.write((TURTLE_PREFIXES + "\n").encode("utf-8"))
        for chunk in chunks:
            if chunk.key and chunk.key in keys:
                raise ValueError(f"two graph chunks with the key {chunk.key!r}")
            keys.add(chunk.key)
            data = chunk.data
            start = out.tell()
            out.write(data)
            if also is not None:
                also(data)
            fingerprint = chunk.fingerprint or hashlib.sha1(data).hexdigest()
            spans.append(Span(chunk.key, fingerprint, start, start + len(data), chunk.digest))
    return spans


@dataclass(frozen=True)
class Loaded:
    """How `load_store` made a store: how many chunks the previous one already held, and for an update
    of the previous store the counts of the triples deleted from it and added to it (else None)."""

    reused_chunks: int = 0
    removed: GraphCounts | None = None
    added: GraphCounts | None = None


def updated_counts(graph_dir: Path, loaded: Loaded) -> GraphCounts | None:
    """The counts of a store `load_store` updated: the previous build's (build.json of ``graph_dir``'s
    current generation, the one the store was checkpointed from) changed by what was deleted and added.
    None after a full load or when the previous counts are missing or unreadable (then count in the
    store); `write_chunks` also counts in the store when the triples do not add up to the store's.
    """
    if loaded.removed is None or loaded.added is None:
        return None
    try:
        previous = GraphCounts.from_dict(read_manifest(graph_dir)["counts"])
    except (OSError, KeyError, TypeError, ValueError):  # ValueError: also bad JSON
        return None
    return previous - loaded.removed + loaded.added


def load_store(graph_dir: Path, generation: Path, spans: list[Span], previous: dict[str, Span] | None) -> Loaded:
    """Make the new generation's store, holding graph.ttl's triples; how it was made.

    Updates a checkpoint of the previous store when that is cheaper (see `write_chunks`): for every
    changed, removed or added chunk, the statements that differ between its old text (read from the
    previous graph.ttl, so the store is never searched) and its new text are parsed; the old ones
    are deleted and the new ones added (`update_checkpoint`). An old chunk whose bytes no longer
    match its fingerprint means the previous generation cannot be trusted: the store is then loaded
    in full. ``previous``: the chunk index of the build whose store can be updated, else None. The
    store is closed on return.
    """
    old = previous or {}
    changed = [span for span in spans if span.key not in old or old[span.key].fingerprint != span.fingerprint]
    current = {span.key for span in spans}
    stale = sorted((old[key] for key in (old.keys() - current) | ({span.key for span in changed} & old.keys())),
                   key=lambda span: span.start)
    if previous is not None and 2 * (len(changed) + len(stale)) <= len(spans):
        try:
            removed, added = update_checkpoint(graph_dir, generation, stale, changed)
            return Loaded(len(spans) - len(changed), removed, added)
        except (OSError, ValueError, SyntaxError):  # ValueError: a fingerprint or the text did not check out
            shutil.rmtree(generation / STORE, ignore_errors=True)
    with open(generation / TURTLE, "rb") as source, StoreLoader(ox.Store(str(generation / STORE))) as loader:
        for span in spans:
            loader.add(_read_span(source, span))
    return Loaded()


def update_checkpoint(graph_dir: Path, generation: Path, stale: list[Span], changed: list[Span]
                      ) -> tuple[GraphCounts, GraphCounts]:
    """The new store as a checkpoint of ``graph_dir``'s, minus the triples only the ``stale`` chunks (read
    from its graph.ttl, each checked against its fingerprint) hold, plus those only the ``changed`` chunks
    of the new graph.ttl hold.

    A changed chunk mostly keeps its statements (a paper whose confidences moved keeps its title,
    abstract and sources), so its two versions are compared block by block (one subject each), then the
    blocks that differ statement by statement (`statement_lines`), and only the difference touches the store: deleted as parsed terms (never SPARQL text from the
    file), then bulk-loaded. Deleting first keeps a statement whose text was rewritten. Returns the
    counts (`quad_counts`) of the triples deleted and of those added.
    """
    with open(graph_dir / TURTLE, "rb") as source:
        old = {span.key: _checked_span(source, span) for span in stale}
    with open(generation / TURTLE, "rb") as source:
        new = {span.key: _read_span(source, span) for span in changed}
    removed, added = [], []
    for key, text in old.items():
        if key in new:
            before, after = set(_BLOCK_START.split(text)), set(_BLOCK_START.split(new.pop(key)))
            before, after = statement_lines(b"".join(before - after)), statement_lines(b"".join(after - before))
            removed.extend(before - after)
            added.extend(after - before)
        else:
            removed.append(text)
    added.extend(new.values())
    prefixes = TURTLE_PREFIXES.encode("utf-8")
    removed = set(ox.parse(prefixes + b"".join(removed), format=ox.RdfFormat.TURTLE))
    open_store(graph_dir).backup(str(generation / STORE))
    store = ox.Store(str(generation / STORE))
    for quad in removed:
        store.remove(quad)
    added_counts = quad_counts(())
    for piece in turtle_pieces(added, UPDATE_PIECE):  # a chunk's text is never split: a set makes triples distinct
        quads = set(ox.parse(piece, format=ox.RdfFormat.TURTLE))
        added_counts += quad_counts(quads)
        store.bulk_extend(quads)
    store.flush()
    return quad_counts(removed), added_counts


#: bytes of Turtle per bulk load: Oxigraph's bulk loader holds about 16 times the text it is given
#: in memory (1.6 GB for graph.ttl of 10k synthetic papers in one go). Measured on the 500 MB graph.ttl
#: of 50k synthetic papers: 8 MB pieces load in 76-90 s at 237 MB peak, 4 MB in 105 s at 159 MB,
#: 16 MB in 100 s at 398 MB, 32 MB in 118 s at 664 MB (2 cores, other jobs running)
LOAD_PIECE = 8 * 2**20
#: bytes of Turtle per batch of statements added to a checkpointed store: each batch added to a big
#: store costs a fixed write into it, so an update takes fewer, larger ones
UPDATE_PIECE = 32 * 2**20


class StoreLoader:
    """Bulk-loads chunk texts (Turtle under `TURTLE_PREFIXES`) into a store in pieces of about
    `LOAD_PIECE` bytes, on a thread of its own: Oxigraph's loader releases the GIL, so the caller
    goes on reading or writing the next chunks meanwhile. As a context manager it waits for the
    last piece, flushes and drops the store on a clean exit (re-raising a load error), and only
    stops the thread when the caller failed.

    >>> store = ox.Store()
    >>> with StoreLoader(store) as loader:
    ...     loader.add(b"<https://ex.org/a> a <https://ex.org/B> .\\n")
    >>> len(store)
    1
    """

    def __init__(self, store: ox.Store):
        self._store: ox.Store | None = store
        self._pieces: queue.Queue[bytes | None] = queue.Queue(maxsize=2)  # bounds the text held in memory
        self._pending: list[bytes] = []
        self._size = 0
        self._error: BaseException | None = None
        self._stopping = False  # the caller failed: pieces still queued are not loaded
        self._thread = threading.Thread(target=self._load, name="kg-store-load", daemon=True)
        self._thread.start()

    def add(self, text: bytes) -> None:
        """Queue one chunk's text (a chunk is never split between pieces)."""
        self._pending.append(text)
        self._size += len(text)
        if self._size >= LOAD_PIECE:
            self._send()

    def _send(self) -> None:
        self._pieces.put(_PREFIX_BYTES + b"".join(self._pending))
        self._pending, self._size = [], 0

    def _load(self) -> None:
        while (piece := self._pieces.get()) is not None:
            if self._error is None and not self._stopping:
                try:
                    self._store.bulk_load(input=piece, format=ox.RdfFormat.TURTLE)
                except Exception as error:  # re-raised in the caller's thread by __exit__
                    self._error = error

    def __enter__(self) -> StoreLoader:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self._stopping = True
        elif self._pending:
            self._send()
        self._pieces.put(None)
        self._thread.join()
        store, self._store = self._store, None
        if kind is None:
            if self._error is not None:
                raise self._error
            store.flush()


_PREFIX_BYTES = TURTLE_PREFIXES.encode("utf-8")


def turtle_pieces(texts: Iterable[bytes], limit: int = LOAD_PIECE) -> Iterator[bytes]:
    """Chunk ``texts`` (Turtle under `TURTLE_PREFIXES`) as Turtle documents of about ``limit`` bytes
    (whole texts, each after the prefixes).

    >>> list(turtle_pieces([b"<a> a <b> .\\n"] * 3)) == [TURTLE_PREFIXES.encode() + b"<a> a <b> .\\n" * 3]
    True
    """
    prefixes = TURTLE_PREFIXES.encode("utf-8")
    piece: list[bytes] = []
    size = 0
    for text in texts:
        piece.append(text)
        size += len(text)
        if size >= limit:
            yield prefixes + b"".join(piece)
            piece, size = [], 0
    if piece:
        yield prefixes + b"".join(piece)


#: where a chunk's next statement block (`kg.graph.build.turtle_block`) starts: a line starting with an IRI
_BLOCK_START = re.compile(rb"(?<=\n)(?=<)")


def statement_lines(text: bytes) -> set[bytes]:
    """Each statement of chunk ``text`` (`kg.graph.build.turtle_block`s: a subject line, then one
    ``predicate object`` per line, literals never spanning lines) as a Turtle line of its own.

    >>> sorted(statement_lines(b'<s> a kg:Paper ;\\n    kg:upvotes 3 .\\n<t> kg:line 1 .\\n'))
    [b'<s> a kg:Paper .\\n', b'<s> kg:upvotes 3 .\\n', b'<t> kg:line 1 .\\n']
    """
    statements = set()
    subject = b""
    for line in text.split(b"\n"):
        if line.startswith(b"<"):
            subject, _, line = line.partition(b" ")
        elif line:
            line = line.lstrip(b" ")
        else:
            continue
        statements.add(subject + b" " + line[:-2] + b" .\n")  # without its " ;" or " ."
    return statements


def _checked_span(source: BinaryIO, span: Span) -> bytes:
    """The bytes of ``span`` in the open graph.ttl ``source``; ValueError unless they match its fingerprint."""
    data = _read_span(source, span)
    if hashlib.sha1(data).hexdigest() != span.fingerprint:
        raise ValueError(f"chunk {span.key!r} of the previous graph.ttl does not match its fingerprint")
    return data


def _read_span(source: BinaryIO, span: Span) -> bytes:
    """The bytes of ``span`` in the open graph.ttl ``source``."""
    source.seek(span.start)
    return source.read(span.end - span.start)


def index_header() -> str:
    """chunks.tsv's first line: its layout and a hash of the prefixes chunk texts are written under
    (a chunk's bytes mean other triples under other prefixes)."""
    return f"# kg chunks v2 prefixes={hashlib.sha1(TURTLE_PREFIXES.encode()).hexdigest()}\n"


def read_index(graph_dir: Path) -> dict[str, Span] | None:
    """The chunk index of ``graph_dir``'s current generation (key -> where its text is in graph.ttl, its
    fingerprint and, for a paper, the digest of its extraction); None when there is none, or it was
    written under other prefixes or another layout.

    A missing or damaged index, or a graph.ttl that no longer matches it, only means a full store
    load (`load_store` checks every old chunk it reads), never a wrong graph.
    """
    try:
        with open(Path(graph_dir) / INDEX, encoding="utf-8") as handle:
            if handle.readline() != index_header():
                return None
            spans = [_span(line.rstrip("\n").split("\t")) for line in handle]
        return {span.key: span for span in spans} if (Path(graph_dir) / TURTLE).is_file() else None
    except (OSError, ValueError):
        return None


def _span(fields: list[str]) -> Span:
    """A :class:`Span` from its chunks.tsv fields (ValueError when they are not key, fingerprint, start,
    end, digest)."""
    key, fingerprint, start, end, digest = fields
    return Span(key, fingerprint, int(start), int(end), digest)


def write_index(path: Path, spans: Iterable[Span]) -> None:
    """chunks.tsv: :func:`index_header`, then one ``key<TAB>fingerprint<TAB>start<TAB>end<TAB>digest``
    line per chunk, in graph.ttl order."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(index_header())
        out.writelines(f"{span.key}\t{span.fingerprint}\t{span.start}\t{span.end}\t{span.digest}\n" for span in spans)


@contextmanager
def previous_chunks(graph_dir: Path) -> Iterator[Reuse]:
    """A `Reuse` for `kg.graph.build.graph_chunks`: the chunk of ``graph_dir``'s current generation
    with that key, when its digest is the one asked for and its bytes match its fingerprint (else None,
    and the chunk is written again: a damaged previous build costs time, never correctness).
    """
    generation = current_generation(graph_dir)
    index = read_index(generation) if generation is not None else None
    if not index:
        yield lambda key, digest: None
        return
    with open(generation / TURTLE, "rb") as source:

        def reuse(key: str, digest: str) -> Chunk | None:
            span = index.get(key)
            if span is None or not digest or span.digest != digest:
                return None
            try:
                return Chunk(key, _checked_span(source, span), digest, span.fingerprint)
            except ValueError:  # not its fingerprint
                return None

        yield reuse


def to_ox(term) -> ox.NamedNode | ox.Literal:
    """The pyoxigraph term for an rdflib IRI or literal (graphs here have no blank nodes)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(term, language=term.language)
        return ox.Literal(term, datatype=ox.NamedNode(term.datatype) if term.datatype else None)
    if isinstance(term, BNode):
        raise ValueError(f"blank node {term!r}: graphs use stable IRIs only")
    raise ValueError(f"not an RDF term: {term!r}")


def dump_graph(store: ox.Store, out: BinaryIO, format: ox.RdfFormat) -> None:
    """Serialise ``store``'s graph in ``format`` with Oxigraph's own writer.

    Triples come in the store's index order, which depends only on the triples (not on the order they
    were loaded, deleted or added in), so the same graph always gives the same bytes.
    """
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    store.dump(out, format, from_graph=ox.DefaultGraph(), prefixes=prefixes)


def write_rejects(path: Path, rejects: Iterable[Reject]) -> None:
    """One JSON object per skipped record: file, line, reason, excerpt."""
    with open(path, "w", encoding="utf-8") as out:
        for reject in rejects:
            record = {"file": reject.path, "line": reject.line, "reason": reject.reason, "excerpt": reject.excerpt}
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")


def write_manifest(path: Path, manifest: dict) -> None:
    """build.json: stable key order, so the same build writes the same bytes."""
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_manifest(graph_dir: Path) -> dict:
    """The build.json of ``graph_dir``'s current generation ({} when there is none)."""
    path = Path(graph_dir) / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


@contextmanager
def build_lock(graph_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``graph_dir`` for one build (released by the OS if the build dies)."""
    with open(graph_dir / _LOCK, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KGError(f"{graph_dir}: another `kg build` is writing here") from None
        yield


def remove_stale_generations(graph_dir: Path) -> None:
    """Delete generations a killed build left behind (anything but the current one)."""
    current = (graph_dir / CURRENT).resolve() if (graph_dir / CURRENT).is_symlink() else None
    for path in graph_dir.glob(GENERATION_PREFIX + "*"):
        if path.resolve() != current:
            shutil.rmtree(path, ignore_errors=True)


def check_no_foreign_files(graph_dir: Path, generation: Path) -> None:
    """Refuse (before anything is swapped) when ``<out>/<name>`` exists but is not our link."""
    for path in generation.iterdir():
        link = graph_dir / path.name
        if (link.exists() or link.is_symlink()) and not _is_current_link(link):
            raise KGError(f"{link}: exists and was not written by `kg build`; choose another --out")


def link_current_files(graph_dir: Path, generation: Path) -> None:
    """Make ``<out>/<name>`` -> ``.current/<name>`` for each file of the generation; drop links to gone files."""
    names = {path.name for path in generation.iterdir()}
    for name in names - {link.name for link in graph_dir.iterdir() if _is_current_link(link)}:
        os.symlink(Path(CURRENT) / name, graph_dir / name)
    for link in graph_dir.iterdir():
        if _is_current_link(link) and link.name not in names:
            link.unlink()


def _is_current_link(path: Path) -> bool:
    """Whether ``path`` is one of the fixed ``.current/<name>`` links."""
    return path.is_symlink() and Path(os.readlink(path)) == Path(CURRENT) / path.name


def fsync_tree(root: Path) -> None:
    """fsync every file and folder under ``root`` so the swap never exposes unwritten data after a crash."""
    for folder, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                os.fsync(handle.fileno())
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
