"""Benchmark of the SPARQL layer: every bundled query in-process and through `kg serve`, and `kg push`.

Target (chosen for interactive use; the issue sets none): every bundled query answers in < 1 s on a
graph of 5k papers, in-process and through the endpoint. Prints, per query, the median time of 3
runs (parsing, name lookups, the query and JSON serialisation), the target and their ratio (< 1
meets it), the endpoint/in-process ratio (the cost of HTTP and the worker pipe), then `kg push` throughput into a real `oxigraph serve`, and peak
memory: this process's resident peak and the Python peak of the slowest query (traced).

    .venv/bin/python bench/bench_sparql.py [--papers 5000]

The graph is built by the real pipeline's triple builder (kg.graph.build.graph_chunks) from
synthetic extractions with a skewed (Zipf-like) entity popularity, written with
kg.graph.store.write_graph and read through open_graph, as `kg query` and `kg serve` do.
"""

from __future__ import annotations

import argparse
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from functools import partial
from pathlib import Path

import httpx

from kg.graph.build import graph_chunks
from kg.graph.store import open_graph, write_chunks
from kg.model import ENTITY_TYPES, Evidence, ExtractedEntity, Paper, PaperDate, PaperExtraction
from kg.sparql.binding import collect_params
from kg.sparql.queries import bundled_queries
from kg.sparql.results import cap_result, serialize_result
from kg.sparql.run import prepare, run_local
from kg.vocab import DEFAULT_BASE_IRI

TARGET_S = 1.0
BIN = Path(sys.executable).parent
ROLE_BY_TYPE = {"Method": "proposed", "Model": "proposed", "Dataset": "used", "Benchmark": "evaluated_on",
                "Metric": "used", "Task": "used"}


def synthetic_extractions(papers: int, seed: int = 0):
    """``papers`` extractions, each linking 6 entities drawn with Zipf-like popularity per type."""
    rng = random.Random(seed)
    pool = {kind: [f"{kind} {i}" for i in range(max(20, papers // 10))] for kind in ENTITY_TYPES}
    weights = {kind: [1.0 / (i + 1) ** 0.9 for i in range(len(names))] for kind, names in pool.items()}
    for index in range(papers):
        paper = Paper(
            title=f"Synthetic paper {index}",
            abstract="We propose a method.",
            arxiv_id=f"24{index // 100000 + 1:02d}.{index % 100000:05d}",
            date=PaperDate(month=1 + index % 12, day=1 + index % 28, year=2024),
        )
        entities = []
        for kind in ("Method", "Model", "Dataset", "Benchmark", "Benchmark", "Metric"):
            name = rng.choices(pool[kind], weights[kind])[0]
            role = ROLE_BY_TYPE[kind] if rng.random() < 0.7 else "used"
            evidence = (Evidence("abstract", f"We use {name}.", 7, 7 + len(name), name),)
            entities.append(ExtractedEntity(name, kind, role, aliases=(name.replace(" ", ""),), evidence=evidence))
        yield PaperExtraction(paper, entities)


PARAMS = {
    "adoption-by-month": ["entity=Method 0"],
    "entity-aliases": ["entity=model1"],
    "link-evidence": ["entity=Benchmark 0"],
    "paper-entities": ["paper=2401.00007"],
    "papers-using-model": ["model=Model 0"],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def median_seconds(run, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=5_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-sparql-") as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        write_chunks(tmp / "graph", graph_chunks(synthetic_extractions(args.papers), DEFAULT_BASE_IRI))
        graph = open_graph(tmp / "graph")
        print(f"{args.papers} papers, {len(graph)} triples, built in {time.perf_counter() - start:.1f} s")

        port = free_port()
        command = [str(BIN / "kg"), "serve", "--graph", str(tmp / "graph"), "--port", str(port), "--timeout", "60",
                   "--max-rows", "100000"]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        endpoint = f"http://127.0.0.1:{port}/sparql"
        slowest = ("", 0.0)
        try:
            wait_for(endpoint.removesuffix("sparql"), server)
            client = httpx.Client(timeout=120)
            print(f"{'query':<28} {'rows':>6} {'local':>8} {'ratio':>6} {'endpoint':>9} {'ratio':>6}  http/local")
            for name, query in bundled_queries().items():
                params = PARAMS.get(name, [])
                run = partial(run_local, graph)

                def local():
                    prepared = prepare(query, collect_params(params), run)
                    return serialize_result(cap_result(run(prepared), 100_000)[0], "json")

                def remote():
                    data = {"query": query.text, "param": params}
                    response = client.post(endpoint, data=data, headers={"Accept": "application/sparql-results+json"})
                    response.raise_for_status()

                rows = len(list(run(prepare(query, collect_params(params), run))))
                local_s, remote_s = median_seconds(local), median_seconds(remote)
                slowest = max(slowest, (name, local_s), key=lambda item: item[1])
                verdict = "ok" if max(local_s, remote_s) < TARGET_S else "SLOW"
                print(f"{name:<28} {rows:>6} {local_s:7.3f}s {local_s / TARGET_S:6.2f} {remote_s:8.3f}s "
                      f"{remote_s / TARGET_S:6.2f}  {remote_s / local_s:5.2f}  {verdict}")
        finally:
            server.terminate()
            server.wait()

        tracemalloc.start()
        run = partial(run_local, graph)
        prepared = prepare(bundled_queries()[slowest[0]], collect_params(PARAMS.get(slowest[0], [])), run)
        serialize_result(cap_result(run(prepared), 100_000)[0], "json")
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"slowest query {slowest[0]}: Python peak {peak:.1f} MiB (traced)")

        binary = BIN / "oxigraph"
        if binary.exists():
            port = free_port()
            server = subprocess.Popen([str(binary), "serve", "--location", str(tmp / "remote"), "--bind",
                                       f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_for(f"http://127.0.0.1:{port}/", server)
                start = time.perf_counter()
                subprocess.run([str(BIN / "kg"), "push", "--graph", str(tmp / "graph"), "--endpoint",
                                f"http://127.0.0.1:{port}/store"], check=True, capture_output=True)
                seconds = time.perf_counter() - start
                print(f"kg push into oxigraph serve: {len(graph)} triples in {seconds:.1f} s "
                      f"({len(graph) / seconds:,.0f} triples/s, including kg start-up)")
            finally:
                server.terminate()
                server.wait()
    print(f"peak resident memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
