"""Run a query, with its parameters bound, on a local rdflib Graph or a remote SPARQL endpoint.

Both paths run the very same bound query text, so a bundled query answers the same way on
``kg query --graph DIR`` and on ``kg query --endpoint URL`` after ``kg push``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import httpx
from rdflib import Graph
from rdflib.query import Result
from rdflib.term import Identifier

from kg.errors import KGError
from kg.sparql.binding import bind_params
from kg.sparql.http import media_type, send
from kg.sparql.queries import (
    QUERY_FORMS,
    NamedQuery,
    PreparedQuery,
    check_runnable,
    declare_prefixes,
    query_form,
)
from kg.sparql.resolve import resolve_params
from kg.sparql.results import parse_result


def prepare(
    query: NamedQuery,
    params: Mapping[str, Sequence[Identifier]],
    run: Callable[[PreparedQuery], Result] | None = None,
) -> PreparedQuery:
    """Check ``query`` (syntax, required and known parameters), resolve its paper and entity
    parameters to IRIs with lookups through ``run`` (when given), bind the parameters into it and
    declare the project prefixes it uses without declaring."""
    form = query_form(query.text, query.name)
    if query.params:
        declared = [p.name for p in query.params]
        missing = [name for name in query.required if name not in params]
        if missing:
            raise KGError(f"query {query.name!r} needs --param {missing[0]}=VALUE ({_describe(query, missing[0])})")
        unknown = sorted(set(params) - set(declared))
        if unknown:
            raise KGError(f"query {query.name!r} takes no parameter {unknown[0]!r} (it takes: {', '.join(declared)})")
    if run is not None:
        params = resolve_params(query, params, run)
    text = declare_prefixes(bind_params(query.text, form, params))
    check_runnable(text, query.name)
    return PreparedQuery(text, QUERY_FORMS[form])


def _describe(query: NamedQuery, name: str) -> str:
    return next(p.description for p in query.params if p.name == name)


def run_local(graph: Graph, prepared: PreparedQuery) -> Result:
    """Run ``prepared`` on ``graph`` (an rdflib Graph, typically over the Oxigraph store)."""
    try:
        return graph.query(prepared.text)
    except SyntaxError as exc:
        raise KGError(f"query rejected by the store: {str(exc).splitlines()[0][:200]}") from None


def run_remote(
    endpoint: str,
    prepared: PreparedQuery,
    *,
    graph_iri: str | None = None,
    timeout: float = 60.0,
    auth: tuple[str, str] | None = None,
) -> Result:
    """Run ``prepared`` on a SPARQL 1.1 Protocol endpoint (POST, form-encoded); ``graph_iri``, when
    given, is sent as the default graph (``default-graph-uri``); ``auth`` is a (user, password) pair
    for HTTP basic authentication."""
    accept = "application/n-triples" if prepared.is_graph else "application/sparql-results+json"
    data = {"query": prepared.text}
    if graph_iri:
        data["default-graph-uri"] = graph_iri
    with httpx.Client(timeout=timeout, auth=auth) as client:
        response = send(client, "POST", endpoint, data=data, headers={"Accept": accept})
    try:
        return parse_result(response.content, media_type(response), prepared.form)
    except Exception as exc:  # any parser's error: the endpoint sent something that is not a result
        raise KGError(f"{endpoint}: the answer is not a SPARQL result ({type(exc).__name__}: {exc})") from None
