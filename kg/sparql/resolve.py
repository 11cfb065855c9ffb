"""Resolve parameters given by name to IRIs: papers by arXiv id, record id or title, entities by
name or alias, case-insensitively.

A bundled query then matches ``?paper`` or ``?entity`` with plain triple patterns, which the store
answers from its indexes, instead of filtering every label while joining every link. Resolution
runs small lookup queries through the same runner as the query itself, so it works on a local
graph and on a remote endpoint alike. A value given as an IRI (``<…>``) is used as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rdflib import Literal, URIRef
from rdflib.query import Result
from rdflib.term import Identifier

from kg.errors import KGError
from kg.model import ENTITY_TYPES
from kg.sparql.binding import bind_params
from kg.sparql.queries import NamedQuery, PreparedQuery, declare_prefixes

PAPER_LOOKUP = """
SELECT DISTINCT ?match WHERE {
  ?match a kg:Paper .
  { ?match kg:arxivId ?key } UNION { ?match kg:recordId ?key } UNION { ?match dcterms:title ?key }
  FILTER(LCASE(STR(?key)) = LCASE(STR(?name)))
}
ORDER BY ?match"""

ENTITY_LOOKUP = """
SELECT DISTINCT ?match WHERE {{
  VALUES ?class {{ {classes} }}
  ?match a ?class ;
    skos:prefLabel|skos:altLabel ?label .
  FILTER(LCASE(STR(?label)) = LCASE(STR(?name)))
}}
ORDER BY ?match"""

ANY_ENTITY = " ".join(f"kg:{name}" for name in ENTITY_TYPES)


def lookup_query(kind: str, name: str) -> PreparedQuery:
    """The query that finds the IRIs of the papers or entities of ``kind`` called ``name``."""
    if kind == "paper":
        text = PAPER_LOOKUP
    else:
        text = ENTITY_LOOKUP.format(classes=ANY_ENTITY if kind == "entity" else f"kg:{kind}")
    return PreparedQuery(declare_prefixes(bind_params(text, "SelectQuery", {"name": [Literal(name)]})), "SELECT")


def resolve_params(
    query: NamedQuery,
    params: Mapping[str, Sequence[Identifier]],
    run: Callable[[PreparedQuery], Result],
) -> dict[str, list[Identifier]]:
    """``params`` with every value of a paper or entity parameter of ``query`` replaced by the IRIs
    it names (looked up with ``run``); KGError when a value names nothing."""
    kinds = {param.name: param.kind for param in query.params}
    resolved: dict[str, list[Identifier]] = {}
    for name, terms in params.items():
        kind = kinds.get(name, "value")
        if kind == "value":
            resolved[name] = list(terms)
            continue
        iris: list[Identifier] = []
        for term in terms:
            found = [term] if isinstance(term, URIRef) else _lookup(kind, str(term), run)
            if not found:
                what = "paper" if kind == "paper" else "entity" if kind == "entity" else kind
                raise KGError(f"no {what} named {str(term)!r} in the graph (--param {name}=…)")
            iris += [iri for iri in found if iri not in iris]
        resolved[name] = iris
    return resolved


def _lookup(kind: str, name: str, run: Callable[[PreparedQuery], Result]) -> list[Identifier]:
    return [row[0] for row in run(lookup_query(kind, name))]
