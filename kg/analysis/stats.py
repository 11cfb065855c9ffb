"""Graph statistics beyond counts: most connected entities, adoption per month, components, communities.

Every function takes the NetworkX view (kg.analysis.view.graph_view) and returns a plain ``Table``;
``stats_tables`` gives all of them for an rdflib graph (what `kg stats` prints after the counts).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import networkx as nx
from rdflib import Graph

from kg.analysis.view import PAPER, graph_view
from kg.model import ENTITY_TYPES


@dataclass(frozen=True)
class Table:
    """A titled table of plain values, ready to print or serialise."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


def _entities(view: nx.Graph) -> list[str]:
    """Entity nodes (not papers) of ``view``, ordered by most papers first, then label."""
    nodes = [node for node, kind in view.nodes(data="type") if kind != PAPER]
    return sorted(nodes, key=lambda node: (-view.nodes[node]["paper_count"], view.nodes[node]["label"], node))


def most_connected(view: nx.Graph, per_type: int = 5) -> Table:
    """The ``per_type`` entities of each type linked to the most papers.

    >>> view = nx.MultiDiGraph()
    >>> view.add_node("m1", type="Method", label="LoRA", paper_count=3)
    >>> view.add_node("m2", type="Method", label="DPO", paper_count=3)
    >>> view.add_node("d1", type="Dataset", label="COCO", paper_count=1)
    >>> most_connected(view).rows
    (('Method', 'DPO', 3), ('Method', 'LoRA', 3), ('Dataset', 'COCO', 1))
    """
    by_type = defaultdict(list)
    for node in _entities(view):
        by_type[view.nodes[node]["type"]].append(node)
    rows = tuple(
        (kind, view.nodes[node]["label"], view.nodes[node]["paper_count"])
        for kind in ENTITY_TYPES
        for node in by_type[kind][:per_type]
    )
    return Table("Most connected entities per type", ("type", "entity", "papers"), rows)


def month_of(date: str | None) -> str | None:
    """The month of an ISO date (``2024-03``), or ``--03`` when the year is unknown.

    >>> month_of("2024-03-17"), month_of("--03-17"), month_of(None)
    ('2024-03', '--03', None)
    """
    if not date:
        return None
    return date[:4] if date.startswith("--") else date[:7]


def adoption_by_month(view: nx.MultiDiGraph, top: int = 5) -> Table:
    """Papers per month mentioning each of the ``top`` most connected entities (a trend table).

    One row per month and one column per entity, so the table stays readable however many months
    the corpus spans. Page dates printed without a year give months shown as ``--MM``, listed
    before the dated months (``kg build --year`` dates them).
    """
    entities = _entities(view)[:top]
    per_month: dict[str, Counter] = defaultdict(Counter)
    for entity in entities:
        for paper in set(view.predecessors(entity)):
            month = month_of(view.nodes[paper].get("date"))
            if month:
                per_month[month][entity] += 1
    labels = Counter(view.nodes[e]["label"] for e in entities)
    columns = tuple(
        view.nodes[e]["label"] if labels[view.nodes[e]["label"]] == 1 else f'{view.nodes[e]["label"]} ({view.nodes[e]["type"]})'
        for e in entities
    )
    rows = tuple((month, *(per_month[month][e] for e in entities)) for month in sorted(per_month))
    return Table("Adoption per month (papers)", ("month", *columns), rows)


def components(view: nx.Graph, top: int = 5) -> Table:
    """The ``top`` largest connected components: nodes, papers and the entity with most papers."""
    parts = sorted(nx.connected_components(view.to_undirected(as_view=True)), key=lambda c: (-len(c), min(c)))
    rows = []
    for rank, part in enumerate(parts[:top], start=1):
        papers = sum(1 for node in part if view.nodes[node]["type"] == PAPER)
        entities = _entities(view.subgraph(part))
        rows.append((rank, len(part), papers, view.nodes[entities[0]]["label"] if entities else ""))
    title = f"Connected components ({len(parts)} in all)"
    return Table(title, ("component", "nodes", "papers", "top entity"), tuple(rows))


def communities(view: nx.Graph, top: int = 5, per_community: int = 5, seed: int = 0) -> Table:
    """The ``top`` largest Louvain communities (networkx, fixed ``seed``) with their top entities."""
    undirected = nx.Graph(view)
    found = nx.community.louvain_communities(undirected, seed=seed)
    found = sorted(found, key=lambda c: (-len(c), min(c)))
    rows = []
    for rank, members in enumerate(found[:top], start=1):
        papers = sum(1 for node in members if view.nodes[node]["type"] == PAPER)
        leaders = _entities(view.subgraph(members))[:per_community]
        rows.append((rank, len(members), papers, ", ".join(view.nodes[node]["label"] for node in leaders)))
    title = f"Communities (Louvain, {len(found)} in all)"
    return Table(title, ("community", "nodes", "papers", "top entities"), tuple(rows))


def stats_tables(graph: Graph) -> list[Table]:
    """Every analysis table of ``graph``, in the order `kg stats` shows them."""
    view = graph_view(graph)
    return [most_connected(view), adoption_by_month(view), components(view), communities(view)]
