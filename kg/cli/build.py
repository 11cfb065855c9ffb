"""`kg build`: papers in, validated RDF knowledge graph out (store, graph.ttl, rejects, manifest)."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.errors import KGError
from kg.graph.build import Extractions, graph_chunks
from kg.graph.iris import normalise_base
from kg.graph.store import REJECTS, WrittenGraph, current_generation, previous_chunks, write_chunks
from kg.cli.options import inputs_argument, read_papers, year_option
from kg.model import ReadResult, Reject
from kg.vocab import DEFAULT_BASE_IRI

if TYPE_CHECKING:
    from kg.graph.extraction import Extracted
    from kg.sources.parsed import ParsedFiles

#: how many rejects the summary lists one by one before pointing at rejects.jsonl
_REJECTS_SHOWN = 10


@click.command()
@inputs_argument
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="exports",
    show_default=True,
    help="Folder to write store/, graph.ttl, graph.html, rejects.jsonl and build.json to.",
)
@year_option
@click.option(
    "--base-iri",
    default=DEFAULT_BASE_IRI,
    show_default=True,
    callback=lambda ctx, param, value: _base_iri(value),
    help="Base of every paper and entity IRI.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="number of CPUs",
    help="Processes for extraction.",
)
def build(inputs: tuple[Path, ...], out_dir: Path, year: int | None, base_iri: str, jobs: int) -> None:
    """Read papers from INPUT files or folders, extract entities and write the knowledge graph.

    The previous graph in --out stays intact until the new one is complete. Input files whose bytes
    did not change since the last build in --out are not parsed again, papers whose title and abstract
    did not change are not extracted again, and the graph text of papers whose extraction did not
    change is copied from it.
    """
    from kg.extract.pipeline import collector_paused
    from kg.graph.extraction import extract_papers, load_cache
    from kg.sources.parsed import ParsedFiles

    started = time.perf_counter()
    err = Console(stderr=True)
    parsed = ParsedFiles(current_generation(out_dir), year)
    with err.status("Reading inputs…"):
        read = read_papers(list(inputs), year, parsed)
    with err.status(f"Extracting entities from {len(read.papers)} papers…"):
        extracted = extract_papers(read.papers, load_cache(out_dir), jobs, out_dir)
    extractions = extracted.extractions
    # the collector paused: its full passes over the extractions found nothing and cost ~2.7 s at 10k papers
    with collector_paused(), progress_bar(err) as progress, previous_chunks(out_dir) as reuse:
        task = progress.add_task("Writing graph (papers, then entities)", total=None)
        written = write_chunks(
            out_dir,
            _advancing(graph_chunks(extractions, base_iri, reuse), progress, task),
            rejects=read.rejects,
            manifest=build_manifest(inputs, base_iri, read, extractions, extracted.hashes),
            extras=partial(write_extras, extracted, parsed, out_dir),
        )
    print_summary(Console(), read, extracted, written, out_dir, time.perf_counter() - started)


def _base_iri(value: str) -> str:
    """--base-iri checked and ending in '/' or '#' (a bad one is a usage error, exit 2)."""
    try:
        return normalise_base(value)
    except KGError as exc:
        raise click.BadParameter(str(exc)) from None


def build_manifest(inputs: Sequence[Path], base: str, read: ReadResult, extractions: Extractions,
                   hashes: Sequence[str]) -> dict:
    """build.json: inputs, base IRI, extractor, read counts and each paper's content hash (``hashes``, in
    the order of ``extractions``: taken once, by the extraction)."""
    extractors = sorted({(e.extractor, e.version) for e in extractions.encoded})
    return {
        "inputs": [str(path) for path in inputs],
        "base_iri": base,
        "extractor": [{"name": name, "version": version} for name, version in extractors],
        "records_read": read.records_read,
        "duplicates_merged": read.duplicates_merged,
        "rejected": len(read.rejects),
        "papers": {e.key: content_hash for e, content_hash in zip(extractions.encoded, hashes, strict=True)},
    }


def write_extras(extracted: Extracted, parsed: ParsedFiles, out_dir: Path, graph, generation: Path) -> None:
    """The new generation's parsed input files and extraction cache (for the next build; from the ones
    in ``out_dir`` when that saves work), viewer (graph.html: the most connected nodes when the graph
    is big) and the method-benchmark links `kg shared` reads by default (so the first `kg shared` is as
    fast as the next; carried over from the previous build by the chunks that changed,
    `kg.analysis.kept_links`)."""
    from kg.analysis.kept_links import kept_evaluated_on
    from kg.graph.extraction import CACHE, save_cache, save_state
    from kg.viz import write_overview

    parsed.save(generation)
    save_cache(generation / CACHE, extracted, previous=out_dir / CACHE)
    save_state(generation, extracted)
    write_overview(graph, generation / "graph.html")
    kept_evaluated_on(graph, generation, current_generation(out_dir))


def progress_bar(console: Console) -> Progress:
    """A rich progress bar on stderr (drawn only when stderr is a terminal)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def _advancing(items: Iterable, progress: Progress, task) -> Iterator:
    """Yield ``items``, advancing ``task`` by one for each."""
    for item in items:
        yield item
        progress.advance(task)


def print_summary(
    console: Console, read: ReadResult, extracted: Extracted, written: WrittenGraph, out_dir: Path, seconds: float
) -> None:
    """What the build read, merged, skipped and wrote."""
    counts = written.counts
    table = Table(title=f"kg build -> {out_dir}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("records read", str(read.records_read))
    table.add_row("papers", str(counts.papers))
    table.add_row("duplicates merged", str(read.duplicates_merged))
    table.add_row("records skipped", str(len(read.rejects)))
    table.add_row("papers extracted", str(len(read.papers) - extracted.reused))
    table.add_row("papers unchanged (cached)", str(extracted.reused))
    table.add_row("papers consolidated", str(extracted.consolidated))
    table.add_row("graph chunks kept from the last build", str(written.reused_chunks))
    for name, number in counts.entities.items():
        table.add_row(f"entities: {name}", str(number))
    for name, number in counts.links.items():
        table.add_row(f"links: {name}", str(number))
    table.add_row("triples", str(counts.triples))
    table.add_row("time", f"{seconds:.1f} s")
    console.print(table)
    for line in reject_lines(read.rejects):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if read.rejects:
        console.print(f"every skipped record is listed in {out_dir / REJECTS}", markup=False, highlight=False, soft_wrap=True)


def reject_lines(rejects: Sequence[Reject]) -> list[str]:
    """The first few skipped records as ``skipped file:line: reason``.

    >>> reject_lines([Reject("a.txt", 3, "no abstract"), Reject("b.json", None, "not JSON")])
    ['skipped a.txt:3: no abstract', 'skipped b.json: not JSON']
    """
    lines = [f"skipped {reject.where}: {reject.reason}" for reject in rejects[:_REJECTS_SHOWN]]
    if len(rejects) > _REJECTS_SHOWN:
        lines.append(f"… and {len(rejects) - _REJECTS_SHOWN} more")
    return lines


COMMANDS = [build]
