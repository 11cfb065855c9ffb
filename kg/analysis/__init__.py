"""Analysis over the RDF graph: shared benchmarks, statistics through a NetworkX view, exports.

Every function takes an rdflib Graph (``kg.graph.store.open_graph``) or the view built from one, and
returns plain data.

The names below are imported from their submodule on first use (PEP 562), so that `kg shared`, which
needs numpy and scipy, does not pay for networkx and igraph, and `kg stats` not for scipy.
"""

from importlib import import_module

_NAMES = {
    "export": ("export_gexf", "export_graphml", "export_neo4j_csv", "flat_view", "neo4j_csv"),
    "shared": ("Incidence", "SharedPair", "closest_methods", "evaluated_on", "resolve_method", "shared_benchmarks",
               "top_pairs"),
    "stats": ("Table", "adoption_by_month", "communities", "components", "most_connected", "stats_tables"),
    "view": ("NODE_TYPES", "find_nodes", "graph_view"),
}
_MODULE_OF = {name: f"kg.analysis.{module}" for module, names in _NAMES.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    """The public ``name``, from the submodule that defines it."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'kg.analysis' has no attribute {name!r}")
    return getattr(import_module(_MODULE_OF[name]), name)
