"""``kg query``, ``kg serve`` and ``kg push``: SPARQL over the graph, locally, as an endpoint, remotely."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource
from rich.console import Console
from rich.table import Table

from kg.cli.options import graph_option
from kg.errors import KGError
from kg.sparql.binding import collect_params
from kg.sparql.queries import bundled_queries, resolve_query
from kg.sparql.results import GRAPH_FORMATS, RESULT_FORMATS, cap_result, result_table, serialize_result
from kg.sparql.run import prepare, run_local, run_remote

endpoint_option = click.option("--endpoint", metavar="URL", help="A SPARQL 1.1 endpoint to ask instead of --graph.")


def _open_graph(graph_dir: Path):
    from kg.graph.store import open_graph

    return open_graph(graph_dir)


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
    help="Bind ?NAME: <iri> is an IRI, digits an integer, anything else a plain literal. Repeatable.",
)
@click.option("--max-rows", type=click.IntRange(min=1), default=None, help="Print at most this many rows.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, help="Seconds to wait for --endpoint.")
@click.option("--list", "list_queries", is_flag=True, help="List the bundled queries and exit.")
@click.pass_context
def query(ctx, query, graph_dir, endpoint, graph_iri, fmt, params, max_rows, timeout, list_queries):
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
    prepared = prepare(resolve_query(query), collect_params(params))
    if endpoint:
        result = run_remote(endpoint, prepared, graph_iri=graph_iri, timeout=timeout)
    else:
        result = run_local(_open_graph(graph_dir), prepared)
    result, truncated = cap_result(result, max_rows)
    if fmt == "table" and not prepared.is_graph:
        console.print(result_table(result))
    else:
        out_format = "turtle" if fmt == "table" else fmt
        click.get_binary_stream("stdout").write(serialize_result(result, out_format))
    if truncated:
        click.echo(f"(showing the first {max_rows} rows; --max-rows cut the rest)", err=True)


COMMANDS = [query]
