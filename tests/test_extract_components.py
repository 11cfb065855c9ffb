"""Unit tests of the extractor's components on hand-written sentences."""

from __future__ import annotations

import doctest
import importlib

import pytest
import spacy

from kg.extract.abbreviations import find_abbreviations, find_long_form_start
from kg.extract.candidates import has_size_suffix, is_name_shaped
from kg.extract.mentions import Mention
from kg.extract.pipeline import build_nlp, section_mentions
from kg.extract.resources import name_key
from kg.extract.tokenizer import install_tokenizer


def tokens(text: str) -> list[str]:
    return [t.text for t in install_tokenizer(spacy.blank("en"))(text)]


def by_surface(mentions: list[Mention]) -> dict[str, Mention]:
    return {m.evidence.surface: m for m in mentions}


def best_type(mention: Mention) -> str:
    return max(mention.votes, key=lambda kv: kv[1])[0]


def test_tokenizer_keeps_names_whole():
    text = "LLaMA-2-7B, GPT-4o, ViT-B/16, Qwen2.5-VL, CIFAR-10/100 and AlpacaEval 2.0."
    assert tokens(text) == ["LLaMA-2-7B", ",", "GPT-4o", ",", "ViT-B/16", ",", "Qwen2.5-VL", ",",
                            "CIFAR-10/100", "and", "AlpacaEval", "2.0", "."]


def test_tokenizer_splits_derivations_and_punctuation():
    assert tokens("a MoE-based (LoRA) model") == ["a", "MoE", "-based", "(", "LoRA", ")", "model"]
    assert tokens("Llama-type and BERT-sized nets") == ["Llama", "-type", "and", "BERT", "-sized", "nets"]


def test_tokenizer_splits_glued_parentheses_and_hanging_hyphens():
    assert tokens("O(1) cost") == ["O", "(", "1", ")", "cost"]  # not the model "o1"
    assert tokens("on DeiT-(Tiny,Small)") == ["on", "DeiT", "-", "(", "Tiny", ",", "Small", ")"]
    assert tokens("accuracy- and memory-aware") == ["accuracy", "-", "and", "memory-aware"]


def test_abbreviation_long_then_short():
    doc = build_nlp()("Models adopt Mixture-of-Experts (MoE) layers.")
    pairs = find_abbreviations(doc)
    assert [(p.long.text, p.short.text) for p in pairs] == [("Mixture-of-Experts", "MoE")]


def test_abbreviation_short_then_long():
    doc = build_nlp()("We use RL (reinforcement learning) here.")
    assert [(p.long.text, p.short.text) for p in find_abbreviations(doc)] == [("reinforcement learning", "RL")]


def test_abbreviation_long_form_spells_the_short_one_by_initials():
    doc = build_nlp()("We introduce Mixture of Monosemantic Experts for Transformers (Monet) and sparse Mixture of Experts (MoE).")
    assert [p.long.text for p in find_abbreviations(doc)] == ["Mixture of Monosemantic Experts for Transformers",
                                                              "Mixture of Experts"]


@pytest.mark.parametrize("sentence, long, short", [
    ("We propose the Joint Discrete Denoising Diffusion Process (JD3P) here.",
     "Joint Discrete Denoising Diffusion Process", "JD3P"),
    ("Our Text-to-Text Transfer Transformer (T5) achieves results.", "Text-to-Text Transfer Transformer", "T5"),
    ("We propose generic-to-specific distillation (G2SD) for this.", "generic-to-specific distillation", "G2SD"),
])
def test_abbreviation_digits_count_initials_or_stand_for_to(sentence, long, short):
    assert [(p.long.text, p.short.text) for p in find_abbreviations(build_nlp()(sentence))] == [(long, short)]


@pytest.mark.parametrize("sentence, pairs", [
    ("We propose the Code Adaptive Compute-efficient Tuning (CodeACT) framework.",
     [("Code Adaptive Compute-efficient Tuning", "CodeACT")]),
    ("We use SSE in both pure linear and hybrid (SSE-H) settings.", []),
])
def test_abbreviation_short_form_opening_with_a_word_of_its_long_form(sentence, pairs):
    assert [(p.long.text, p.short.text) for p in find_abbreviations(build_nlp()(sentence))] == pairs


def test_abbreviation_digits_of_bit_widths_spell_nothing():
    doc = build_nlp()("We use 4-bit NormalFloat (NF4) and 4-bit weights and activations (W4A4).")
    assert find_abbreviations(doc) == []


def test_abbreviation_rejects_non_matching_parenthesis():
    doc = build_nlp()("The model is fast (see appendix) overall.")
    assert find_abbreviations(doc) == []
    assert find_long_form_start("DNAS", "a differentiable neural architecture search") == 2


def test_name_shapes():
    assert all(map(is_name_shaped, ["LoRA", "GPT-4o", "ResNet-50", "Qwen2.5-VL"]))
    assert not any(map(is_name_shaped, ["Training-Free", "LLMs", "1.3B", "fp16", "https://x.io"]))
    assert has_size_suffix("LLaMA-2-7B") and not has_size_suffix("CIFAR-10")


def test_canonical_keys_merge_variants_but_not_sizes():
    assert name_key("Mixture-of-Experts") == name_key("mixture of experts") == name_key("Mixture of Experts")
    assert name_key("LLaMA-2-7B") != name_key("LLaMA-2-13B")
    assert name_key("VAEs") == name_key("VAE") and name_key("WSD-S") != name_key("WSD")


def test_pattern_we_propose_marks_proposed():
    found = by_surface(section_mentions("We propose FooNet, a framework for retrieval.", "abstract"))
    assert found["FooNet"].proposed
    assert "pattern:we-propose" in found["FooNet"].reasons


@pytest.mark.parametrize("sentence, name, kind", [
    ("We describe Sparsey, an unsupervised, hierarchical, spatial associative memory model.", "Sparsey", "Model"),
    ("We propose layered prefill, a new scheduling paradigm for serving.", "layered prefill", "Method"),
    ("This paper introduces the Spark Transformer, a novel architecture.", "Spark Transformer", "Method"),
    ("To address this gap, we propose the FLEX dataset, the first large-scale dataset of its kind.", "FLEX", "Dataset"),
    ("We present CROMA: a framework that combines two losses.", "CROMA", "Method"),
])
def test_a_name_the_authors_present_with_an_appositive_is_proposed(sentence, name, kind):
    found = by_surface(section_mentions(sentence, "abstract"))
    assert found[name].proposed and best_type(found[name]) == kind
    assert "pattern:x-a-kind" in found[name].reasons


@pytest.mark.parametrize("sentence", [
    "We propose a new method, a simple one.",  # no name between the verb and the appositive
    "Prior work introduces pruning and distillation, a pair of methods.",  # "and" inside
    "They present Dita, a scalable framework.",  # not the authors
    "We propose \\saltm, a decompiler.",  # a LaTeX macro that lost its definition
])
def test_an_appositive_needs_a_name_the_authors_present(sentence):
    assert not any("pattern:x-a-kind" in m.reasons for m in section_mentions(sentence, "abstract"))


def test_a_name_before_a_methods_acronym_includes_it():
    sentence = "We propose Feature Choice SAEs. TopK SAEs and Qwen LLMs are baselines."
    found = by_surface(section_mentions(sentence, "abstract"))
    assert {"Feature Choice SAEs", "TopK SAEs"} <= set(found)
    assert "Qwen LLMs" not in found  # a model class, not a kind of method


def test_the_items_of_an_enumeration_are_candidates():
    sentence = ("It has three parts: (1) single-frame pretraining on videos, (2) multi-frame encoding, and "
                "(3) AdamS, an optimizer; (i) lexical flip swapping words; (ii) applies quantization.")
    found = by_surface(section_mentions(sentence, "abstract"))
    for name in ("single-frame pretraining", "multi-frame encoding", "AdamS", "lexical flip"):
        assert "pattern:enumerated" in found[name].reasons
    assert not any(surface.startswith("applies") for surface in found)
    restated = by_surface(section_mentions("We test three (3) leading LLMs with five (5) SoTA compression techniques.",
                                           "abstract"))
    assert not any("pattern:enumerated" in m.reasons for m in restated.values())


def test_a_name_dated_by_a_year_is_an_edition_of_data():
    found = by_surface(section_mentions("We won the NTIRE 2025 challenge with Llama 3.", "abstract"))
    assert best_type(found["NTIRE 2025"]) == "Dataset" and "shape:year" in found["NTIRE 2025"].reasons
    assert "shape:year" not in found["Llama 3"].reasons


def test_a_verb_before_a_number_is_no_versioned_name():
    found = by_surface(section_mentions("EMOv2: Pushing 5M Vision Model Frontier", "title"))
    assert not any(surface.startswith("Pushing") for surface in found)


@pytest.mark.parametrize("sentence, name", [
    ("Combined with our sparse token routing strategy, the model is fast.", "sparse token routing"),
    ("We add a novel layer recycling method that reuses blocks.", "layer recycling"),
    ("Here we devise a gradient-aware channel pruning method for graphs.", "gradient-aware channel pruning"),
    ("We introduce a rank decay scheme that removes ranks.", "rank decay"),
    ("We first present a benchmark and then introduce a layer-wise token pruning method.", "layer-wise token pruning"),
    ("We propose FooEdit. FooEdit employs a lifelong normalization strategy.", "lifelong normalization"),
])
def test_own_technique_phrase_is_a_proposed_method(sentence, name):
    found = by_surface(section_mentions(sentence, "abstract"))
    assert found[name].proposed and best_type(found[name]) == "Method"
    assert "pattern:own-x" in found[name].reasons


@pytest.mark.parametrize("sentence", [
    "A simple pruning method works well.",  # one plain word, no opener
    "Prior work used a gradual pruning technique.",  # "a" not after the authors' propose verb
    "They propose a layer dropping strategy.",  # not the authors
    "The recently proposed cross-layer cache recycling strategy reduces memory.",  # someone else's
    "A new client-side momentum correction scheme was introduced last year.",  # the authors do not speak
    "We propose a novel plug-and-play method.",  # one word
    "We present a fast novel view synthesis method.",  # "novel" belongs to a name
    "We propose FooEdit. GPT-4 employs a mixture routing strategy.",  # not the paper's own system
])
def test_technique_phrase_needs_the_papers_own_opener(sentence):
    for mention in section_mentions(sentence, "abstract"):
        assert "pattern:own-x" not in mention.reasons


def test_pattern_our_x_marks_proposed():
    found = by_surface(section_mentions("On CIFAR-10 our proposed FooNet reaches 9.46 IS.", "abstract"))
    assert found["FooNet"].proposed and "pattern:our-x" in found["FooNet"].reasons
    assert not by_surface(section_mentions("On CIFAR-10 FooNet reaches 9.46 IS.", "abstract"))["FooNet"].proposed


@pytest.mark.parametrize("sentence, kind", [
    ("Our method, SparseProbe, improves accuracy.", "Method"),
    ("Our approach (SparseProbe) improves accuracy.", "Method"),
    ("We call our model SparseProbe.", "Model"),
    ("Results show our new benchmark SparseProbe is hard.", "Benchmark"),
])
def test_pattern_our_kind_x_marks_proposed(sentence, kind):
    found = by_surface(section_mentions(sentence, "abstract"))
    assert found["SparseProbe"].proposed and "pattern:our-kind-x" in found["SparseProbe"].reasons
    assert best_type(found["SparseProbe"]) == kind


def test_pattern_our_contribution_x_marks_proposed():
    found = by_surface(section_mentions("Our contribution, Decomposable Flow Matching (DFM), is simple.", "abstract"))
    assert found["Decomposable Flow Matching"].proposed and "pattern:our-x" in found["Decomposable Flow Matching"].reasons


def test_pattern_our_x_skips_borrowed_roles():
    found = by_surface(section_mentions("We compare with our BERT baseline and our ViT backbone.", "abstract"))
    assert not found["BERT"].proposed and not found["ViT"].proposed


def test_pattern_our_kind_x_needs_a_name_after_the_noun():
    for mention in section_mentions("Our method frees integer training from pre-processing.", "abstract"):
        assert not mention.proposed


def test_pattern_called_marks_proposed():
    found = by_surface(section_mentions("Our new method, called BarQuant, is fast.", "abstract"))
    assert found["BarQuant"].proposed


def test_pattern_benchmark_cue_types_name():
    found = by_surface(section_mentions("Results on the ZetaQA benchmark improve.", "abstract"))
    assert best_type(found["ZetaQA"]) == "Benchmark"


def test_pattern_datasets_such_as_types_list():
    found = by_surface(section_mentions("We use datasets such as FooSet-1, BarSet-2 and BazSet-3.", "abstract"))
    assert {best_type(found[n]) for n in ("FooSet-1", "BarSet-2", "BazSet-3")} == {"Dataset"}


def test_pattern_evaluated_on_reads_a_list_with_results_in_parentheses():
    found = by_surface(section_mentions("It achieves F1 scores on FooFace (67.1%), FooFace+ (66.8%) and BarAU (70.1%).",
                                        "abstract"))
    assert all("pattern:evaluated-on" in found[n].reasons for n in ("FooFace", "FooFace+", "BarAU"))


def test_including_does_not_open_a_name():
    found = by_surface(section_mentions("We propose several memory designs including session decomposition for it.",
                                        "abstract"))
    assert "session decomposition" in found and not any(surface.startswith("including") for surface in found)


def test_pattern_in_terms_of_types_metric():
    found = by_surface(section_mentions("It wins in terms of ZetaScore-2.", "abstract"))
    assert best_type(found["ZetaScore-2"]) == "Metric"


def test_pattern_amount_in_x_types_metric():
    found = by_surface(section_mentions("It gains +8.43 in Scene Consistency and 2.1% in dynamic degree.", "abstract"))
    assert best_type(found["Scene Consistency"]) == best_type(found["dynamic degree"]) == "Metric"
    found = by_surface(section_mentions("Perplexity is 7.59 (vs 9.76 in AffineQuant).", "abstract"))
    assert "pattern:amount-in-x" not in found["AffineQuant"].reasons  # a system compared with


def test_head_noun_phrase_and_stop_modifiers():
    found = by_surface(section_mentions("A novel video generation model for efficient image classification.", "abstract"))
    assert best_type(found["video generation"]) == "Task"
    assert "image classification" in found and "efficient image classification" not in found


def test_size_suffix_makes_model():
    found = by_surface(section_mentions("We fine-tune LLaMA-2-7B and ZetaLM-13B.", "abstract"))
    assert best_type(found["ZetaLM-13B"]) == "Model"


def test_title_colon_is_proposed_with_head_noun_type():
    found = by_surface(section_mentions("FooBench: A Benchmark for Long Contexts", "title"))
    assert found["FooBench"].proposed and best_type(found["FooBench"]) == "Benchmark"


def test_title_report_words_are_not_part_of_the_proposed_name():
    found = by_surface(section_mentions("ZetaVid-2B Technical Report: Practice and Challenges", "title"))
    assert found["ZetaVid-2B"].proposed and "ZetaVid-2B Technical Report" not in found


def test_title_prefix_with_a_generic_class_is_not_a_name():
    found = by_surface(section_mentions("Compressing LLMs: The Truth is Rarely Pure", "title"))
    assert "Compressing LLMs" not in found
    found = by_surface(section_mentions("Understanding Warmup-Stable-Decay Learning Rates: A Loss Landscape View", "title"))
    assert not any(surface.startswith("Understanding") for surface in found)  # a clause, not a name


def test_platforms_and_slash_joined_never_entities_are_not_entities():
    found = by_surface(section_mentions("We train on Google Colab and report 2D/3D results with ZetaNet on a "
                                        "Qualcomm 855 and NVIDIA A100 GPUs.", "abstract"))
    assert "Google Colab" not in found and "2D/3D" not in found and "ZetaNet" in found
    assert not {"Qualcomm 855", "NVIDIA A100", "NVIDIA A100 GPUs"} & set(found)


def test_short_form_defined_as_a_generic_class_is_not_the_lexicon_name():
    text = "Sparsely-activated models (SAMs) scale well. SAMs are inefficient, unlike BERT."
    found = by_surface(section_mentions(text, "abstract"))
    assert "SAMs" not in found and "BERT" in found


def test_acronym_spelling_capitals_do_not_make_type_words_names():
    text = "We build the Knowledge-Intensive Compressed LLM BenchmarK (LLM-KICK) to test models."
    found = by_surface(section_mentions(text, "abstract"))
    assert "BenchmarK" not in found
    assert best_type(found["Knowledge-Intensive Compressed LLM BenchmarK"]) == "Benchmark"


def test_words_spelling_an_acronym_with_inner_capitals_are_not_names():
    text = ("We propose ZORBAX, a model that ZORblends the graph and BAXifies the rest, against "
            "FlashAttention and DeepSeek in GQA.")
    found = by_surface(section_mentions(text, "abstract"))
    assert "ZORblends" not in found and "BAXifies" not in found
    assert {"ZORBAX", "FlashAttention", "DeepSeek"} <= set(found)


def test_parenthesised_list_after_a_plural_cue_takes_its_type():
    found = by_surface(section_mentions("We test on three benchmarks (FooSet, BarQA-2, and ZetaLM-MTL).", "abstract"))
    assert best_type(found["ZetaLM-MTL"]) == "Benchmark"


def test_capitalised_words_with_a_benchmark_suffix_are_names():
    found = by_surface(section_mentions("Results on CodeBench, Decompile-Eval and GenAI-benchmark, not Medieval texts "
                                        "on a Workbench.", "abstract"))
    assert all(best_type(found[name]) == "Benchmark" for name in ("CodeBench", "Decompile-Eval", "GenAI-benchmark"))
    assert "Medieval" not in found and "Workbench" not in found


def test_name_ending_in_a_known_model_is_a_model():
    found = by_surface(section_mentions("Our results with the Semantic Token ViT are strong.", "abstract"))
    assert best_type(found["Semantic Token ViT"]) == "Model"


def test_names_listed_with_a_benchmark_are_benchmarks():
    found = by_surface(section_mentions("It also achieves strong performance on FooNet-QA, BarBench and ZetaSet-2.", "abstract"))
    assert best_type(found["FooNet-QA"]) == best_type(found["ZetaSet-2"]) == "Benchmark"


def test_a_dataset_listed_as_a_benchmark_is_a_benchmark():
    from kg.extract.corpus import consolidate

    for text in ("We evaluate on two benchmarks (ImageNet and FooSet).", "We evaluate on benchmarks ImageNet and FooSet."):
        mentions = section_mentions(text, "abstract")
        assert {e.name: e.type for e in consolidate([mentions])[0]}["ImageNet"] == "Benchmark"


def test_reviewed_counter_examples_stay_plain():
    """Sentences a review found over-broad rules misreading."""
    def types(text):
        return {m.evidence.surface: best_type(m) for m in section_mentions(text, "abstract")}

    assert types("On all three benchmarks FlashNet outperforms strong baselines.")["FlashNet"] != "Benchmark"
    assert "Llama" not in str(types("We count llama and alpaca herds and model the mistral wind."))
    assert "GPT4Code" in types("We propose GPT4Code, a code model.")
    assert types("We use the Multilingual Spoken Whisper (MSW) corpus.").get("Multilingual Spoken Whisper") != "Model"


def test_generic_classes_are_not_entities():
    found = by_surface(section_mentions("Large language models (LLMs), video diffusion models and CNNs are used.",
                                        "abstract"))
    assert not {"LLMs", "Large language models", "video diffusion models", "CNNs"} & set(found)
    title = by_surface(section_mentions("FooVLA: Vision-Language-Action Model via Joint Decoding", "title"))
    assert "FooVLA" in title and "Vision-Language-Action Model" not in title


def test_evidence_offsets_point_into_section_text():
    text = "Results with ResNet-50 are strong."
    for m in section_mentions(text, "abstract"):
        assert text[m.evidence.start : m.evidence.end] == m.evidence.surface
        assert m.evidence.sentence == text


def test_lexicon_match_is_also_offered_with_its_modifiers():
    mentions = by_surface(section_mentions("We propose double early exiting for faster inference.", "abstract"))
    longer, match = mentions["double early exiting"], mentions["early exiting"]
    assert longer.alternative and not match.alternative
    assert longer.proposed and longer.canonical is None and "lexicon-extension" in longer.reasons
    others = by_surface(section_mentions("Methods including early exiting and 8x early exiting.", "abstract"))
    assert "early exiting" in others and not {"including early exiting", "8x early exiting"} & set(others)


@pytest.mark.parametrize("module", ["abbreviations", "candidates", "classifier", "corpus", "mentions", "resources",
                                    "tokenizer", "tokens"])
def test_doctests(module):
    """The docstring examples of the extractor's modules hold."""
    results = doctest.testmod(importlib.import_module(f"kg.extract.{module}"))
    assert results.failed == 0 and results.attempted > 0


def test_title_case_runs_inside_an_abstract_are_names():
    found = by_surface(section_mentions("We then apply Salience-Determined Bit Allocation to every layer.", "abstract"))
    assert "title-case" in found["Salience-Determined Bit Allocation"].reasons


def test_a_title_case_run_may_extend_a_lexicon_name_to_its_right():
    found = by_surface(section_mentions("To fix this, we introduce Rainbow Padding for every model.", "abstract"))
    assert "Rainbow Padding" in found and "Rainbow" not in found
    found = by_surface(section_mentions("They report GPT-3 Small and DiT Peebles results.", "abstract"))
    assert {"GPT-3", "DiT"} <= set(found) and "GPT-3 Small" not in found  # a model's name goes on with sizes
    found = by_surface(section_mentions("Both suffer from High Memory Usage in practice.", "abstract"))
    assert "High Memory Usage" not in found  # the lexicon's name is the head: no new name


def test_an_ordinary_word_opening_a_sentence_opens_no_name():
    surfaces = by_surface(section_mentions("Existing LLM-based planners fail on long tasks.", "abstract"))
    assert not any(surface.startswith("Existing") for surface in surfaces)
    named = by_surface(section_mentions("Multiple Instance Learning is the standard tool here.", "abstract"))
    assert "Multiple Instance Learning" in named and "Instance Learning" not in named
    assert not section_mentions("Widespread LLM adoption raises costs.", "abstract")


def test_a_law_is_no_head_phrase():
    assert not section_mentions("We fit data scaling laws to the runs.", "abstract")


def test_a_cue_after_an_abbreviation_types_its_long_form():
    found = by_surface(section_mentions("We build the Large Tiny Corpus (LTC) dataset and FooNet (a) model.", "abstract"))
    assert "cue:dataset" in found["Large Tiny Corpus"].reasons
    assert not any(r == "cue:(" for m in found.values() for r in m.reasons)


@pytest.mark.parametrize("sentence", [
    "We benchmark on an Apple M2 Pro CPU, Ascend 910B chips, RTX4090 cards, MI300X and A100-80G with multi-GPU runs.",
    "It requires 27GB of GPU memory on a GPU for LoRA training.",
])
def test_hardware_and_connector_runs_are_not_names(sentence):
    surfaces = set(by_surface(section_mentions(sentence, "abstract")))
    assert not surfaces & {"Pro CPU", "Ascend 910B", "RTX4090", "MI300X", "A100-80G", "multi-GPU", "GB of GPU",
                           "GPU for LoRA"}


def test_an_evaluation_list_of_sized_names_or_tasks_is_no_data():
    found = by_surface(section_mentions("Experiments on Infinity-2B, Infinity-8B, and VAR-d30 show gains.", "abstract"))
    assert all("Dataset" not in dict(m.votes) for m in found.values())
    tasks = by_surface(section_mentions("It degrades performance on normal generation tasks.", "abstract"))
    assert dict(tasks["normal generation"].votes) == {"Task": 1.0}


def test_slashed_counts_gpus_and_formats_are_not_entities():
    found = by_surface(section_mentions("It has 41.9B total/6.6B active weights, runs on a 2080Ti and writes JSON.",
                                        "abstract"))
    assert not set(found) & {"total/6.6B", "2080Ti", "JSON"}
    board = by_surface(section_mentions("We measure latency on a Raspberry Pi 4, a Jetson Orin and an NVIDIA Titan Xp.",
                                        "abstract"))
    assert not [surface for surface in board if "Pi" in surface or "Orin" in surface or "Titan" in surface]


def test_a_composite_of_three_sizes_names_each_size():
    found = section_mentions("We evaluate LLaMA-2-7B/13B/70B and EMOv2-1M/2M/5M on MMLU.", "abstract")
    forms = {m.form for m in found}
    assert {"LLaMA-2-7B", "LLaMA-2-13B", "LLaMA-2-70B", "EMOv2-1M", "EMOv2-2M", "EMOv2-5M"} <= forms


def test_a_class_plural_the_lexicon_spells_keeps_its_entry():
    kept = by_surface(section_mentions("Residual networks (ResNets) ease training.", "abstract"))
    assert kept["ResNets"].canonical == "ResNet"
    dropped = by_surface(section_mentions("Sparsely-activated models (SAMs) route tokens.", "abstract"))
    assert "SAMs" not in dropped or dropped["SAMs"].canonical is None


@pytest.mark.parametrize("title, name", [
    ("AdaToken-3D: Dynamic Spatial Gating for Efficient 3D Reasoning", "Dynamic Spatial Gating"),
    ("Adaptive Graph Shrinking for Quantum Optimization", "Adaptive Graph Shrinking"),
    ("FooNet: Sparse Expert Routing", "Sparse Expert Routing"),
])
def test_title_leading_phrase_is_a_candidate(title, name):
    found = by_surface(section_mentions(title, "title"))
    assert "title:phrase" in found[name].reasons


@pytest.mark.parametrize("title", [
    "Rethinking Sparse Attention for Long Contexts",  # a verb in -ing opens it
    "Small Language Models Fine-tuned to Coordinate Larger Models",  # a clause
    "Sparse Expert Routing Works Well",  # no colon and no break word: a sentence, not a phrase
    "FooNet: Towards Efficient Inference",
    "BarNet: The Case for Sparse Experts",  # opens with a function word
])
def test_title_leading_phrase_needs_its_shape(title):
    for mention in section_mentions(title, "title"):
        assert "title:phrase" not in mention.reasons


def test_title_defines_the_name_before_its_colon():
    found = by_surface(section_mentions("MUSE: Machine Unlearning Six-Way Evaluation for Language Models", "title"))
    assert found["MUSE"].partner == "Machine Unlearning Six-Way Evaluation"
    assert found["Machine Unlearning Six-Way Evaluation"].partner == "MUSE"
    assert best_type(found["MUSE"]) == "Benchmark"  # the title head noun "Evaluation"


def test_title_phrase_that_does_not_spell_the_name_defines_nothing():
    found = by_surface(section_mentions("BERT: Pre-training of Deep Bidirectional Transformers", "title"))
    assert found["BERT"].partner is None


def test_latex_variables_and_split_suffixes_are_not_names():
    assert not any(map(is_name_shaped, ["F_1", "L_0", "ell_0", "ell_2-norm"]))
    assert is_name_shaped("LVLM_CSP")  # underscores in names stay possible
    surfaces = {m.evidence.surface for m in section_mentions("Timeline Control for Text-Driven 3D Human Motion", "title")}
    assert not any(s.startswith("-") for s in surfaces)


@pytest.mark.parametrize("name, family", [("SQuAD-v2", "SQuAD"), ("Qwen2.5-7B", "Qwen2.5"), ("o3-mini-high", "o3-mini"),
                                          ("GPT-4-turbo", "GPT-4"), ("LIBERO-Long", "LIBERO")])
def test_a_variant_name_takes_its_lexicon_familys_type(name, family):
    from kg.extract.candidates import lexicon_family
    from kg.extract.resources import load_resources

    resources = load_resources()
    assert lexicon_family(name, resources) is resources.lexicon[name_key(family)]
    assert lexicon_family("LoRA-Drop", resources) is None  # a word after a method's name names a new method


def test_pattern_compared_with_names_baselines():
    found = by_surface(section_mentions("ZetaNet outperforms FooNet-7B and BarNet, and is compared with BazNet.", "abstract"))
    assert all("pattern:compared-with" in found[name].reasons for name in ("FooNet-7B", "BarNet", "BazNet"))
    assert "pattern:compared-with" not in found["ZetaNet"].reasons


def test_a_title_case_run_does_not_open_with_a_relative_adjective():
    found = by_surface(section_mentions("Recent Vision-Language-Action Models work. We use Simple Preference Optimization.",
                                        "abstract"))
    assert not any(surface.startswith("Recent") for surface in found) and "Simple Preference Optimization" in found


def test_the_plural_of_a_task_names_its_outputs():
    found = by_surface(section_mentions("We edit the text embeddings of prompts and give practical recommendations.",
                                        "abstract"))
    assert not any(best_type(m) == "Task" for m in found.values())
    assert best_type(by_surface(section_mentions("We study text embedding and recommendation.", "abstract"))[
        "text embedding"]) == "Task"


def test_time_metric_named_only_as_a_measure():
    text = ("Our inference-time method edits attention at inference time. "
            "It cuts inference time by half, and training time too.")
    mentions = section_mentions(text, "abstract")
    assert "inference-time" not in by_surface(mentions)
    assert [m.evidence.start for m in mentions if m.evidence.surface == "inference time"] == [text.index("cuts") + 5]
    assert "training time" in by_surface(mentions)


def test_peak_before_a_lexicon_metric_names_its_own_measure():
    found = by_surface(section_mentions("It lowers peak GPU memory usage and latency.", "abstract"))
    assert found["peak GPU memory usage"].canonical == "peak GPU memory usage"
    assert "GPU memory usage" not in found


def test_precision_of_a_number_format_is_not_the_metric():
    text = "Training at 4-bit precision with high precision tensors gives precision 87.7% and recall 86.2%."
    surfaces = [m.evidence.surface for m in section_mentions(text, "abstract")]
    assert surfaces.count("precision") == 1 and "4-bit precision" not in surfaces


def test_a_phrase_given_a_result_is_a_metric():
    text = "The system achieves an average zeta ratio improvement (ZRi) of 5.57 dB on FooSet."
    found = by_surface(section_mentions(text, "abstract"))
    assert "pattern:x-of-amount" in found["zeta ratio improvement"].reasons
    assert best_type(found["zeta ratio improvement"]) == "Metric"


def test_a_capitalised_generic_word_after_a_capitalised_word_ends_a_name():
    text = "It has two phases: (1) Adaptive Expert Clustering, which groups experts, and clustering of data."
    surfaces = [m.evidence.surface for m in section_mentions(text, "abstract")]
    assert "Adaptive Expert Clustering" in surfaces and "Clustering" not in surfaces
    title = [m.evidence.surface for m in section_mentions("Faster Attention with Better Parallelism", "title")]
    assert "Attention" in title


def test_things_compared_with_after_a_measure_or_a_result():
    text = "ZetaGen surpasses the performance of FooNet-14B (86.1% vs. 85.2% of BarNet-7B)."
    found = by_surface(section_mentions(text, "abstract"))
    assert "pattern:compared-with" in found["FooNet-14B"].reasons
    assert "pattern:compared-with" in found["BarNet-7B"].reasons
