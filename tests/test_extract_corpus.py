"""extract_corpus end to end on small fixtures, consolidation, determinism, and the CLI."""

from __future__ import annotations

import dataclasses
import gc
import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.cli import main
from kg.extract import extract_corpus, extractor_version, pipeline
from kg.model import Paper

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def papers() -> list[Paper]:
    lines = (FIXTURES / "papers.jsonl").read_text(encoding="utf-8").splitlines()
    return [Paper(title=r["title"], abstract=r["abstract"], record_id=r["id"]) for r in map(json.loads, lines)]


def entities(extraction) -> dict[str, object]:
    """Entities by every surface form (name and aliases), so tests do not depend on lexicon names."""
    return {form: e for e in extraction.entities for form in (e.name, *e.aliases)}


def test_one_extraction_per_paper_in_order_with_version():
    result = extract_corpus(papers())
    assert [x.paper.id for x in result] == ["p1", "p2"]
    assert all(x.extractor == "kg-rules" and x.extractor_version == extractor_version() for x in result)


def test_proposed_name_aliases_and_evaluation():
    found = entities(extract_corpus(papers())[0])
    assert found["FooNet"].role == "proposed" and found["FooNet"].type == "Method"
    assert found["MoE"] is found["Mixture of Experts"]
    assert found["ResNet-50"].type == "Model"
    assert found["LLaMA-2-7B"].type == "Model"
    assert found["ImageNet"].role == "evaluated_on"


def test_acronym_defined_in_one_paper_resolves_in_another():
    found = entities(extract_corpus(papers())[1])
    assert found["MoE"].name == "Mixture of Experts"  # only paper 1 defines the acronym
    assert "LLaMA-2-13B" in found and "LLaMA-2-7B" not in found  # sizes stay distinct


def test_entities_sorted_with_evidence_and_confidence():
    for x in extract_corpus(papers()):
        assert [(e.type, e.name) for e in x.entities] == sorted((e.type, e.name) for e in x.entities)
        for e in x.entities:
            assert 0.0 <= e.confidence <= 1.0 and e.evidence and e.reasons
            text = x.paper.title if e.evidence[0].section == "title" else x.paper.abstract
            assert text[e.evidence[0].start : e.evidence[0].end] == e.evidence[0].surface


def test_deterministic_across_runs_and_processes(monkeypatch):
    monkeypatch.setattr(pipeline, "POOL_MIN_PAPERS", 1)  # use the process pool even for a few papers
    one = extract_corpus(papers())
    two = extract_corpus(papers(), n_process=2)
    assert [x.entities for x in one] == [x.entities for x in two]


def test_extraction_makes_no_reference_cycles():
    """What pipeline.collector_paused relies on: the cyclic collector would find nothing to free."""
    extract_corpus(papers())  # lexicon, pipeline and classifier loaded, caches filled
    gc.collect()
    extract_corpus(papers())
    assert gc.collect() == 0


def test_cli_jsonl_and_explain(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["extract", str(FIXTURES / "papers.jsonl"), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["id"] for r in records) == ["p1", "p2"]  # read_inputs orders papers by key
    entity = records[0]["entities"][0]
    assert set(entity) == {"name", "type", "aliases", "role", "evidence", "confidence"}
    out = tmp_path / "x.txt"
    result = runner.invoke(main, ["extract", str(FIXTURES / "papers.jsonl"), "--format", "table", "--explain",
                                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "pattern:we-propose" in out.read_text(encoding="utf-8")


def test_cli_reports_rejects_on_stderr(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "title": "Only a title"\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(bad)])
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output
    assert str(bad) in result.stderr


def test_cli_missing_file_is_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 1 and "missing.jsonl" in result.output


def test_group_mentions_links_partners_and_lexicon_entries_in_order_of_first_mention():
    """Keys a lexicon entry or an abbreviation partner links form one group, whichever comes first;
    every other key is its own group; groups keep the order of their first mention."""
    from kg.extract.corpus import group_mentions
    from kg.extract.mentions import Mention
    from kg.model import Evidence

    def mention(surface, start, canonical=None, partner=None):
        return Mention(Evidence("abstract", "", start, start + len(surface), surface), (), (), canonical, partner, False)

    mentions = [mention("SST", 0, partner="Sparse Spectral Training"), mention("BERT", 5),
                mention("Sparse Spectral Training", 10, partner="SST"), mention("LoRA", 40, canonical="LoRA"),
                mention("Low-Rank Adaptation", 50, canonical="LoRA"), mention("bert", 70)]
    groups = group_mentions(mentions)
    assert [[m.form for m in g.mentions] for g in groups] == [
        ["SST", "Sparse Spectral Training"], ["BERT", "bert"], ["LoRA", "Low-Rank Adaptation"]]


# --- the consolidation's fast paths give what the plain definitions give ---------------------------

def _mention(surface, *, proposed=False, votes=(), reasons=(), section="abstract", start=0):
    from kg.extract.mentions import Mention
    from kg.model import Evidence

    return Mention(Evidence(section, "", start, start + len(surface), surface), votes, reasons, None, None, proposed)


_NAMES = st.text(alphabet="ABv-+_ 1", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_NAMES, min_size=1, max_size=3), max_size=6))
def test_variant_family_is_the_pairwise_definition(group_forms):
    """A group belongs when one of its names (3+ characters) is a stem of another name of the paper,
    or has one among them: checked name by name, as first written."""
    from kg.extract.corpus import Group, stems_of, variant_family

    groups = [Group([_mention(form) for form in forms]) for forms in group_forms]
    forms = [{m.form for m in g.mentions if len(m.form) >= 3} for g in groups]
    names = set().union(*forms)
    stems = set().union(*map(stems_of, names))
    expected = {i for i, own in enumerate(forms)
                if not stems.isdisjoint(own) or any(not names.isdisjoint(stems_of(mine)) for mine in own)}
    assert variant_family(groups) == expected


_VOTES = st.dictionaries(st.sampled_from(["Method", "Model", "Dataset", "Benchmark", "Task"]),
                         st.sampled_from([0.2, 0.4, 0.6, 1.0, 1.5, 2.0, 3.0]), min_size=1)


@given(_VOTES)
def test_decide_type_is_the_highest_vote_first_by_name(votes):
    from kg.extract.corpus import W_CUE, decide_type

    best = max(sorted(votes), key=lambda kind: votes[kind])
    expected = "Benchmark" if best == "Dataset" and votes.get("Benchmark", 0.0) >= W_CUE else best
    assert decide_type(votes) == expected


@given(st.lists(_VOTES, min_size=1, max_size=3))
def test_group_votes_are_the_best_vote_per_type(mention_votes):
    """One mention's votes are taken as they are (one positive weight per type), several are merged."""
    from kg.extract.corpus import Group

    mentions = [_mention("X", votes=tuple(sorted(v.items())), start=i) for i, v in enumerate(mention_votes)]
    expected: dict[str, float] = {}
    for votes in mention_votes:
        for kind, weight in sorted(votes.items()):
            expected[kind] = max(expected.get(kind, 0.0), weight)
    assert Group(mentions).votes == expected


def test_paper_groups_mark_variants_families_and_weak_words():
    from kg.extract.corpus import paper_groups

    mentions = [_mention("FBNet", proposed=True, section="title"), _mention("FBNet-B", start=10),
                _mention("method", start=20), _mention("LoRA", start=30)]
    groups = paper_groups(mentions, frozenset({"method"}))
    assert [(g.variant, g.family, g.weak) for g in groups] == [
        (False, True, False), (True, True, False), (False, False, True), (False, False, False)]


def test_equal_profiles_and_votes_are_shared_objects():
    """What keeps a large corpus' consolidation small: about a million groups share few profiles and votes."""
    from kg.extract.corpus import group_profiles, resolve_corpus
    from kg.extract.pipeline import paper_mentions

    resolved = resolve_corpus([paper_mentions(p) for p in papers() * 2])  # every group twice
    profiles = group_profiles(resolved)
    half = len(profiles) // 2
    assert all(a is b for first, second in zip(profiles[:half], profiles[half:]) for a, b in zip(first, second))
    groups = [r.group for paper in resolved for r in paper if len(r.group.mentions) == 1]
    assert len({id(g.votes) for g in groups}) == len({tuple(g.votes.items()) for g in groups})


def test_a_size_or_version_of_a_lexicon_name_keeps_the_lexicon_type():
    from kg.extract.classifier import Scorer, load_classifier
    from kg.extract.corpus import group_profiles, learned_types, resolve_corpus
    from kg.extract.pipeline import paper_mentions

    paper = Paper(title="Tuning small models", abstract="We fine-tune MiniCPM4.1 and XLM-RoBERTa-large on the task.")
    resolved = resolve_corpus([paper_mentions(paper)])
    assert {r.name: r.type for r in resolved[0]} == {"MiniCPM4.1": "Model", "XLM-RoBERTa-large": "Model"}
    assert learned_types(resolved, Scorer(load_classifier()), group_profiles(resolved)) == {}


def test_a_paper_titled_with_a_known_name_it_introduces_proposes_it():
    (extraction,) = extract_corpus([Paper(title="Mistral 7B", abstract="We introduce Mistral 7B, a small language model.")])
    assert {e.name: e.role for e in extraction.entities}["Mistral 7B"] == "proposed"
    (extraction,) = extract_corpus([Paper(title="Denoising Diffusion Probabilistic Models",
                                          abstract="On CIFAR-10 our Denoising Diffusion Probabilistic Models reach FID 3.17.")])
    assert {e.name: e.role for e in extraction.entities}["denoising diffusion probabilistic model"] == "proposed"


def test_a_paper_titled_x_colon_proposes_x_however_well_known():
    paper = Paper(title="BERT: Pre-training of Deep Bidirectional Transformers",
                  abstract="BERT pre-trains deep bidirectional representations and improves the GLUE benchmark.")
    (extraction,) = extract_corpus([paper])
    assert {e.name: e.role for e in extraction.entities}["BERT"] == "proposed"


def test_a_known_name_the_paper_presents_with_an_appositive_is_proposed():
    (extraction,) = extract_corpus([Paper(title="You Only Look Once: Unified, Real-Time Object Detection",
                                          abstract="We present YOLO, a new approach to object detection.")])
    assert {e.name: e.role for e in extraction.entities}["YOLO"] == "proposed"
    (extraction,) = extract_corpus([Paper(title="DistilBERT, a distilled version of BERT: smaller and faster",
                                          abstract="We distil BERT into a smaller model.")])
    roles = {e.name: e.role for e in extraction.entities}
    assert roles["DistilBERT"] == "proposed" and roles["BERT"] == "used"


def test_a_thing_the_paper_outperforms_is_not_proposed():
    (extraction,) = extract_corpus([Paper(title="ZetaNet: fast nets",
                                          abstract="We propose ZetaNet. ZetaNet outperforms FooNet-7B on ImageNet.")])
    roles = {e.name: e.role for e in extraction.entities}
    assert roles["ZetaNet"] == "proposed" and roles.get("FooNet-7B", "used") == "used"


def test_a_plural_acronym_defined_by_a_named_thing_is_that_thing():
    (extraction,) = extract_corpus([Paper(title="Horizon-Free RL for Latent MDPs",
                                          abstract="We study RL in Latent Markov Decision Processes (LMDPs). The LMDP is hard.")])
    aliases = {e.name: set(e.aliases) for e in extraction.entities}
    assert {"LMDP", "LMDPs"} <= aliases["Latent Markov Decision Processes"]


def test_data_the_paper_reports_results_on_is_not_proposed():
    abstract = ("We propose generative adversarial networks, in which a generator and a discriminator are trained "
                "against each other; the generator learns to produce samples the discriminator cannot tell from real "
                "data, shown on MNIST, the Toronto Face Database and CIFAR-10.")
    (extraction,) = extract_corpus([Paper(title="Generative Adversarial Networks", abstract=abstract)])
    roles = {e.name: e.role for e in extraction.entities}
    assert roles["Toronto Face Database"] == "evaluated_on" and roles["CIFAR-10"] == "evaluated_on"


def test_a_known_name_the_paper_builds_on_is_not_proposed_by_the_role_model():
    from kg.extract.classifier import Classifier, load_classifier
    from kg.extract.corpus import consolidate
    from kg.extract.pipeline import paper_mentions

    shipped = load_classifier()  # a role model that calls everything proposed
    eager = dataclasses.replace(shipped, proposed=Classifier(bias=20.0, weights={},
                                                             threshold=shipped.proposed.threshold))
    paper = Paper(title="Cheap and Quick: Efficient Vision-Language Instruction Tuning",
                  abstract="We apply MMA to LLaMA and term this formed model LaVIN. LaVIN is better.")
    (entities,) = consolidate([paper_mentions(paper)], eager)
    roles = {e.name: e.role for e in entities}
    assert roles["LLaMA"] == "used" and roles["LaVIN"] == "proposed"


def test_a_title_writing_out_a_long_form_the_abstract_defines_names_no_part_of_it():
    paper = Paper(title="FOGO -- Fast cOntext aliGnment via Optimization",
                  abstract="We introduce FOGO (Fast cOntext aliGnment via Optimization), a training strategy.")
    (extraction,) = extract_corpus([paper])
    names = {form for e in extraction.entities for form in (e.name, *e.aliases)}
    assert "FOGO" in names and not names & {"cOntext", "aliGnment"}
