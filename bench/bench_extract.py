"""Extraction speed on the seed papers: abstracts per second on one core, the ratio to spaCy's
blank English tokenizer over the same texts (target: >= 500 abstracts/s, ratio <= 8), and peak
memory. Times are CPU seconds of this one process, best of N; the ratio is the median over N
interleaved (tokenizer, extractor) pairs, which is robust to load from other processes.
Not a test: prints numbers.

usage: python bench/bench_extract.py [SEEDS_DIR] [--repeat N]
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

import spacy

from kg.extract import extract_corpus
from kg.extract.pipeline import build_nlp
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


def main(argv: list[str]) -> None:
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
