"""``kg query``, ``kg serve`` and ``kg push``: SPARQL over the graph, locally, as an endpoint, remotely."""

from __future__ import annotations

import ipaddress
import os
import socket
from functools import partial

import click
from click.core import ParameterSource
from rich.console import Console
from rich.table import Table

from kg.cli.options import graph_option, open_graph_dir
from kg.errors import KGError
from kg.sparql.binding import collect_params
from kg.sparql.queries import bundled_queries, resolve_query
from kg.sparql.results import GRAPH_FORMATS, RESULT_FORMATS, cap_result, result_table, serialize_result
from kg.sparql.run import prepare, run_local, run_remote

endpoint_option = click.option("--endpoint", metavar="URL", help="A SPARQL 1.1 endpoint to ask instead of --graph.")
PASSWORD_VARIABLE = "KG_ENDPOINT_PASSWORD"
user_option = click.option(
    "--user", metavar="NAME",
    help=f"HTTP basic authentication for --endpoint; the password is read from ${PASSWORD_VARIABLE}.",
)


def _auth(user: str | None) -> tuple[str, str] | None:
    """(user, password) for the endpoint, the password from the environment; None without --user."""
    if user is None:
        return None
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        raise click.UsageError(f"--user needs the password in the environment variable {PASSWORD_VARIABLE}")
    return user, password


def _loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _bundled_table() -> Table:
    """The bundled queries: name, description and parameters."""
    table = Table("query", "description", "parameters")
    for name, query in bundled_queries().items():
        params = ", ".join(f"{p.name}{'' if p.required else '?'}" for p in query.params)
        table.add_row(name, query.description, params)
    return table


@click.command()
@click.argument("query", required=False)
@graph_option
@endpoint_option
@click.option("--graph-iri", metavar="IRI", help="With --endpoint: query this named graph (as `kg push --graph-iri`).")
@user_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", *RESULT_FORMATS, *GRAPH_FORMATS]),
    default="table",
    show_default=True,
    help="table, or a SPARQL results format (json, xml, csv, tsv); CONSTRUCT/DESCRIBE print turtle or nt.",
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind ?NAME: <iri> is an IRI, digits an integer, anything else a plain literal; a bundled query's "
    "paper and entity parameters also take an arXiv id, title, name or alias. Repeatable.",
)
@click.option("--max-rows", type=click.IntRange(min=1), default=None, help="Print at most this many rows.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, help="Seconds to wait for --endpoint.")
@click.option("--list", "list_queries", is_flag=True, help="List the bundled queries and exit.")
@click.pass_context
def query(ctx, query, graph_dir, endpoint, graph_iri, user, fmt, params, max_rows, timeout, list_queries):
    """Run QUERY, a bundled query's name, a .rq file or inline SPARQL, on the graph or an endpoint.

    \b
    Examples:
      kg query --list
      kg query papers-per-benchmark --format csv
      kg query papers-using-model --param model=GPT-4
      kg query 'SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Paper }'
      kg query methods-sharing-benchmarks --endpoint http://127.0.0.1:7878/query
    """
    console = Console()
    if list_queries:
        console.print(_bundled_table())
        return
    if not query:
        raise click.UsageError("give a QUERY (or --list to see the bundled ones)")
    if endpoint and ctx.get_parameter_source("graph_dir") is not ParameterSource.DEFAULT:
        raise click.UsageError("give --graph or --endpoint, not both")
    if graph_iri and not endpoint:
        raise click.UsageError("--graph-iri needs --endpoint")
    if endpoint:
        run = partial(run_remote, endpoint, graph_iri=graph_iri, timeout=timeout, auth=_auth(user))
    else:
        run = partial(run_local, open_graph_dir(graph_dir))
    prepared = prepare(resolve_query(query), collect_params(params), run)
    if fmt != "table" and (fmt in GRAPH_FORMATS) != prepared.is_graph:
        kind = "CONSTRUCT/DESCRIBE" if prepared.is_graph else "SELECT/ASK"
        raise click.BadParameter(f"{fmt} does not fit a {kind} query", param_hint="--format")
    result = run(prepared)
    result, truncated = cap_result(result, max_rows)
    if fmt == "table" and not prepared.is_graph:
        console.print(result_table(result))
    else:
        out_format = "turtle" if fmt == "table" else fmt
        click.echo(serialize_result(result, out_format), nl=False)
    if truncated:
        click.echo(f"(showing the first {max_rows} rows; --max-rows cut the rest)", err=True)


@click.command()
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (this machine only by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
    help="Seconds a query may run; then its worker process is killed and the client gets 503.",
)
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True, help="Rows (or triples) per answer at most.")
@click.option(
    "--memory-limit", type=click.IntRange(min=64), default=2048, show_default=True, metavar="MIB",
    help="Memory a query's worker process may allocate (MiB); past it the query is stopped (503).",
)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Queries answered at the same time.")
def serve(graph_dir, host, port, timeout, max_rows, memory_limit, workers):
    """Serve the graph as a read-only SPARQL 1.1 endpoint (/sparql) with a query page (/).

    SELECT/ASK answer as SPARQL JSON, XML, CSV or TSV and CONSTRUCT/DESCRIBE as Turtle or
    N-Triples, by Accept header. Updates are refused (403); queries run in worker processes that
    are stopped after --timeout seconds or past --memory-limit; answers are cut at --max-rows
    (header X-KG-Truncated).
    """
    import uvicorn

    from kg.sparql.endpoint import create_app
    from kg.sparql.worker import BuiltGraph, WorkerPool

    listener = _listen(host, port)
    pool = WorkerPool(BuiltGraph(graph_dir.resolve()), size=workers, timeout=timeout, memory_mb=memory_limit).start()
    app = create_app(pool, max_rows=max_rows)
    if not _loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this address can query the graph", err=True)
    shown = f"[{host}]" if ":" in host else host
    port = listener.getsockname()[1]
    click.echo(f"SPARQL endpoint: http://{shown}:{port}/sparql  (query page: http://{shown}:{port}/)  Ctrl-C stops it", err=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listener])


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (before the workers start, so a taken port fails at once)."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise KGError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return listener


@click.command()
@graph_option
@click.option("--endpoint", required=True, metavar="URL", help="The store's Graph Store (gsp) or Update (update) endpoint.")
@click.option("--graph-iri", metavar="IRI", help="Load into this named graph (default: the default graph).")
@user_option
@click.option(
    "--protocol", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
    help="SPARQL 1.1 Graph Store Protocol (PUT/POST) or SPARQL 1.1 Update (DROP + INSERT DATA).",
)
@click.option("--batch-size", type=click.IntRange(min=1), default=10_000, show_default=True, help="Triples per request.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True, help="Retries per request on 5xx or connection errors.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True, help="Seconds per request.")
def push(graph_dir, endpoint, graph_iri, user, protocol, batch_size, retries, timeout):
    """Load the graph into a remote SPARQL store (Oxigraph, Fuseki, GraphDB, Virtuoso, ...).

    The first batch replaces the target graph and later ones add to it, so pushing again leaves one
    copy. Then `kg query --endpoint <query URL> [--graph-iri IRI]` runs the bundled queries there.

    \b
    Examples (Oxigraph server):
      kg push --endpoint http://127.0.0.1:7878/store
      kg push --endpoint http://127.0.0.1:7878/update --protocol update --graph-iri https://example.org/kg
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.sparql.push import push_graph

    auth = _auth(user)
    graph = open_graph_dir(graph_dir)
    columns = (TextColumn("pushing"), BarColumn(), MofNCompleteColumn(), TextColumn("triples"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("push", total=len(graph))
        report = push_graph(
            graph,
            endpoint,
            graph_iri=graph_iri,
            protocol=protocol,
            batch_size=batch_size,
            retries=retries,
            timeout=timeout,
            auth=auth,
            progress=lambda sent: progress.advance(task, sent),
        )
    click.echo(f"pushed {report.triples} triples in {report.batches} batches to {report.target} at {endpoint}")


COMMANDS = [query, serve, push]
