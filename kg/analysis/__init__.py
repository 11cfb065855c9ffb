"""Analysis over the RDF graph through a NetworkX view: shared benchmarks, statistics, exports.

Every function takes an rdflib Graph (``kg.graph.store.open_graph``) or the view built from one, and
returns plain data.
"""

from kg.analysis.export import export_gexf, export_graphml, export_neo4j_csv, flat_view, neo4j_csv
from kg.analysis.shared import (
    Incidence,
    SharedPair,
    closest_methods,
    evaluated_on,
    resolve_method,
    shared_benchmarks,
    top_pairs,
)
from kg.analysis.stats import Table, adoption_by_month, communities, components, most_connected, stats_tables
from kg.analysis.view import NODE_TYPES, find_nodes, graph_view

__all__ = [
    "Incidence",
    "NODE_TYPES",
    "SharedPair",
    "Table",
    "adoption_by_month",
    "closest_methods",
    "communities",
    "components",
    "evaluated_on",
    "export_gexf",
    "export_graphml",
    "export_neo4j_csv",
    "find_nodes",
    "flat_view",
    "graph_view",
    "most_connected",
    "neo4j_csv",
    "resolve_method",
    "shared_benchmarks",
    "stats_tables",
    "top_pairs",
]
