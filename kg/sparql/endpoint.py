"""A read-only SPARQL 1.1 Protocol endpoint over a graph (Starlette app, served by uvicorn).

* ``GET /sparql?query=…`` and ``POST /sparql`` (form ``query=…`` or an ``application/sparql-query``
  body) run a query; updates (``update=…``, ``application/sparql-update``, or an update sent as a
  query) are refused with 403, federated ``SERVICE`` calls with 400 (the server fetches nothing).
* ``param=NAME=VALUE`` (repeatable, an extension) binds parameters as ``kg query --param`` does:
  typed terms in a VALUES block, paper and entity names resolved to IRIs for queries whose header
  declares them (see ``kg.sparql.queries``).
* SELECT and ASK answer in SPARQL JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle or
  N-Triples, chosen by the Accept header (or ``format=json|xml|csv|tsv|turtle|nt``).
* Every query runs in a worker process with a deadline and a memory cap (``kg.sparql.worker``;
  503 when it is stopped); answers are capped
  at ``max_rows`` rows and a cut answer carries the header ``X-KG-Truncated: true``.
* ``GET /`` is a small page to type and run queries; everything it shows is escaped (server side
  with ``html.escape``, client side with ``textContent``) and a Content-Security-Policy allows no
  inline or foreign script.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from contextlib import asynccontextmanager
from importlib.resources import files
from string import Template
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from kg.errors import KGError
from kg.sparql.binding import collect_params
from kg.sparql.queries import UpdateRefused, bundled_queries, inline_query, leading_keyword
from kg.sparql.results import GRAPH_FORMATS, RESULT_FORMATS
from kg.sparql.worker import QueryRequest, QueryStopped, WorkerPool

#: media types offered for solutions / booleans and for graphs, preferred first, with their format
RESULT_MEDIA = (
    ("application/sparql-results+json", "json"),
    ("application/json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
)
GRAPH_MEDIA = (
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("text/plain", "nt"),
)
MAX_QUERY_CHARS = 100_000
QUERY_KEYWORDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "DROP", "CLEAR", "LOAD", "CREATE", "ADD", "MOVE", "COPY", "WITH")

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the Accept header rates highest (earlier offers win ties), or None
    when it accepts none. A missing header accepts the first offer.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+json", ["application/sparql-results+json", "text/csv"])
    'application/sparql-results+json'
    >>> negotiate("text/*, */*;q=0.1", ["application/sparql-results+json", "text/csv"])
    'text/csv'
    >>> negotiate("image/png", ["text/csv"]) is None
    True
    """
    if not accept or not accept.strip():
        return offered[0]
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))

    def rating(offer: str) -> float:
        kind = offer.split("/")[0]
        matches = [
            (2 if media == offer else 1 if media == f"{kind}/*" else 0, quality)
            for media, quality in ranges
            if media in (offer, f"{kind}/*", "*/*")
        ]
        return max(matches)[1] if matches else 0.0

    best = max(enumerate(offered), key=lambda item: (rating(item[1]), -item[0]))[1]
    return best if rating(best) > 0 else None


def choose_format(request: Request, is_graph: bool) -> tuple[str, str] | None:
    """``(format, media type)`` for the answer: the ``format`` parameter, else the Accept header."""
    offered = GRAPH_MEDIA if is_graph else RESULT_MEDIA
    named = request.query_params.get("format")
    if named:
        return next(((fmt, media) for media, fmt in offered if fmt == named), None)
    media = negotiate(request.headers.get("accept"), [media for media, _ in offered])
    return None if media is None else (dict(offered)[media], media)


async def read_protocol_request(request: Request) -> tuple[dict[str, str], list[str]] | None:
    """The SPARQL protocol parameters of a GET or POST request (``query``, ``update``, ...) and the
    ``param=NAME=VALUE`` bindings (an extension: bound as typed VALUES, as ``kg query --param``).
    None for a POST body in a media type the protocol does not define."""
    pairs = list(request.query_params.multi_items())
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = (await read_body(request, MAX_QUERY_CHARS * 4)).decode("utf-8", errors="replace")
        if content_type == "application/sparql-query":
            pairs.append(("query", body))
        elif content_type == "application/sparql-update":
            pairs.append(("update", body))
        elif content_type == "application/x-www-form-urlencoded":
            pairs += parse_qsl(body, keep_blank_values=True)
        else:
            return None
    params = {key: value for key, value in pairs if key != "param"}
    return params, [value for key, value in pairs if key == "param"]


class BodyTooLarge(Exception):
    """A request body over the size limit."""


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, read in chunks and refused (BodyTooLarge) as soon as it passes ``limit`` bytes."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def text_error(status: int, message: str) -> PlainTextResponse:
    """A one-line plain-text error response."""
    return PlainTextResponse(message + "\n", status_code=status)


def create_app(pool: WorkerPool, *, max_rows: int = 10_000) -> Starlette:
    """The endpoint app over ``pool`` (already started); the app stops the pool when it shuts down."""

    async def sparql(request: Request) -> Response:
        try:
            protocol = await read_protocol_request(request)
        except BodyTooLarge:
            return text_error(413, f"the request body is larger than {MAX_QUERY_CHARS * 4} bytes")
        if protocol is None:
            return text_error(415, "POST a form (application/x-www-form-urlencoded) or an application/sparql-query body")
        params, bindings = protocol
        if "update" in params:
            return text_error(403, "this endpoint is read-only: updates are refused")
        if "default-graph-uri" in params or "named-graph-uri" in params:
            return text_error(400, "this endpoint serves one graph: default-graph-uri/named-graph-uri are not supported")
        text = params.get("query")
        if not text:
            return text_error(400, "no query: send query=… (GET or form POST) or an application/sparql-query body")
        if len(text) > MAX_QUERY_CHARS:
            return text_error(413, f"the query is longer than {MAX_QUERY_CHARS} characters")
        keyword = leading_keyword(text)
        if keyword in UPDATE_KEYWORDS:
            return text_error(403, "this endpoint is read-only: updates are refused")
        if keyword not in QUERY_KEYWORDS:
            return text_error(400, "not a SPARQL query: after PREFIX/BASE it must start with SELECT, ASK, CONSTRUCT or DESCRIBE")
        is_graph = keyword in ("CONSTRUCT", "DESCRIBE")
        chosen = choose_format(request, is_graph)
        if chosen is None:
            offered = ", ".join(media for media, _ in (GRAPH_MEDIA if is_graph else RESULT_MEDIA))
            return text_error(406, f"cannot answer a {keyword} query in the requested format; offered: {offered}")
        fmt, media = chosen
        try:
            query = QueryRequest(inline_query(text), collect_params(bindings), fmt, max_rows)
            answer = await run_in_threadpool(pool.run, query)
        except QueryStopped as exc:
            return text_error(503, str(exc))
        except UpdateRefused as exc:
            return text_error(403, str(exc))
        except KGError as exc:
            return text_error(400, str(exc))
        headers = {"X-KG-Truncated": "true"} if answer.truncated else {}
        return Response(answer.body, media_type=media, headers=headers)

    async def page(request: Request) -> HTMLResponse:
        query = request.query_params.get("query", "")
        params = request.query_params.getlist("param")
        return HTMLResponse(render_page(query, params), headers=_page_headers())

    async def script(request: Request) -> Response:
        body = files("kg.sparql").joinpath("static/query.js").read_text(encoding="utf-8")
        return Response(body, media_type="text/javascript", headers=_page_headers())

    @asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            pool.close()

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/query.js", script, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def _page_headers() -> dict[str, str]:
    return {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"}


def render_page(query: str, params: Sequence[str] = ()) -> str:
    """The query page, ``query`` and ``params`` (NAME=VALUE lines) prefilled; every inserted text is
    HTML-escaped. Opened with a query, the page runs it at once (so links to it can be shared).

    >>> "<script>alert(1)</script>" in render_page("</textarea><script>alert(1)</script>")
    False
    """
    template = Template(files("kg.sparql").joinpath("static/page.html").read_text(encoding="utf-8"))
    queries = bundled_queries()
    options = "\n".join(
        f'<option value="{html.escape(q.text)}">{html.escape(name)}: {html.escape(q.description)}</option>'
        for name, q in queries.items()
    )
    first = next(iter(queries.values())).text if queries and not query else query
    return template.substitute(
        options=options,
        query=html.escape(first),
        params=html.escape("\n".join(params)),
        formats=", ".join(sorted({*RESULT_FORMATS, *GRAPH_FORMATS})),
    )
