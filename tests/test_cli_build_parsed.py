"""`kg build` keeps each input file as parsed, by the hash of its bytes: a rebuild parses only new or
changed files, with the result of a full build."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main
from kg.graph.store import current_generation, open_store
from kg.sources.parsed import FOLDER

FIXTURES = Path(__file__).parent / "fixtures" / "graph"
BAD_LINE = '{"title": "no abstract"}\n'


def build(*args) -> None:
    result = CliRunner().invoke(main, ["build", *map(str, args)])
    assert result.exit_code == 0, result.output


def inputs(folder: Path) -> Path:
    """A folder of two page dumps and a JSON Lines file with a good and a bad record."""
    folder.mkdir()
    for name in ("day1.txt", "day2.txt"):
        (folder / name).write_text((FIXTURES / name).read_text(encoding="utf-8"), encoding="utf-8")
    good = {"title": "Gated Mixture Adapter", "abstract": "We propose Gated Mixture Adapter (GMA) for LLaMA-2."}
    (folder / "more.jsonl").write_text(json.dumps(good) + "\n" + BAD_LINE, encoding="utf-8")
    return folder


def entries(graph_dir: Path) -> dict[str, int]:
    """The parsed-input entries of the current generation, by name, with their inode."""
    return {path.name: path.stat().st_ino for path in (current_generation(graph_dir) / FOLDER).iterdir()}


def assert_same_graph(graph_dir: Path, expected: Path) -> None:
    for name in ("graph.ttl", "build.json", "chunks.tsv", "rejects.jsonl", "graph.html"):
        assert (graph_dir / name).read_bytes() == (expected / name).read_bytes(), name
    assert set(open_store(graph_dir).quads_for_pattern(None, None, None)) == set(
        open_store(expected).quads_for_pattern(None, None, None))


def test_a_rebuild_links_the_unchanged_files_and_parses_the_changed_ones(tmp_path):
    folder = inputs(tmp_path / "inputs")
    out, full = tmp_path / "out", tmp_path / "full"
    build(folder, "--out", out)
    before = entries(out)
    assert len(before) == 3
    build(folder, "--out", out)
    assert entries(out) == before  # the same files, hard links to the previous generation's
    day2 = folder / "day2.txt"
    day2.write_text(day2.read_text(encoding="utf-8").replace("5 authors", "6 authors"), encoding="utf-8")
    build(folder, "--out", out)
    after = entries(out)
    assert len(after) == 3 and len(after.keys() & before.keys()) == 2
    assert all(after[name] == before[name] for name in after.keys() & before.keys())
    build(folder, "--out", full)
    assert_same_graph(out, full)


def test_a_damaged_entry_is_parsed_again(tmp_path):
    folder = inputs(tmp_path / "inputs")
    out, full = tmp_path / "out", tmp_path / "full"
    build(folder, "--out", out)
    for entry in (current_generation(out) / FOLDER).iterdir():
        entry.write_bytes(b"\x92\x91\xc0")  # MessagePack, but not a file's records
    build(folder, "--out", out)
    build(folder, "--out", full)
    assert_same_graph(out, full)


def test_a_reused_file_names_its_rejects_as_given_now(tmp_path):
    folder = inputs(tmp_path / "inputs")
    out = tmp_path / "out"
    build(folder / "more.jsonl", folder / "day1.txt", "--out", out)
    before = entries(out)
    link = tmp_path / "elsewhere.jsonl"
    link.symlink_to(folder / "more.jsonl")
    build(link, folder / "day1.txt", "--out", out)
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(reject["file"], reject["line"]) for reject in rejects] == [(str(link), 2)]
    assert entries(out) == before  # both entries reused
