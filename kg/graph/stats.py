"""Basic counts of a graph: papers, entities per type, links per role, triples.

Counted in the store by SPARQL (`graph_counts`), or, when a build only changed part of the store, as the
previous counts minus those of the triples it deleted plus those of the triples it added (`quad_counts`,
`GraphCounts` arithmetic): a scan of the whole store (1.8 s for 1.9M triples) for a change of a few
hundred thousand triples is what made a small rebuild as slow as a full one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import pyoxigraph as ox
from rdflib import RDF, Graph

from kg.analysis.rows import oxigraph_store
from kg.vocab import CLASS_TYPE, KG, RELATIONS, TYPE_CLASS

_COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_COUNT_PAPERS = "SELECT (COUNT(?paper) AS ?n) WHERE { ?paper a kg:Paper }"
_COUNT_BY_CLASS = "SELECT ?class (COUNT(?node) AS ?n) WHERE { ?node a ?class } GROUP BY ?class"
_COUNT_BY_RELATION = (  # VALUES first: one index range per relation instead of a scan of every triple
    "SELECT ?relation (COUNT(*) AS ?n) WHERE { VALUES ?relation { %s } ?paper ?relation ?entity } GROUP BY ?relation"
    % " ".join(f"<{relation}>" for relation in RELATIONS)
)


@dataclass(frozen=True)
class GraphCounts:
    """What a graph holds; ``entities`` and ``links`` list every type and relation, zeros included."""

    papers: int
    entities: dict[str, int]  # entity type name -> nodes
    links: dict[str, int]  # relation local name (proposes, uses, ...) -> paper-entity links
    triples: int

    def as_dict(self) -> dict:
        """Plain JSON-ready form (build.json)."""
        return {"papers": self.papers, "entities": self.entities, "links": self.links, "triples": self.triples}

    @classmethod
    def from_dict(cls, data: dict) -> GraphCounts:
        """The counts `as_dict` wrote (KeyError, TypeError or ValueError when they are not that)."""
        entities = {name: int(data["entities"][name]) for name in CLASS_TYPE.values()}
        links = {name: int(data["links"][name]) for name in _RELATION_NAMES.values()}
        return cls(int(data["papers"]), entities, links, int(data["triples"]))

    def __add__(self, other: GraphCounts) -> GraphCounts:
        """The counts of two graphs with no triple in common, together."""
        return self._combined(other, 1)

    def __sub__(self, other: GraphCounts) -> GraphCounts:
        """These counts without those of ``other``, a part of this graph.

        >>> one = GraphCounts(1, {"Method": 1}, {"uses": 1}, 9)
        >>> one - one + GraphCounts(2, {"Method": 0}, {"uses": 3}, 20)
        GraphCounts(papers=2, entities={'Method': 0}, links={'uses': 3}, triples=20)
        """
        return self._combined(other, -1)

    def _combined(self, other: GraphCounts, sign: int) -> GraphCounts:
        """Each count plus ``sign`` times ``other``'s."""
        return GraphCounts(
            self.papers + sign * other.papers,
            {name: number + sign * other.entities[name] for name, number in self.entities.items()},
            {name: number + sign * other.links[name] for name, number in self.links.items()},
            self.triples + sign * other.triples,
        )


def graph_counts(graph: Graph) -> GraphCounts:
    """Count papers, entities by type, paper-entity links by relation and triples of ``graph``."""
    by_class = {row[0]: int(row[1]) for row in graph.query(_COUNT_BY_CLASS)}
    by_relation = {row[0]: int(row[1]) for row in graph.query(_COUNT_BY_RELATION)}
    return GraphCounts(
        papers=_count(graph, _COUNT_PAPERS),
        entities={name: by_class.get(TYPE_CLASS[name], 0) for name in CLASS_TYPE.values()},
        links={relation.removeprefix(str(KG)): by_relation.get(relation, 0) for relation in RELATIONS},
        triples=_triples(graph),
    )


def _triples(graph: Graph) -> int:
    """How many triples ``graph`` holds: Oxigraph's own count of its quads when it is over a store with
    only the default graph, as kg's are (twice as fast as the SPARQL COUNT, and ``len`` of the rdflib
    graph iterates every triple in Python); else the SPARQL COUNT of the default graph."""
    store = oxigraph_store(graph)
    if store is not None and next(iter(store.named_graphs()), None) is None:
        return len(store)
    return _count(graph, _COUNT_TRIPLES)


_TYPE = str(RDF.type)
_PAPER = str(KG.Paper)
_CLASS_NAMES = {str(iri): name for iri, name in CLASS_TYPE.items()}
_RELATION_NAMES = {str(relation): str(relation).removeprefix(str(KG)) for relation in RELATIONS}


def quad_counts(quads: Iterable[ox.Quad]) -> GraphCounts:
    """What `graph_counts` would count in a graph of exactly the (distinct) ``quads``."""
    classes: Counter = Counter()
    predicates: Counter = Counter()
    triples = 0
    for quad in quads:
        triples += 1
        predicate = quad.predicate.value
        predicates[predicate] += 1
        if predicate == _TYPE:
            classes[quad.object.value] += 1
    return GraphCounts(
        papers=classes[_PAPER],
        entities={name: classes[iri] for iri, name in _CLASS_NAMES.items()},
        links={name: predicates[iri] for iri, name in _RELATION_NAMES.items()},
        triples=triples,
    )


def _count(graph: Graph, query: str) -> int:
    """The single number a COUNT query returns. The rows are read to the end: oxrdflib's unfinished
    row generator is in a reference cycle holding the Oxigraph result, which the collector could
    then free on another thread (pyoxigraph refuses, and leaks it)."""
    return int(list(graph.query(query, initNs={"kg": KG}))[0][0])
