"""Deterministic synthetic corpus: the seed corpus' shape scaled to N papers.

Abstracts are recombined from sentences of the real seed pages (read at run time from the path you pass,
never copied into the repo); each paper also gets sentences that propose, use and evaluate on entities
drawn from a generated pool whose size grows with N, with a skewed (Zipf-like) popularity, so the graph
grows like a real one: a few benchmarks everyone uses, a long tail of one-off methods.

    python bench/synth.py ../shared/seeds --papers 50000 --out /tmp/synth-50k.jsonl

The output is JSON Lines (the ``jsonl`` reader's format). Same arguments, same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
SYLLABLES = ("ar", "be", "co", "da", "el", "fi", "ga", "hu", "io", "ka", "lu", "mi", "no", "or",
             "pa", "qu", "ri", "sa", "te", "ul", "vo", "xe", "yo", "ze")
METHOD_HEADS = ("Attention", "Distillation", "Pruning", "Quantization", "Routing", "Tuning",
                "Decoding", "Alignment", "Compression", "Merging", "Sampling", "Adapter")
ADJECTIVES = ("Sparse", "Adaptive", "Hierarchical", "Contrastive", "Progressive", "Dynamic",
              "Latent", "Gated", "Residual", "Structured", "Low-Rank", "Mixed-Precision")
METRICS = ("accuracy", "top-1 accuracy", "F1", "BLEU", "ROUGE-L", "perplexity", "FID", "mAP",
           "latency", "throughput", "compression ratio", "exact match")
TASKS = ("image classification", "question answering", "machine translation", "object detection",
         "text-to-image generation", "semantic segmentation", "code generation", "summarization",
         "speech recognition", "model compression", "visual question answering", "action detection")


@dataclass(frozen=True)
class Pool:
    """Generated entity names, most popular first."""

    methods: tuple[str, ...]
    models: tuple[str, ...]
    benchmarks: tuple[str, ...]
    datasets: tuple[str, ...]


def seed_sentences(seeds: Path) -> tuple[list[str], list[str]]:
    """Titles and abstract sentences of the seed corpus (read with kg's own reader)."""
    from kg.sources import read_inputs

    papers = read_inputs([seeds]).papers
    if not papers:
        sys.exit(f"{seeds}: no papers found")
    sentences = [s for p in papers for s in SENTENCE_END.split(p.abstract) if 40 <= len(s) <= 400]
    return [p.title for p in papers], sentences


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def make_pool(rng: random.Random, papers: int) -> Pool:
    """A pool that grows sub-linearly with the corpus, like the vocabulary of a real field."""
    size = max(50, int(papers ** 0.8))

    def unique(make, n):
        seen: dict[str, None] = {}
        for _ in range(100 * n):  # the name spaces are far larger than n; this only guards against a hang
            seen.setdefault(make(), None)
            if len(seen) == n:
                return tuple(seen)
        raise ValueError(f"cannot make {n} distinct names")

    methods = unique(lambda: f"{rng.choice(ADJECTIVES)} {_word(rng, 2)} {rng.choice(METHOD_HEADS)}", size)
    models = unique(lambda: f"{_word(rng, rng.randint(2, 3))}-{rng.randint(1, 4)}-{rng.choice((1, 3, 7, 13, 70))}B", size)
    benchmarks = unique(lambda: f"{_word(rng, rng.randint(2, 3))}Bench", max(20, size // 8))
    datasets = unique(lambda: f"{_word(rng, 3)}-{rng.choice(('10', '100', '1K', '5K'))}", max(20, size // 6))
    return Pool(methods, models, benchmarks, datasets)


def popular(rng: random.Random, names: tuple[str, ...]) -> str:
    """Draw with a skewed popularity: low indices are drawn far more often."""
    return names[int(len(names) * rng.random() ** 3)]


def acronym(name: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s-]+", name) if w and w[0].isalpha()).upper()


def synthetic_paper(rng: random.Random, index: int, pool: Pool, titles: list[str], sentences: list[str]) -> dict:
    """One paper: a proposed method, models it uses, benchmarks it is evaluated on, seed sentences."""
    method = pool.methods[index % len(pool.methods)] if index < len(pool.methods) else popular(rng, pool.methods)
    short = acronym(method)
    base_model = popular(rng, pool.models)
    rival = popular(rng, pool.methods)
    benches = sorted({popular(rng, pool.benchmarks) for _ in range(rng.randint(1, 3))})
    dataset = popular(rng, pool.datasets)
    metric, task = rng.choice(METRICS), rng.choice(TASKS)
    tail = rng.choice(titles).split(":")[-1].strip()
    body = rng.sample(sentences, k=rng.randint(3, 6))
    made = [
        f"We propose {method} ({short}), a method for {task} built on {base_model}.",
        f"We evaluate {short} on the {' and '.join(benches)} benchmark{'s' if len(benches) > 1 else ''} "
        f"and on {dataset}.",
        f"{short} outperforms {rival} in terms of {metric}.",
    ]
    abstract = " ".join(body[:2] + made[:1] + body[2:] + made[1:])
    year = 2019 + index % 7
    return {
        "id": f"synth-{index:06d}",
        "title": f"{short}: {tail}" if rng.random() < 0.7 else f"{method} for {task.title()}",
        "abstract": abstract,
        "date": f"{year}-{1 + index % 12:02d}-{1 + index % 28:02d}",
        "authors": rng.randint(1, 12),
        "upvotes": int(rng.paretovariate(1.5)),
    }


def generate(seeds: Path, papers: int, seed: int = 0):
    """Yield ``papers`` synthetic records, deterministically for a given ``seed``."""
    rng = random.Random(seed)
    titles, sentences = seed_sentences(seeds)
    pool = make_pool(rng, papers)
    for i in range(papers):
        yield synthetic_paper(rng, i, pool, titles, sentences)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", type=Path, help="folder of seed page dumps (../shared/seeds)")
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        for record in generate(args.seeds, args.papers, args.seed):
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
