"""Query results: capping, serialising (SPARQL JSON/XML/CSV/TSV, Turtle, N-Triples) and tables.

Results are rdflib ``Result`` objects whether they came from a local graph or a remote endpoint.
Solutions and booleans are serialised by pyoxigraph (spec-conformant writers for all four SPARQL
results formats, unbound variables included); graphs by rdflib, N-Triples sorted so the same answer
always gives the same bytes.
"""

from __future__ import annotations

from io import BytesIO
from itertools import islice

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.query import Result
from rich.table import Table

from kg.errors import KGError
from kg.vocab import PREFIXES

#: SPARQL results formats (SELECT, ASK): name -> (pyoxigraph format, media type)
RESULT_FORMATS = {
    "json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (ox.QueryResultsFormat.CSV, "text/csv"),
    "tsv": (ox.QueryResultsFormat.TSV, "text/tab-separated-values"),
}

#: RDF formats for graph results (CONSTRUCT, DESCRIBE): name -> (rdflib format, media type)
GRAPH_FORMATS = {
    "turtle": ("turtle", "text/turtle"),
    "nt": ("nt", "application/n-triples"),
}

XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")



def is_graph(result: Result) -> bool:
    """Whether ``result`` is a graph (CONSTRUCT or DESCRIBE) rather than solutions or a boolean."""
    return result.type in ("CONSTRUCT", "DESCRIBE")


def cap_result(result: Result, max_rows: int | None) -> tuple[Result, bool]:
    """At most ``max_rows`` solutions (or triples) of ``result``, and whether any were cut.

    Solutions are read lazily, so a capped query never holds more than ``max_rows + 1`` rows.
    """
    if max_rows is None or result.type == "ASK":
        return result, False
    if is_graph(result):
        if len(result.graph) <= max_rows:
            return result, False
        capped = Result(result.type)
        capped.graph = Graph()
        capped.graph += islice(sorted(result.graph), max_rows)
        return capped, True
    rows = [
        {var: term for var, term in zip(result.vars, row) if term is not None}
        for row in islice(iter(result), max_rows + 1)
    ]
    capped = Result("SELECT")
    capped.vars = list(result.vars)
    capped.bindings = rows[:max_rows]
    return capped, len(rows) > max_rows


def serialize_result(result: Result, fmt: str) -> bytes:
    """``result`` in ``fmt``: json, xml, csv or tsv for solutions and booleans; turtle or nt for graphs."""
    if is_graph(result):
        if fmt not in GRAPH_FORMATS:
            raise KGError(f"a {result.type} result is a graph: use one of {', '.join(GRAPH_FORMATS)}, not {fmt!r}")
        return _serialize_graph(result.graph, fmt)
    if fmt not in RESULT_FORMATS:
        raise KGError(f"a {result.type} result is a table: use one of {', '.join(RESULT_FORMATS)}, not {fmt!r}")
    parsed = ox.parse_query_results(result.serialize(format="json"), ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=RESULT_FORMATS[fmt][0])


def _serialize_graph(graph: Graph, fmt: str) -> bytes:
    """Turtle (rdflib's, subjects sorted) or N-Triples with lines sorted; ``xsd:string`` literals
    written as the plain literals they are in RDF 1.1."""
    graph = _plain_strings(graph)
    if fmt == "nt":
        lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
        return "".join(line + "\n" for line in lines).encode("utf-8")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph.serialize(format="turtle").encode("utf-8")


def _plain_strings(graph: Graph) -> Graph:
    """A copy of ``graph`` with every ``"x"^^xsd:string`` literal as plain ``"x"``."""
    plain = Graph()
    plain += (
        (s, p, Literal(str(o)) if isinstance(o, Literal) and o.datatype == XSD_STRING else o) for s, p, o in graph
    )
    return plain


def parse_result(data: bytes, media_type: str, form: str) -> Result:
    """A Result from an endpoint's response body (SPARQL JSON/XML/TSV, or an RDF graph)."""
    if form in ("CONSTRUCT", "DESCRIBE"):
        result = Result(form)
        result.graph = Graph()
        result.graph.parse(data=data, format=_rdflib_graph_format(media_type))
        return result
    return Result.parse(source=BytesIO(data), format=_rdflib_results_format(media_type))


def _rdflib_graph_format(media_type: str) -> str:
    """The rdflib parser name for an RDF media type (N-Triples unless it says otherwise)."""
    known = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}
    return known.get(media_type, "nt")


def _rdflib_results_format(media_type: str) -> str:
    """The rdflib results parser for a SPARQL results media type (JSON unless it says otherwise)."""
    known = {
        "application/sparql-results+xml": "xml",
        "text/tab-separated-values": "tsv",
        "text/csv": "csv",
    }
    return known.get(media_type, "json")


def term_text(term, namespaces: NamespaceManager) -> str:
    """A short human form of an RDF term for tables: prefixed IRIs, bare literal values.

    >>> manager = NamespaceManager(Graph(bind_namespaces="none"))
    >>> manager.bind("kg", "https://w3id.org/mlkg/ns#")
    >>> term_text(URIRef("https://w3id.org/mlkg/ns#Model"), manager), term_text(Literal(3), manager)
    ('kg:Model', '3')
    """
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            prefix, _, local = namespaces.compute_qname(term, generate=False)
        except (KeyError, ValueError):
            return str(term)
        return f"{prefix}:{local}"
    return str(term)


def result_table(result: Result) -> Table:
    """A rich Table of a SELECT or ASK result (one column per variable)."""
    namespaces = NamespaceManager(Graph(bind_namespaces="none"))
    for prefix, namespace in PREFIXES.items():
        namespaces.bind(prefix, namespace)
    if result.type == "ASK":
        table = Table("answer")
        table.add_row("yes" if result.askAnswer else "no")
        return table
    table = Table(*(str(var) for var in result.vars))
    for row in result:
        table.add_row(*(term_text(term, namespaces) for term in row))
    return table
