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


def test_sizes_and_versions_are_distinct_entities():
    canonicals = {entry.canonical for entry in load_lexicon()}
    assert {"LLaMA-2", "Llama-2-7B", "Llama-2-13B", "LLaMA-7B", "Llama 3", "Llama 3.1"} <= canonicals


def test_generic_classes_and_fields_are_not_entities():
    forms = {form.casefold() for entry in load_lexicon() for form in entry.surface_forms}
    for generic in ("large language models", "llms", "cnns", "diffusion models", "machine learning", "deep learning",
                    "computer vision", "vision-language models"):
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
