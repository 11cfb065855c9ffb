"""Dev loop: run the extractor over an annotation split and score it with score.py.

usage: python bench/score_extract.py [train|dev] [--details]
Reads ../shared/annotation (never copied into the repo); prints score.py's table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from kg.extract import extract_corpus
from kg.extract.jsonl import extraction_record
from kg.model import Paper

ANNOTATION = Path(__file__).resolve().parents[2] / "shared" / "annotation"


def load_papers(split: str) -> list[Paper]:
    """The annotation papers of ``split`` as Paper records."""
    lines = (ANNOTATION / f"{split}_papers.jsonl").read_text(encoding="utf-8").splitlines()
    return [Paper(title=r["title"], abstract=r["abstract"], record_id=r["id"])
            for r in map(json.loads, filter(str.strip, lines))]


def main(argv: list[str]) -> None:
    split = next((a for a in argv if not a.startswith("--")), "dev")
    extractions = extract_corpus(load_papers(split))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        for extraction in extractions:
            out.write(json.dumps(extraction_record(extraction)) + "\n")
    flags = [a for a in argv if a.startswith("--")]
    subprocess.run([sys.executable, str(ANNOTATION / "score.py"), str(ANNOTATION / f"{split}_gold.jsonl"),
                    out.name, *flags], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
