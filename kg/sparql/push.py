"""Load a graph into a remote store: SPARQL 1.1 Graph Store Protocol or SPARQL 1.1 Update.

The triples go in batches of N-Triples (written by pyoxigraph). The first batch *replaces* the target
graph — a GSP ``PUT``, or ``DROP SILENT`` + ``INSERT DATA`` in one update request — and later batches
add to it (``POST`` / ``INSERT DATA``), so pushing the same graph twice leaves exactly one copy and
no triple from an older push. Each request is retried with exponential backoff on connection errors
and 5xx answers. Between the first and the last batch the remote graph is incomplete.

Which URL to give: the store's Graph Store endpoint for ``gsp`` (Oxigraph ``/store``, Fuseki
``/<dataset>/data``, GraphDB ``/repositories/<id>/rdf-graphs/service``) or its update endpoint for
``update`` (Oxigraph ``/update``, Fuseki ``/<dataset>/update``, Virtuoso ``/sparql``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

import httpx
import pyoxigraph as ox
from rdflib import BNode, Graph

from kg.errors import KGError
from kg.graph.store import to_ox
from kg.sparql.binding import typed_term
from kg.sparql.http import send

PROTOCOLS = ("gsp", "update")


@dataclass(frozen=True)
class PushReport:
    """What a push sent."""

    triples: int
    batches: int
    target: str  # "the default graph" or the graph IRI


@dataclass(frozen=True)
class Batch:
    """Some triples as an N-Triples document."""

    triples: int
    data: bytes


def ntriples_batches(graph: Graph, batch_size: int) -> Iterator[Batch]:
    """The triples of ``graph`` in N-Triples documents of at most ``batch_size`` triples each
    (at least one document, empty for an empty graph)."""
    triples = iter(graph.triples((None, None, None)))
    first = True
    while True:
        batch = list(islice(triples, batch_size))
        if not batch and not first:
            return
        first = False
        if any(isinstance(term, BNode) for triple in batch for term in triple):
            raise KGError("the graph has blank nodes, which cannot be pushed in batches (kg graphs use IRIs only)")
        data = ox.serialize((ox.Triple(*map(to_ox, triple)) for triple in batch), format=ox.RdfFormat.N_TRIPLES)
        yield Batch(len(batch), data or b"")
        if len(batch) < batch_size:
            return


def gsp_request(url: str, graph_iri: str | None, batch: Batch, first: bool) -> dict:
    """A Graph Store Protocol request: PUT the first batch, POST the rest, to ``?default`` or ``?graph=``."""
    return {
        "method": "PUT" if first else "POST",
        "url": url,
        "params": {"graph": graph_iri} if graph_iri else {"default": ""},
        "content": batch.data,
        "headers": {"Content-Type": "application/n-triples"},
    }


def update_request(url: str, graph_iri: str | None, batch: Batch, first: bool) -> dict:
    """A SPARQL Update request: DROP + INSERT DATA for the first batch, INSERT DATA for the rest."""
    graph = typed_term(f"<{graph_iri}>").n3() if graph_iri else None
    drop = (f"DROP SILENT GRAPH {graph} ;\n" if graph else "DROP SILENT DEFAULT ;\n") if first else ""
    data = batch.data.decode("utf-8")
    insert = f"INSERT DATA {{ GRAPH {graph} {{\n{data}}} }}" if graph else f"INSERT DATA {{\n{data}}}"
    return {
        "method": "POST",
        "url": url,
        "content": (drop + insert).encode("utf-8"),
        "headers": {"Content-Type": "application/sparql-update"},
    }


def push_graph(
    graph: Graph,
    url: str,
    *,
    graph_iri: str | None = None,
    protocol: str = "gsp",
    batch_size: int = 10_000,
    retries: int = 3,
    backoff: float = 0.5,
    timeout: float = 120.0,
    auth: tuple[str, str] | None = None,
    progress: Callable[[int], None] = lambda sent: None,
) -> PushReport:
    """Replace ``graph_iri`` (or the default graph) at ``url`` with the triples of ``graph``.

    ``auth`` is a (user, password) pair for HTTP basic authentication. ``progress(n)`` is called
    after each batch with the number of triples it held.
    """
    if protocol not in PROTOCOLS:
        raise KGError(f"unknown protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}")
    if graph_iri:
        typed_term(f"<{graph_iri}>")  # refuse a malformed IRI before anything is sent
    make_request = gsp_request if protocol == "gsp" else update_request
    triples = batches = 0
    with httpx.Client(timeout=timeout, auth=auth) as client:
        for batch in ntriples_batches(graph, batch_size):
            request = make_request(url, graph_iri, batch, first=batches == 0)
            send(client, request.pop("method"), request.pop("url"), retries=retries, backoff=backoff, **request)
            triples += batch.triples
            batches += 1
            progress(batch.triples)
    return PushReport(triples, batches, graph_iri or "the default graph")
