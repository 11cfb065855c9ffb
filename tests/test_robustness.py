"""Bad input, hostile text and determinism, end to end through `kg build`.

Every bad input is generated here. The promises: no traceback, one line per skipped record naming file
and line, good records in the same input still built, every skipped record in rejects.jsonl, and
records read = papers + merged duplicates + rejects.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

KG = [sys.executable, "-c", "from kg.cli import main; main()"]
HOSTILE = "<img src=x onerror=alert(1)>"


def kg(*args) -> subprocess.CompletedProcess:
    return subprocess.run(KG + [str(a) for a in args], capture_output=True, text=True, timeout=600)


def paper_line(title: str, abstract: str) -> str:
    return json.dumps({"title": title, "abstract": abstract}) + "\n"


def hf_entry(title: str, abstract: str, meta: str = "  • 3 authors\n·\nMar 17\n") -> str:
    return f"{title}\n\n{abstract}\n\n{meta}\n"


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory) -> Path:
    """A folder of every kind of bad input, with good records mixed in."""
    root = tmp_path_factory.mktemp("bad")
    good = "We propose GoodNet, evaluated on the GLUE benchmark, outperforming BERT in terms of accuracy."
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.dat").write_bytes(bytes(range(256)) * 8)
    (root / "utf8.jsonl").write_bytes(paper_line("Valid Paper", good).encode() + b'{"title": "Bad \xff", "abstract": "x"}\n')
    (root / "crlf.txt").write_bytes(hf_entry("Windows Paper", good).replace("\n", "\r\n").encode())
    (root / "truncated.jsonl").write_text(paper_line("Another Valid Paper", good) + '{"title": "cut', encoding="utf-8")
    (root / "shape.json").write_text('{"papers": 3}', encoding="utf-8")
    (root / "xxe.atom").write_text(
        '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title><summary>s</summary></entry></feed>',
        encoding="utf-8",
    )
    (root / "bomb.atom").write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&c;</title><summary>s</summary></entry></feed>',
        encoding="utf-8",
    )
    (root / "long.txt").write_text("x" * 10_000_000, encoding="utf-8")
    (root / "halves.jsonl").write_text(
        json.dumps({"title": "A Title Alone"}) + "\n" + json.dumps({"abstract": "An abstract alone."}) + "\n",
        encoding="utf-8",
    )
    (root / "copy1.jsonl").write_text(paper_line("The Same Paper Twice", good), encoding="utf-8")
    (root / "copy2.txt").write_text(hf_entry("The Same Paper Twice", good), encoding="utf-8")
    (root / "notes.unknown").write_text("just some words\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def bad_build(bad_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "g"
    return kg("build", bad_corpus, "--out", out), out


def test_bad_input_builds_the_good_records_without_a_traceback(bad_build):
    result, out = bad_build
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert manifest["records_read"] == manifest["counts"]["papers"] + manifest["duplicates_merged"] + len(rejects)
    assert manifest["counts"]["papers"] == 4  # Valid, Windows, Another Valid, Same Paper Twice (merged)
    assert manifest["duplicates_merged"] == 1


def test_every_bad_file_is_a_reject_with_file_and_line(bad_build):
    _, out = bad_build
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    by_file = {}
    for reject in rejects:
        by_file.setdefault(Path(reject["file"]).name, []).append(reject)
    expected = {"empty.txt", "binary.dat", "utf8.jsonl", "truncated.jsonl", "shape.json", "xxe.atom",
                "bomb.atom", "long.txt", "halves.jsonl", "notes.unknown"}
    assert set(by_file) == expected
    assert [r["line"] for r in by_file["utf8.jsonl"]] == [2]
    assert [r["line"] for r in by_file["truncated.jsonl"]] == [2]
    assert sorted(r["line"] for r in by_file["halves.jsonl"]) == [1, 2]
    assert all(r["reason"] for r in rejects)


def test_skipped_records_are_reported_one_per_line(bad_build):
    result, _ = bad_build
    lines = [line for line in result.stdout.splitlines() if line.startswith("skipped ")]
    assert len(lines) == 10  # the summary lists the first ten; rejects.jsonl holds all
    assert all(": " in line for line in lines)


def test_hostile_text_is_escaped_in_the_built_page(tmp_path):
    corpus = tmp_path / "hostile.jsonl"
    abstract = f"We propose {HOSTILE} and </script><script>alert(2)</script> on the GLUE benchmark."
    corpus.write_text(paper_line(HOSTILE, abstract), encoding="utf-8")
    result = kg("build", corpus, "--out", tmp_path / "g")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "g" / "graph.html").read_text(encoding="utf-8")
    assert HOSTILE not in page
    assert "<script>alert(2)" not in page


def test_same_bytes_with_another_worker_count_and_file_order(tmp_path, repo_dir):
    files = sorted((repo_dir / "examples").iterdir())
    one, two = tmp_path / "one", tmp_path / "two"
    assert kg("build", *files, "--out", one, "--jobs", "1").returncode == 0
    assert kg("build", *reversed(files), "--out", two, "--jobs", "2").returncode == 0
    assert (one / "graph.ttl").read_bytes() == (two / "graph.ttl").read_bytes()
