"""Methods that share benchmarks: a projection of the method-benchmark bipartite graph.

"Method" means an entity of type Method or Model: what a paper proposes is often a named model, and
users ask "what else is evaluated where X is" about both. Method M is *evaluated on* benchmark B when
a paper that proposes M (``role="any"``: proposes or uses M) has ``kg:evaluatedOn B``. The benchmark
side is the Benchmark class (``by="benchmark"``), the Dataset class (``by="dataset"``) or either
(``by="both"``).

The method-benchmark graph is projected onto the methods with ``networkx.algorithms.bipartite``:
``weighted_projected_graph`` gives the number of shared benchmarks and
``overlap_weighted_projected_graph(jaccard=True)`` the Jaccard weight |B(M1) & B(M2)| / |B(M1) | B(M2)|.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import networkx as nx
from networkx.algorithms import bipartite
from rdflib import Graph

from kg.analysis.view import find_nodes, graph_view, select
from kg.errors import KGError

METHOD_TYPES = ("Method", "Model")
BENCHMARK_TYPES = {"benchmark": ("Benchmark",), "dataset": ("Dataset",), "both": ("Benchmark", "Dataset")}
METHOD_ROLES = {"proposed": ("proposes",), "any": ("proposes", "uses")}

_EVALUATED = """
SELECT DISTINCT ?method ?methodLabel ?benchmark ?benchmarkLabel WHERE {{
  VALUES ?relation {{ {relations} }}
  VALUES ?methodClass {{ kg:Method kg:Model }}
  VALUES ?benchmarkClass {{ {benchmark_classes} }}
  ?paper ?relation ?method ; kg:evaluatedOn ?benchmark .
  ?method a ?methodClass ; skos:prefLabel ?methodLabel .
  ?benchmark a ?benchmarkClass ; skos:prefLabel ?benchmarkLabel .
}}"""
_METHODS = """
SELECT ?method ?label WHERE {
  VALUES ?class { kg:Method kg:Model }
  ?method a ?class ; skos:prefLabel ?label .
}"""


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


def method_benchmark_graph(graph: Graph, by: str = "benchmark", role: str = "proposed") -> nx.Graph:
    """The bipartite graph of methods (``bipartite=0``) and the benchmarks they are evaluated on (``1``).

    Nodes are IRIs with ``label`` attributes; every Method and Model of ``graph`` is a node, also
    those evaluated on nothing.
    """
    if by not in BENCHMARK_TYPES:
        raise ValueError(f"by must be one of {sorted(BENCHMARK_TYPES)}, not {by!r}")
    if role not in METHOD_ROLES:
        raise ValueError(f"role must be one of {sorted(METHOD_ROLES)}, not {role!r}")
    query = _EVALUATED.format(
        relations=" ".join(f"kg:{name}" for name in METHOD_ROLES[role]),
        benchmark_classes=" ".join(f"kg:{name}" for name in BENCHMARK_TYPES[by]),
    )
    bigraph = nx.Graph()
    for method, label in sorted(select(graph, _METHODS)):
        bigraph.add_node(method, bipartite=0, label=label)
    for method, method_label, benchmark, benchmark_label in sorted(select(graph, query)):
        bigraph.add_node(benchmark, bipartite=1, label=benchmark_label)
        bigraph.add_edge(method, benchmark)
    return bigraph


def shared_pairs(bigraph: nx.Graph, min_shared: int = 1) -> list[SharedPair]:
    """Pairs of methods sharing at least ``min_shared`` benchmarks, ranked.

    Ranked by shared count, then Jaccard weight (both descending), then labels, so ties are stable.

    >>> b = nx.Graph()
    >>> b.add_nodes_from([("m1", {"bipartite": 0, "label": "A"}), ("m2", {"bipartite": 0, "label": "B"}),
    ...                   ("m3", {"bipartite": 0, "label": "C"})])
    >>> b.add_nodes_from([("b1", {"bipartite": 1, "label": "GLUE"}), ("b2", {"bipartite": 1, "label": "MMLU"})])
    >>> b.add_edges_from([("m1", "b1"), ("m1", "b2"), ("m2", "b1"), ("m2", "b2"), ("m3", "b1")])
    >>> [(p.method, p.other, p.shared, p.jaccard, p.benchmarks) for p in shared_pairs(b)]
    [('A', 'B', 2, 1.0, ('GLUE', 'MMLU')), ('A', 'C', 1, 0.5, ('GLUE',)), ('B', 'C', 1, 0.5, ('GLUE',))]
    """
    counts, jaccard = _projections(bigraph)
    pairs = []
    for u, v, shared in counts.edges(data="weight"):
        if shared < min_shared:
            continue
        first, second = sorted((u, v), key=lambda node: (bigraph.nodes[node]["label"], node))
        pairs.append(_pair(bigraph, first, second, shared, jaccard[u][v]["weight"]))
    return sorted(pairs, key=_rank)


def closest_methods(bigraph: nx.Graph, method: str, min_shared: int = 1) -> list[SharedPair]:
    """The methods sharing at least ``min_shared`` benchmarks with ``method`` (an IRI), ranked.

    Each pair has ``method`` first; an empty list when it shares no benchmark with any method.
    """
    counts, jaccard = _projections(bigraph)
    pairs = [
        _pair(bigraph, method, other, shared, jaccard[method][other]["weight"])
        for other, shared in ((other, data["weight"]) for other, data in counts[method].items())
        if shared >= min_shared
    ]
    return sorted(pairs, key=_rank)


def _projections(bigraph: nx.Graph) -> tuple[nx.Graph, nx.Graph]:
    """The method projections weighted by shared count and by Jaccard (edgeless with no benchmarks)."""
    methods = [node for node, side in bigraph.nodes(data="bipartite") if side == 0]
    if len(methods) == len(bigraph):
        return bigraph.subgraph(methods), bigraph.subgraph(methods)
    return (bipartite.weighted_projected_graph(bigraph, methods),
            bipartite.overlap_weighted_projected_graph(bigraph, methods, jaccard=True))


def _pair(bigraph: nx.Graph, first: str, second: str, shared: int, jaccard: float) -> SharedPair:
    """The SharedPair of two method nodes, listing their common benchmarks by label."""
    common = set(bigraph[first]) & set(bigraph[second])
    return SharedPair(
        method=bigraph.nodes[first]["label"],
        other=bigraph.nodes[second]["label"],
        shared=shared,
        jaccard=round(jaccard, 6),
        benchmarks=tuple(sorted(bigraph.nodes[b]["label"] for b in common)),
        method_iri=first,
        other_iri=second,
    )


def _rank(pair: SharedPair) -> tuple:
    """Sort key: most shared first, then highest Jaccard, then by labels and IRIs."""
    return (-pair.shared, -pair.jaccard, pair.method, pair.other, pair.method_iri, pair.other_iri)


def shared_benchmarks(graph: Graph, by: str = "benchmark", role: str = "proposed", min_shared: int = 1,
                      method: str | None = None, top: int | None = None) -> list[SharedPair]:
    """Ranked pairs of methods evaluated on common benchmarks of ``graph`` (what `kg shared` lists).

    With ``method`` (a label or alias of a Method or Model, case-insensitive) only the methods closest
    to it. ``top`` keeps the first pairs. Raises KGError for an unknown or ambiguous ``method``.
    """
    bigraph = method_benchmark_graph(graph, by=by, role=role)
    if method is None:
        pairs = shared_pairs(bigraph, min_shared)
    else:
        pairs = closest_methods(bigraph, resolve_method(graph, method), min_shared)
    return pairs if top is None else pairs[:top]


def resolve_method(graph: Graph, name: str) -> str:
    """The IRI of the one Method or Model called ``name`` (label or alias); KGError otherwise."""
    found = find_nodes(graph_view(graph, types=METHOD_TYPES, roles=()), name)
    if not found:
        raise KGError(f"no method or model named {name!r} in the graph")
    if len(found) > 1:
        raise KGError(f"{name!r} names several methods or models: {', '.join(found)}")
    return found[0]
