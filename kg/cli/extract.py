"""``kg extract``: entities of each paper as JSON Lines (what score.py reads) or a table;
``--explain`` adds why each entity was found and every mention's evidence."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from kg.cli.options import inputs_argument, read_papers, year_option
from kg.extract.jsonl import explained_record, extraction_record
from kg.io import atomic_write_text
from kg.model import PaperExtraction

PROGRESS_MIN_PAPERS = 200


def render_jsonl(extractions: list[PaperExtraction], explain: bool) -> str:
    """One JSON object per paper, keys in a fixed order."""
    record = explained_record if explain else extraction_record
    return "".join(json.dumps(record(x), ensure_ascii=False) + "\n" for x in extractions)


def render_table(extractions: list[PaperExtraction], explain: bool, width: int = 160) -> str:
    """A rich table per paper (plain text); with ``explain``, the reasons and evidence of each entity."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False)
    for x in extractions:
        table = Table(title=escape(f"{x.paper.id}  {x.paper.title}"), title_justify="left", expand=False)
        for column in ("type", "name", "role", "conf", "aliases"):
            table.add_column(column)
        if explain:
            table.add_column("why")
            table.add_column("evidence")
        for e in x.entities:
            row = [e.type, escape(e.name), e.role, f"{e.confidence:.2f}", escape(", ".join(e.aliases))]
            if explain:
                row.append(escape(", ".join(e.reasons)))
                row.append(escape("\n".join(evidence_line(x.paper, ev) for ev in e.evidence)))
            table.add_row(*row)
        console.print(table)
    return buffer.getvalue()


def evidence_line(paper, evidence, context: int = 50) -> str:
    """``abstract[12:17] …text before [surface] text after…`` cut from the paper's own section text.

    >>> from kg.model import Evidence, Paper
    >>> evidence_line(Paper("T", "We use LoRA here."), Evidence("abstract", "We use LoRA here.", 7, 11, "LoRA"))
    'abstract[7:11] We use [LoRA] here.'
    """
    text = paper.title if evidence.section == "title" else paper.abstract
    before = text[max(0, evidence.start - context) : evidence.start]
    after = text[evidence.end : evidence.end + context]
    lead = "…" if evidence.start > context else ""
    tail = "…" if evidence.end + context < len(text) else ""
    return (f"{evidence.section}[{evidence.start}:{evidence.end}] "
            f"{lead}{before}[{text[evidence.start:evidence.end]}]{after}{tail}")


@click.command("extract")
@inputs_argument
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True,
              help="jsonl: one paper per line (scored by score.py); table: readable tables.")
@click.option("--explain", is_flag=True, help="Show why each entity was found (pattern, lexicon, ...) and its evidence.")
@year_option
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (atomically) instead of stdout.")
def extract(inputs, fmt, explain, year, out):
    """Extract the methods, models, datasets, benchmarks, metrics and tasks of each paper in INPUT...

    Rejected input records are reported on stderr, one line each."""
    result = read_papers(inputs, year)
    for reject in result.rejects:
        click.echo(f"skipped {reject.where}: {reject.reason}", err=True)
    extractions = _extract_with_progress(result.papers)
    text = render_jsonl(extractions, explain) if fmt == "jsonl" else render_table(extractions, explain)
    if out is not None:
        atomic_write_text(out, text)
    else:
        sys.stdout.write(text)


def _extract_with_progress(papers) -> list[PaperExtraction]:
    """extract_corpus, with a progress bar on stderr for long inputs when stderr is a terminal."""
    from kg.extract import extract_corpus

    if len(papers) < PROGRESS_MIN_PAPERS or not sys.stderr.isatty():
        return extract_corpus(papers)
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("extracting", total=len(papers))
        return extract_corpus(papers, on_paper=lambda: progress.advance(task))


COMMANDS = [extract]
