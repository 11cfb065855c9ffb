"""The on-disk graph: an Oxigraph store plus graph.ttl and build records, swapped in atomically.

Layout of a graph folder ``<out>``::

    <out>/.current        -> .gen-XXXX        (symlink, switched by one atomic rename)
    <out>/.gen-XXXX/      store/ graph.ttl rejects.jsonl build.json graph.html extraction-cache.jsonl
    <out>/store           -> .current/store   (fixed symlinks, one per file, made once)
    <out>/graph.ttl       -> .current/graph.ttl ...

A build writes a complete new generation beside the old one and then switches ``.current``, so a
reader (or a build killed at any moment) always finds the old or the new store + graph.ttl pair,
never a mixture or half-written files. Leftovers of a killed build are removed by the next build.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import KGError
from kg.graph.build import Triple
from kg.graph.stats import GraphCounts, graph_counts
from kg.io import replace_dir
from kg.model import Reject
from kg.vocab import PREFIXES

STORE = "store"
TURTLE = "graph.ttl"
REJECTS = "rejects.jsonl"
MANIFEST = "build.json"
CURRENT = ".current"
_GENERATION_PREFIX = ".gen-"
_LOCK = ".lock"

_SUBJECTS_QUERY = "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"


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
    """What `write_graph` wrote: the new generation folder and the counts of its graph."""

    generation: Path
    counts: GraphCounts


def write_graph(
    graph_dir: Path,
    triples: Iterable[Triple],
    *,
    rejects: Iterable[Reject] = (),
    manifest: dict | None = None,
    extras: Callable[[Graph, Path], None] | None = None,
) -> WrittenGraph:
    """Write a new generation of ``graph_dir`` (store, graph.ttl, rejects.jsonl, build.json) and swap it in.

    build.json is ``manifest`` plus the graph's counts. ``extras(graph, generation_dir)`` may add
    files (e.g. graph.html) to the new generation before the swap.
    """
    graph_dir = Path(graph_dir)
    graph_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(graph_dir):
        remove_stale_generations(graph_dir)
        generation = Path(tempfile.mkdtemp(prefix=_GENERATION_PREFIX, dir=graph_dir))
        try:
            generation.chmod(0o755)  # mkdtemp makes it private; the graph is for every reader
            store = ox.Store(str(generation / STORE))
            store.bulk_extend(ox.Quad(*map(to_ox, triple)) for triple in triples)
            store.flush()
            graph = Graph(store=OxigraphStore(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
            counts = graph_counts(graph)
            with open(generation / TURTLE, "wb") as out:
                write_sorted(store, out, ox.RdfFormat.TURTLE)
            write_rejects(generation / REJECTS, rejects)
            write_manifest(generation / MANIFEST, {**(manifest or {}), "counts": counts.as_dict()})
            if extras is not None:
                extras(graph, generation)
            del graph, store
            check_no_foreign_files(graph_dir, generation)
            fsync_tree(generation)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        replace_dir(generation, graph_dir / CURRENT)
        link_current_files(graph_dir, generation)
    return WrittenGraph(generation, counts)


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


def sorted_triples(store: ox.Store) -> Iterator[ox.Triple]:
    """Every triple of ``store``'s default graph, sorted by subject, predicate and object.

    Streams subject by subject (one index lookup each), so memory grows with the number of
    subjects, not triples; much faster than a SPARQL ORDER BY over the whole graph.
    """
    subjects = sorted((row[0] for row in store.query(_SUBJECTS_QUERY)), key=lambda node: node.value)
    for subject in subjects:
        quads = store.quads_for_pattern(subject, None, None, ox.DefaultGraph())
        for quad in sorted(quads, key=_predicate_object_key):
            yield ox.Triple(quad.subject, quad.predicate, quad.object)


def _predicate_object_key(quad: ox.Quad) -> tuple:
    """Sort key of a subject's triple: predicate IRI, then IRIs before literals, then lexical form."""
    term = quad.object
    if isinstance(term, ox.Literal):
        return quad.predicate.value, 1, term.value, term.datatype.value, term.language or ""
    return quad.predicate.value, 0, term.value, "", ""


def write_sorted(store: ox.Store, out: BinaryIO, format: ox.RdfFormat) -> None:
    """Serialise ``store`` sorted (so byte-identical for the same triples) in ``format`` to ``out``."""
    triples: Iterable = sorted_triples(store)
    if format.supports_datasets:
        triples = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    ox.serialize(triples, out, format, prefixes=prefixes)


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
    for path in graph_dir.glob(_GENERATION_PREFIX + "*"):
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
