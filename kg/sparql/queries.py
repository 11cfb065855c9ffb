"""SPARQL queries: bundled named queries (``ontology/queries/*.rq``), .rq files and inline text.

A query file starts with comment lines: the first is a one-line description, then one line per
parameter it takes, with its kind and whether it is required in parentheses::

    # Papers that use a given model, newest first.
    # param model (Model, required): the model's name, one of its aliases (any case), or its IRI

Kinds: ``value`` (the default: bound as given), ``paper`` (an arXiv id, record id or title is
resolved to the paper's IRI), ``entity`` or an entity type such as ``Model`` (a name or alias is
resolved to the IRIs of the entities, of that type, that carry it); see ``kg.sparql.resolve``.

Every query is checked with rdflib's SPARQL parser before it runs, so a malformed query fails with
one line naming where it went wrong instead of an endpoint's stack trace.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path

from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from kg.errors import KGError
from kg.sparql.binding import query_tokens
from kg.model import ENTITY_TYPES
from kg.vocab import PREFIXES, ontology_dir

_PARAM_LINE = re.compile(r"#\s*param\s+(\w+)\s*(?:\(([^)]*)\))?\s*:\s*(.*)")
PARAM_KINDS = ("value", "paper", "entity", *ENTITY_TYPES)

QUERY_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


class UpdateRefused(KGError):
    """An update (INSERT, DELETE, DROP, ...) was sent where only queries are run."""


@dataclass(frozen=True)
class QueryParam:
    """A parameter a named query takes."""

    name: str
    required: bool
    description: str
    kind: str = "value"  # one of PARAM_KINDS


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query with where it came from and what it expects."""

    name: str
    text: str
    description: str = ""
    params: tuple[QueryParam, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the parameters that must be given."""
        return tuple(p.name for p in self.params if p.required)


@dataclass(frozen=True)
class PreparedQuery:
    """Query text with its parameters bound, ready to run anywhere."""

    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE

    @property
    def is_graph(self) -> bool:
        """Whether the query answers with a graph (CONSTRUCT, DESCRIBE)."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def parse_header(text: str) -> tuple[str, tuple[QueryParam, ...]]:
    """Description and parameters from a query file's leading comment lines.

    >>> parse_header("# Aliases of an entity.\\n# param entity (entity, required): a name or IRI\\nSELECT ...")
    ('Aliases of an entity.', (QueryParam(name='entity', required=True, description='a name or IRI', kind='entity'),))
    """
    description = ""
    params = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("#"):
            break
        match = _PARAM_LINE.fullmatch(line)
        if match:
            params.append(_param(*match.groups()))
        elif not description:
            description = line.lstrip("#").strip()
    return description, tuple(params)


def _param(name: str, flags: str | None, description: str) -> QueryParam:
    """A QueryParam from a header line's parts, e.g. ``("model", "Model, required", "...")``."""
    words = [word.strip() for word in (flags or "").split(",") if word.strip()]
    kinds = [word for word in words if word != "required"]
    if len(kinds) > 1 or (kinds and kinds[0] not in PARAM_KINDS):
        raise KGError(f"parameter {name}: unknown kind {', '.join(kinds)!r} (kinds: {', '.join(PARAM_KINDS)})")
    return QueryParam(name, "required" in words, description.strip(), kinds[0] if kinds else "value")


def load_query_file(path: Path, name: str | None = None) -> NamedQuery:
    """A query read from a .rq file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KGError(f"{path}: not UTF-8 text ({exc.reason})") from None
    description, params = parse_header(text)
    return NamedQuery(name or str(path), text, description, params)


def bundled_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    """The named queries shipped in ``ontology/queries``, by file stem, sorted by name."""
    folder = folder or ontology_dir() / "queries"
    return {path.stem: load_query_file(path, path.stem) for path in sorted(folder.glob("*.rq"))}


def resolve_query(spec: str) -> NamedQuery:
    """``spec`` as a query: a bundled query's name, a path to a .rq file, or inline SPARQL (any text
    with a space or a brace in it)."""
    bundled = bundled_queries()
    if spec in bundled:
        return bundled[spec]
    if spec.endswith(".rq") or not re.search(r"[\s{]", spec):
        path = Path(spec)
        if path.is_file():
            return load_query_file(path)
        if spec.endswith(".rq") or "/" in spec:
            raise KGError(f"{spec}: no such query file")
        names = ", ".join(bundled)
        raise KGError(f"no bundled query named {spec!r} (kg query --list shows them: {names})")
    return inline_query(spec)


def inline_query(text: str) -> NamedQuery:
    """Query text given directly; a header of comment lines, if it has one, declares its parameters."""
    return NamedQuery("query", text, *parse_header(text))


def query_form(text: str, source: str = "query") -> str:
    """The query form (``SelectQuery``, ``AskQuery``, ``ConstructQuery``, ``DescribeQuery``) of
    ``text``; a malformed query or an update raises a one-line KGError naming line and column.

    >>> query_form("ASK { ?s ?p ?o }")
    'AskQuery'
    >>> query_form("SELECT ?x WHERE { ?x ?p }")
    Traceback (most recent call last):
    kg.errors.KGError: query:1:19: SPARQL syntax error near '?x ?p }'
    """
    try:
        return _parsed_form(text)
    except ParseException as exc:
        if _is_update(text):
            raise UpdateRefused(f"{source}: updates are not allowed, only queries") from None
        near = exc.line[exc.col - 1 :].strip()[:30] or "end of query"
        raise KGError(f"{source}:{exc.lineno}:{exc.col}: SPARQL syntax error near {near!r}") from None


@lru_cache(maxsize=256)
def _parsed_form(text: str) -> str:
    """The query form of ``text`` by rdflib's parser (cached: a server parses the same queries often)."""
    return parseQuery(text)[1].name


def leading_keyword(text: str) -> str:
    """The first keyword after the prologue, upper-cased: SELECT, ASK, CONSTRUCT, DESCRIBE for a
    query, INSERT, DELETE, DROP, ... for an update; "" when there is none. A cheap look that skips
    comments, strings and IRIs, for choosing an answer format before the query is parsed.

    >>> leading_keyword("# a comment\\nPREFIX kg: <https://w3id.org/mlkg/ns#>\\nconstruct WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    for kind, word, _ in query_tokens(text):
        if kind != "word" or ":" in word or word.upper() in ("PREFIX", "BASE"):
            continue
        return word.upper()
    return ""


def check_runnable(text: str, source: str = "query") -> None:
    """Refuse what parses but cannot run here: federated ``SERVICE`` calls (kg stays offline, and an
    endpoint must not fetch URLs for its callers) and prefixes used without a declaration.

    >>> check_runnable("SELECT * WHERE { SERVICE <http://ex.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    kg.errors.KGError: query: SERVICE (federated query) is not allowed: queries run on this graph only
    >>> check_runnable("SELECT * WHERE { ?s ex:p ?o }")
    Traceback (most recent call last):
    kg.errors.KGError: query: prefix 'ex:' is not declared (add PREFIX ex: <...>)
    """
    declared: set[str] = set()
    after_prefix = False
    for kind, word, _ in query_tokens(text):
        if kind != "word":
            after_prefix = False
            continue
        if word.upper() == "SERVICE":
            raise KGError(f"{source}: SERVICE (federated query) is not allowed: queries run on this graph only")
        prefix = word.split(":")[0] if ":" in word else None
        if after_prefix and prefix is not None:
            declared.add(prefix)
        elif prefix is not None and prefix != "_" and prefix not in declared:
            raise KGError(f"{source}: prefix '{prefix}:' is not declared (add PREFIX {prefix}: <...>)")
        after_prefix = word.upper() == "PREFIX"


def _is_update(text: str) -> bool:
    """Whether ``text`` parses as a SPARQL update."""
    try:
        parseUpdate(text)
    except ParseException:
        return False
    return True


def declare_prefixes(text: str) -> str:
    """``text`` with PREFIX declarations for the project's prefixes (kg:, skos:, dcterms: …) that it
    uses without declaring, so short inline queries run the same on every endpoint.

    >>> declare_prefixes("ASK { ?p a kg:Paper }").splitlines()[0]
    'PREFIX kg: <https://w3id.org/mlkg/ns#>'
    """
    missing = [
        f"PREFIX {prefix}: <{namespace}>"
        for prefix, namespace in PREFIXES.items()
        if re.search(rf"(?<![\w.-]){prefix}:", text)
        and not re.search(rf"PREFIX\s+{prefix}\s*:", text, re.IGNORECASE)
    ]
    return "\n".join([*missing, text])
