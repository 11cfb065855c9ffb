"""The learned parts: feature functions, the shipped weights, and deterministic training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.extract.classifier import (
    CLASSIFIER_PATH,
    Scorer,
    candidate_features,
    candidate_profile,
    casing,
    keep_probability,
    load_classifier,
    role_features,
    type_features,
    type_probabilities,
)


def test_shipped_models_load_and_cover_every_type():
    models = load_classifier()
    assert 0.0 < models.keep.threshold < 1.0 and 0.0 < models.proposed.threshold < 1.0
    assert set(models.type.classes) == {"Data", "Method", "Metric", "Model", "Task"}
    assert models.keep.weights and models.proposed.weights


def test_probabilities_are_probabilities():
    models = load_classifier()
    features = {"type=Method": 1.0, "reason=lexicon": 1.0, "case=lower": 1.0}
    assert 0.0 <= keep_probability(features, models.keep) <= 1.0
    probs = type_probabilities(features, models.type)
    assert abs(sum(probs.values()) - 1.0) < 1e-3


def test_scorer_equals_the_feature_dicts_training_reads():
    """consolidate scores with Scorer's partial sums, training with the feature dicts: the same numbers."""
    from kg.extract.corpus import resolve_corpus
    from kg.extract.pipeline import paper_mentions
    from kg.sources import read_inputs

    models = load_classifier()
    scorer = Scorer(models)
    papers = read_inputs([Path(__file__).parent.parent / "examples"]).papers
    groups = [r for paper in resolve_corpus([paper_mentions(p) for p in papers]) for r in paper]
    assert len(groups) > 100
    for resolved in groups:
        profile, keep = candidate_profile(resolved), candidate_features(resolved)
        assert scorer.keep(profile) == keep_probability(keep, models.keep)
        assert scorer.proposed(profile, resolved) == keep_probability(role_features(resolved, keep), models.proposed)
        whole = type_probabilities(type_features(resolved, keep), models.type)
        assert dict(zip(models.type.classes, scorer.types(profile, resolved))) == whole


def test_casing_classes():
    assert [casing(t) for t in ("latency", "BERT", "ResNet", "Stable Diffusion")] == ["lower", "upper", "mixed", "title"]


@pytest.mark.shared
def test_training_is_deterministic(shared_dir, tmp_path):
    pytest.importorskip("sklearn")
    from kg.extract.train.train_classifier import train

    annotation = shared_dir / "annotation"
    args = (annotation / "train_papers.jsonl", annotation / "train_gold.jsonl")
    first, second = train(*args), train(*args)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert set(first) == set(json.loads(CLASSIFIER_PATH.read_text(encoding="utf-8")))
