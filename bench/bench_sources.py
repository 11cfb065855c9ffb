"""Reader scaling: time and peak memory of kg.sources.read_inputs on growing inputs, and the ratio
between sizes (linear reading gives a time ratio close to the size ratio; quadratic would give its
square). A plain read-and-decode of the same bytes is printed first as the machine's own ratio
(large strings cost more than linearly in cache and page faults). Not a test: prints numbers.

Inputs are generated in a temporary folder: one single-line file of 4 MB and 40 MB in each
format, and folders of 1,000 and 10,000 small JSON Lines files.

usage: python bench/bench_sources.py
"""

from __future__ import annotations

import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from kg.sources import read_inputs


def measure(paths: list[Path], repeat: int = 3) -> tuple[float, float, int]:
    """Best-of-``repeat`` seconds (untraced), peak traced memory in MB, and records read."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = read_inputs(paths)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    read_inputs(paths)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return min(times), peak, result.records_read


def baseline(path: Path, repeat: int = 3) -> float:
    """Best-of-``repeat`` seconds to read and decode ``path`` line by line, parsing nothing."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with open(path, "rb") as stream:
            for raw in stream:
                raw.decode("utf-8").strip()
        times.append(time.perf_counter() - start)
    return min(times)


def single_line_files(folder: Path, megabytes: int) -> dict[str, Path]:
    """One file per format whose body is one line of about ``megabytes`` MB."""
    text = "word " * (megabytes * 2**20 // 5)
    record = json.dumps({"title": "Long", "abstract": text})
    files = {
        "hf-text": ("long.txt", f"Long Title\n\n{text}\n"),
        "jsonl": ("long.jsonl", record + "\n"),
        "hf-api": ("long.json", f"[{record}]"),
        "arxiv-atom": (
            "long.atom",
            f'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Long</title><summary>{text}</summary></entry></feed>',
        ),
    }
    paths = {}
    for name, (filename, content) in files.items():
        paths[name] = folder / f"{megabytes}mb-{filename}"
        paths[name].write_text(content, encoding="utf-8")
    return paths


def many_files(folder: Path, count: int) -> Path:
    """A folder of ``count`` one-record JSON Lines files in 10 subfolders."""
    root = folder / f"files-{count}"
    for index in range(count):
        path = root / f"d{index % 10}" / f"p{index:05d}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"title": f"Paper {index}", "abstract": "An abstract."}) + "\n")
    return root


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        small, large = single_line_files(folder, 4), single_line_files(folder, 40)
        base1, base10 = baseline(small["hf-text"]), baseline(large["hf-text"])
        print("single-line file   4 MB (s)  40 MB (s)  ratio  peak MB (40 MB)")
        print(f"{'(read+decode)':<16} {base1:9.3f} {base10:10.3f} {base10 / base1:6.1f}  "
              "<- what 10x the bytes costs this machine without parsing")
        for fmt in small:
            t1, _, _ = measure([small[fmt]])
            t10, peak, _ = measure([large[fmt]])
            print(f"{fmt:<16} {t1:9.3f} {t10:10.3f} {t10 / t1:6.1f}  {peak:8.1f}")
        few, lots = many_files(folder, 1_000), many_files(folder, 10_000)
        t1, _, n1 = measure([few])
        t10, peak, n10 = measure([lots])
        print("folder of files    1k (s)   10k (s)   ratio  peak MB (10k)")
        print(f"{'jsonl':<16} {t1:9.3f} {t10:10.3f} {t10 / t1:6.1f}  {peak:8.1f}   ({n1} and {n10} records)")


if __name__ == "__main__":
    main()
