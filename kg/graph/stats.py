"""Basic counts of a graph: papers, entities per type, links per role, triples."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

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


def graph_counts(graph: Graph) -> GraphCounts:
    """Count papers, entities by type, paper-entity links by relation and triples of ``graph``."""
    by_class = {row[0]: int(row[1]) for row in graph.query(_COUNT_BY_CLASS)}
    by_relation = {row[0]: int(row[1]) for row in graph.query(_COUNT_BY_RELATION)}
    return GraphCounts(
        papers=_count(graph, _COUNT_PAPERS),
        entities={name: by_class.get(TYPE_CLASS[name], 0) for name in CLASS_TYPE.values()},
        links={relation.removeprefix(str(KG)): by_relation.get(relation, 0) for relation in RELATIONS},
        triples=_count(graph, _COUNT_TRIPLES),
    )


def _count(graph: Graph, query: str) -> int:
    """The single number a COUNT query returns."""
    return int(next(iter(graph.query(query, initNs={"kg": KG})))[0])
