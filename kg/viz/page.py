"""An interactive, offline HTML page of the graph (vis-network, as bundled with PyVis).

The page is built for speed on large graphs: node positions are computed here (igraph's
Fruchterman-Reingold with a grid, deterministic for a given seed) and physics is off, so the browser
only draws. Node and edge data are generated directly as vis-network JSON (PyVis' ``add_node`` is
quadratic) and embedded in a ``<script type="application/json">`` block escaped for that context.
The page shell is our own Jinja2 template derived from PyVis' one, without PyVis' Bootstrap CDN
links: the page makes no network request and works from a file:// URL.

All untrusted text (titles, labels, aliases, URLs) reaches the page only as JSON data, and the
page's script shows it with ``textContent``/``innerText`` (never as HTML).
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import igraph
import networkx as nx
import numpy as np
import pyoxigraph as ox
import pyvis
from jinja2 import Environment, PackageLoader, select_autoescape
from oxrdflib import OxigraphStore
from rdflib import DCTERMS, RDF, SKOS, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.analysis.rows import oxigraph_store, select
from kg.analysis.view import NODE_TYPES, PAPER, find_nodes, graph_view
from kg.errors import KGError
from kg.io import atomic_write_text
from kg.vocab import KG, RELATIONS, SCHEMA

#: vis-network as shipped inside the pyvis wheel (no download at run time)
VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"

#: node type -> (colour, vis-network shape); shapes drawn without text inside (fast)
STYLE = {
    PAPER: ("#8d99ae", "square"),
    "Method": ("#1f77b4", "dot"),
    "Model": ("#ff7f0e", "diamond"),
    "Dataset": ("#2ca02c", "triangle"),
    "Benchmark": ("#d62728", "star"),
    "Metric": ("#9467bd", "triangleDown"),
    "Task": ("#8c564b", "hexagon"),
}

#: graphs with more nodes than this hide edges while dragging or zooming
_BIG = 2000

#: nodes the page `kg build` writes draws at most (the most connected ones; `kg viz` draws any part)
OVERVIEW_NODES = 2000

_VALUES_RELATIONS = "VALUES ?relation { %s }" % " ".join(f"<{relation}>" for relation in RELATIONS)
#: each paper or entity with a link, and its number of distinct neighbours
_DEGREES = """
SELECT ?node (COUNT(DISTINCT ?other) AS ?degree) WHERE {
  %s
  { ?node ?relation ?other } UNION { ?other ?relation ?node }
} GROUP BY ?node""" % _VALUES_RELATIONS
_NODE_COUNT = """
SELECT (COUNT(?node) AS ?nodes) WHERE {
  VALUES ?class { kg:Paper kg:Method kg:Model kg:Dataset kg:Benchmark kg:Metric kg:Task }
  ?node a ?class .
}"""
_LINK_COUNT = "SELECT (COUNT(*) AS ?links) WHERE { %s ?paper ?relation ?entity }" % _VALUES_RELATIONS
#: what graph_view reads of a node besides its links
_NODE_PREDICATES = {str(iri) for iri in (RDF.type, SKOS.prefLabel, SKOS.altLabel, DCTERMS.title, DCTERMS.issued,
                                         SCHEMA.url, KG.arxivId)}
_RELATION_IRIS = {str(relation) for relation in RELATIONS}


@dataclass(frozen=True)
class PageSummary:
    """What a written page shows: nodes and edges drawn, out of those in the graph."""

    nodes: int
    edges: int
    total_nodes: int
    total_edges: int


def select_view(view: nx.MultiDiGraph, *, min_degree: int = 0, focus: str | None = None, depth: int = 1,
                max_nodes: int | None = None) -> nx.MultiDiGraph:
    """The part of ``view`` to draw.

    In order: the nodes within ``depth`` links of ``focus`` (a label, alias, paper title or IRI),
    those with at least ``min_degree`` neighbours, and of those the ``max_nodes`` with most neighbours
    (ties by IRI, as :func:`overview_view`). Raises KGError when ``focus`` names no node.

    >>> g = nx.MultiDiGraph([("p", "a"), ("p", "b"), ("q", "b")])
    >>> nx.set_node_attributes(g, {n: {"label": n, "type": "Method"} for n in g})
    >>> sorted(select_view(g, focus="a", depth=2))
    ['a', 'b', 'p']
    >>> sorted(select_view(g, max_nodes=2))
    ['b', 'p']
    """
    undirected = view.to_undirected(as_view=True)
    keep = set(view)
    if focus is not None:
        centres = find_nodes(view, focus)
        if not centres:
            raise KGError(f"no node named {focus!r} in the graph")
        keep = set().union(*(nx.single_source_shortest_path_length(undirected, c, cutoff=depth) for c in centres))
    if min_degree:
        keep = {node for node in keep if len(undirected[node]) >= min_degree}
    if max_nodes is not None and len(keep) > max_nodes:
        ranked = sorted(keep, key=lambda node: (-len(undirected[node]), node))  # ties by IRI, as overview_view
        keep = set(ranked[:max_nodes])
    return view if len(keep) == len(view) else view.subgraph(sorted(keep)).copy()


def layout(view: nx.MultiDiGraph, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Node positions in pixels: igraph's grid Fruchterman-Reingold from seeded random starting points.

    Small components that drift far away are pulled in to just outside the largest one, so the first
    drawing (fitted to all nodes) is not mostly empty space. The same graph and seed always give the
    same positions (rounded to 0.1 px).
    """
    nodes = list(view)
    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    edges = sorted({tuple(sorted((index[u], index[v]))) for u, v in view.edges() if u != v})
    # starting points spread over about sqrt(n) units: much wider makes the grid variant slow
    start = np.random.default_rng(seed).uniform(-0.5, 0.5, size=(len(nodes), 2)) * math.sqrt(len(nodes))
    iterations = 500 if len(nodes) <= _BIG else 250
    network = igraph.Graph(n=len(nodes), edges=edges)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        coords = np.array(network.layout_fruchterman_reingold(seed=start.tolist(), niter=iterations,
                                                               grid="auto").coords)
    finally:
        igraph.set_random_number_generator(random)  # igraph's default generator
    coords = _pull_in_components(coords, np.array(network.connected_components().membership))
    extent = float(np.abs(coords).max()) or 1.0
    coords *= (60.0 * math.sqrt(len(nodes))) / extent
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in zip(nodes, coords)}


def _pull_in_components(coords: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """``coords`` centred on the largest component, every other one moved (keeping its direction) to
    at most a little beyond the largest one's radius."""
    sizes = np.bincount(membership)
    largest = membership == sizes.argmax()
    coords = coords - coords[largest].mean(axis=0)
    radius = float(np.linalg.norm(coords[largest], axis=1).max()) + 2.0
    centres = np.stack([np.bincount(membership, weights=coords[:, axis]) for axis in (0, 1)], axis=1)
    centres /= sizes[:, None]
    distances = np.linalg.norm(centres, axis=1)
    shrink = np.where(distances > radius, 1.0 - radius / np.maximum(distances, 1e-9), 0.0)
    return coords - (centres * shrink[:, None])[membership]


def tooltip(data: dict) -> str:
    """Plain-text tooltip of a node (shown as text by vis-network, never as HTML).

    >>> tooltip({"type": "Method", "label": "LoRA", "aliases": ("Low-Rank Adaptation",)})
    'LoRA\\nMethod\\nalso: Low-Rank Adaptation'
    >>> tooltip({"type": "Paper", "label": "A…", "title": "A paper", "date": "2024-03-01", "url": None})
    'A paper\\nPaper · 2024-03-01'
    """
    if data["type"] == PAPER:
        lines = [data["title"], " · ".join(part for part in (PAPER, data.get("date")) if part)]
        return "\n".join([*lines, *([data["url"]] if data.get("url") else [])])
    aliases = data.get("aliases", ())
    return "\n".join([data["label"], data["type"], *([f"also: {', '.join(aliases)}"] if aliases else [])])


def vis_data(view: nx.MultiDiGraph, positions: dict[str, tuple[float, float]]) -> dict:
    """vis-network nodes and edges (plus the details the page's side panel shows) for ``view``."""
    undirected = view.to_undirected(as_view=True)
    ids = {node: i for i, node in enumerate(view)}
    nodes = []
    for node, data in view.nodes(data=True):
        x, y = positions[node]
        details = {key: data[key] for key in ("title", "date", "url", "aliases", "paper_count") if data.get(key)}
        nodes.append({
            "id": ids[node], "iri": node, "label": data["label"], "group": data["type"], "x": x, "y": y,
            "size": round(6 + 3 * math.sqrt(len(undirected[node])), 1), "title": tooltip(data), **details,
        })
    edges = [{"from": ids[u], "to": ids[v], "label": relation} for u, v, relation in view.edges(keys=True)]
    return {"nodes": nodes, "edges": edges}


def vis_options(node_count: int) -> dict:
    """vis-network options: physics off, precomputed layout, per-type groups, lighter drawing when big."""
    big = node_count > _BIG
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big},
        "nodes": {"font": {"size": 12}, "scaling": {"label": {"drawThreshold": 7}}, "borderWidth": 1},
        "edges": {
            "smooth": False, "width": 0.6, "color": {"color": "#b8bec7", "highlight": "#333333"},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
            "font": {"size": 9, "align": "middle", "color": "#555555"},
        },
        "groups": {kind: {"color": colour, "shape": shape} for kind, (colour, shape) in STYLE.items()},
    }


def script_json(value) -> str:
    """JSON that is safe inside an HTML ``<script>`` element.

    >>> script_json({"t": "</script><b>&\\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


_ENV = Environment(loader=PackageLoader("kg.viz", "templates"), autoescape=select_autoescape(["html", "j2"]),
                   keep_trailing_newline=True)


def render_html(graph: Graph, *, types: Iterable[str] | None = None, min_degree: int = 0,
                focus: str | None = None, depth: int = 1, max_nodes: int | None = None,
                seed: int = 0) -> tuple[str, PageSummary]:
    """The HTML page of ``graph`` (see ``select_view`` for the options) and what it shows."""
    unknown = sorted(set(types or ()) - set(NODE_TYPES))
    if unknown:
        raise KGError(f"unknown node type(s) {', '.join(unknown)}; choose from {', '.join(NODE_TYPES)}")
    full = graph_view(graph, types=types)
    view = select_view(full, min_degree=min_degree, focus=focus, depth=depth, max_nodes=max_nodes)
    return page_html(view, full.number_of_nodes(), full.number_of_edges(), seed)


def overview_view(graph: Graph, max_nodes: int = OVERVIEW_NODES) -> tuple[nx.MultiDiGraph, int, int]:
    """The ``max_nodes`` papers and entities with most neighbours (ties by IRI) and the links between
    them, plus the whole graph's node and link counts.

    Unlike ``select_view(graph_view(graph), max_nodes=...)`` it never builds the view of the whole
    graph: degrees are counted in the store, and only the chosen nodes are read (``paper_count``
    still counts every paper of the graph).
    """
    total_nodes = int(select(graph, _NODE_COUNT)[0][0])
    total_links = int(select(graph, _LINK_COUNT)[0][0])
    if total_nodes <= max_nodes:
        return graph_view(graph), total_nodes, total_links
    degrees = {node: int(degree) for node, degree in select(graph, _DEGREES)}
    chosen = sorted(degrees, key=lambda node: (-degrees[node], node))[:max_nodes]
    store = oxigraph_store(graph)
    if store is None:
        raise TypeError("overview_view needs a graph over an Oxigraph store (kg.graph.store.open_graph)")
    keep = set(chosen)
    part = ox.Store()
    for node in chosen:
        part.extend(quad for quad in store.quads_for_pattern(ox.NamedNode(node), None, None, ox.DefaultGraph())
                    if quad.predicate.value in _NODE_PREDICATES
                    or (quad.predicate.value in _RELATION_IRIS and quad.object.value in keep))
    view = graph_view(Graph(store=OxigraphStore(store=part), identifier=DATASET_DEFAULT_GRAPH_ID))
    nx.set_node_attributes(view, {node: degrees[node] for node, data in view.nodes(data=True)
                                  if data["type"] != PAPER}, "paper_count")
    return view, total_nodes, total_links


def page_html(view: nx.MultiDiGraph, total_nodes: int, total_edges: int, seed: int = 0,
              note: str | None = None) -> tuple[str, PageSummary]:
    """The HTML page drawing ``view``, a part of a graph of ``total_nodes`` and ``total_edges``,
    with ``note`` (plain text) shown in the top bar."""
    data = vis_data(view, layout(view, seed=seed))
    summary = PageSummary(len(data["nodes"]), len(data["edges"]), total_nodes, total_edges)
    shown_types = {node["group"] for node in data["nodes"]}
    html = _ENV.get_template("graph.html.j2").render(
        summary=summary,
        note=note,
        legend=[(kind, colour, shape) for kind, (colour, shape) in STYLE.items() if kind in shown_types],
        data_json=script_json(data),
        options_json=script_json(vis_options(summary.nodes)),
        vis_css=(VIS_DIR / "vis-network.css").read_text(encoding="utf-8"),
        vis_js=(VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"),
    )
    return html, summary


def write_html(graph: Graph, path: str | os.PathLike, **options) -> PageSummary:
    """Write the page of ``graph`` to ``path`` atomically (options as for ``render_html``)."""
    html, summary = render_html(graph, **options)
    atomic_write_text(path, html)
    return summary


def write_overview(graph: Graph, path: str | os.PathLike, max_nodes: int = OVERVIEW_NODES, seed: int = 0) -> PageSummary:
    """Write the page of ``graph``'s ``max_nodes`` most connected nodes (``overview_view``) to ``path``."""
    view, total_nodes, total_edges = overview_view(graph, max_nodes)
    note = None
    if view.number_of_nodes() < total_nodes:
        note = (f"Showing the {view.number_of_nodes()} most connected of {total_nodes} nodes; "
                "`kg viz --focus NAME` (or --types, --max-nodes) draws any other part.")
    html, summary = page_html(view, total_nodes, total_edges, seed=seed, note=note)
    atomic_write_text(path, html)
    return summary
