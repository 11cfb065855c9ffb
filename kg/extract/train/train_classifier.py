"""Train the candidate classifiers (keep/drop, coarse type, proposed or not) on the training
annotations and write rules/classifier.json.

usage: python -m kg.extract.train.train_classifier TRAIN_PAPERS.jsonl TRAIN_GOLD.jsonl [--out PATH]

Only the training split is read. A candidate's label is whether any of its surface forms equals a
gold entity form of the same paper (compared by name key, as the scorer does). The keep threshold
is the one that maximises F1 over 5-fold cross-validated predictions (folds by paper), averaged
over five shufflings of the papers (one split of 80 papers moves the best threshold by a step or
two, and with it dozens of decisions), counting gold entities no candidate reached as misses and a
candidate that loses all its text to an overlapping alternative
(:func:`kg.extract.corpus.select_mentions`) as dropped; the proposed threshold likewise maximises
the cross-validated proposed F1 of that output. scikit-learn's
liblinear solver with a fixed random_state makes the weights deterministic; they are rounded to 4
decimals and written with sorted keys, so retraining on the same data writes the same bytes. Needs scikit-learn (a dev
dependency), not needed at run time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, cross_val_predict

from kg.extract.classifier import CLASSIFIER_PATH, candidate_features, role_features, type_features
from kg.extract.corpus import resolve_corpus, select_mentions
from kg.extract.pipeline import paper_mentions
from kg.extract.resources import name_key
from kg.io import atomic_write_text
from kg.model import Paper

SEED = 0
C = 0.5
#: the thresholds are chosen on 5-fold cross-validated predictions repeated with this many
#: shufflings of the papers: on 80 papers one split moves the best threshold by a step or two
REPEATS = 5


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
    type or None, role features, gold says proposed or None, the resolved group), and the number of gold entities no
    candidate reached (all, and those the paper proposes)."""
    records = read_jsonl(papers_path)
    gold = {g["id"]: g["entities"] for g in read_jsonl(gold_path)}
    papers = [Paper(title=r["title"], abstract=r["abstract"], record_id=r["id"]) for r in records]
    resolved = resolve_corpus([paper_mentions(p) for p in papers])
    rows, unreached, unreached_proposed = [], 0, 0
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
                         role_features(r, keep), proposed, r))
        unreached += len(golds) - len(reached)
        unreached_proposed += sum(e.get("role") == "proposed" for i, e in enumerate(gold.get(paper.record_id, []))
                                  if i not in reached)
    return rows, unreached, unreached_proposed


def selected(probabilities, rows, threshold: float) -> list[bool]:
    """Per row, whether the group is kept at ``threshold`` and still names some text after the
    overlapping alternatives are chosen (:func:`select_mentions`), as ``consolidate`` does."""
    by_paper: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        by_paper.setdefault(row[2], []).append(i)
    result = [False] * len(rows)
    for indexes in by_paper.values():
        kept = [i for i in indexes if probabilities[i] >= threshold]
        chosen = select_mentions([rows[i][7] for i in kept], {id(rows[i][7]): probabilities[i] for i in kept})
        for i in kept:
            result[i] = bool(chosen[id(rows[i][7])])
    return result


def paper_folds(papers: list[int], repeat: int) -> list[tuple[list[int], list[int]]]:
    """Five (train, test) row splits by paper, the papers shuffled with seed ``SEED + repeat``."""
    unique = sorted(set(papers))
    folds = []
    for _, test_papers in KFold(n_splits=5, shuffle=True, random_state=SEED + repeat).split(unique):
        test = {unique[i] for i in test_papers}
        folds.append(([i for i, p in enumerate(papers) if p not in test], [i for i, p in enumerate(papers) if p in test]))
    return folds


def repeated_cv(model, x, y, papers: list[int], fit_rows: list[int] | None = None) -> list[list[float]]:
    """Per repeat (``REPEATS``), every row's probability from a model fitted on the other folds'
    rows (only those in ``fit_rows``, when given)."""
    allowed = None if fit_rows is None else set(fit_rows)
    runs = []
    for repeat in range(REPEATS):
        probabilities = [0.0] * len(papers)
        for train_rows, test_rows in paper_folds(papers, repeat):
            fit = [i for i in train_rows if allowed is None or i in allowed]
            model.fit(x[fit], [y[i] for i in fit])
            for i, p in zip(test_rows, model.predict_proba(x[test_rows])[:, 1]):
                probabilities[i] = float(p)
        runs.append(probabilities)
    return runs


#: thresholds whose cross-validated F1 is within this of the best are equally good: the middle one is
#: taken, as the best alone jumps along a flat curve when a rule changes a few candidates (the proposed
#: model's went from 0.35 to 0.55 with F1 0.731 and 0.734 at either end, flipping ~90 roles in the seeds);
#: thresholds go in steps of 0.01, so the middle moves by a step where 0.05 steps jumped (a rule removing
#: four training candidates moved the keep threshold 0.40 -> 0.45 and ~20 dev decisions; 0.43 -> 0.44 now)
PLATEAU = 0.005


def best_threshold(runs: list[tuple[list[float], list[int], int]], rows=None) -> tuple[float, float]:
    """The threshold (0.01 steps) in the middle of those whose F1 averaged over ``runs`` (per repeat of
    the cross-validation: each row's probability, each row's label, the number of gold positives) is
    within `PLATEAU` of the best, and its F1; with ``rows``, a group that loses all its text to an
    overlapping alternative counts as dropped.

    >>> best_threshold([([0.2, 0.6, 0.9], [0, 1, 1], 2)])
    (0.4, 1.0)
    """
    curve = []
    for step in range(1, 100):
        threshold = step / 100
        f1 = 0.0
        for probabilities, labels, positives in runs:
            keep = selected(probabilities, rows, threshold) if rows else [p >= threshold for p in probabilities]
            kept = [y for k, y in zip(keep, labels) if k]
            f1 += 2 * sum(kept) / (len(kept) + positives) / len(runs) if kept else 0.0
        curve.append((threshold, f1))
    best = max(f1 for _, f1 in curve)
    plateau = [point for point in curve if point[1] >= best - PLATEAU]
    return plateau[(len(plateau) - 1) // 2]


def train_type_model(rows) -> dict:
    """Multinomial logistic regression from type features to the gold coarse type (candidates that
    match a gold entity and are not lexicon entries); prints rule vs model accuracy (5-fold CV)."""
    typed = [(features, label, paper) for _, _, paper, features, label, _, _, _ in rows if label is not None]
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


def train_proposed_model(rows, kept_runs: list[list[bool]], unreached_proposed: int) -> dict:
    """Binary logistic regression: is a found candidate proposed by the paper? Trained on
    candidates that match a gold entity. The threshold maximises the cross-validated proposed F1
    over what the extractor outputs: per repeat, the candidates it kept (one matching no gold
    entity is never proposed), counting proposed gold entities no candidate reached as misses."""
    found = [i for i, row in enumerate(rows) if row[6] is not None]
    vectorizer = DictVectorizer(sort=True, sparse=False)
    vectorizer.fit([rows[i][5] for i in found])
    x = vectorizer.transform([row[5] for row in rows])
    labels = [int(bool(row[6])) for row in rows]
    model = LogisticRegression(C=C, solver="liblinear", random_state=SEED)
    runs = repeated_cv(model, x, labels, [row[2] for row in rows], fit_rows=found)
    positives = sum(labels) + unreached_proposed
    outputs = [[i for i, k in enumerate(kept) if k] for kept in kept_runs]
    threshold, cv_f1 = best_threshold([([run[i] for i in output], [labels[i] for i in output], positives)
                                       for run, output in zip(runs, outputs)])
    rule = [float(row[5].get("proposed=True", 0.0) > 0) for row in rows]  # the rules' proposed flag as a "probability"
    _, rule_f1 = best_threshold([([rule[i] for i in output], [labels[i] for i in output], positives)
                                 for output in outputs])
    print(f"proposed model: {len(found)} candidates; CV F1 of the output {cv_f1:.3f} (threshold {threshold:.2f}) "
          f"vs rules {rule_f1:.3f}", file=sys.stderr)
    model.fit(x[found], [labels[i] for i in found])
    weights = {name: round(float(w), 4) for name, w in zip(vectorizer.get_feature_names_out(), model.coef_[0])
               if abs(w) >= 1e-4}
    return {"bias": round(float(model.intercept_[0]), 4), "threshold": threshold, "weights": weights}


def train(papers_path: Path, gold_path: Path) -> dict:
    """Fit both models and return the JSON document to write."""
    rows, unreached, unreached_proposed = training_rows(papers_path, gold_path)
    vectorizer = DictVectorizer(sort=True, sparse=False)
    x = vectorizer.fit_transform([row[0] for row in rows])
    y = [row[1] for row in rows]
    groups = [row[2] for row in rows]
    model = LogisticRegression(C=C, solver="liblinear", random_state=SEED)
    runs = repeated_cv(model, x, y, groups)
    threshold, cv_f1 = best_threshold([(run, y, sum(y) + unreached) for run in runs], rows)
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
        "proposed": train_proposed_model(rows, [selected(run, rows, threshold) for run in runs], unreached_proposed),
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
