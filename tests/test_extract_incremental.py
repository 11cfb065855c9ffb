"""A consolidation continued from the last build's state equals a full consolidation of the same papers."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from kg.extract import extract_corpus
from kg.extract.incremental import Consolidated, State, consolidate_papers, encode_state, entities_in, load_state
from kg.extract.records import decode_entities, names_of
from kg.extract.pipeline import mentions_of
from kg.model import Paper

# sentences sharing lexicon names, acronyms (defined in some papers only) and new names, so papers
# added or removed move things across the classifier's papers buckets, names and types
SENTENCES = [
    "We propose {new} ({short}), a method for object detection.",
    "We evaluate {new} on ImageNet and COCO.",
    "{short} outperforms ResNet-50 and ViT-B/16 in terms of accuracy.",
    "We fine-tune LLaMA-2 with LoRA on GLUE.",
    "Experiments on CIFAR-10 show that {short} reduces FLOPs.",
    "Our {new} benchmark measures F1 on SQuAD.",
    "We compare Low-Rank Adaptation (LoRA) with full fine-tuning.",
    "We train BERT with knowledge distillation and report BLEU.",
    "The {short} model is trained with reinforcement learning (RL).",
    "We introduce {new}-Bench, a benchmark for image editing with Stable Diffusion.",
]
NAMES = [("Sparse Spectral Training", "SST"), ("Fast Object Outline Network", "FOON"),
         ("Gated Mixture Adapter", "GMA"), ("Neural Query Router", "NQR"), ("Dense Patch Tuning", "DPT")]


def corpus(count: int, seed: int = 7) -> list[Paper]:
    """``count`` made-up papers, sorted by key as `kg.sources.read_inputs` gives them."""
    rng = random.Random(seed)
    papers = []
    for n in range(count):
        new, short = rng.choice(NAMES)
        sentences = rng.sample(SENTENCES, 4)
        if rng.random() < 0.5:  # many papers use the acronym without defining it
            sentences = [s.replace("{new} ({short})", "{short}") for s in sentences]
        abstract = " ".join(s.format(new=new, short=short) for s in sentences)
        papers.append(Paper(title=f"{short} for task {n}", abstract=abstract, arxiv_id=f"2401.{n:05d}"))
    return sorted(papers, key=lambda paper: paper.key)


def consolidate(papers, previous=None, cached=None):
    """`consolidate_papers` of ``papers`` (their mentions found here), continuing ``previous``."""
    hashes = [p.content_hash for p in papers]
    mentions = dict(zip(hashes, mentions_of(papers)))
    if cached is not None:
        cached.update(mentions)
    return consolidate_papers([p.key for p in papers], hashes, mentions, "v", previous, cached)


def entities(found: Consolidated) -> list:
    """Every paper's entities, those copied from the previous state decoded."""
    return [e if e is not None else decode_entities(record.entities, {})
            for e, record in zip(found.entities, found.state.papers, strict=True)]


def same_tally(a: State, b: State) -> bool:
    """Whether two states hold the same tally (ids into their own tables resolved), records and names."""

    def resolved(state: State) -> dict:
        return {key: (tuple((order, state.votes[v]) for order, v in thing.votes),
                      tuple((order, state.rows[r]) for order, r in thing.rows),
                      thing.papers, thing.proposed, thing.lexicon, thing.first, thing.first_forms, thing.surfaces,
                      thing.data_cues) for key, thing in state.things.items()}

    return (resolved(a) == resolved(b) and a.papers == b.papers and a.definitions == b.definitions
            and a.names == b.names == names_of([record.entities for record in a.papers]))


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    return corpus(60)


def test_a_full_consolidation_equals_extract_corpus(papers):
    found = consolidate(papers)
    assert found.entities == [e.entities for e in extract_corpus(papers)]
    assert found.redone == len(papers)


def test_adding_papers_anywhere_redoes_only_some_and_equals_a_full_consolidation(papers):
    old = [p for n, p in enumerate(papers) if n % 5]  # every fifth paper is new, spread over the corpus
    cached: dict = {}
    grown = consolidate(papers, consolidate(old, cached=cached).state, cached)
    full = consolidate(papers)
    assert entities(grown) == entities(full)
    assert same_tally(grown.state, full.state)
    assert len(papers) - len(old) <= grown.redone < len(papers)


def test_removing_and_changing_papers_equals_a_full_consolidation(papers):
    cached: dict = {}
    before = consolidate(papers, cached=cached).state
    changed = [replace(p, abstract=p.abstract.replace("ImageNet", "MNIST")) if n % 7 == 0 else p
               for n, p in enumerate(papers) if n % 11]
    after = consolidate(changed, before, cached)
    full = consolidate(changed)
    assert entities(after) == entities(full)
    assert same_tally(after.state, full.state)


def test_without_the_mentions_of_a_removed_paper_everything_is_consolidated_again(papers):
    before = consolidate(papers).state
    after = consolidate(papers[1:], before, {})
    assert after.redone == len(papers) - 1
    assert entities(after) == entities(consolidate(papers[1:]))


def test_a_state_is_used_only_by_its_extractor_version_and_a_damaged_one_is_ignored(papers, tmp_path):
    path = tmp_path / "state"
    assert load_state(path, "v") is None
    found = consolidate(papers[:5]).state
    path.write_bytes(encode_state(found))
    assert load_state(path, "v") == found
    assert load_state(path, "other") is None
    path.write_bytes(b"\x93not a state")
    assert load_state(path, "v") is None


def test_papers_must_come_sorted_by_key(papers):
    with pytest.raises(ValueError):
        consolidate(papers[::-1])


def test_a_changed_definition_that_an_old_paper_looks_up_consolidates_everything_again():
    old = [Paper(title="NQR: routing queries", abstract="We propose NQR for retrieval.", arxiv_id="2401.00001")]
    new = Paper(title="NQR", abstract="We propose Neural Query Router (NQR) for retrieval.", arxiv_id="2401.00002")
    cached: dict = {}
    grown = consolidate([*old, new], consolidate(old, cached=cached).state, cached)
    assert grown.state.papers[0].reads == ["nqr"]  # the old paper's NQR now resolves to the long form
    assert grown.redone == 2
    assert entities(grown) == entities(consolidate([*old, new]))


def test_the_entities_in_an_encoded_state_are_the_records_own(papers):
    found = consolidate(papers).state
    assert [bytes(raw) for raw in entities_in(encode_state(found))] == [bytes(r.entities) for r in found.papers]
