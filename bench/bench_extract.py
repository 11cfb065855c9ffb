"""Extraction speed on the seed papers: abstracts per second on one core, the ratio to spaCy's
blank English tokenizer over the same texts (target: >= 500 abstracts/s, ratio <= 8), and peak
memory. Times are CPU seconds of this one process, best of N; the ratio is the median over N
interleaved (tokenizer, extractor) pairs, which is robust to load from other processes.
Not a test: prints numbers.

With ``--scale CORPUS`` (a JSON Lines corpus, e.g. from bench/synth.py): wall and CPU time of the
per-paper pass on 1 and on ``--processes`` processes (the speed-up of ``kg build -j``), of the
consolidation, and of spaCy's blank tokenizer alone over the same titles and abstracts on one core
(what any spaCy-based extractor must spend), with peak memory of this process and of the workers.

usage: python bench/bench_extract.py [SEEDS_DIR] [--repeat N]
       python bench/bench_extract.py --scale CORPUS [--processes N] [--tokenizer-only]

Last measured (2026-11-23, 2 cores shared with three other jobs, load 3-5, so +-20% run to run):
seeds, --repeat 7: extract_corpus 737-888 ms CPU, 452-544 abstracts/s, ratio 7.4-9.0 (median of
runs ~8.1), peak 169 MB; the previous extractor measured 1126-1169 ms, 343-356 abstracts/s, ratio
12.0-12.8 in the same session. --scale on 9,052 synthetic papers (synth.py --papers 10000):
tokenizer 2.2-2.5 CPU-s; pass 12.2-12.3 CPU-s on 1 process (~740 papers/CPU-s; cold 11.8-13.1);
on 2 processes 12.3-14.5 CPU-s in the workers + 2.2 in the main process (unpickling), i.e. a
speed-up of ~1.5-1.6 on two idle cores (wall speed-up measured 0.8-1.1: no idle core); consolidation
7.6-10.4 CPU-s on one process, 4.3-5.8 after the consolidation rework (6.0 -> 4.6 typical, interleaved runs); peak 1.0 GB (this process holds the mentions twice). --scale
--tokenizer-only on 43,186 papers (synth.py --papers 50000): 11.4 CPU-s.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

import spacy

from kg.extract import extract_corpus
from kg.extract.pipeline import build_nlp, collector_paused, corpus_extractions, mentions_of
from kg.extract.resources import load_resources
from kg.sources import read_inputs

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def cpu_seconds(run) -> float:
    """CPU time (seconds, this process) of one call of ``run()``: CPU time, not wall time, so that
    other processes on a shared machine disturb the numbers less."""
    start = time.process_time()
    run()
    return time.process_time() - start


def paired_times(first, second, repeat: int) -> list[tuple[float, float]]:
    """``repeat`` pairs of CPU times, the two runs interleaved so both see the same machine load."""
    return [(cpu_seconds(first), cpu_seconds(second)) for _ in range(repeat)]


def wall_seconds(run):
    """(wall seconds, result) of one call of ``run()``."""
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def cpu_of(who: int) -> float:
    """User + system CPU seconds used so far by this process (``RUSAGE_SELF``) or its finished
    children (``RUSAGE_CHILDREN``)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def scale(corpus: Path, processes: int, tokenizer_only: bool) -> None:
    """Print the blank tokenizer, the per-paper pass on 1 and ``processes`` processes and the
    consolidation over ``corpus``: wall seconds, and CPU seconds of this process and of the pool's
    workers (on a machine other jobs load, wall times stretch; CPU times show the work)."""
    papers = read_inputs([corpus]).papers
    texts = [t for p in papers for t in (p.title, p.abstract or "")]
    n = len(papers)
    blank = spacy.blank("en")
    with collector_paused():
        start = cpu_of(resource.RUSAGE_SELF)
        tokenizer_s, _ = wall_seconds(lambda: [blank.tokenizer(t) for t in texts])
        tokenizer_cpu = cpu_of(resource.RUSAGE_SELF) - start
    print(f"papers: {n}  texts: {len(texts)}")
    print(f"blank tokenizer (1 core): wall {tokenizer_s:6.1f} s  cpu {tokenizer_cpu:6.1f} s  {n / tokenizer_cpu:5.0f} papers/cpu-s")
    if tokenizer_only:
        return
    load_resources()
    build_nlp()  # loaded before the pool forks, so workers inherit it
    start = cpu_of(resource.RUSAGE_SELF)
    cold_s, _ = wall_seconds(lambda: mentions_of(papers, 1))  # every word new to spaCy's vocab and the caches
    cold_cpu = cpu_of(resource.RUSAGE_SELF) - start
    start = cpu_of(resource.RUSAGE_SELF)
    one_s, mentions = wall_seconds(lambda: mentions_of(papers, 1))  # warm, as the forked workers are
    one_cpu = cpu_of(resource.RUSAGE_SELF) - start
    start, start_children = cpu_of(resource.RUSAGE_SELF), cpu_of(resource.RUSAGE_CHILDREN)
    many_s, in_pool = wall_seconds(lambda: mentions_of(papers, processes))
    main_cpu = cpu_of(resource.RUSAGE_SELF) - start
    workers_cpu = cpu_of(resource.RUSAGE_CHILDREN) - start_children
    assert in_pool == mentions, "the pool changed the mentions"
    del in_pool
    start = cpu_of(resource.RUSAGE_SELF)
    consolidate_s, _ = wall_seconds(lambda: corpus_extractions(papers, mentions))
    consolidate_cpu = cpu_of(resource.RUSAGE_SELF) - start
    print(f"mentions: {sum(map(len, mentions))}")
    print(f"per-paper pass, 1 process, cold: wall {cold_s:6.1f} s  cpu {cold_cpu:6.1f} s  {n / cold_cpu:5.0f} papers/cpu-s")
    print(f"per-paper pass, 1 process:   wall {one_s:6.1f} s  cpu {one_cpu:6.1f} s  {n / one_cpu:5.0f} papers/cpu-s")
    print(f"per-paper pass, {processes} processes: wall {many_s:6.1f} s  cpu {main_cpu:6.1f} s here + "
          f"{workers_cpu:6.1f} s in workers (wall speed-up {one_s / many_s:.2f}; "
          f"on {processes} otherwise idle cores: {one_cpu / ((main_cpu + workers_cpu) / processes):.2f})")
    print(f"consolidation, 1 process:    wall {consolidate_s:6.1f} s  cpu {consolidate_cpu:6.1f} s")
    print(f"peak memory (max RSS): this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
          f"largest worker {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")


def main(argv: list[str]) -> None:
    if "--scale" in argv:
        processes = int(argv[argv.index("--processes") + 1]) if "--processes" in argv else 2
        scale(Path(argv[argv.index("--scale") + 1]), processes, "--tokenizer-only" in argv)
        return
    args = [a for a in argv if not a.startswith("--")]
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 3
    seeds = Path(args[0]) if args and args[0] != str(repeat) else SEEDS
    papers = read_inputs([seeds]).papers
    texts = [t for p in papers for t in (p.title, p.abstract or "")]

    start = time.perf_counter()
    load_resources()
    build_nlp()
    startup = time.perf_counter() - start

    blank = spacy.blank("en")
    pairs = paired_times(lambda: [blank.tokenizer(t) for t in texts], lambda: extract_corpus(papers), repeat)
    tokenizer_s = min(a for a, _ in pairs)
    extract_s = min(b for _, b in pairs)
    ratio = statistics.median(b / a for a, b in pairs)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"papers: {len(papers)}  texts: {len(texts)}  repeat: {repeat} (best run)")
    print(f"start-up (lexicon + pipeline): {startup * 1000:.0f} ms")
    print(f"blank tokenizer:   {tokenizer_s * 1000:8.1f} ms  {len(papers) / tokenizer_s:8.0f} abstracts/s")
    print(f"extract_corpus:    {extract_s * 1000:8.1f} ms  {len(papers) / extract_s:8.0f} abstracts/s")
    print(f"ratio extract/tokenizer: {ratio:.2f} (median of interleaved pairs; best/best "
          f"{extract_s / tokenizer_s:.2f})  (target <= 8)")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
