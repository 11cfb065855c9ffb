"""Benchmark of the graph page (kg.viz): time to write the HTML and time to first draw in Chromium.

Targets (from the issue): the whole seed graph first drawn in headless Chromium in < 3 s; a
10k-node graph's HTML written in < 3 s and drawn in < 10 s. Prints, per case, the measured time,
the target and their ratio (< 1 meets the target) and the peak Python memory of writing the page.

    .venv/bin/python bench/bench_viz.py [--nodes 10000] [--seeds ../shared/seeds]

The seed case builds ../shared/seeds with `kg build` first and is skipped when they are absent. The
synthetic case is a paper-entity graph with a skewed (Zipf-like) entity popularity, written to a real
Oxigraph store and read back through kg.graph.store.open_graph, as `kg viz` does.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from rdflib import RDF, SKOS, Literal, URIRef

from kg.graph.store import open_graph, write_graph
from kg.model import ENTITY_TYPES
from kg.viz import write_html
from kg.viz.browser import chromium_path, open_page, wait_until_drawn
from kg.vocab import DEFAULT_BASE_IRI, KG, RELATIONS, TYPE_CLASS

REPO = Path(__file__).resolve().parent.parent
WRITE_TARGET_S = 3.0
SEED_DRAW_TARGET_S = 3.0
BIG_DRAW_TARGET_S = 10.0


def synthetic_triples(nodes: int, links_per_paper: int = 5, seed: int = 0):
    """Triples of a paper-entity graph with about ``nodes`` nodes (a quarter of them papers)."""
    rng = np.random.default_rng(seed)
    papers = nodes // 4
    entities = nodes - papers
    weights = 1.0 / np.arange(1, entities + 1) ** 0.8
    weights /= weights.sum()
    entity_iris = []
    for i in range(entities):
        kind = ENTITY_TYPES[i % len(ENTITY_TYPES)]
        iri = URIRef(f"{DEFAULT_BASE_IRI}{kind.lower()}/entity-{i}")
        entity_iris.append(iri)
        yield iri, RDF.type, TYPE_CLASS[kind]
        yield iri, SKOS.prefLabel, Literal(f"{kind} {i}")
    for p in range(papers):
        paper = URIRef(f"{DEFAULT_BASE_IRI}paper/synthetic-{p}")
        yield paper, RDF.type, KG.Paper
        yield paper, URIRef("http://purl.org/dc/terms/title"), Literal(f"Synthetic paper {p}")
        for e in sorted(set(rng.choice(entities, size=links_per_paper, p=weights).tolist())):
            yield paper, RELATIONS[int(rng.integers(len(RELATIONS)))], entity_iris[e]


def timed_write(graph_dir: Path, out: Path) -> tuple[float, float, object]:
    """Seconds to write the page of ``graph_dir``, the peak MiB Python allocates doing it (a second
    run, traced: tracing slows Python down), and what the page shows."""
    start = time.perf_counter()
    summary = write_html(open_graph(graph_dir), out)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    write_html(open_graph(graph_dir), out)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, summary


def draw_seconds(page_path: Path) -> tuple[float, int]:
    """Seconds from navigation start to the first complete drawing, and the nodes the page holds."""
    with open_page(page_path) as (page, log):
        drawn_ms = wait_until_drawn(page, timeout_ms=120_000)
        count = page.evaluate("window.kg.nodes.length")
        if log.blocked or log.errors:
            raise SystemExit(f"{page_path}: blocked requests {log.blocked}, errors {log.errors}")
    return drawn_ms / 1000.0, count


def report(case: str, what: str, seconds: float, target: float, extra: str = "") -> None:
    ratio = seconds / target
    verdict = "ok" if ratio < 1 else "SLOW"
    print(f"{case:<10} {what:<12} {seconds:7.2f} s  target {target:4.1f} s  ratio {ratio:5.2f}  {verdict}  {extra}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    args = parser.parse_args(argv)
    if chromium_path() is None:
        print("chromium is not installed (Debian package chromium); drawing times are skipped")
    with tempfile.TemporaryDirectory(prefix="bench-viz-") as tmp:
        tmp = Path(tmp)
        seeds = sorted(args.seeds.glob("*.txt")) if args.seeds.is_dir() else []
        if seeds:
            kg = Path(sys.executable).with_name("kg")
            subprocess.run([str(kg), "build", *map(str, seeds), "--out", str(tmp / "seed")],
                           check=True, capture_output=True)
            seconds, peak, summary = timed_write(tmp / "seed", tmp / "seed.html")
            report("seed", "write html", seconds, WRITE_TARGET_S,
                   f"{summary.nodes} nodes, {summary.edges} links, peak {peak:.0f} MiB")
            if chromium_path():
                drawn, count = draw_seconds(tmp / "seed.html")
                report("seed", "first draw", drawn, SEED_DRAW_TARGET_S, f"{count} nodes in the page")
        else:
            print(f"{args.seeds}: no seed pages; the seed case is skipped")
        write_graph(tmp / "big", synthetic_triples(args.nodes))
        seconds, peak, summary = timed_write(tmp / "big", tmp / "big.html")
        size = (tmp / "big.html").stat().st_size / 2**20
        report(f"{args.nodes // 1000}k", "write html", seconds, WRITE_TARGET_S,
               f"{summary.nodes} nodes, {summary.edges} links, {size:.1f} MiB page, peak {peak:.0f} MiB")
        if chromium_path():
            drawn, count = draw_seconds(tmp / "big.html")
            report(f"{args.nodes // 1000}k", "first draw", drawn, BIG_DRAW_TARGET_S, f"{count} nodes in the page")
    print(f"peak resident memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
