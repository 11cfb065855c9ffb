"""`kg export`, `kg stats`, `kg validate`: commands over a graph folder written by `kg build`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

import click
import pyoxigraph as ox
from rdflib import Graph
from rich.console import Console
from rich.table import Table

from kg.cli.analysis import analysis_tables, export_neo4j_folder, gexf_exporter, graphml_exporter
from kg.cli.options import graph_option
from kg.graph.stats import graph_counts
from kg.graph.store import TURTLE, dump_graph, open_graph, open_store
from kg.graph.validate import validate as validate_graph_dir
from kg.io import atomic_path


def rdf_exporter(format: ox.RdfFormat) -> Callable[[Path, BinaryIO], None]:
    """An exporter writing the graph of a folder in an RDF ``format`` (same graph, same bytes)."""
    return lambda graph_dir, out: dump_graph(open_store(graph_dir), out, format)


def turtle_exporter(graph_dir: Path, out: BinaryIO) -> None:
    """The folder's graph.ttl as it is (the build's sorted Turtle of the same triples as the store)."""
    open_store(graph_dir)  # the same "no graph here" error as every other format
    with open(Path(graph_dir) / TURTLE, "rb") as turtle:
        shutil.copyfileobj(turtle, out)


#: --format name -> exporter(graph_dir, binary output); add a format with one line here
EXPORTERS: dict[str, Callable[[Path, BinaryIO], None]] = {
    "ttl": turtle_exporter,
    "nt": rdf_exporter(ox.RdfFormat.N_TRIPLES),
    "jsonld": rdf_exporter(ox.RdfFormat.JSON_LD),
    "trig": rdf_exporter(ox.RdfFormat.TRIG),
    "xml": rdf_exporter(ox.RdfFormat.RDF_XML),
    "graphml": graphml_exporter,
    "gexf": gexf_exporter,
}


@click.command()
@graph_option
@click.option("--format", "format_name", type=click.Choice([*EXPORTERS, "csv"]), default="ttl", show_default=True)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write (atomically); standard output when left out. For csv (Neo4j): a folder.",
)
def export(graph_dir: Path, format_name: str, out_path: Path | None) -> None:
    """Write the graph in another format."""
    if format_name == "csv":
        export_neo4j_folder(graph_dir, out_path)
        return
    if out_path is not None and out_path.is_dir():
        raise click.BadParameter(f"{out_path} is a folder; --format {format_name} writes one file", param_hint="--out")
    exporter = EXPORTERS[format_name]
    if out_path is None:
        exporter(graph_dir, sys.stdout.buffer)
        return
    with atomic_path(out_path) as tmp, open(tmp, "wb") as out:
        exporter(graph_dir, out)


def count_tables(graph: Graph) -> Iterable[Table]:
    """Papers, entities per type, links per relation and triples."""
    counts = graph_counts(graph)
    overview = Table(title="Graph", show_header=False, title_justify="left")
    overview.add_row("papers", str(counts.papers))
    overview.add_row("entities", str(sum(counts.entities.values())))
    overview.add_row("triples", str(counts.triples))
    entities = Table("type", "entities", title="Entities by type", title_justify="left")
    for name, number in counts.entities.items():
        entities.add_row(name, str(number))
    links = Table("relation", "links", title="Paper-entity links by role", title_justify="left")
    for name, number in counts.links.items():
        links.add_row(f"kg:{name}", str(number))
    return [overview, entities, links]


#: what `kg stats` shows: functions from a graph to rich tables; add a section with one line here
STATS_SECTIONS: list[Callable[[Graph], Iterable[Table]]] = [count_tables, analysis_tables]


@click.command()
@graph_option
def stats(graph_dir: Path) -> None:
    """Show what the graph holds."""
    graph = open_graph(graph_dir)
    console = Console()
    for section in STATS_SECTIONS:
        for table in section(graph):
            console.print(table)


@click.command()
@graph_option
def validate(graph_dir: Path) -> None:
    """Check the graph against the SHACL shapes; exit 1 when it does not conform."""
    report = validate_graph_dir(graph_dir)
    for violation in report.violations:
        click.echo(violation.line())
    if not report.conforms:
        raise click.ClickException(f"{graph_dir}: does not conform ({len(report.violations)} violations)")
    click.echo(f"{graph_dir}: conforms")


COMMANDS = [export, stats, validate]
