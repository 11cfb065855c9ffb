"""Methods that share benchmarks: the strongest pairs, and one method's closest methods.

"Method" means an entity of type Method or Model: what a paper proposes is often a named model, and
users ask "what else is evaluated where X is" about both. Method M is *evaluated on* benchmark B when
a paper that proposes M (``role="any"``: proposes or uses M) has ``kg:evaluatedOn B``. The benchmark
side is the Benchmark class (``by="benchmark"``), the Dataset class (``by="dataset"``) or either
(``by="both"``).

Two methods *meet* on a benchmark unless the one paper that evaluates either of them on it proposes
both: a paper proposing two things (a framework and its parts, a model and its variants) shares all
its benchmarks between them and says nothing about where the field's methods meet, while a paper
comparing its method with another one (``role="any"``) or two papers evaluating theirs on the same
benchmark do.

Two methods sharing benchmarks are an edge of the projection of the method-benchmark bipartite graph
onto the methods (networkx's ``bipartite.weighted_projected_graph``), less the benchmarks on which
they do not meet, weighted by the number of shared benchmarks and by Jaccard (shared over
|B(M1) | B(M2)|). That projection has a number of edges quadratic in the methods evaluated on a
popular benchmark (2.6M pairs on 10k synthetic papers), so it is not built: the method-benchmark
links are read with a SPARQL SELECT per relation into a sparse 0/1 incidence matrix B (methods x benchmarks,
integer ids) and a 0/1 matrix A of the links one proposing paper alone makes (methods x (paper,
benchmark) slots), and shared counts are rows of B·Bᵀ - A·Aᵀ (scipy.sparse), computed only for the
methods that can reach the top (see ``top_pairs``). Reading the links is what costs on a
large graph, so `kg shared` keeps them beside the store it read them from (``cached_evaluated_on``).

Ranking, here and in ontology/queries/methods-sharing-benchmarks.rq: most shared benchmarks first,
then highest Jaccard, then by the first method's label and IRI, then the other's. In a pair the
method with the smaller (label, IRI) comes first. Method ids are positions in (label, IRI) order,
so the last two keys are the pair's ids.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable
from urllib.parse import unquote

import numpy as np
from scipy import sparse

from kg.errors import KGError
from kg.io import atomic_path

if TYPE_CHECKING:
    from rdflib import Graph, URIRef

# The functions that read the store import rdflib and kg.analysis.rows when called: `kg shared`
# answered from a generation's cached links (cached_incidence) never loads them, a quarter of its
# one-second start.

METHOD_TYPES = ("Method", "Model")
BENCHMARK_TYPES = {"benchmark": ("Benchmark",), "dataset": ("Dataset",), "both": ("Benchmark", "Dataset")}
METHOD_ROLES = {"proposed": ("proposes",), "any": ("proposes", "uses")}
#: where in a graph's generation folder ``cached_evaluated_on`` keeps the links
CACHE_FOLDER = "analysis-cache"
#: how many of the best-connected methods ``top_pairs`` pairs up first
FIRST_CANDIDATES = 64

# One row per paper (or class) with its IRIs or labels joined by spaces: the store turns thousands of
# terms into a few strings, instead of Python building an object per term (5x faster on a large
# graph). IRIs hold no spaces and ENCODE_FOR_URI leaves none in a label. The papers' links are read
# one relation at a time and joined here: Oxigraph joins "?paper kg:proposes ?method ; kg:evaluatedOn
# ?benchmark" six times slower (50k papers: 15 s against 2.8 s).
_LINKED = """
SELECT ?paper (GROUP_CONCAT(STR(?object); separator=" ") AS ?objects) WHERE {{
  ?paper kg:{relation} ?object .
}} GROUP BY ?paper"""
_LABELLED = """
SELECT ?class (GROUP_CONCAT(CONCAT(STR(?entity), " ", ENCODE_FOR_URI(?label)); separator=" ") AS ?entities) WHERE {{
  VALUES ?class {{ {classes} }}
  ?entity a ?class ; skos:prefLabel ?label .
}} GROUP BY ?class"""
# What a name (bound as a VALUES block, never spliced) calls by label or alias, in any case; _TYPED
# keeps the methods among given IRIs. Two queries: checking the class of every label is 6x slower.
_NAMED = """
SELECT DISTINCT ?entity WHERE {{
  {name}
  ?entity skos:prefLabel|skos:altLabel ?known .
  FILTER(LCASE(STR(?known)) = LCASE(?name))
}}"""
_TYPED = """
SELECT DISTINCT ?method WHERE {{
  {method}
  ?method a ?class .
  VALUES ?class {{ kg:Method kg:Model }}
}}"""
_NOT_IN_IRIS = re.compile(r'[\s<>"{}|^`\\]')


@dataclass(frozen=True)
class SharedPair:
    """Two methods evaluated on ``shared`` common benchmarks (listed by label in ``benchmarks``)."""

    method: str
    other: str
    shared: int
    jaccard: float
    benchmarks: tuple[str, ...]
    method_iri: str
    other_iri: str

    def as_dict(self) -> dict:
        """Plain JSON-ready form."""
        return {**asdict(self), "benchmarks": list(self.benchmarks)}


_TEXT_FIELDS = ("methods", "method_labels", "benchmarks", "benchmark_labels")
_ARRAY_FIELDS = ("indptr", "indices", "alone_indptr", "alone_indices", "slot_benchmarks")


@dataclass(frozen=True)
class Incidence:
    """Which method is evaluated on which benchmark, as a sparse 0/1 matrix over integer ids.

    Row ``i`` is method ``methods[i]`` (IRI) labelled ``method_labels[i]``, methods sorted by
    (label, IRI); column ``j`` of ``matrix`` is benchmark ``benchmarks[j]`` labelled
    ``benchmark_labels[j]``. Column ``k`` of ``alone`` is a (paper, benchmark) slot, on benchmark
    ``slot_benchmarks[k]``: a method has a 1 there when that paper, proposing it, is the only one
    evaluating it on that benchmark. Only methods evaluated on at least one benchmark are rows.
    """

    methods: tuple[str, ...]
    method_labels: tuple[str, ...]
    benchmarks: tuple[str, ...]
    benchmark_labels: tuple[str, ...]
    matrix: sparse.csr_array
    alone: sparse.csr_array
    slot_benchmarks: np.ndarray

    @classmethod
    def from_links(cls, links: Iterable[tuple[str, str, str, bool]], labels: dict[str, str]) -> Incidence:
        """The incidence of (method IRI, benchmark IRI, paper IRI, proposes) ``links``: the paper,
        proposing the method or not, evaluates it on the benchmark. ``labels`` maps IRIs to labels (an
        IRI without one is its own label).

        >>> inc = Incidence.from_links([("m2", "b", "p", True), ("m1", "b", "p", True), ("m1", "b", "q", True)],
        ...                            {"m1": "Z", "m2": "A", "b": "GLUE"})
        >>> inc.method_labels, inc.matrix.toarray().tolist(), inc.alone.toarray().tolist()
        (('A', 'Z'), [[1], [1]], [[1], [0]])
        """
        proposing: dict[tuple[str, str], dict[str, bool]] = {}
        for method, benchmark, paper, proposes in links:
            found = proposing.setdefault((method, benchmark), {})
            found[paper] = found.get(paper, False) or proposes
        label = lambda iri: labels.get(iri, iri)  # noqa: E731
        methods = sorted({method for method, _ in proposing}, key=lambda iri: (label(iri), iri))
        benchmarks = sorted({benchmark for _, benchmark in proposing})
        method_id = {iri: i for i, iri in enumerate(methods)}
        benchmark_id = {iri: j for j, iri in enumerate(benchmarks)}
        matrix = _zero_one([method_id[m] for m, _ in proposing], [benchmark_id[b] for _, b in proposing],
                           len(methods), len(benchmarks))
        # (paper, benchmark id, method id) of the links one paper alone makes, proposing the method
        alone = sorted((paper, benchmark_id[b], method_id[m]) for (m, b), found in proposing.items()
                       if len(found) == 1 for paper, proposes in found.items() if proposes)
        slots = sorted({(paper, benchmark) for paper, benchmark, _ in alone})
        slot_id = {slot: k for k, slot in enumerate(slots)}
        return cls(tuple(methods), tuple(map(label, methods)), tuple(benchmarks), tuple(map(label, benchmarks)),
                   matrix, _zero_one([m for _, _, m in alone], [slot_id[p, b] for p, b, _ in alone], len(methods),
                                     len(slots)),
                   np.array([benchmark for _, benchmark in slots], dtype=np.int32))

    def save(self, path: Path) -> None:
        """Write to ``path`` (NumPy .npz, no pickles) atomically."""
        arrays = {name: np.array(getattr(self, name), dtype=str) for name in _TEXT_FIELDS}
        with atomic_path(path) as tmp, open(tmp, "wb") as out:
            np.savez_compressed(out, indptr=self.matrix.indptr, indices=self.matrix.indices,
                                alone_indptr=self.alone.indptr, alone_indices=self.alone.indices,
                                slot_benchmarks=self.slot_benchmarks, **arrays)

    @classmethod
    def load(cls, path: Path) -> Incidence:
        """Read what ``save`` wrote."""
        with np.load(path, allow_pickle=False) as data:
            texts = {name: tuple(data[name].tolist()) for name in _TEXT_FIELDS}
            arrays = {name: data[name] for name in _ARRAY_FIELDS}
        n_methods = len(texts["methods"])
        return cls(**texts, matrix=_ones(arrays["indices"], arrays["indptr"], (n_methods, len(texts["benchmarks"]))),
                   alone=_ones(arrays["alone_indices"], arrays["alone_indptr"],
                               (n_methods, len(arrays["slot_benchmarks"]))),
                   slot_benchmarks=arrays["slot_benchmarks"])

    def degrees(self) -> np.ndarray:
        """Number of benchmarks of each method."""
        return np.diff(self.matrix.indptr)

    def common(self, first: int, second: int) -> tuple[str, ...]:
        """Labels of the benchmarks methods ``first`` and ``second`` share, sorted."""
        shared = np.intersect1d(_row(self.matrix, first), _row(self.matrix, second), assume_unique=True)
        one_paper = self.slot_benchmarks[np.intersect1d(_row(self.alone, first), _row(self.alone, second),
                                                        assume_unique=True)]
        return tuple(sorted(self.benchmark_labels[j] for j in np.setdiff1d(shared, one_paper, assume_unique=True)))

    def shared_counts(self, rows: np.ndarray, others: np.ndarray | None = None) -> tuple[sparse.coo_array, np.ndarray]:
        """How many benchmarks each method of ``rows`` shares with each method of ``others`` (None:
        ``rows``), as a sparse matrix: B·Bᵀ less A·Aᵀ, the benchmarks a pair reaches through one and
        the same paper only; and, for each of its entries, how many benchmarks the two have in common
        (B·Bᵀ, for the Jaccard weight)."""
        matrix, alone = self.matrix[rows], self.alone[rows]
        other_matrix, other_alone = (matrix, alone) if others is None else (self.matrix[others], self.alone[others])
        common = sparse.csr_array(matrix @ other_matrix.T)
        shared = sparse.coo_array(common - alone @ other_alone.T)
        shared.eliminate_zeros()
        return shared, common[shared.row, shared.col]


def _zero_one(rows: list[int], cols: list[int], n_rows: int, n_cols: int) -> sparse.csr_array:
    """The sparse 0/1 matrix with ones at (rows[k], cols[k]), indices sorted whatever their order."""
    matrix = sparse.csr_array((np.ones(len(rows), dtype=np.int32), (np.array(rows, dtype=np.int32),
                                                                     np.array(cols, dtype=np.int32))),
                              shape=(n_rows, n_cols))
    matrix.sort_indices()
    return matrix


def _ones(indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]) -> sparse.csr_array:
    return sparse.csr_array((np.ones(len(indices), dtype=np.int32), indices, indptr), shape=shape)


def _row(matrix: sparse.csr_array, i: int) -> np.ndarray:
    return matrix.indices[matrix.indptr[i]:matrix.indptr[i + 1]]


def evaluated_on(graph: Graph, by: str = "benchmark", role: str = "proposed") -> Incidence:
    """The method-benchmark incidence of ``graph``: a SELECT per relation of links, one of typed labelled entities."""
    if by not in BENCHMARK_TYPES:
        raise ValueError(f"by must be one of {sorted(BENCHMARK_TYPES)}, not {by!r}")
    if role not in METHOD_ROLES:
        raise ValueError(f"role must be one of {sorted(METHOD_ROLES)}, not {role!r}")
    labels = typed_labels(graph, by)
    links = [(method, benchmark, paper, proposes)
             for (method, benchmark), papers in link_papers(graph, role).items()
             if method in labels["method"] and benchmark in labels["benchmark"] for paper, proposes in papers.items()]
    return Incidence.from_links(links, labels["method"] | labels["benchmark"])


def typed_labels(graph: Graph, by: str) -> dict[str, dict[str, str]]:
    """The label of each method (``"method"``: Method or Model) and benchmark (``"benchmark"``: the
    classes of ``by``) of ``graph``, by IRI (the smallest, should one have several)."""
    labels: dict[str, dict[str, str]] = {side: {} for side in ("method", "benchmark")}
    from kg.analysis.rows import select
    from kg.vocab import KG

    classes = ({f"{KG}{name}": "method" for name in METHOD_TYPES}
               | {f"{KG}{name}": "benchmark" for name in BENCHMARK_TYPES[by]})
    for cls, joined in select(graph, _LABELLED.format(classes=" ".join(f"<{iri}>" for iri in classes))):
        found = labels[classes[cls]]
        words = joined.split(" ")
        for entity, label in zip(words[::2], map(unquote, words[1::2])):
            found[entity] = min(label, found.get(entity, label))  # one label per entity, whatever the store order
    return labels


def link_papers(graph: Graph, role: str) -> dict[tuple[str, str], dict[str, bool]]:
    """(method IRI, benchmark IRI) -> the papers of ``graph`` that link the method by a relation of
    ``role`` and are evaluated on the benchmark, each with whether it proposes the method."""
    from kg.analysis.rows import select

    evaluated = {paper: benchmarks.split(" ") for paper, benchmarks in select(graph, _LINKED.format(relation="evaluatedOn"))}
    papers: dict[tuple[str, str], dict[str, bool]] = {}
    for relation in METHOD_ROLES[role]:
        for paper, methods in select(graph, _LINKED.format(relation=relation)):
            for method in methods.split(" "):
                for benchmark in evaluated.get(paper, ()):
                    found = papers.setdefault((method, benchmark), {})
                    found[paper] = found.get(paper, False) or relation == "proposes"
    return papers


def top_pairs(incidence: Incidence, top: int | None = None, min_shared: int = 1) -> list[SharedPair]:
    """The ``top`` best-ranked pairs of methods sharing at least ``min_shared`` benchmarks (None or 0:
    every pair, quadratic in the methods of a popular benchmark).

    Only methods with many benchmarks can share many: a pair shares at most the smaller of its two
    methods' benchmark counts. So the methods with at least ``t`` benchmarks are paired up first (B·Bᵀ
    on their rows only); once ``top`` of their pairs share ``t`` or more, no pair involving another
    method can rank among the top and the answer is exact. Otherwise ``t`` is lowered and the
    product redone on more methods. On the 50k-paper synthetic graph the first round pairs up the 66
    methods with 123 or more benchmarks and finds 63 such pairs: done (22 ms; counting all 19M
    pairs takes 10 s). Worst
    case: when fewer than ``top`` pairs share two or more benchmarks, every pair is counted.

    >>> links = [("a", "glue", "p1"), ("a", "mmlu", "p1"), ("b", "glue", "p2"), ("b", "mmlu", "p2"), ("c", "glue", "p3"),
    ...          ("d", "glue", "p3")]
    >>> inc = Incidence.from_links([(*link, True) for link in links], {"glue": "GLUE", "mmlu": "MMLU"})
    >>> [(p.method, p.other, p.shared, p.jaccard, p.benchmarks) for p in top_pairs(inc)][:3]
    [('a', 'b', 2, 1.0, ('GLUE', 'MMLU')), ('a', 'c', 1, 0.5, ('GLUE',)), ('a', 'd', 1, 0.5, ('GLUE',))]
    >>> ("c", "d") in [(p.method, p.other) for p in top_pairs(inc)]  # p3 alone evaluates them, proposing both
    False
    >>> [(p.method, p.other) for p in top_pairs(inc, top=1)]
    [('a', 'b')]
    """
    degrees = incidence.degrees()
    by_degree = np.sort(degrees)[::-1]
    wanted = top or None
    candidates = FIRST_CANDIDATES
    while True:
        few = wanted is not None and candidates < len(by_degree)
        threshold = max(min_shared, int(by_degree[candidates - 1])) if few else min_shared
        first, second, shared, common = _pairs_among(incidence, np.flatnonzero(degrees >= threshold), threshold)
        if threshold == min_shared or len(shared) >= wanted:
            break
        candidates *= 4
    return _ranked(incidence, first, second, shared, common, wanted)


def closest_methods(incidence: Incidence, method: int, top: int | None = None, min_shared: int = 1) -> list[SharedPair]:
    """The ``top`` (None or 0: all) methods sharing at least ``min_shared`` benchmarks with method
    number ``method``, ranked; each pair has ``method`` first.

    >>> links = [("a", "glue", "p1"), ("b", "glue", "p2"), ("b", "mmlu", "p2"), ("c", "mmlu", "p3")]
    >>> inc = Incidence.from_links([(*link, True) for link in links], {})
    >>> [(p.method, p.other, p.jaccard) for p in closest_methods(inc, 1)]
    [('b', 'a', 0.5), ('b', 'c', 0.5)]
    """
    row, common = incidence.shared_counts(np.array([method]), np.arange(len(incidence.methods)))
    keep = (row.col != method) & (row.data >= min_shared)
    others = row.col[keep]
    return _ranked(incidence, np.full_like(others, method), others, row.data[keep], common[keep], top or None)


def _pairs_among(incidence: Incidence, methods: np.ndarray, min_shared: int) -> tuple[np.ndarray, ...]:
    """(first, second, shared, common) arrays of the pairs of ``methods`` (ids) sharing ``min_shared``
    or more benchmarks, each pair once with first < second."""
    shared, common = incidence.shared_counts(methods)
    keep = (shared.row < shared.col) & (shared.data >= min_shared)
    return methods[shared.row[keep]], methods[shared.col[keep]], shared.data[keep], common[keep]


def _ranked(incidence: Incidence, first: np.ndarray, second: np.ndarray, shared: np.ndarray, common: np.ndarray,
            top: int | None) -> list[SharedPair]:
    """The ``top`` (None: all) of the pairs (first[k], second[k]) sharing shared[k] benchmarks (of
    common[k] they both have), as SharedPairs in rank order: shared, Jaccard (shared over the
    benchmarks of either; both descending), then the first's and the second's ids."""
    degrees = incidence.degrees()
    jaccard = shared / (degrees[first] + degrees[second] - common)
    order = np.lexsort((second, first, -jaccard, -shared))[:top]
    return [
        SharedPair(
            method=incidence.method_labels[first[k]],
            other=incidence.method_labels[second[k]],
            shared=int(shared[k]),
            jaccard=round(float(jaccard[k]), 6),
            benchmarks=incidence.common(first[k], second[k]),
            method_iri=incidence.methods[first[k]],
            other_iri=incidence.methods[second[k]],
        )
        for k in order
    ]


def cached_incidence(folder: Path, by: str = "benchmark", role: str = "proposed") -> Incidence | None:
    """The incidence ``cached_evaluated_on`` keeps in generation folder ``folder``, or None when there
    is none (or it is damaged)."""
    try:
        return Incidence.load(Path(folder) / CACHE_FOLDER / cache_file_name(by, role))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def cached_evaluated_on(graph: Graph, folder: Path, by: str = "benchmark", role: str = "proposed") -> Incidence:
    """``evaluated_on(graph, by, role)``, kept in ``folder`` for the next call.

    ``folder`` must be the generation folder that holds ``graph``'s store (``<graph>/store`` links
    into it); the file goes in its CACHE_FOLDER. A build never changes a generation once it is current
    but makes a new one, so the file can never describe another graph. Reading the links from the
    store takes seconds on a 50k-paper graph, loading them back milliseconds. A damaged file is
    read again from the store and replaced; a folder one cannot write to just means no cache.
    """
    incidence = cached_incidence(folder, by, role)
    if incidence is not None:
        return incidence
    incidence = evaluated_on(graph, by=by, role=role)
    try:
        incidence.save(Path(folder) / CACHE_FOLDER / cache_file_name(by, role))
    except OSError:
        pass
    return incidence


def cache_file_name(by: str, role: str) -> str:
    """The cache file of ``evaluated_on(graph, by, role)``, named by a hash of everything that decides
    the links (classes, relations, the queries, the file layout), so changed code never reads an old file.
    """
    recipe = repr((METHOD_TYPES, BENCHMARK_TYPES[by], METHOD_ROLES[role], _LINKED, _LABELLED, _TEXT_FIELDS,
                   _ARRAY_FIELDS))
    return f"shared-{by}-{role}-{hashlib.sha1(recipe.encode()).hexdigest()[:12]}.npz"


def shared_benchmarks(graph: Graph, by: str = "benchmark", role: str = "proposed", min_shared: int = 1,
                      method: str | None = None, top: int | None = None, cache: Path | None = None) -> list[SharedPair]:
    """Ranked pairs of methods evaluated on common benchmarks of ``graph`` (what `kg shared` lists).

    With ``method`` (a label or alias of a Method or Model, case-insensitive) only the methods closest
    to it. ``top`` keeps the first pairs (None or 0: all). ``cache``: the generation folder of
    ``graph``'s store, to keep the method-benchmark links in (``cached_evaluated_on``). Raises
    KGError for an unknown or ambiguous ``method``.
    """
    if method is not None:
        iri = resolve_method(graph, method)
    if cache is None:
        incidence = evaluated_on(graph, by=by, role=role)
    else:
        incidence = cached_evaluated_on(graph, cache, by=by, role=role)
    if method is None:
        return top_pairs(incidence, top, min_shared)
    if iri not in incidence.methods:
        return []
    return closest_methods(incidence, incidence.methods.index(iri), top, min_shared)


def resolve_method(graph: Graph, name: str) -> str:
    """The IRI of the one Method or Model called ``name`` (label or alias in any case, else its IRI);
    KGError otherwise."""
    from rdflib import Literal, URIRef

    from kg.analysis.rows import select
    from kg.sparql.binding import values_block

    named = [URIRef(row[0]) for row in select(graph, _NAMED.format(name=values_block({"name": [Literal(name)]})))]
    found = _methods_among(graph, named)
    if not found and ":" in name and not _NOT_IN_IRIS.search(name):
        found = _methods_among(graph, [URIRef(name)])
    if not found:
        raise KGError(f"no method or model named {name!r} in the graph")
    if len(found) > 1:
        raise KGError(f"{name!r} names several methods or models: {', '.join(found)}")
    return found[0]


def _methods_among(graph: Graph, iris: list[URIRef]) -> list[str]:
    """Those of ``iris`` that are a Method or a Model, sorted."""
    from kg.analysis.rows import select
    from kg.sparql.binding import values_block

    return sorted(row[0] for row in select(graph, _TYPED.format(method=values_block({"method": iris})))) if iris else []
