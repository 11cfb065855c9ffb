"""The curated lexicon (kg/extract/lexicon/): every file parses and the six files are consistent."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.extract.lexicon import (
    FILE_NAMES,
    HEADER,
    LEXICON_DIR,
    LexiconEntry,
    lexicon_problems,
    load_lexicon,
    parse_entry,
    read_lexicon_file,
)
from kg.model import ENTITY_TYPES

MINIMUM_SIZES = {"Method": 400, "Model": 600, "Dataset": 250, "Benchmark": 250, "Metric": 120, "Task": 300}


def test_one_file_per_type_with_the_exact_header():
    assert set(FILE_NAMES) == set(ENTITY_TYPES)
    for file_name in FILE_NAMES.values():
        first_line = (LEXICON_DIR / file_name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line == HEADER, file_name


def test_every_file_parses_and_ends_with_a_newline():
    for entity_type, file_name in FILE_NAMES.items():
        path = LEXICON_DIR / file_name
        assert path.read_bytes().endswith(b"\n"), file_name
        entries = read_lexicon_file(path, entity_type)
        assert entries and all(entry.type == entity_type for entry in entries)


def test_lexicon_is_consistent():
    """Sorted, no surface form naming two entities of one type, no canonical in two types."""
    assert lexicon_problems(load_lexicon()) == []


def test_coverage_targets_are_met():
    entries = load_lexicon()
    for entity_type, minimum in MINIMUM_SIZES.items():
        assert sum(entry.type == entity_type for entry in entries) >= minimum, entity_type


@pytest.mark.parametrize(
    ("canonical", "entity_type", "alias"),
    [
        ("Low-Rank Adaptation", "Method", "LoRA"),
        ("Mixture of Experts", "Method", "MoE"),
        ("Llama-2-7B", "Model", "LLaMA-2-7B"),
        ("Vision Transformer", "Model", "ViT"),
        ("ImageNet", "Dataset", "ILSVRC"),
        ("AlpacaEval 2.0", "Benchmark", "AlpacaEval 2"),
        ("Fréchet Inception Distance", "Metric", "FID"),
        ("text-to-image generation", "Task", "T2I"),
    ],
)
def test_well_known_entities_are_listed_with_their_type(canonical, entity_type, alias):
    by_name = {entry.canonical: entry for entry in load_lexicon()}
    assert by_name[canonical].type == entity_type
    assert alias in by_name[canonical].aliases


REQUIRED = {
    "Model": "GPT-2 GPT-3 GPT-3.5 GPT-4 GPT-4o GPT-4V LLaMA LLaMA-2 Llama-3 Llama-3.1 LLaMA-7B LLaMA-13B LLaMA-65B "
             "Llama-2-7B Llama-2-13B Llama-2-70B Mistral-7B Mixtral-8x7B Qwen Qwen2 Qwen2.5 Qwen2-VL Qwen2.5-VL Vicuna "
             "Alpaca OPT BLOOM Falcon Gemma Phi-2 Phi-3 DeepSeek-V2 DeepSeek-V3 DeepSeek-R1 Claude Gemini PaLM T5 Flan-T5 "
             "BERT RoBERTa DeBERTa ELECTRA ALBERT DistilBERT XLNet BART ViT ViT-B/16 ViT-L/14 DeiT Swin ResNet ResNet-18 "
             "ResNet-50 ResNet-101 VGG-16 MobileNet MobileNetV2 MobileNetV3 EfficientNet ConvNeXt YOLOv8 DETR SAM CLIP BLIP "
             "BLIP-2 LLaVA LLaVA-1.5 MiniGPT-4 InstructBLIP Flamingo SD1.5 SD2.1 SDXL DALL-E-2 Imagen DiT U-Net Whisper "
             "wav2vec2 HuBERT",
    "Method": "LoRA QLoRA GPTQ AWQ SmoothQuant KD PTQ QAT pruning structured-pruning magnitude-pruning mixed-precision MoE "
              "speculative-decoding FlashAttention RLHF DPO PPO CoT ICL instruction-tuning RAG contrastive-learning "
              "self-supervised-learning MAE DDPM DDIM CFG attention self-attention Transformer dropout BatchNorm LayerNorm "
              "Adam SGD data-augmentation NAS federated-learning reinforcement-learning",
    "Dataset": "ImageNet COCO CIFAR-10 C4 WikiText-2 Penn-Treebank UCF101",
    "Benchmark": "GLUE SuperGLUE MMLU MT-Bench AlpacaEval-2.0 HumanEval MBPP GSM8K MATH BIG-Bench HellaSwag ARC WinoGrande "
                 "PIQA TruthfulQA LongBench VQAv2 MMBench MME POPE SEED-Bench MMMU",
    "Metric": "accuracy top-1-accuracy F1 mAP BLEU ROUGE perplexity FID IS CLIPScore PSNR SSIM LPIPS WER latency throughput "
              "FLOPs memory-footprint compression-ratio",
    "Task": "image-classification object-detection semantic-segmentation machine-translation question-answering "
            "text-to-image-generation model-compression KV-cache-compression action-recognition",
}


def _key(form: str) -> str:
    """Case, space and hyphen-insensitive comparison key used by the coverage test."""
    return form.casefold().replace(" ", "").replace("-", "")


def test_every_entity_named_in_the_brief_is_listed_with_its_type():
    types_of = {}
    for entry in load_lexicon():
        for form in entry.surface_forms:
            types_of.setdefault(_key(form), set()).add(entry.type)
    missing = [f"{entity_type}:{name}" for entity_type, names in REQUIRED.items() for name in names.split()
               if entity_type not in types_of.get(_key(name), set())]
    assert missing == []


def test_sizes_and_versions_are_distinct_entities():
    canonicals = {entry.canonical for entry in load_lexicon()}
    assert {"LLaMA-2", "Llama-2-7B", "Llama-2-13B", "LLaMA-7B", "Llama 3", "Llama 3.1"} <= canonicals


def test_generic_classes_and_fields_are_not_entities():
    forms = {form.casefold() for entry in load_lexicon() for form in entry.surface_forms}
    for generic in ("large language models", "llms", "cnns", "diffusion models", "machine learning", "deep learning",
                    "computer vision", "vision-language models", "video diffusion models"):
        assert generic not in forms, generic


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("LoRA", "exactly one tab"),
        ("LoRA\tx\ty", "exactly one tab"),
        ("\tLoRA", "empty or space-padded"),
        ("QLoRA\tLoRA||x", "empty or space-padded"),
        ("QLoRA\t LoRA", "empty or space-padded"),
    ],
)
def test_bad_lines_give_an_error_naming_file_and_line(text, message):
    with pytest.raises(InputError, match=message) as caught:
        parse_entry(text, "Method", Path("methods.tsv"), 7)
    assert str(caught.value).startswith("methods.tsv:7: ")


def test_bad_header_and_unknown_type_are_reported(tmp_path):
    path = tmp_path / "methods.tsv"
    path.write_text("name\taliases\nLoRA\t\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"methods\.tsv:1: header"):
        read_lexicon_file(path, "Method")
    with pytest.raises(InputError, match="unknown entity type"):
        read_lexicon_file(path, "Framework")


def test_load_lexicon_reads_another_directory(tmp_path):
    for entity_type, file_name in FILE_NAMES.items():
        (tmp_path / file_name).write_text(f"{HEADER}\nA {entity_type}\tA{entity_type[0]}\n", encoding="utf-8")
    entries = load_lexicon(tmp_path)
    assert [entry.type for entry in entries] == list(ENTITY_TYPES)
    assert entries[0] == LexiconEntry("A Method", "Method", ("AM",), str(tmp_path / "methods.tsv"), 2)


def _problems(*rows: tuple[str, str, tuple[str, ...]]) -> list[str]:
    entries = [LexiconEntry(canonical, entity_type, aliases, "f.tsv", line)
               for line, (canonical, entity_type, aliases) in enumerate(rows, start=2)]
    return lexicon_problems(entries)


def test_problems_found_by_the_consistency_check():
    assert _problems(("b", "Task", ()), ("A", "Task", ())) == ["f.tsv:3: 'A' is not sorted after 'b'"]
    assert _problems(("AWQ", "Method", ()), ("GPTQ", "Method", ("awq",))) == [
        "f.tsv:3: 'awq' (GPTQ) already names AWQ in Method"
    ]
    assert _problems(("X", "Method", ("Y", "Y")),) == ["f.tsv:2: 'X' repeats a surface form"]
    assert _problems(("X", "Method", ()), ("X", "Model", ())) == [
        "canonical 'x' is listed in several types: Method, Model"
    ]
    assert _problems(("SAM", "Method", ()), ("Segment Anything Model", "Model", ("SAM",))) == []
    assert _problems(("FID", "Metric", ("FID score",)),) == ["f.tsv:2: 'FID score' is 'FID' with 'score' after it"]
    assert _problems(("F1 score", "Metric", ("F1",)),) == []
