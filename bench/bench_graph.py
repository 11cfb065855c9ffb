"""Graph writing scaling: graph_chunks + write_chunks on synthetic extractions of growing size.

For each size it prints the papers, triples, seconds for generating the chunks (graph_chunks), for
the whole streaming write_chunks (chunks, graph.ttl, store bulk load, counts, fsync, swap), the ratio
of write_chunks to generating the chunks plus a bare pyoxigraph bulk load of the same Turtle (the
floor), the seconds of a rewrite in place with one paper more (the store is a checkpoint of the
previous one plus the changed chunks), and the peak RSS. The time ratio between sizes shows whether
writing stays linear. Each size runs in its own process so the peak memory is its own. No extraction
is involved: the extractions are generated (deterministic).

usage: python bench/bench_graph.py [--papers 1000 5000 20000]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg.graph.build import graph_chunks, turtle_document
from kg.graph.store import write_chunks
from kg.model import ENTITY_TYPES, ROLES, Evidence, ExtractedEntity, Paper, PaperDate, PaperExtraction, Source
from kg.vocab import DEFAULT_BASE_IRI


def extractions(papers: int, seed: int = 0) -> list[PaperExtraction]:
    """``papers`` papers with 6-12 entities each from a pool growing like papers**0.8."""
    rng = random.Random(seed)
    pool = [(f"Entity {i} {rng.choice('ABCDEFGH')}", ENTITY_TYPES[i % len(ENTITY_TYPES)]) for i in range(int(papers**0.8) + 50)]
    result = []
    for index in range(papers):
        chosen = {pool[int(len(pool) * rng.random() ** 3)] for _ in range(rng.randint(6, 12))}
        sentences = [f"We study {name} in depth." for name, _ in sorted(chosen)]
        abstract = " ".join(sentences)
        entities, offset = [], 0
        for (name, kind), sentence in zip(sorted(chosen), sentences):
            start = offset + sentence.index(name)
            evidence = Evidence("abstract", sentence, start, start + len(name), name)
            entities.append(ExtractedEntity(name, kind, rng.choice(ROLES), (name.upper(),), rng.random(), (evidence,), ("bench",)))
            offset += len(sentence) + 1
        paper = Paper(
            title=f"Paper {index}",
            abstract=abstract,
            arxiv_id=f"{2000 + index // 100000}.{index % 100000:05d}",
            date=PaperDate(1 + index % 12, 1 + index % 28, 2020 + index % 5),
            upvotes=index % 50,
            author_count=1 + index % 9,
            sources=(Source("bench.jsonl", index + 1, "jsonl"),),
        )
        result.append(PaperExtraction(paper, entities, extractor_version="bench"))
    return result


def run_one(papers: int) -> None:
    """Measure one size in this process and print one row (peak RSS of the streaming write)."""
    items = extractions(papers + 1)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        written = write_chunks(Path(folder) / "g", graph_chunks(items[:papers], DEFAULT_BASE_IRI))
        write = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        rewritten = write_chunks(Path(folder) / "g", graph_chunks(items, DEFAULT_BASE_IRI))
        rewrite = time.perf_counter() - start
        assert rewritten.reused_chunks > 0
        start = time.perf_counter()
        turtle = turtle_document(graph_chunks(items[:papers], DEFAULT_BASE_IRI))
        generate = time.perf_counter() - start
        start = time.perf_counter()
        store = ox.Store(str(Path(folder) / "raw"))
        store.bulk_load(turtle.encode("utf-8"), ox.RdfFormat.TURTLE)
        store.flush()
        del store
        raw = generate + time.perf_counter() - start
    print(
        f"{papers:>8} {written.counts.triples:>10} {generate:>9.2f} {write:>9.2f} {write / raw:>10.1f} "
        f"{rewrite:>10.2f} {peak_mb:>9.0f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one)
        return
    print(f"{'papers':>8} {'triples':>10} {'chunks s':>9} {'write s':>9} {'write/raw':>10} {'+1 paper s':>10} {'peak MB':>9}")
    for papers in args.papers:
        subprocess.run([sys.executable, __file__, "--one", str(papers)], check=True)


if __name__ == "__main__":
    main()
