"""`kg build` end to end at growing corpus sizes, then an incremental build adding papers to the largest.

For each size N it makes a synthetic corpus (bench/synth.py, from the seed pages you pass), runs the
real CLI ``kg build corpus --out DIR -j JOBS`` in a child process and prints: papers, triples, wall
seconds, peak RSS of the whole process tree (the build and its extraction workers, sampled every
50 ms), and the per-paper slope in ms between consecutive sizes (equal slopes = linear cost).

Then the incremental case: the largest corpus is a folder, and the graph is rebuilt after a second file
with the ``--add`` next records lands in it (``kg build corpus-N/``, as a folder of daily dumps grows;
the folder keeps the recorded source names stable), which extracts only the new papers
(extraction cache), consolidates again only the papers whose things' decisions changed (the last
build's consolidation state), copies the graph text of papers whose extraction did not change, and updates a
checkpoint of the previous store with the statements that changed; with
--check-full the graph.ttl it writes is compared byte for byte with a full build of the same inputs
in a fresh folder.

    .venv/bin/python bench/bench_build.py ../shared/seeds [--papers 1000 10000 50000] [--add 1000] [--jobs 2]

With ``--stages N`` it instead runs the stages of `kg build` one by one in this process on N records and
prints the seconds of each (read, spaCy pass, consolidation, chunks, graph.ttl, store load, counts,
graph.html, extraction cache) and the peak RSS of this process.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from synth import generate  # noqa: E402

KG = [sys.executable, "-c", "from kg.cli import main; main()"]


@dataclass(frozen=True)
class Run:
    """One measured `kg build`."""

    papers: int
    triples: int
    seconds: float
    peak_mb: float
    summary: str  # what `kg build` printed


def write_corpus(seeds: Path, papers: int, path: Path, start: int = 0, stop: int | None = None) -> None:
    """Records ``start`` to ``stop`` (default: all) of a corpus of ``papers`` synthetic records to ``path``."""
    with open(path, "w", encoding="utf-8") as out:
        for index, record in enumerate(generate(seeds, papers)):
            if stop is not None and index >= stop:
                break
            if index >= start:
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of ``process`` and all its descendants (0 for any that just ended)."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def timed_build(inputs: list[Path], out: Path, jobs: int) -> Run:
    """Run `kg build` on ``inputs`` into ``out``; wall time and the process tree's peak RSS."""
    start = time.perf_counter()
    child = subprocess.Popen([*KG, "build", *map(str, inputs), "--out", str(out), "-j", str(jobs)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        try:
            peak = max(peak, tree_rss(process))
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        sys.exit(f"kg build failed: {child.stderr.read().decode()}")
    counts = json.loads((out / "build.json").read_text())["counts"]
    return Run(counts["papers"], counts["triples"], seconds, peak / 2**20, child.stdout.read().decode())


def summary_number(run: Run, row: str) -> int | None:
    """A number from the summary table `kg build` printed (None when the row is missing)."""
    found = re.search(rf"{re.escape(row)}\s*│\s*(\d+)", run.summary)
    return int(found.group(1)) if found else None


def stages(seeds: Path, records: int, jobs: int, tmp: Path) -> None:
    """Time each stage of `kg build` on ``records`` synthetic records, in this process."""
    from kg.cli.options import read_papers
    from kg.extract.pipeline import corpus_extractions, mentions_of
    from kg.graph.build import graph_chunks
    from kg.graph.extraction import CACHE, Extracted, save_cache
    from kg.graph.stats import graph_counts
    from kg.extract import extractor_version
    from kg.graph.store import TURTLE, load_store, open_graph, write_turtle
    from kg.viz import write_overview
    from kg.vocab import DEFAULT_BASE_IRI

    tmp.mkdir(parents=True, exist_ok=True)
    corpus = tmp / f"synth-{records}.jsonl"
    write_corpus(seeds, records, corpus)
    out = tmp / f"stages-{records}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    timings: list[tuple[str, float]] = []

    def timed(name, work):
        start = time.perf_counter()
        result = work()
        timings.append((name, time.perf_counter() - start))
        return result

    papers = timed("read", lambda: read_papers([corpus], None).papers)
    mentions = timed(f"extract: spaCy pass (-j {jobs})", lambda: mentions_of(papers, jobs))
    extractions = timed("extract: consolidate", lambda: corpus_extractions(papers, mentions))
    chunks = timed("chunks (triples as Turtle)", lambda: list(graph_chunks(extractions, DEFAULT_BASE_IRI)))
    spans = timed("graph.ttl", lambda: write_turtle(out / TURTLE, chunks))
    timed("store bulk load", lambda: load_store(out, out, spans, None))
    graph = open_graph(out)
    counts = timed("counts", lambda: graph_counts(graph))
    timed("graph.html (2,000 most connected nodes)", lambda: write_overview(graph, out / "graph.html"))
    cached = {p.content_hash: m for p, m in zip(papers, mentions)}
    timed("extraction cache", lambda: save_cache(out / CACHE, Extracted(extractions, 0, cached, extractor_version())))
    total = sum(seconds for _, seconds in timings)
    print(f"{len(papers)} papers, {counts.triples} triples, {total:.1f} s, "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (this process)")
    print(f"| {'stage':<40} | {'seconds':>8} | {'share':>6} | {'ms/paper':>8} |")
    for name, seconds in timings:
        print(f"| {name:<40} | {seconds:8.2f} | {100 * seconds / total:5.1f}% | {1000 * seconds / len(papers):8.3f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", type=Path, help="folder of seed page dumps (../shared/seeds)")
    parser.add_argument("--papers", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--add", type=int, default=1000, help="papers added for the incremental build")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", type=Path, help="keep corpora and graphs here (default: a temporary folder)")
    parser.add_argument("--check-full", action="store_true", help="also build the grown corpus from scratch and compare")
    parser.add_argument("--stages", type=int, metavar="N", help="time each stage of a build of N records instead")
    args = parser.parse_args(argv)
    if args.stages:
        with tempfile.TemporaryDirectory() as folder:
            stages(args.seeds, args.stages, args.jobs, args.workdir or Path(folder))
        return
    print(f"cpus {os.cpu_count()}, memory {psutil.virtual_memory().total / 2**30:.1f} GiB, jobs {args.jobs}")
    print(f"{'records':>8} {'papers':>8} {'triples':>10} {'wall s':>8} {'peak MB':>8} {'ms/paper':>9} {'slope ms':>9}")
    with tempfile.TemporaryDirectory() as folder:
        tmp = args.workdir or Path(folder)
        tmp.mkdir(parents=True, exist_ok=True)
        previous: Run | None = None
        largest = args.papers[-1]
        for records in args.papers:
            if records == largest:  # the first papers of the corpus the incremental build grows to
                corpus = tmp / f"corpus-{records}"
                shutil.rmtree(corpus, ignore_errors=True)
                corpus.mkdir()
                write_corpus(args.seeds, records + args.add, corpus / "synth.jsonl", stop=records)
            else:
                corpus = tmp / f"synth-{records}.jsonl"
                write_corpus(args.seeds, records, corpus)
            run = timed_build([corpus], tmp / f"out-{records}", args.jobs)
            slope = f"{1000 * (run.seconds - previous.seconds) / (run.papers - previous.papers):9.2f}" if previous else ""
            print(f"{records:>8} {run.papers:>8} {run.triples:>10} {run.seconds:>8.1f} {run.peak_mb:>8.0f} "
                  f"{1000 * run.seconds / run.papers:>9.2f} {slope:>9}", flush=True)
            previous = run
        incremental(args.seeds, tmp, largest, args.add, args.jobs, args.check_full)


def incremental(seeds: Path, tmp: Path, records: int, add: int, jobs: int, check_full: bool) -> None:
    """Rebuild the graph of ``records`` papers with a file of ``add`` more; optionally compare with a full build."""
    inputs = [tmp / f"corpus-{records}"]
    write_corpus(seeds, records + add, inputs[0] / "new.jsonl", start=records)
    out = tmp / f"out-{records}"
    run = timed_build(inputs, out, jobs)
    print(f"incremental +{add} records on {records}: {run.seconds:.1f} s wall, peak {run.peak_mb:.0f} MB, "
          f"{run.triples} triples, papers extracted {summary_number(run, 'papers extracted')}, "
          f"cached {summary_number(run, 'papers unchanged (cached)')}, "
          f"consolidated {summary_number(run, 'papers consolidated')}, "
          f"graph chunks kept {summary_number(run, 'graph chunks kept from the last build')}", flush=True)
    if check_full:
        full = timed_build(inputs, tmp / "full", jobs)
        same = (out / "graph.ttl").read_bytes() == (tmp / "full" / "graph.ttl").read_bytes()
        print(f"full build of the same: {full.seconds:.1f} s (incremental/full {run.seconds / full.seconds:.2f}); "
              f"graph.ttl identical: {same}", flush=True)


if __name__ == "__main__":
    main()
