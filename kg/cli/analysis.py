"""`kg shared` (methods evaluated on the same benchmarks) and `kg viz` (interactive HTML page).

kg.analysis and kg.viz (networkx, igraph, pyoxigraph) are imported inside the commands so that
`kg --help` and other commands do not pay for them.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterable, Sequence

import click
from rich.console import Console
from rich.table import Table as RichTable

from kg.cli.options import graph_option, open_graph_dir
from kg.model import ENTITY_TYPES

if TYPE_CHECKING:
    from kg.analysis import SharedPair, Table

#: kg.analysis.view.NODE_TYPES, spelled out here to keep networkx out of the CLI's start-up
NODE_TYPES = ("Paper", *ENTITY_TYPES)


def rich_table(table: Table) -> RichTable:
    """A plain analysis Table as a rich table."""
    shown = RichTable(*table.columns, title=table.title, title_justify="left")
    for row in table.rows:
        shown.add_row(*(str(value) for value in row))
    return shown


def analysis_tables(graph) -> Iterable[RichTable]:
    """`kg stats` section: most connected entities, adoption per month, components, communities."""
    from kg.analysis import stats_tables

    return [rich_table(table) for table in stats_tables(graph)]


def graphml_exporter(graph_dir: Path, out: BinaryIO) -> None:
    """`kg export --format graphml`: the NetworkX view as GraphML."""
    from kg.analysis import export_graphml

    export_graphml(open_graph_dir(graph_dir), out)


def gexf_exporter(graph_dir: Path, out: BinaryIO) -> None:
    """`kg export --format gexf`: the NetworkX view as GEXF for Gephi."""
    from kg.analysis import export_gexf

    export_gexf(open_graph_dir(graph_dir), out)


def export_neo4j_folder(graph_dir: Path, out_dir: Path | None) -> None:
    """`kg export --format csv --out DIR`: nodes.csv and relationships.csv for neo4j-admin import."""
    from kg.analysis import export_neo4j_csv

    if out_dir is None:
        raise click.UsageError("--format csv writes two files (nodes.csv, relationships.csv): give --out FOLDER")
    for path in export_neo4j_csv(open_graph_dir(graph_dir), out_dir):
        click.echo(path)


def print_pairs(pairs: list[SharedPair], output_format: str) -> None:
    """Print ranked method pairs as a table, CSV or JSON on standard output."""
    if output_format == "json":
        click.echo(json.dumps([pair.as_dict() for pair in pairs], indent=2, ensure_ascii=False))
        return
    columns = ("rank", "method", "other", "shared", "jaccard", "benchmarks")
    rows = [(rank, p.method, p.other, p.shared, f"{p.jaccard:.3f}", "; ".join(p.benchmarks))
            for rank, p in enumerate(pairs, start=1)]
    if output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return
    if not pairs:
        click.echo("No methods share a benchmark (with these options).")
        return
    table = RichTable(*columns, title="Methods evaluated on shared benchmarks", title_justify="left")
    for row, pair in zip(rows, pairs):
        table.add_row(*(str(value) for value in row[:-1]), benchmarks_cell(pair.benchmarks))
    Console().print(table)


def benchmarks_cell(names: Sequence[str], shown: int = 6) -> str:
    """The first ``shown`` shared benchmarks and how many more (a table cell stays readable; CSV
    and JSON list them all).

    >>> benchmarks_cell(["A", "B", "C"], shown=2)
    'A; B; … and 1 more'
    """
    more = f"; … and {len(names) - shown} more" if len(names) > shown else ""
    return "; ".join(names[:shown]) + more


@click.command()
@graph_option
@click.option("--by", type=click.Choice(["benchmark", "dataset", "both"]), default="benchmark", show_default=True,
              help="What counts as a benchmark: the Benchmark class, the Dataset class, or either.")
@click.option("--role", type=click.Choice(["proposed", "any"]), default="proposed", show_default=True,
              help="A method is evaluated where papers proposing it (any: proposing or using it) are.")
@click.option("--min-shared", type=click.IntRange(min=1), default=1, show_default=True,
              help="Only pairs sharing at least this many benchmarks.")
@click.option("--method", "method_name", default=None, metavar="NAME",
              help="List the methods closest to this one (label or alias, any case).")
@click.option("--top", type=click.IntRange(min=0), default=50, show_default=True,
              help="How many pairs to list; 0 lists every pair (see --all).")
@click.option("--all", "list_all", is_flag=True,
              help="List every pair (as --top 0): their number grows with the square of the methods "
                   "evaluated on a popular benchmark, millions on a large graph.")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def shared(graph_dir: Path, by: str, role: str, min_shared: int, method_name: str | None, top: int,
           list_all: bool, output_format: str) -> None:
    """Pairs of methods (Method or Model entities) evaluated on the same benchmarks, ranked by how many
    they share, then by Jaccard overlap, then by name: the strongest --top pairs, or with --method
    the methods closest to one.

    A method is evaluated on a benchmark when a paper proposing it (--role any: proposing or using
    it) reports results on that benchmark (kg:evaluatedOn). Two methods share a benchmark unless the
    one paper evaluating either of them on it proposes both (a framework and its own parts do not
    meet; a paper comparing its method with another one does)."""
    from kg.analysis.shared import cached_incidence, shared_benchmarks, top_pairs
    from kg.graph.layout import current_generation

    top = None if list_all else top
    generation = current_generation(graph_dir)  # its links are cached there; a build never changes it
    incidence = cached_incidence(generation, by, role) if generation and method_name is None else None
    if incidence is not None:  # the store is not opened (nor rdflib loaded)
        pairs = top_pairs(incidence, top, min_shared)
    else:
        pairs = shared_benchmarks(open_graph_dir(generation or graph_dir), by=by, role=role, min_shared=min_shared,
                                  method=method_name, top=top, cache=generation)
    print_pairs(pairs, output_format)


def _types(ctx, param, values: tuple[str, ...]) -> list[str] | None:
    """--types values, each a name or a comma-separated list, checked against the node types."""
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    by_folded = {kind.casefold(): kind for kind in NODE_TYPES}
    unknown = [name for name in names if name.casefold() not in by_folded]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}; choose from {', '.join(NODE_TYPES)}")
    return [by_folded[name.casefold()] for name in names] or None


@click.command()
@graph_option
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="HTML file to write (atomically)  [default: <graph>/viz.html]")
@click.option("--types", multiple=True, callback=_types, metavar="TYPE[,TYPE...]",
              help=f"Only these node types ({', '.join(NODE_TYPES)}); repeat or separate with commas.")
@click.option("--min-degree", type=click.IntRange(min=0), default=0, show_default=True,
              help="Only nodes with at least this many neighbours.")
@click.option("--focus", default=None, metavar="NAME", help="Only the neighbourhood of this node (label, alias, title).")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True, help="Links around --focus.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=None,
              help="Draw at most this many nodes, those with most neighbours first.")
def viz(graph_dir: Path, out_path: Path | None, types: list[str] | None, min_degree: int, focus: str | None,
        depth: int, max_nodes: int | None) -> None:
    """Write an interactive HTML page of the graph that works offline (search, type filter, details)."""
    from kg.viz import write_html

    out_path = out_path or graph_dir / "viz.html"  # <graph>/graph.html belongs to `kg build`
    summary = write_html(open_graph_dir(graph_dir), out_path, types=types, min_degree=min_degree, focus=focus,
                         depth=depth, max_nodes=max_nodes)
    click.echo(f"{out_path}: {summary.nodes} of {summary.total_nodes} nodes, "
               f"{summary.edges} of {summary.total_edges} links")


COMMANDS = [shared, viz]
