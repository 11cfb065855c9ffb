"""Export the NetworkX view for other tools: GraphML and GEXF (Gephi), node and edge CSV (Neo4j).

All three are written from ``flat_view``: the view of kg.analysis.view with every attribute a plain
string or number (aliases joined by ``|``, missing values left out), nodes and edges in IRI order,
so the same graph always gives the same bytes.

The CSV pair is the layout ``neo4j-admin database import full --nodes=nodes.csv
--relationships=relationships.csv`` reads: ``iri:ID`` and ``:LABEL`` (``Paper`` or ``Entity;<Type>``)
for nodes, ``:START_ID``, ``:END_ID`` and ``:TYPE`` (``PROPOSES``, ``EVALUATED_ON``, ...) for
relationships; aliases are a ``string[]`` column with Neo4j's default ``;`` array delimiter.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import BinaryIO, Callable

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter
from rdflib import Graph

from kg.analysis.view import PAPER, graph_view
from kg.io import atomic_path, atomic_write_text

Target = str | os.PathLike | BinaryIO

NODE_COLUMNS = ("iri:ID", ":LABEL", "label", "aliases:string[]", "paperCount:int", "title", "date", "url")
EDGE_COLUMNS = (":START_ID", ":END_ID", ":TYPE", "role")


def flat_view(graph: Graph) -> nx.MultiDiGraph:
    """The view of ``graph`` with only string and integer attributes (what GraphML and GEXF can hold)."""
    view = graph_view(graph)
    flat = nx.MultiDiGraph()
    for node, data in view.nodes(data=True):
        attributes = {key: ("|".join(value) if isinstance(value, tuple) else value) for key, value in data.items()}
        flat.add_node(node, **{key: value for key, value in attributes.items() if value not in (None, "")})
    flat.add_edges_from(view.edges(keys=True, data=True))
    return flat


def export_graphml(graph: Graph, target: Target) -> None:
    """Write ``graph`` as GraphML to a path (atomically) or a binary file."""
    _write(target, lambda out: nx.write_graphml(flat_view(graph), out, encoding="utf-8"))


def export_gexf(graph: Graph, target: Target) -> None:
    """Write ``graph`` as GEXF 1.2 (Gephi) to a path (atomically) or a binary file.

    NetworkX stamps GEXF with today's date; it is left out so the same graph gives the same bytes.
    """
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph(flat_view(graph))
    writer.xml.find("meta").attrib.pop("lastmodifieddate", None)
    _write(target, writer.write)


def relationship_type(relation: str) -> str:
    """A Neo4j relationship type for a relation local name.

    >>> relationship_type("evaluatedOn"), relationship_type("proposes")
    ('EVALUATED_ON', 'PROPOSES')
    """
    return re.sub(r"(?<!^)(?=[A-Z])", "_", relation).upper()


def neo4j_csv(graph: Graph) -> tuple[str, str]:
    """The node and relationship CSV texts of ``graph`` for ``neo4j-admin database import``."""
    view = graph_view(graph)
    nodes = [NODE_COLUMNS]
    for node, data in view.nodes(data=True):
        labels = PAPER if data["type"] == PAPER else f"Entity;{data['type']}"
        nodes.append((node, labels, data["label"], ";".join(data.get("aliases", ())),
                      data.get("paper_count", ""), data.get("title") or "", data.get("date") or "",
                      data.get("url") or ""))
    edges = [EDGE_COLUMNS]
    edges.extend((u, v, relationship_type(data["relation"]), data["role"]) for u, v, data in view.edges(data=True))
    return _csv_text(nodes), _csv_text(edges)


def export_neo4j_csv(graph: Graph, out_dir: str | os.PathLike) -> list[Path]:
    """Write ``nodes.csv`` and ``relationships.csv`` (each atomically) into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    paths = [out_dir / "nodes.csv", out_dir / "relationships.csv"]
    for path, text in zip(paths, neo4j_csv(graph)):
        atomic_write_text(path, text)
    return paths


def _csv_text(rows: list[tuple]) -> str:
    """Rows as CSV with ``\\n`` line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _write(target: Target, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write`` with a binary file: ``target`` itself, or a temporary file that replaces the path."""
    if hasattr(target, "write"):
        write(target)
        return
    with atomic_path(target) as tmp, open(tmp, "wb") as out:
        write(out)
