"""`kg shared` and three bundled queries on a built graph: the Oxigraph store versus rdflib's memory store.

Takes a graph folder written by `kg build` (e.g. by bench/bench_build.py, or
``kg build /tmp/synth-50k.jsonl --out /tmp/g50k``). The Oxigraph side is what `kg shared` and
`kg query` use (``open_graph``, opened in place); the rdflib side is the same graph.ttl parsed into
rdflib's in-memory store. Prints the load time of each store, then per workload the median of
``--repeat`` runs on each store and their ratio (rdflib / Oxigraph: how many times faster the store
is), and the peak RSS of this process.

    .venv/bin/python bench/bench_scale_queries.py /tmp/g50k [--repeat 3] [--no-memory] [--workload 'kg shared' ...]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from functools import partial
from pathlib import Path
from typing import Callable

from rdflib import Graph

from kg.analysis.shared import shared_benchmarks
from kg.graph.store import TURTLE, open_graph
from kg.sparql.queries import bundled_queries
from kg.sparql.run import prepare, run_local

QUERIES = ("papers-per-benchmark", "top-datasets-benchmarks", "methods-sharing-benchmarks")


def run_query(name: str, graph: Graph) -> int:
    """Run the bundled query ``name`` (no parameters) on ``graph``; the number of rows."""
    return len(list(run_local(graph, prepare(bundled_queries()[name], {}))))


def run_shared(graph: Graph) -> int:
    """What `kg shared` computes: ranked method pairs sharing benchmarks; the number of pairs."""
    return len(shared_benchmarks(graph))


WORKLOADS: dict[str, Callable[[Graph], int]] = {
    "kg shared": run_shared,
    **{f"query {name}": partial(run_query, name) for name in QUERIES},
}


def median_seconds(work: Callable[[Graph], int], graph: Graph, repeat: int) -> tuple[float, int]:
    """Median wall seconds of ``repeat`` runs of ``work(graph)``, and its result."""
    times, result = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = work(graph)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def load_memory(graph_dir: Path) -> Graph:
    """graph.ttl of ``graph_dir`` parsed into rdflib's in-memory store."""
    graph = Graph()
    graph.parse(Path(graph_dir) / TURTLE, format="turtle")
    return graph


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="only the Oxigraph store (rdflib is slow to load)")
    parser.add_argument("--workload", action="append", choices=list(WORKLOADS), help="run only these (repeatable)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    oxigraph = open_graph(args.graph_dir)
    print(f"open Oxigraph store: {time.perf_counter() - start:.2f} s ({len(oxigraph)} triples)")
    memory = None
    if not args.no_memory:
        start = time.perf_counter()
        memory = load_memory(args.graph_dir)
        print(f"parse graph.ttl into rdflib memory: {time.perf_counter() - start:.1f} s")
    print(f"{'workload':<42} {'oxigraph s':>10} {'rdflib s':>9} {'ratio':>7} {'rows':>7}")
    for name in args.workload or WORKLOADS:
        work = WORKLOADS[name]
        ox_seconds, rows = median_seconds(work, oxigraph, args.repeat)
        if memory is None:
            print(f"{name:<42} {ox_seconds:>10.3f} {'-':>9} {'-':>7} {rows:>7}", flush=True)
            continue
        mem_seconds, mem_rows = median_seconds(work, memory, args.repeat)
        assert mem_rows == rows, f"{name}: {mem_rows} rows in memory, {rows} in Oxigraph"
        print(f"{name:<42} {ox_seconds:>10.3f} {mem_seconds:>9.3f} {mem_seconds / ox_seconds:>7.1f} {rows:>7}", flush=True)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
