"""kg.analysis and `kg shared` / `kg stats` extras on a hand-built graph with known answers.

The fixture (tests/fixtures/analysis/small.ttl) documents the expected benchmark sets per method.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.analysis import (
    communities,
    components,
    export_gexf,
    export_graphml,
    export_neo4j_csv,
    graph_view,
    most_connected,
    adoption_by_month,
    shared_benchmarks,
    stats_tables,
)
from kg.cli import main
from kg.errors import KGError
from kg.graph.store import write_graph

FIXTURE = Path(__file__).parent / "fixtures" / "analysis" / "small.ttl"
BASE = "https://w3id.org/mlkg/id/"


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph().parse(FIXTURE)


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory) -> Path:
    """A real graph folder (Oxigraph store) holding the fixture, as `kg build` writes it."""
    out = tmp_path_factory.mktemp("graph")
    write_graph(out, iter(Graph().parse(FIXTURE)))
    return out


def table(pairs) -> list[tuple]:
    return [(p.method, p.other, p.shared, round(p.jaccard, 3), p.benchmarks) for p in pairs]


# ---------------------------------------------------------------- the view


def test_view_has_types_labels_aliases_paper_counts_and_roles(graph):
    view = graph_view(graph)
    assert view.number_of_nodes() == 17
    alpha = view.nodes[BASE + "method/alpha"]
    assert (alpha["type"], alpha["label"], alpha["aliases"], alpha["paper_count"]) == ("Method", "Alpha", ("ALP",), 2)
    paper = view.nodes[BASE + "paper/2401.00001"]
    assert (paper["type"], paper["date"], paper["url"]) == ("Paper", "2024-01-05", "https://arxiv.org/abs/2401.00001")
    assert view.nodes[BASE + "paper/t0123456789abcdef"]["date"] == "--03-01"
    roles = {(v.removeprefix(BASE), d["relation"], d["role"]) for u, v, d in view.edges(data=True)
             if u == BASE + "paper/2402.00003"}
    assert roles == {("method/gamma", "proposes", "proposed"), ("method/alpha", "uses", "used"),
                     ("benchmark/glue", "evaluatedOn", "evaluated_on"),
                     ("benchmark/squad", "evaluatedOn", "evaluated_on"),
                     ("task/question-answering", "addressesTask", "used")}


def test_view_filters_by_type_and_role(graph):
    view = graph_view(graph, types=["Paper", "Benchmark"], roles=["evaluated_on"])
    assert {d["type"] for _, d in view.nodes(data=True)} == {"Paper", "Benchmark"}
    assert {d["role"] for *_, d in view.edges(data=True)} == {"evaluated_on"}
    assert view.number_of_edges() == 7
    # paper_count still counts every paper of the graph
    assert view.nodes[BASE + "benchmark/glue"]["paper_count"] == 3


# ---------------------------------------------------------------- shared benchmarks


def test_shared_by_benchmark_proposed_ranks_ties_by_jaccard_then_label(graph):
    assert table(shared_benchmarks(graph)) == [
        ("Alpha", "Beta", 2, 1.0, ("GLUE", "MMLU")),
        ("Delta", "Gamma", 1, 0.5, ("SQuAD",)),
        ("Alpha", "Gamma", 1, 0.333, ("GLUE",)),
        ("Beta", "Gamma", 1, 0.333, ("GLUE",)),
    ]


def test_shared_role_any_counts_methods_papers_use(graph):
    assert table(shared_benchmarks(graph, role="any")) == [
        ("Beta", "Zeta", 2, 1.0, ("GLUE", "MMLU")),
        ("Alpha", "Beta", 2, 0.667, ("GLUE", "MMLU")),
        ("Alpha", "Gamma", 2, 0.667, ("GLUE", "SQuAD")),
        ("Alpha", "Zeta", 2, 0.667, ("GLUE", "MMLU")),
        ("Delta", "Gamma", 1, 0.5, ("SQuAD",)),
        ("Alpha", "Delta", 1, 0.333, ("SQuAD",)),
        ("Beta", "Gamma", 1, 0.333, ("GLUE",)),
        ("Gamma", "Zeta", 1, 0.333, ("GLUE",)),
    ]


def test_shared_by_dataset_and_both(graph):
    assert table(shared_benchmarks(graph, by="dataset")) == [("Alpha", "Delta", 1, 1.0, ("COCO",))]
    assert table(shared_benchmarks(graph, by="both"))[:3] == [
        ("Alpha", "Beta", 2, 0.667, ("GLUE", "MMLU")),
        ("Beta", "Gamma", 1, 0.333, ("GLUE",)),
        ("Delta", "Gamma", 1, 0.333, ("SQuAD",)),
    ]


def test_shared_min_shared_and_top(graph):
    assert table(shared_benchmarks(graph, min_shared=2)) == [("Alpha", "Beta", 2, 1.0, ("GLUE", "MMLU"))]
    assert len(shared_benchmarks(graph, top=2)) == 2


def test_closest_methods_to_one_method_by_label_or_alias(graph):
    assert table(shared_benchmarks(graph, method="gamma")) == [
        ("Gamma", "Delta", 1, 0.5, ("SQuAD",)),
        ("Gamma", "Alpha", 1, 0.333, ("GLUE",)),
        ("Gamma", "Beta", 1, 0.333, ("GLUE",)),
    ]
    assert [p.other for p in shared_benchmarks(graph, method="alp")] == ["Beta", "Gamma"]


def test_method_with_no_benchmark_shares_nothing(graph):
    assert shared_benchmarks(graph, method="Epsilon") == []
    assert "Epsilon" not in {name for p in shared_benchmarks(graph, role="any") for name in (p.method, p.other)}


def test_unknown_method_is_a_clear_error(graph):
    with pytest.raises(KGError, match="no method or model named 'Omega'"):
        shared_benchmarks(graph, method="Omega")
    with pytest.raises(KGError, match="no method or model named 'GLUE'"):
        shared_benchmarks(graph, method="GLUE")  # a benchmark, not a method


def test_shared_on_a_graph_without_methods_is_empty():
    assert shared_benchmarks(Graph()) == []


# ---------------------------------------------------------------- stats tables


def test_most_connected_per_type(graph):
    rows = most_connected(graph_view(graph), per_type=1).rows
    assert rows == (("Method", "Alpha", 2), ("Model", "Beta", 1), ("Dataset", "COCO", 2),
                    ("Benchmark", "GLUE", 3), ("Metric", "accuracy", 2), ("Task", "question answering", 1))


def test_adoption_by_month_counts_papers_per_month(graph):
    trend = adoption_by_month(graph_view(graph), top=2)
    assert trend.columns == ("month", "GLUE", "Alpha")
    assert trend.rows == (("2024-01", 2, 1), ("2024-02", 1, 1))
    everything = adoption_by_month(graph_view(graph), top=20)
    assert everything.rows[0][0] == "--03"  # a page date without a year
    assert everything.rows[0][everything.columns.index("Epsilon")] == 1


def test_components_and_communities(graph):
    view = graph_view(graph)
    parts = components(view)
    assert parts.title == "Connected components (2 in all)"
    assert parts.rows == ((1, 15, 4, "GLUE"), (2, 2, 1, "Epsilon"))
    found = communities(view)
    assert sum(row[1] for row in found.rows) == 17
    assert communities(view) == found  # same seed, same communities


def test_stats_tables_on_an_empty_graph():
    tables = stats_tables(Graph())
    assert [t.rows for t in tables] == [(), (), (), ()]


# ---------------------------------------------------------------- exports


def test_graphml_and_gexf_round_trip_and_are_byte_identical(graph, tmp_path):
    export_graphml(graph, tmp_path / "a.graphml")
    export_graphml(graph, tmp_path / "b.graphml")
    assert (tmp_path / "a.graphml").read_bytes() == (tmp_path / "b.graphml").read_bytes()
    back = nx.read_graphml(tmp_path / "a.graphml")
    assert back.number_of_nodes() == 17 and back.number_of_edges() == 19
    assert back.nodes[BASE + "dataset/coco"]["aliases"] == "MS-COCO"
    export_gexf(graph, tmp_path / "a.gexf")
    export_gexf(graph, tmp_path / "b.gexf")
    assert (tmp_path / "a.gexf").read_bytes() == (tmp_path / "b.gexf").read_bytes()
    assert b"lastmodifieddate" not in (tmp_path / "a.gexf").read_bytes()
    gexf = nx.read_gexf(tmp_path / "a.gexf")
    assert gexf.number_of_nodes() == 17 and gexf.number_of_edges() == 19


def test_exports_write_to_a_binary_stream(graph):
    out = io.BytesIO()
    export_graphml(graph, out)
    assert out.getvalue().startswith(b"<?xml")


def test_neo4j_csv_layout(graph, tmp_path):
    nodes_path, edges_path = export_neo4j_csv(graph, tmp_path / "neo4j")
    nodes = list(csv.DictReader(nodes_path.open(encoding="utf-8")))
    edges = list(csv.DictReader(edges_path.open(encoding="utf-8")))
    assert list(nodes[0]) == ["iri:ID", ":LABEL", "label", "aliases:string[]", "paperCount:int", "title", "date", "url"]
    assert list(edges[0]) == [":START_ID", ":END_ID", ":TYPE", "role"]
    coco = next(row for row in nodes if row["iri:ID"] == BASE + "dataset/coco")
    assert (coco[":LABEL"], coco["aliases:string[]"], coco["paperCount:int"]) == ("Entity;Dataset", "MS-COCO", "2")
    assert {row[":TYPE"] for row in edges} == {"PROPOSES", "USES", "EVALUATED_ON", "REPORTS_METRIC", "ADDRESSES_TASK"}
    ids = {row["iri:ID"] for row in nodes}
    assert all(row[":START_ID"] in ids and row[":END_ID"] in ids for row in edges)


# ---------------------------------------------------------------- CLI over a real store


def test_cli_shared_table_csv_json(graph_dir):
    runner = CliRunner()
    result = runner.invoke(main, ["shared", "--graph", str(graph_dir)])
    assert result.exit_code == 0, result.output
    assert "Alpha" in result.output and "GLUE; MMLU" in result.output
    result = runner.invoke(main, ["shared", "--graph", str(graph_dir), "--role", "any", "--format", "csv", "--top", "2"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output))) == [
        ["rank", "method", "other", "shared", "jaccard", "benchmarks"],
        ["1", "Beta", "Zeta", "2", "1.000", "GLUE; MMLU"],
        ["2", "Alpha", "Beta", "2", "0.667", "GLUE; MMLU"],
    ]
    result = runner.invoke(main, ["shared", "--graph", str(graph_dir), "--method", "Delta", "--format", "json"])
    assert json.loads(result.output) == [{
        "method": "Delta", "other": "Gamma", "shared": 1, "jaccard": 0.5, "benchmarks": ["SQuAD"],
        "method_iri": BASE + "method/delta", "other_iri": BASE + "method/gamma",
    }]


def test_cli_shared_errors_are_one_line(graph_dir, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["shared", "--graph", str(graph_dir), "--method", "Omega"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no method or model named 'Omega' in the graph"
    result = runner.invoke(main, ["shared", "--graph", str(tmp_path / "missing")])
    assert result.exit_code == 1 and "no graph here" in result.output
    assert runner.invoke(main, ["shared", "--graph", str(graph_dir), "--by", "paper"]).exit_code == 2


def test_cli_node_types_match_the_view():
    from kg.analysis.view import NODE_TYPES
    from kg.cli import analysis

    assert analysis.NODE_TYPES == NODE_TYPES


def test_cli_export_graphml_gexf_and_neo4j_csv(graph_dir, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--graph", str(graph_dir), "--format", "graphml"])
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(io.BytesIO(result.stdout_bytes)).number_of_nodes() == 17
    out = tmp_path / "graph.gexf"
    result = runner.invoke(main, ["export", "--graph", str(graph_dir), "--format", "gexf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert nx.read_gexf(out).number_of_edges() == 19
    folder = tmp_path / "neo4j"
    for _ in range(2):  # a second export into the same folder replaces the files
        result = runner.invoke(main, ["export", "--graph", str(graph_dir), "--format", "csv", "--out", str(folder)])
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["nodes.csv", "relationships.csv"]
    result = runner.invoke(main, ["export", "--graph", str(graph_dir), "--format", "csv"])
    assert result.exit_code == 2 and "give --out FOLDER" in result.output


def test_cli_stats_shows_the_analysis_tables(graph_dir):
    result = CliRunner().invoke(main, ["stats", "--graph", str(graph_dir)])
    assert result.exit_code == 0, result.output
    for title in ("Most connected entities per type", "Adoption per month", "Connected components (2 in all)",
                  "Communities (Louvain"):
        assert title in result.output
