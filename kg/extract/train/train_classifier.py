"""Train the candidate classifiers (keep/drop, coarse type, proposed or not) on the training
annotations and write rules/classifier.json.

usage: python -m kg.extract.train.train_classifier TRAIN_PAPERS.jsonl TRAIN_GOLD.jsonl [--out PATH]

Only the training split is read. A candidate's label is whether any of its surface forms equals a
gold entity form of the same paper (compared by name key, as the scorer does). The keep threshold
is the one that maximises F1 over 5-fold cross-validated predictions (folds by paper), counting
gold entities no candidate reached as misses. scikit-learn's liblinear solver with a fixed
random_state makes the weights deterministic; they are rounded to 4 decimals and written with
sorted keys, so retraining on the same data writes the same bytes. Needs scikit-learn (a dev
dependency), not needed at run time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict

from kg.extract.classifier import CLASSIFIER_PATH, candidate_features, role_features, type_features
from kg.extract.corpus import resolve_corpus
from kg.extract.pipeline import paper_mentions
from kg.extract.resources import name_key
from kg.io import atomic_write_text
from kg.model import Paper

SEED = 0
C = 0.5


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def gold_keys(entities: list[dict]) -> list[set[str]]:
    """Name keys of every form of each gold entity."""
    return [{name_key(f) for f in [e["name"], *(e.get("aliases") or [])]} for e in entities]


def coarse(entity_type: str) -> str:
    """The type model's classes: Dataset and Benchmark are one ("Data"), as the scorer counts them."""
    return "Data" if entity_type in {"Dataset", "Benchmark"} else entity_type


def training_rows(papers_path: Path, gold_path: Path):
    """Rows per candidate: (keep features, found in gold, paper index, type features, gold coarse
    type or None, role features, gold says proposed or None), and the number of gold entities no
    candidate reached."""
    records = read_jsonl(papers_path)
    gold = {g["id"]: g["entities"] for g in read_jsonl(gold_path)}
    papers = [Paper(title=r["title"], abstract=r["abstract"], record_id=r["id"]) for r in records]
    resolved = resolve_corpus([paper_mentions(p) for p in papers])
    rows, unreached = [], 0
    for index, (paper, candidates) in enumerate(zip(papers, resolved)):
        golds = gold_keys(gold.get(paper.record_id, []))
        reached = set()
        for r in candidates:
            keys = {m.key for m in r.group.mentions} | {name_key(r.name)}
            hits = [i for i, g in enumerate(golds) if g & keys]
            reached.update(hits)
            gold_type = coarse(gold[paper.record_id][hits[0]]["type"]) if hits and not r.group.canonical else None
            keep = candidate_features(r)
            proposed = int(gold[paper.record_id][hits[0]].get("role") == "proposed") if hits else None
            rows.append((keep, int(bool(hits)), index, type_features(r, keep), gold_type,
                         role_features(r, keep), proposed))
        unreached += len(golds) - len(reached)
    return rows, unreached


def best_threshold(probabilities, labels, unreached: int) -> tuple[float, float]:
    """The threshold (0.05 steps) maximising F1, and that F1."""
    positives = sum(labels) + unreached
    best = (0.5, 0.0)
    for step in range(1, 20):
        threshold = step / 20
        kept = [y for p, y in zip(probabilities, labels) if p >= threshold]
        tp = sum(kept)
        f1 = 2 * tp / (len(kept) + positives) if kept else 0.0
        if f1 > best[1] + 1e-9:
            best = (threshold, f1)
    return best


def train_type_model(rows) -> dict:
    """Multinomial logistic regression from type features to the gold coarse type (candidates that
    match a gold entity and are not lexicon entries); prints rule vs model accuracy (5-fold CV)."""
    typed = [(features, label, paper) for _, _, paper, features, label, _, _ in rows if label is not None]
    vectorizer = DictVectorizer(sort=True, sparse=False)
    x = vectorizer.fit_transform([f for f, _, _ in typed])
    y = [label for _, label, _ in typed]
    model = LogisticRegression(C=C, solver="lbfgs", max_iter=2000, random_state=SEED)
    cv = cross_val_predict(model, x, y, groups=[p for _, _, p in typed], cv=GroupKFold(n_splits=5))
    rule = [coarse(next(k.split("=", 1)[1] for k in f if k.startswith("type=") and "&" not in k)) for f, _, _ in typed]
    print(f"type model: {len(typed)} candidates; CV accuracy {sum(a == b for a, b in zip(cv, y)) / len(y):.3f} "
          f"vs rules {sum(a == b for a, b in zip(rule, y)) / len(y):.3f}", file=sys.stderr)
    model.fit(x, y)
    names = vectorizer.get_feature_names_out()
    weights = {name: [round(float(model.coef_[c][j]), 4) for c in range(len(model.classes_))]
               for j, name in enumerate(names) if any(abs(model.coef_[c][j]) >= 1e-4 for c in range(len(model.classes_)))}
    return {"classes": [str(c) for c in model.classes_], "bias": [round(float(b), 4) for b in model.intercept_],
            "weights": weights}


def train_proposed_model(rows) -> dict:
    """Binary logistic regression: is a found candidate proposed by the paper? Trained on
    candidates that match a gold entity; the threshold maximises cross-validated F1."""
    found = [(features, label, paper) for _, _, paper, _, _, features, label in rows if label is not None]
    vectorizer = DictVectorizer(sort=True, sparse=False)
    x = vectorizer.fit_transform([f for f, _, _ in found])
    y = [label for _, label, _ in found]
    model = LogisticRegression(C=C, solver="liblinear", random_state=SEED)
    cv = cross_val_predict(model, x, y, groups=[p for _, _, p in found], cv=GroupKFold(n_splits=5),
                           method="predict_proba")[:, 1]
    threshold, cv_f1 = best_threshold(cv, y, 0)
    rule = [int(f.get("proposed=True", 0.0) > 0) for f, _, _ in found]
    tp = sum(a and b for a, b in zip(rule, y))
    rule_f1 = 2 * tp / (sum(rule) + sum(y)) if rule or y else 0.0
    print(f"proposed model: {len(found)} candidates; CV F1 {cv_f1:.3f} (threshold {threshold:.2f}) "
          f"vs rules {rule_f1:.3f}", file=sys.stderr)
    model.fit(x, y)
    weights = {name: round(float(w), 4) for name, w in zip(vectorizer.get_feature_names_out(), model.coef_[0])
               if abs(w) >= 1e-4}
    return {"bias": round(float(model.intercept_[0]), 4), "threshold": threshold, "weights": weights}


def train(papers_path: Path, gold_path: Path) -> dict:
    """Fit both models and return the JSON document to write."""
    rows, unreached = training_rows(papers_path, gold_path)
    vectorizer = DictVectorizer(sort=True, sparse=False)
    x = vectorizer.fit_transform([row[0] for row in rows])
    y = [row[1] for row in rows]
    groups = [row[2] for row in rows]
    model = LogisticRegression(C=C, solver="liblinear", random_state=SEED)
    cv = cross_val_predict(model, x, y, groups=groups, cv=GroupKFold(n_splits=5), method="predict_proba")[:, 1]
    threshold, cv_f1 = best_threshold(cv, y, unreached)
    model.fit(x, y)
    weights = {name: round(float(w), 4) for name, w in zip(vectorizer.get_feature_names_out(), model.coef_[0])
               if abs(w) >= 1e-4}
    print(f"candidates: {len(rows)}  positives: {sum(y)}  unreached gold: {unreached}  "
          f"cv threshold: {threshold:.2f}  cv F1 (any): {cv_f1:.3f}", file=sys.stderr)
    return {
        "trained_on": papers_path.name,
        "seed": SEED,
        "C": C,
        "keep": {"bias": round(float(model.intercept_[0]), 4), "threshold": threshold, "weights": weights},
        "type": train_type_model(rows),
        "proposed": train_proposed_model(rows),
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="Train the extractor's classifiers on train_* data.")
    parser.add_argument("papers", type=Path, help="train_papers.jsonl")
    parser.add_argument("gold", type=Path, help="train_gold.jsonl")
    parser.add_argument("--out", type=Path, default=CLASSIFIER_PATH, help="where to write the weights")
    args = parser.parse_args(argv)
    document = train(args.papers, args.gold)
    atomic_write_text(args.out, json.dumps(document, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
