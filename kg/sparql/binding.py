"""Bind query parameters as typed RDF terms: parsed from ``NAME=VALUE``, injected as VALUES blocks.

User text is never spliced into the query: each value becomes an rdflib term first and enters the
query only as that term's ``n3()`` form, inside a ``VALUES`` block placed at the start of the
query's WHERE group. The same bound query text then runs on a local graph and on a remote endpoint.

Value convention (``--param NAME=VALUE``):

* ``<https://…>`` is an IRI;
* an optional sign and digits is an ``xsd:integer``;
* anything else is a plain literal, taken verbatim (bundled queries match entity names, aliases and
  paper ids case-insensitively, so ``--param model=GPT-4`` finds the model labelled "GPT-4").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kg.errors import KGError

_IRIREF = re.compile(r"<([^<>\"{}|^`\\\x00-\x20]*)>")
_INTEGER = re.compile(r"[+-]?\d+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.S,
)
_VARIABLE = re.compile(r"[?$]([A-Za-z0-9_\u00b7\u00c0-\uffff]+)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-.:]*")


def typed_term(value: str) -> Identifier:
    """The RDF term a parameter value stands for.

    >>> typed_term("<https://w3id.org/mlkg/id/model/gpt-4>")
    rdflib.term.URIRef('https://w3id.org/mlkg/id/model/gpt-4')
    >>> typed_term("2024").n3()
    '"2024"^^<http://www.w3.org/2001/XMLSchema#integer>'
    >>> typed_term('x" } ; DROP ALL ; { "').n3()
    '"x\\\\" } ; DROP ALL ; { \\\\""'
    """
    if value.startswith("<") and value.endswith(">"):
        match = _IRIREF.fullmatch(value)
        if not match:
            raise KGError(f"parameter value {value!r} is not a valid IRI")
        return URIRef(match.group(1))
    if _INTEGER.fullmatch(value):
        return Literal(int(value))
    return Literal(value)


def parse_param(text: str) -> tuple[str, Identifier]:
    """``NAME=VALUE`` as a variable name and its typed term.

    >>> parse_param("model=GPT-4")
    ('model', rdflib.term.Literal('GPT-4'))
    """
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _NAME.fullmatch(name):
        raise KGError(f"parameter {text!r} is not NAME=VALUE (e.g. model=GPT-4)")
    return name, typed_term(value)


def collect_params(texts: Iterable[str]) -> dict[str, list[Identifier]]:
    """Group ``NAME=VALUE`` strings by name; a name given twice binds both values."""
    params: dict[str, list[Identifier]] = {}
    for text in texts:
        name, term = parse_param(text)
        params.setdefault(name, []).append(term)
    return params


def query_tokens(query: str):
    """Yield ``(kind, text, offset)`` for the SPARQL tokens that matter for finding the WHERE group:
    braces, parentheses, variables and bare words; strings, IRIs and comments are skipped whole."""
    pos = 0
    while pos < len(query):
        char = query[pos]
        if char == "#":
            end = query.find("\n", pos)
            pos = len(query) if end < 0 else end + 1
            continue
        if char in "\"'":
            match = _STRING.match(query, pos)
            pos = match.end() if match else pos + 1
            continue
        if char == "<":
            match = _IRIREF.match(query, pos)
            pos = match.end() if match else pos + 1
            continue
        if char in "?$":
            match = _VARIABLE.match(query, pos)
            if match:
                yield "var", match.group(1), pos
                pos = match.end()
                continue
        if char in "{}()":
            yield char, char, pos
            pos += 1
            continue
        match = _WORD.match(query, pos)
        if match:
            yield "word", match.group(0), pos
            pos = match.end()
            continue
        pos += 1


def query_variables(query: str) -> set[str]:
    """The variable names a query mentions.

    >>> sorted(query_variables('SELECT ?a WHERE { ?a <http://x#p> $b . FILTER(?c = "?d") }'))
    ['a', 'b', 'c']
    """
    return {text for kind, text, _ in query_tokens(query) if kind == "var"}


def where_group_offset(query: str, form: str) -> int | None:
    """Offset just after the ``{`` that opens the query's WHERE group, or None when it has none.

    ``form`` is the query form (``SelectQuery``, ``ConstructQuery``, ...): a CONSTRUCT's first
    top-level group is its template unless the short ``CONSTRUCT WHERE`` form is used.

    >>> q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    >>> q[where_group_offset(q, "ConstructQuery"):]
    ' ?s ?p ?o }'
    """
    braces = parens = 0
    saw_where = False
    for kind, text, offset in query_tokens(query):
        if kind == "word" and braces == 0 and text.upper() == "WHERE":
            saw_where = True
        elif kind == "(":
            parens += 1
        elif kind == ")":
            parens -= 1
        elif kind == "{":
            if braces == 0 and parens == 0 and (saw_where or form != "ConstructQuery"):
                return offset + 1
            braces += 1
        elif kind == "}":
            braces -= 1
    return None


def values_block(params: Mapping[str, Sequence[Identifier]]) -> str:
    """One ``VALUES`` block per parameter, terms written with ``n3()``, names sorted.

    >>> values_block({"model": [Literal("GPT-4")], "year": [Literal(2024)]})
    ' VALUES ?model { "GPT-4" } VALUES ?year { "2024"^^<http://www.w3.org/2001/XMLSchema#integer> } '
    """
    blocks = []
    for name in sorted(params):
        if not _NAME.fullmatch(name):
            raise KGError(f"parameter name {name!r} is not a SPARQL variable name")
        terms = " ".join(term.n3() for term in params[name])
        blocks.append(f"VALUES ?{name} {{ {terms} }}")
    return " " + " ".join(blocks) + " "


def bind_params(query: str, form: str, params: Mapping[str, Sequence[Identifier]]) -> str:
    """``query`` with ``params`` bound by a VALUES block at the start of its WHERE group.

    >>> bind_params("SELECT ?p WHERE { ?p ?r ?m }", "SelectQuery", {"m": [URIRef("https://x/m")]})
    'SELECT ?p WHERE { VALUES ?m { <https://x/m> }  ?p ?r ?m }'
    """
    if not params:
        return query
    unknown = sorted(set(params) - query_variables(query))
    if unknown:
        raise KGError(f"the query has no variable ?{unknown[0]} to bind")
    offset = where_group_offset(query, form)
    if offset is None:
        raise KGError("the query has no WHERE group to bind parameters in")
    return query[:offset] + values_block(params) + query[offset:]
