"""The extraction cache of `kg build`: unchanged papers are not extracted again, the graph is unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec
from click.testing import CliRunner

from kg.cli import main
from kg.extract import extract_corpus, extractor_version
from kg.extract import pipeline
from kg.extract.pipeline import mentions_of
from kg.graph.extraction import (
    CACHE,
    CACHE_INDEX,
    STATE,
    CacheIndex,
    cache_spans,
    extract_papers,
    load_cache,
    save_cache,
)
from kg.analysis import kept_links
from kg.analysis.shared import cache_file_name
from kg.graph.store import open_graph, open_store
from kg.sources import read_inputs

FIXTURES = Path(__file__).parent / "fixtures" / "graph"


def build(*args) -> str:
    result = CliRunner().invoke(main, ["build", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


def summary_number(output: str, row: str) -> int:
    return int(re.search(rf"{re.escape(row)}\s*│\s*(\d+)", output).group(1))


def test_a_rebuild_extracts_only_new_papers_and_equals_a_full_build(tmp_path):
    full, incremental = tmp_path / "full", tmp_path / "incremental"
    build(FIXTURES / "day1.txt", FIXTURES / "day2.txt", "--out", full)
    first = build(FIXTURES / "day1.txt", "--out", incremental)
    assert summary_number(first, "papers unchanged (cached)") == 0
    second = build(FIXTURES / "day1.txt", FIXTURES / "day2.txt", "--out", incremental)
    papers = len(read_inputs([FIXTURES / "day1.txt"]).papers)
    assert summary_number(second, "papers unchanged (cached)") == papers
    assert summary_number(second, "papers extracted") > 0
    assert summary_number(second, "graph chunks kept from the last build") > 0  # the store was updated, not reloaded
    assert summary_number(second, "papers consolidated") <= summary_number(second, "papers")
    assert (incremental / "graph.ttl").read_bytes() == (full / "graph.ttl").read_bytes()
    assert (incremental / "build.json").read_bytes() == (full / "build.json").read_bytes()
    assert store_quads(incremental) == store_quads(full)


def test_a_rebuild_after_papers_are_removed_or_the_consolidation_state_is_damaged_equals_a_full_build(tmp_path):
    full, incremental = tmp_path / "full", tmp_path / "incremental"
    build(FIXTURES / "day1.txt", "--out", full)
    build(FIXTURES / "day1.txt", FIXTURES / "day2.txt", "--out", incremental)
    shrunk = build(FIXTURES / "day1.txt", "--out", incremental)  # day2's papers removed
    assert summary_number(shrunk, "papers consolidated") < summary_number(shrunk, "papers")
    assert_same_graph(incremental, full)
    (incremental / STATE).write_bytes(b"\x80damaged")  # the link leads into the current generation
    again = build(FIXTURES / "day1.txt", "--out", incremental)
    assert summary_number(again, "papers consolidated") == summary_number(again, "papers")
    assert_same_graph(incremental, full)


def test_a_rebuild_after_a_paper_changed_but_not_its_text_equals_a_full_build(tmp_path):
    """Its entities are copied from the state as bytes; its graph text is written again from them."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for name in ("day1.txt", "day2.txt"):
        (inputs / name).write_text((FIXTURES / name).read_text(encoding="utf-8"), encoding="utf-8")
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    build(inputs, "--out", incremental)
    day1 = inputs / "day1.txt"
    day1.write_text(day1.read_text(encoding="utf-8").replace("Mar 17 4", "Mar 17 5"), encoding="utf-8")  # upvotes
    again = build(inputs, "--out", incremental)
    assert summary_number(again, "papers consolidated") == 0
    build(inputs, "--out", full)
    assert_same_graph(incremental, full)
    for name in ("chunks.tsv", "graph.html"):
        assert (incremental / name).read_bytes() == (full / name).read_bytes()


def assert_same_graph(graph_dir: Path, expected: Path) -> None:
    assert (graph_dir / "graph.ttl").read_bytes() == (expected / "graph.ttl").read_bytes()
    assert (graph_dir / "build.json").read_bytes() == (expected / "build.json").read_bytes()
    assert store_quads(graph_dir) == store_quads(expected)
    links = f"analysis-cache/{cache_file_name(kept_links.BY, kept_links.ROLE)}"
    assert (graph_dir / links).read_bytes() == (expected / links).read_bytes()
    assert kept(graph_dir) == kept(expected) == kept_links.counted(open_graph(graph_dir)).sorted()
    kept_file = f"analysis-cache/{kept_links.file_name()}"
    assert (graph_dir / kept_file).read_bytes() == (expected / kept_file).read_bytes()


def kept(graph_dir: Path) -> kept_links.Kept:
    """The links and labels the build in ``graph_dir`` kept for the next (kg.analysis.kept_links)."""
    return msgspec.msgpack.decode((graph_dir / "analysis-cache" / kept_links.file_name()).read_bytes(),
                                  type=kept_links.Kept)


def test_kept_links_are_moved_by_the_changed_chunks_or_read_again(tmp_path):
    full, incremental = tmp_path / "full", tmp_path / "incremental"
    build(FIXTURES / "day1.txt", FIXTURES / "day2.txt", "--out", full)
    build(FIXTURES / "day2.txt", "--out", incremental)
    build(FIXTURES / "day1.txt", FIXTURES / "day2.txt", "--out", incremental)
    assert_same_graph(incremental, full)
    (incremental / "analysis-cache" / kept_links.file_name()).write_bytes(
        msgspec.msgpack.encode(kept_links.Kept({"https://example.org/m": {"https://example.org/b": ["https://example.org/p"]}},
                                               {}, {})))
    build(FIXTURES / "day1.txt", "--out", incremental)  # taking out what it never had: read from the store
    build(FIXTURES / "day1.txt", "--out", full)
    assert_same_graph(incremental, full)


def store_quads(graph_dir: Path) -> set:
    return set(open_store(graph_dir).quads_for_pattern(None, None, None))


def test_extractions_with_the_cache_equal_extract_corpus():
    papers = read_inputs([FIXTURES]).papers
    cold = extract_papers(papers, {})
    warm = extract_papers(papers, cold.mentions)
    assert warm.reused == len(papers) and cold.reused == 0
    assert list(warm.extractions) == list(cold.extractions) == extract_corpus(papers)


def test_parallel_mentions_equal_serial_ones(monkeypatch):
    papers = read_inputs([FIXTURES]).papers
    monkeypatch.setattr(pipeline, "POOL_MIN_PAPERS", 1)
    assert mentions_of(papers, 2) == mentions_of(papers, 1)


def test_a_cache_of_another_extractor_version_or_a_damaged_one_is_ignored(tmp_path):
    assert load_cache(tmp_path) == {}
    (tmp_path / CACHE).write_text('{"version": "older"}\n{"hash": "h", "mentions": []}\n', encoding="utf-8")
    assert load_cache(tmp_path) == {}
    (tmp_path / CACHE).write_bytes(b"\x80not JSON")
    assert load_cache(tmp_path) == {}
    (tmp_path / CACHE).write_text(json.dumps({"version": extractor_version()}) + '\n{"hash": "h"}\n', encoding="utf-8")
    assert load_cache(tmp_path) == {}


def test_the_cache_round_trips_every_mention_exactly(tmp_path):
    papers = read_inputs([FIXTURES]).papers
    extracted = extract_papers(papers, {})
    save_cache(tmp_path / CACHE, extracted)
    loaded = load_cache(tmp_path)
    assert loaded == extracted.mentions
    for mentions in loaded.values():  # equal sentences of one paper are one object, as from a pool worker
        by_text = {m.evidence.sentence: m.evidence.sentence for m in mentions}
        assert all(m.evidence.sentence is by_text[m.evidence.sentence] for m in mentions)


def test_a_rebuild_appends_new_papers_to_a_copy_of_the_cache_until_most_entries_are_stale(tmp_path):
    papers = read_inputs([FIXTURES]).papers
    first, second, third = tmp_path / "1", tmp_path / "2", tmp_path / "3"
    for folder in (first, second, third):
        folder.mkdir()
    save_cache(first / CACHE, extract_papers(papers[:-1], {}))
    grown = extract_papers(papers, load_cache(first))
    save_cache(second / CACHE, grown, previous=first / CACHE)
    old = (first / CACHE).read_bytes()
    assert (second / CACHE).read_bytes().startswith(old) and load_cache(second) == grown.mentions
    shrunk = extract_papers(papers[:1], load_cache(second))  # most cached papers gone: rewritten
    save_cache(third / CACHE, shrunk, previous=second / CACHE)
    assert load_cache(third) == shrunk.mentions


def test_a_damaged_cache_entry_is_extracted_again(tmp_path):
    papers = read_inputs([FIXTURES]).papers
    save_cache(tmp_path / CACHE, extract_papers(papers, {}))
    lines = (tmp_path / CACHE).read_bytes().splitlines(keepends=True)
    lines[1] = lines[1][:60] + b"\n"  # the first entry cut short: its line still starts like an entry
    (tmp_path / CACHE).write_bytes(b"".join(lines))
    cached = load_cache(tmp_path)
    assert len(cached) == len(papers)
    rebuilt = extract_papers(papers, cached)
    assert rebuilt.reused == len(papers) - 1
    assert list(rebuilt.extractions) == extract_corpus(papers)


def test_the_cache_index_is_used_when_it_fits_and_a_bad_one_costs_only_extractions(tmp_path, monkeypatch):
    papers = read_inputs([FIXTURES]).papers
    extracted = extract_papers(papers, {})
    save_cache(tmp_path / CACHE, extracted)
    spans = cache_spans(tmp_path / CACHE)
    assert spans == load_cache(tmp_path).spans
    (tmp_path / CACHE_INDEX).write_bytes(b"\x80damaged")
    assert cache_spans(tmp_path / CACHE) == spans  # found line by line
    lines = list(spans.values())
    swapped = dict(zip(spans, lines[1:] + lines[:1]))  # every entry points at another's line
    (tmp_path / CACHE_INDEX).write_bytes(msgspec.msgpack.encode(CacheIndex((tmp_path / CACHE).stat().st_size, swapped)))
    cached = load_cache(tmp_path)
    assert cached.spans == swapped
    rebuilt = extract_papers(papers, cached)
    assert rebuilt.reused == 0 and list(rebuilt.extractions) == extract_corpus(papers)

