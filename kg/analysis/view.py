"""A NetworkX view of the RDF graph: papers and entities as nodes, paper -> entity links as edges.

The view is derived from the RDF store only (never from extractor output): a few SPARQL SELECTs pull
rows, and the NetworkX graph is built from those rows.

Node ids are IRIs (strings). Node attributes:

- every node: ``type`` ("Paper" or an entity type), ``label``;
- entities: ``aliases`` (tuple of skos:altLabel, sorted) and ``paper_count`` (distinct papers linked);
- papers: ``title``, ``date`` (ISO date or ``--MM-DD``), ``url``.

Edges go paper -> entity, one per RDF link, keyed by ``relation`` (the property's local name:
proposes, uses, evaluatedOn, reportsMetric, addressesTask) with attributes ``relation`` and ``role``
(the extractor role: proposed, used, evaluated_on).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import networkx as nx
from rdflib import Graph

from kg.analysis.rows import select
from kg.model import ENTITY_TYPES, ROLES
from kg.vocab import CLASS_TYPE, KG, RELATIONS, role_for

PAPER = "Paper"
NODE_TYPES = (PAPER, *ENTITY_TYPES)

_ENTITIES = """
SELECT ?entity ?class ?label WHERE {
  ?entity a ?class ; skos:prefLabel ?label .
  VALUES ?class { kg:Method kg:Model kg:Dataset kg:Benchmark kg:Metric kg:Task }
}"""
_ALIASES = """
SELECT ?entity ?alias WHERE {
  ?entity a ?class ; skos:altLabel ?alias .
  VALUES ?class { kg:Method kg:Model kg:Dataset kg:Benchmark kg:Metric kg:Task }
}"""
_PAPERS = """
SELECT ?paper ?title ?issued ?url ?arxiv WHERE {
  ?paper a kg:Paper .
  OPTIONAL { ?paper dcterms:title ?title }
  OPTIONAL { ?paper dcterms:issued ?issued }
  OPTIONAL { ?paper schema:url ?url }
  OPTIONAL { ?paper kg:arxivId ?arxiv }
}"""
_LINKS = """
SELECT ?paper ?relation ?entity WHERE {
  VALUES ?relation { kg:proposes kg:uses kg:evaluatedOn kg:reportsMetric kg:addressesTask }
  ?paper ?relation ?entity .
}"""

#: relation IRI -> (local name, extractor role)
RELATION_ROLES = {str(relation): (str(relation).removeprefix(str(KG)), role_for(relation)) for relation in RELATIONS}
#: class IRI -> entity type name
_CLASS_TYPES = {str(iri): name for iri, name in CLASS_TYPE.items()}


def short_title(title: str, limit: int = 40) -> str:
    """A paper title cut to ``limit`` characters for a node label.

    >>> short_title("LoRA: Low-Rank Adaptation of Large Language Models", 20)
    'LoRA: Low-Rank Adap…'
    >>> short_title("Short")
    'Short'
    """
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def graph_view(graph: Graph, types: Iterable[str] | None = None,
               roles: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """The NetworkX view of ``graph``, keeping only nodes of ``types`` and edges of ``roles``.

    ``types`` are names from NODE_TYPES ("Paper", "Method", ...); ``roles`` from kg.model.ROLES.
    None keeps everything. ``paper_count`` always counts the papers of the whole graph.

    >>> g = Graph().parse(format="turtle", data='''
    ... @prefix kg: <https://w3id.org/mlkg/ns#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    ... @prefix dcterms: <http://purl.org/dc/terms/> .
    ... <p1> a kg:Paper ; dcterms:title "A paper" ; kg:proposes <m> ; kg:evaluatedOn <b> .
    ... <m> a kg:Method ; skos:prefLabel "Low-Rank Adaptation" ; skos:altLabel "LoRA" .
    ... <b> a kg:Benchmark ; skos:prefLabel "GLUE" .''', publicID="http://x/")
    >>> view = graph_view(g)
    >>> view.nodes["http://x/m"]["aliases"], view.nodes["http://x/m"]["paper_count"]
    (('LoRA',), 1)
    >>> sorted((v, d["role"]) for _, v, d in view.edges(data=True))
    [('http://x/b', 'evaluated_on'), ('http://x/m', 'proposed')]
    >>> graph_view(g, types=["Paper", "Method"]).number_of_nodes()
    2
    """
    keep_types = set(NODE_TYPES if types is None else types)
    keep_roles = set(ROLES if roles is None else roles)
    view = nx.MultiDiGraph()
    links = sorted(select(graph, _LINKS))
    paper_count = _paper_counts(links)
    aliases = _aliases(graph)
    if PAPER in keep_types:
        for paper, title, issued, url, arxiv in sorted(select(graph, _PAPERS), key=lambda row: row[0]):
            title = title or arxiv or paper
            view.add_node(paper, type=PAPER, label=short_title(title), title=title, date=issued, url=url)
    for entity, cls, label in sorted(select(graph, _ENTITIES)):
        entity_type = _CLASS_TYPES[cls]
        if entity_type in keep_types and entity not in view:
            view.add_node(entity, type=entity_type, label=label, aliases=aliases.get(entity, ()),
                          paper_count=paper_count.get(entity, 0))
    edges = []
    for paper, relation, entity in links:
        name, role = RELATION_ROLES[relation]
        if role in keep_roles and paper in view and entity in view:
            edges.append((paper, entity, name, {"relation": name, "role": role}))
    view.add_edges_from(edges)
    return view


def _paper_counts(links: list[tuple[str, str, str]]) -> dict[str, int]:
    """Entity IRI -> number of distinct papers linking to it."""
    papers = defaultdict(set)
    for paper, _, entity in links:
        papers[entity].add(paper)
    return {entity: len(linked) for entity, linked in papers.items()}


def _aliases(graph: Graph) -> dict[str, tuple[str, ...]]:
    """Entity IRI -> its sorted skos:altLabels."""
    found = defaultdict(set)
    for entity, alias in select(graph, _ALIASES):
        found[entity].add(alias)
    return {entity: tuple(sorted(names)) for entity, names in found.items()}


def entity_names(view: nx.Graph, node: str) -> tuple[str, ...]:
    """The label, aliases and (for a paper) title a user may call ``node`` by."""
    data = view.nodes[node]
    return (data["label"], *data.get("aliases", ()), *([data["title"]] if data.get("title") else []))


def find_nodes(view: nx.Graph, name: str, types: Iterable[str] | None = None) -> list[str]:
    """Nodes of ``types`` whose label, alias or title equals ``name`` (case-insensitive), else whose IRI does.

    >>> view = nx.Graph()
    >>> view.add_node("x/lora", type="Method", label="Low-Rank Adaptation", aliases=("LoRA",))
    >>> find_nodes(view, "lora")
    ['x/lora']
    """
    wanted = name.casefold()
    allowed = set(NODE_TYPES if types is None else types)
    candidates = [node for node, data in view.nodes(data=True) if data["type"] in allowed]
    by_name = [node for node in candidates if wanted in {n.casefold() for n in entity_names(view, node)}]
    return sorted(by_name or [node for node in candidates if node == name])
