"""`kg build`, `kg export`, `kg stats`, `kg validate` end to end: outputs, determinism, exit codes, kills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import main
from kg.graph.build import graph_chunks
from kg.graph.store import open_graph, write_chunks
from kg.model import Paper, PaperExtraction

FIXTURES = Path(__file__).parent / "fixtures" / "graph"
KG = [sys.executable, "-c", "from kg.cli import main; main()"]


def run(*args: str):
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built") / "g"
    result = run("build", FIXTURES / "day1.txt", FIXTURES / "day2.txt", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_build_writes_the_graph_folder_and_a_summary(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "Only a title", "abstract": "and an abstract"}\n{"title": "broken\n', encoding="utf-8")
    out = tmp_path / "g"
    result = run("build", FIXTURES, bad, "--out", out)
    assert result.exit_code == 0, result.output
    for line in ("records read", "papers", "duplicates merged", "records skipped", "entities: Model", "triples"):
        assert line in result.output
    assert "bad.jsonl:2" in result.output
    for name in ("store", "graph.ttl", "rejects.jsonl", "build.json"):
        assert (out / name).exists()
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert [(r["file"], r["line"]) for r in rejects] == [(str(bad), 2)] and rejects[0]["reason"]
    manifest = json.loads((out / "build.json").read_text())
    assert manifest["records_read"] == 6 and manifest["duplicates_merged"] == 1 and manifest["rejected"] == 1
    assert manifest["counts"]["papers"] == 4 and len(manifest["papers"]) == 4
    assert manifest["extractor"][0]["version"]


def test_every_paper_keeps_its_page_metadata(built):
    rows = open_graph(built).query(
        """SELECT ?title ?issued ?upvotes ?authors ?org WHERE {
             ?paper a kg:Paper ; dcterms:title ?title ; dcterms:issued ?issued .
             OPTIONAL { ?paper kg:upvotes ?upvotes } OPTIONAL { ?paper kg:authorCount ?authors }
             OPTIONAL { ?paper kg:organization ?org } }"""
    )
    found = {str(row.title).split(":")[0]: row for row in rows}
    assert set(found) == {"SparseRoute", "PixelBench", "QuickDistill"}
    assert str(found["PixelBench"].issued) == "2024-10-14" and int(found["PixelBench"].upvotes) == 12
    assert str(found["SparseRoute"].issued) == "--03-17" and int(found["SparseRoute"].authors) == 3
    assert str(found["QuickDistill"].org) == "OpenLab"


def test_rebuild_and_input_order_give_byte_identical_turtle(built, tmp_path):
    again = tmp_path / "again"
    result = run("build", FIXTURES / "day2.txt", FIXTURES / "day1.txt", "--out", again)
    assert result.exit_code == 0, result.output
    assert (again / "graph.ttl").read_bytes() == (built / "graph.ttl").read_bytes()
    assert run("build", FIXTURES / "day2.txt", FIXTURES / "day1.txt", "--out", again).exit_code == 0
    assert (again / "graph.ttl").read_bytes() == (built / "graph.ttl").read_bytes()


def test_base_iri_option(tmp_path):
    result = run("build", FIXTURES / "day1.txt", "--out", tmp_path / "g", "--base-iri", "https://example.org/kg")
    assert result.exit_code == 0, result.output
    assert "<https://example.org/kg/paper/" in (tmp_path / "g" / "graph.ttl").read_text()


def test_validate_conforms(built):
    result = run("validate", "--graph", built)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("conforms")


def test_validate_fails_on_a_broken_graph(tmp_path):
    paper = Paper(title="A paper", abstract="Text.", sources=())  # no source record: a violation
    write_chunks(tmp_path / "g", graph_chunks([PaperExtraction(paper)], "https://example.org/"))
    result = run("validate", "--graph", tmp_path / "g")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any("kg:source" in line and "source records" in line for line in lines)
    assert lines[-1].startswith("Error: ") and "does not conform (1 violations)" in lines[-1]


@pytest.mark.parametrize("format_name", ["ttl", "nt", "jsonld", "trig", "xml"])
def test_export_formats_parse(built, tmp_path, format_name):
    out = tmp_path / f"graph.{format_name}"
    result = run("export", "--graph", built, "--format", format_name, "--out", out)
    assert result.exit_code == 0, result.output
    rdf_format = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
                  "trig": ox.RdfFormat.TRIG, "xml": ox.RdfFormat.RDF_XML}[format_name]
    assert len(list(ox.parse(path=str(out), format=rdf_format))) == len(open_graph(built))
    if format_name == "ttl":
        assert out.read_bytes() == (built / "graph.ttl").read_bytes()


def test_export_to_stdout(built):
    result = run("export", "--graph", built, "--format", "nt")
    assert result.exit_code == 0
    assert len(Graph().parse(data=result.output, format="nt")) == len(open_graph(built))


def test_stats(built):
    result = run("stats", "--graph", built)
    assert result.exit_code == 0, result.output
    for word in ("papers", "3", "Benchmark", "kg:evaluatedOn", "triples"):
        assert word in result.output


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["build", "no/such/file.txt", "--out", "{tmp}/g"], 1, "no/such/file.txt"),
        (["stats", "--graph", "{tmp}"], 1, "no graph here; run `kg build` first"),
        (["validate", "--graph", "{tmp}"], 1, "no graph here"),
        (["export", "--graph", "{tmp}"], 1, "no graph here"),
        (["build"], 2, "Missing argument"),
        (["build", str(FIXTURES), "--base-iri", "not an iri"], 2, "base IRI"),
        (["build", str(FIXTURES), "--base-iri", "https://example.org/%zz/"], 2, "base IRI"),
        (["export", "--format", "docx"], 2, "Invalid value"),
        (["stats", "--bogus"], 2, "No such option"),
    ],
)
def test_exit_codes_and_one_line_errors(tmp_path, args, code, message):
    result = subprocess.run(
        KG + [arg.replace("{tmp}", str(tmp_path)) for arg in args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if code == 1:
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["build", "export", "stats", "validate"])
def test_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def synthetic_corpus(path: Path, papers: int) -> None:
    """A JSON Lines corpus big enough that a build takes a few seconds."""
    with open(path, "w", encoding="utf-8") as out:
        for index in range(papers):
            abstract = (
                f"We propose Model{index}Net, a method for image classification. We evaluate Model{index}Net "
                f"on ImageNet and CIFAR-{index % 90 + 10} and report top-1 accuracy, outperforming ResNet-50."
            )
            out.write(json.dumps({"id": f"p{index}", "title": f"Model{index}Net: paper {index}", "abstract": abstract}))
            out.write("\n")


def test_killed_build_leaves_previous_output_usable(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    synthetic_corpus(corpus, 800)
    out = tmp_path / "g"
    subprocess.run(KG + ["build", str(FIXTURES), "--out", str(out)], check=True, capture_output=True, timeout=300)
    before = (out / "graph.ttl").read_bytes()
    triples = len(open_graph(out))
    for delay in (0.0, 0.3, 1.0):
        build = subprocess.Popen(KG + ["build", str(corpus), "--out", str(out)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        wait_for_new_generation(out, build)
        time.sleep(delay)
        assert build.poll() is None, "the build finished before it could be killed"
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        assert (out / "graph.ttl").read_bytes() == before
        assert len(open_graph(out)) == triples
    result = subprocess.run(KG + ["build", str(corpus), "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert len(list(out.glob(".gen-*"))) == 1
    assert len(open_graph(out)) > triples


def wait_for_new_generation(out: Path, build: subprocess.Popen) -> None:
    """Wait until the build starts writing its new generation (the moment a kill hurts most)."""
    current = (out / ".current").resolve()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and build.poll() is None:
        if any(path.resolve() != current for path in out.glob(".gen-*")):
            return
        time.sleep(0.01)
    pytest.fail("the build never started writing")
