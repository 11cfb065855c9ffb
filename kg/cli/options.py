"""Options shared by several commands, so every verb spells them the same way."""

from __future__ import annotations

from pathlib import Path

import click

graph_option = click.option(
    "--graph",
    "graph_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="exports",
    show_default=True,
    help="Folder written by `kg build` (holds store/ and graph.ttl).",
)

inputs_argument = click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(path_type=Path)
)

year_option = click.option(
    "--year", type=int, default=None, help="Year for page dates printed without one (e.g. 'Mar 17')."
)


def open_graph_dir(graph_dir: Path):
    """The rdflib graph of a folder `kg build` wrote (the store module is imported late: it is heavy
    and most commands' start-up does not need it)."""
    from kg.graph.store import open_graph

    return open_graph(graph_dir)


def read_papers(inputs, year: int | None, parsed=None):
    """Read ``inputs`` (kg.sources.read_inputs, with the files an earlier build ``parsed``); a KGError
    when not one paper could be read."""
    from kg.errors import KGError
    from kg.sources import read_inputs

    result = read_inputs(inputs, year=year, parsed=parsed)
    if not result.papers:
        raise KGError(f"{', '.join(map(str, inputs))}: no papers read ({len(result.rejects)} records skipped)")
    return result
