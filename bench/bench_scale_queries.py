"""`kg shared` and three bundled queries on a built graph: the Oxigraph store versus rdflib's memory store.

Takes a graph folder written by `kg build` (``kg build /tmp/synth-50k.jsonl --out /tmp/g50k``; corpora
from bench/synth.py). The Oxigraph side is what `kg shared` and `kg query` use (``open_graph``, opened
in place); the rdflib side is the same graph.ttl parsed into rdflib's in-memory store (minutes and
gigabytes past a few million triples: ``--no-memory`` skips it).

Workloads:

- ``kg shared``: the default top 50 pairs, reading the method-benchmark links from the store (what
  the first `kg shared` on a new graph does);
- ``kg shared cached``: the same from the links cached in the graph's generation folder (what every
  later `kg shared` does; the store is not read, so there is no rdflib column);
- ``kg shared --method``: the 50 methods closest to the method with the most benchmarks, cached;
- ``query NAME``: bundled queries papers-per-benchmark, top-datasets-benchmarks and
  methods-sharing-benchmarks (its top 50 pairs, counting every pair first).

Each workload runs ``--repeat`` times and is stopped after ``--timeout`` seconds: on the Oxigraph
store in a fresh interpreter of its own (its peak RSS is the workload's own), on the memory store in
this process (a fork would copy the graph's pages as Python touches them). Printed: the median wall
time on each store, their ratio (rdflib / Oxigraph: how many times faster the Oxigraph store is),
the rows, and the peak RSS of the Oxigraph process.

    .venv/bin/python bench/bench_scale_queries.py /tmp/g50k [--repeat 3] [--timeout 300] [--no-memory] [--workload NAME ...]
"""

from __future__ import annotations

import argparse
import multiprocessing
import signal
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Callable

from rdflib import Graph

from kg.analysis.shared import Incidence, cached_evaluated_on, shared_benchmarks
from kg.graph.store import current_generation
from kg.graph.store import TURTLE, open_graph, open_store
from kg.sparql.queries import bundled_queries
from kg.sparql.run import prepare, run_local

QUERIES = ("papers-per-benchmark", "top-datasets-benchmarks", "methods-sharing-benchmarks")
CACHED = ("kg shared cached", "kg shared --method")


def run_query(name: str, graph: Graph, cache: Path, method: str) -> int:
    """Run the bundled query ``name`` (no parameters) on ``graph``; the number of rows."""
    return len(list(run_local(graph, prepare(bundled_queries()[name], {}))))


def run_shared(graph: Graph, cache: Path | None, method: str) -> int:
    """`kg shared` with its defaults; the number of pairs."""
    return len(shared_benchmarks(graph, top=50, cache=cache))


def run_closest(graph: Graph, cache: Path, method: str) -> int:
    """`kg shared --method NAME`, the name resolved in the store, the links cached; the number of pairs."""
    return len(shared_benchmarks(graph, method=method, top=50, cache=cache))


WORKLOADS: dict[str, Callable[[Graph, Path, str], int]] = {
    "kg shared": lambda graph, cache, method: run_shared(graph, None, method),
    "kg shared cached": run_shared,
    "kg shared --method": run_closest,
    **{f"query {name}": partial(run_query, name) for name in QUERIES},
}
def busiest_method(incidence: Incidence) -> str:
    """The label of the method evaluated on the most benchmarks (the longest row to rank)."""
    return incidence.method_labels[int(incidence.degrees().argmax())]


def peak_rss_mb() -> float:
    """Peak resident memory of this process's own memory so far, in MB (Linux VmHWM: unlike
    getrusage's ru_maxrss it does not carry the parent's size over a fork and exec)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024


class TimedOut(Exception):
    """A workload ran past ``--timeout``."""


def timed(name: str, graph: Graph, cache: Path, method: str, repeat: int, timeout: float) -> tuple | None:
    """(median wall seconds of ``repeat`` runs, rows, peak RSS MB) of workload ``name`` on ``graph``
    in this process; None when a run takes more than ``timeout`` seconds (0: no limit; an alarm stops
    it: rdflib's SPARQL engine is Python, so the alarm interrupts it)."""
    def stop(signum, frame):
        raise TimedOut

    previous = signal.signal(signal.SIGALRM, stop)
    times, rows = [], 0
    try:
        for _ in range(repeat):
            signal.setitimer(signal.ITIMER_REAL, timeout)
            start = time.perf_counter()
            rows = WORKLOADS[name](graph, cache, method)
            times.append(time.perf_counter() - start)
            signal.setitimer(signal.ITIMER_REAL, 0)
    except TimedOut:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return statistics.median(times), rows, peak_rss_mb()


def timed_on_store(name: str, generation: Path, cache: Path, method: str, repeat: int, answer) -> None:
    """In a process of its own: ``timed`` on the Oxigraph store of ``generation``, sent to ``answer``."""
    answer.send(timed(name, open_graph(generation), cache, method, repeat, 0))


def measure_store(name: str, generation: Path, cache: Path, method: str, repeat: int, timeout: float) -> tuple | None:
    """``timed`` on the Oxigraph store in a fresh interpreter, killed after ``timeout`` seconds (Oxigraph
    runs a query in native code, which no alarm stops), so its peak RSS is the workload's own."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=timed_on_store, args=(name, generation, cache, method, repeat, send))
    child.start()
    result = receive.recv() if receive.poll(timeout) else None
    child.kill()
    child.join()
    return result


def load_memory(graph_dir: Path) -> Graph:
    """graph.ttl of ``graph_dir`` parsed into rdflib's in-memory store."""
    graph = Graph()
    graph.parse(Path(graph_dir) / TURTLE, format="turtle")
    return graph


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300, help="seconds per workload and store")
    parser.add_argument("--no-memory", action="store_true", help="only the Oxigraph store (rdflib is slow to load)")
    parser.add_argument("--workload", action="append", choices=list(WORKLOADS), help="run only these (repeatable)")
    args = parser.parse_args(argv)
    generation = current_generation(args.graph_dir) or args.graph_dir
    start = time.perf_counter()
    oxigraph = open_graph(generation)
    print(f"open Oxigraph store: {time.perf_counter() - start:.2f} s ({len(open_store(generation))} triples)")
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        start = time.perf_counter()
        incidence = cached_evaluated_on(oxigraph, cache)
        method = busiest_method(incidence)
        print(f"links read and cached: {time.perf_counter() - start:.2f} s ({incidence.matrix.nnz} method-benchmark "
              f"links, {len(incidence.methods)} methods, {len(incidence.benchmarks)} benchmarks; "
              f"busiest method {method!r})")
        memory = None
        if not args.no_memory:
            start = time.perf_counter()
            memory = load_memory(generation)
            print(f"parse graph.ttl into rdflib memory: {time.perf_counter() - start:.1f} s, "
                  f"peak RSS {peak_rss_mb():.0f} MB")
        print(f"{'workload':<42} {'oxigraph s':>10} {'rdflib s':>9} {'ratio':>7} {'rows':>7} {'peak MB':>8}")
        for name in args.workload or WORKLOADS:
            found = measure_store(name, generation, cache, method, args.repeat, args.timeout)
            ox_text, rows, peak = (f"{found[0]:.3f}", found[1], f"{found[2]:.0f}") if found else (f"> {args.timeout:.0f}", "-", "-")
            mem_text = ratio = "-"
            if memory is not None and name not in CACHED:
                in_memory = timed(name, memory, cache, method, args.repeat, args.timeout)
                mem_text = f"{in_memory[0]:.3f}" if in_memory else f"> {args.timeout:.0f}"
                if found and in_memory:
                    assert in_memory[1] == rows, f"{name}: {in_memory[1]} rows in memory, {rows} in Oxigraph"
                    ratio = f"{in_memory[0] / found[0]:.1f}"
            print(f"{name:<42} {ox_text:>10} {mem_text:>9} {ratio:>7} {rows:>7} {peak:>8}", flush=True)


if __name__ == "__main__":
    main()
