"""SELECT rows from the RDF graph as plain strings, the way every analysis reads the store."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from kg.vocab import PREFIXES

PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in sorted(PREFIXES.items()))


def oxigraph_store(graph: Graph) -> ox.Store | None:
    """The pyoxigraph store under an Oxigraph-backed rdflib graph (``kg.graph.store.open_graph``), else None.

    oxrdflib's OxigraphStore keeps it as ``_inner``: the one place kg reaches into oxrdflib.
    """
    store = getattr(graph.store, "_inner", None)
    return store if isinstance(store, ox.Store) else None


def select(graph: Graph, query: str) -> list[tuple[str | None, ...]]:
    """Rows of a SELECT ``query`` (project prefixes predeclared) as IRIs and literals' lexical forms.

    Over an Oxigraph-backed graph (``kg.graph.store.open_graph``) the query runs in pyoxigraph
    itself: converting every result term to rdflib, which the rdflib route does, costs far more
    than the query on large graphs.
    """
    text = PROLOGUE + query
    store = oxigraph_store(graph)
    if store is not None:
        return [tuple(None if term is None else term.value for term in row) for row in store.query(text)]
    return [tuple(None if term is None else str(term) for term in row) for row in graph.query(text)]
