"""Dev loop: run the extractor over an annotation split and score it with score.py.

usage: python bench/score_extract.py [train|dev|cv] [--details]
Reads ../shared/annotation (never copied into the repo); prints score.py's table. ``cv`` scores the
training split by 5-fold cross-validation (folds by paper): the models are retrained on four folds
(kg/extract/train/train_classifier.py) and applied to the fifth, the whole split being consolidated
together as usual, so every train number is measured like a dev number.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from kg.extract import extract_corpus
from kg.extract.classifier import read_classifier
from kg.extract.corpus import consolidate
from kg.extract.jsonl import extraction_record
from kg.extract.pipeline import EXTRACTOR, extractor_version, paper_mentions
from kg.extract.train.train_classifier import read_jsonl, train
from kg.model import Paper, PaperExtraction

ANNOTATION = Path(__file__).resolve().parents[2] / "shared" / "annotation"
FOLDS = 5


def load_papers(split: str) -> list[Paper]:
    """The annotation papers of ``split`` as Paper records."""
    return [Paper(title=r["title"], abstract=r["abstract"], record_id=r["id"])
            for r in read_jsonl(ANNOTATION / f"{split}_papers.jsonl")]


def cross_validated(tmp: Path) -> list[PaperExtraction]:
    """Extractions of the train papers, each by models trained on the other folds (paper i is in
    fold i mod 5)."""
    records, gold = read_jsonl(ANNOTATION / "train_papers.jsonl"), read_jsonl(ANNOTATION / "train_gold.jsonl")
    papers = load_papers("train")
    mentions = [paper_mentions(p) for p in papers]
    entities: list = [None] * len(papers)
    for fold in range(FOLDS):
        rest = [i for i in range(len(papers)) if i % FOLDS != fold]
        ids = {records[i]["id"] for i in rest}
        (tmp / "papers.jsonl").write_text("".join(json.dumps(records[i]) + "\n" for i in rest), encoding="utf-8")
        (tmp / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold if g["id"] in ids),
                                        encoding="utf-8")
        with contextlib.redirect_stderr(io.StringIO()):
            document = train(tmp / "papers.jsonl", tmp / "gold.jsonl")
        (tmp / "models.json").write_text(json.dumps(document), encoding="utf-8")
        for i, found in enumerate(consolidate(mentions, read_classifier(tmp / "models.json"))):
            if i % FOLDS == fold:
                entities[i] = found
    version = extractor_version()
    return [PaperExtraction(paper=p, entities=e, extractor=EXTRACTOR, extractor_version=version)
            for p, e in zip(papers, entities)]


def main(argv: list[str]) -> None:
    split = next((a for a in argv if not a.startswith("--")), "dev")
    with tempfile.TemporaryDirectory() as tmp:
        extractions = cross_validated(Path(tmp)) if split == "cv" else extract_corpus(load_papers(split))
        out = Path(tmp) / "system.jsonl"
        out.write_text("".join(json.dumps(extraction_record(x)) + "\n" for x in extractions), encoding="utf-8")
        gold = ANNOTATION / f"{'train' if split == 'cv' else split}_gold.jsonl"
        flags = [a for a in argv if a.startswith("--")]
        subprocess.run([sys.executable, str(ANNOTATION / "score.py"), str(gold), str(out), *flags], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
