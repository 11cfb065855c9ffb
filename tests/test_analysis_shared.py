"""`kg shared` at scale: the pruned sparse top-k equals brute force, the cache, the SPARQL twin, the CLI.

The brute force is the definition: networkx's bipartite projection of the method-benchmark graph
(every pair of methods sharing a benchmark), less the benchmarks a pair reaches through one and the
same paper only, proposing both, ranked by shared count, Jaccard, then the first and the second
method's (label, IRI).
"""

from __future__ import annotations

import csv
import doctest
import importlib
import io
import json
import shutil
import random
import subprocess
import sys
from functools import partial
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from networkx.algorithms import bipartite
from rdflib import Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.analysis.shared import (
    Incidence,
    cache_file_name,
    cached_evaluated_on,
    closest_methods,
    evaluated_on,
    resolve_method,
    shared_benchmarks,
    top_pairs,
)
from kg.cli import main
from kg.errors import KGError
from kg.graph.store import write_graph
from kg.sparql.binding import collect_params
from kg.sparql.queries import resolve_query
from kg.sparql.run import prepare, run_local

FIXTURE = Path(__file__).parent / "fixtures" / "analysis" / "small.ttl"
ID = "https://w3id.org/mlkg/id/"
KG = "https://w3id.org/mlkg/ns#"


def brute_force(links: list[tuple[str, str, str, bool]], labels: dict[str, str]) -> list[tuple]:
    """Every pair of methods meeting on a benchmark (not through one paper alone proposing both), as
    (first, second, shared, jaccard, benchmarks), ranked."""
    if not links:
        return []
    graph = nx.Graph()
    graph.add_nodes_from({m for m, _, _, _ in links}, bipartite=0)
    graph.add_nodes_from({("b", b) for _, b, _, _ in links}, bipartite=1)
    graph.add_edges_from((m, ("b", b)) for m, b, _, _ in links)
    papers: dict[tuple[str, str], set[str]] = {}
    proposing = {(m, ("b", b), p) for m, b, p, proposes in links if proposes}
    for method, benchmark, paper, _ in links:
        papers.setdefault((method, ("b", benchmark)), set()).add(paper)

    def meet(u, v, b) -> bool:
        (paper, *more) = papers[u, b] | papers[v, b]
        return bool(more) or (u, b, paper) not in proposing or (v, b, paper) not in proposing

    methods = [node for node, side in graph.nodes(data="bipartite") if side == 0]
    key = lambda iri: (labels.get(iri, iri), iri)  # noqa: E731
    pairs = []
    for u, v in bipartite.projected_graph(graph, methods).edges:
        first, second = sorted((u, v), key=key)
        met = {b for b in set(graph[u]) & set(graph[v]) if meet(u, v, b)}
        if not met:
            continue
        jaccard = len(met) / len(set(graph[u]) | set(graph[v]))
        common = tuple(sorted(labels.get(b, b) for _, b in met))
        pairs.append((first, second, len(met), jaccard, common))
    pairs.sort(key=lambda p: (-p[2], -p[3], key(p[0]), key(p[1])))
    return [(a, b, n, round(j, 6), common) for a, b, n, j, common in pairs]


def found(pairs) -> list[tuple]:
    return [(p.method_iri, p.other_iri, p.shared, p.jaccard, p.benchmarks) for p in pairs]


@st.composite
def skewed_links(draw):
    """Random (method, benchmark, paper, proposes) links where a few methods have many benchmarks (as
    on real graphs), papers often evaluate two or three methods, mostly proposing them, and labels
    repeat so that ties fall back to IRIs; more methods than the first pruning round."""
    n_methods = draw(st.integers(0, 200))
    n_benchmarks = draw(st.integers(1, 30))
    rng = random.Random(draw(st.integers(0, 2**32)))
    links = []
    for m in range(n_methods):
        degree = min(n_benchmarks, int(rng.paretovariate(1.2)))
        papers = [f"p{rng.randrange(max(1, n_methods // 2)):03d}" for _ in range(rng.randint(1, 3))]
        links += [(f"m{m:03d}", f"b{b:02d}", rng.choice(papers), rng.random() < 0.8)
                  for b in rng.sample(range(n_benchmarks), degree)]
    labels = {f"m{m:03d}": f"method {rng.randrange(max(1, n_methods // 3))}" for m in range(n_methods)}
    labels |= {f"b{b:02d}": f"bench {b % 7}" for b in range(n_benchmarks)}
    return links, labels


@settings(max_examples=60, deadline=None)
@given(skewed_links(), st.integers(0, 80), st.integers(1, 4))
def test_top_pairs_equal_the_top_of_brute_force(graph_links, top, min_shared):
    links, labels = graph_links
    expected = [pair for pair in brute_force(links, labels) if pair[2] >= min_shared][: top or None]
    assert found(top_pairs(Incidence.from_links(links, labels), top, min_shared)) == expected


@settings(max_examples=40, deadline=None)
@given(skewed_links(), st.integers(0, 20), st.integers(1, 3), st.data())
def test_closest_methods_equal_brute_force(graph_links, top, min_shared, data):
    links, labels = graph_links
    incidence = Incidence.from_links(links, labels)
    if not incidence.methods:
        return
    method = data.draw(st.sampled_from(incidence.methods))
    expected = [
        (method, b if a == method else a, n, j, common)
        for a, b, n, j, common in brute_force(links, labels)
        if method in (a, b) and n >= min_shared
    ]
    expected.sort(key=lambda p: (-p[2], -p[3], labels[p[1]], p[1]))
    assert found(closest_methods(incidence, incidence.methods.index(method), top, min_shared)) == expected[: top or None]


def test_an_empty_incidence_has_no_pairs():
    empty = Incidence.from_links([], {})
    assert top_pairs(empty, 50) == [] and top_pairs(empty) == []


def test_methods_one_paper_alone_proposes_and_evaluates_do_not_meet():
    def pairs(*links):
        return found(top_pairs(Incidence.from_links(links, {})))

    assert pairs(("a", "glue", "p", True), ("b", "glue", "p", True)) == []  # p's framework and its part
    assert pairs(("a", "glue", "p", True), ("b", "glue", "p", False)) == [("a", "b", 1, 1.0, ("glue",))]  # p compares
    assert pairs(("a", "glue", "p", True), ("b", "glue", "p", True), ("b", "glue", "q", True)) == [
        ("a", "b", 1, 1.0, ("glue",))]  # q evaluates b on GLUE too


# ---------------------------------------------------------------- the store, the cache


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("graph")
    write_graph(out, iter(Graph().parse(FIXTURE)))
    return out


def generation(graph_dir: Path) -> Path:
    return (graph_dir / "store").resolve().parent


def test_cache_holds_the_same_incidence_and_answers(graph_dir, tmp_path):
    from kg.graph.store import open_graph

    graph = open_graph(graph_dir)
    folder = tmp_path / "gen"
    folder.mkdir()
    fresh = cached_evaluated_on(graph, folder, by="both", role="any")
    assert [path.name for path in (folder / "analysis-cache").iterdir()] == [cache_file_name("both", "any")]
    loaded = cached_evaluated_on(Graph(), folder, by="both", role="any")  # read back, the graph is not asked
    assert loaded.methods == fresh.methods and loaded.method_labels == fresh.method_labels
    assert loaded.benchmarks == fresh.benchmarks and loaded.benchmark_labels == fresh.benchmark_labels
    assert (loaded.matrix != fresh.matrix).nnz == 0 and (loaded.alone != fresh.alone).nnz == 0
    assert loaded.slot_benchmarks.tolist() == fresh.slot_benchmarks.tolist()
    assert found(top_pairs(loaded)) == found(top_pairs(evaluated_on(graph, by="both", role="any")))


def test_a_cache_folder_one_cannot_write_to_only_means_no_cache(graph_dir, tmp_path):
    from kg.graph.store import open_graph

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    pairs = shared_benchmarks(open_graph(graph_dir), cache=not_a_folder)
    assert found(pairs) == found(shared_benchmarks(open_graph(graph_dir)))


# ---------------------------------------------------------------- the SPARQL twin


def random_graph(seed: int) -> Graph:
    """Papers proposing random methods and models, evaluated on skewed random benchmarks and datasets;
    several methods share a label. Well over 50 pairs of methods share a benchmark."""
    rng = random.Random(seed)
    lines = [f"@prefix kg: <{KG}> .", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> ."]
    methods = [f"{ID}{kind.lower()}/{n}" for kind in ("Method", "Model") for n in range(20)]
    benchmarks = [f"{ID}{kind.lower()}/{n}" for kind in ("Benchmark", "Dataset") for n in range(10)]
    for iri in methods + benchmarks:
        kind, n = iri.removeprefix(ID).split("/")
        label = f"{kind} {int(n) % 6}" if kind in ("method", "model") else f"{kind} {n}"
        lines.append(f'<{iri}> a kg:{kind.capitalize()} ; skos:prefLabel "{label}" .')
    for paper in range(80):
        proposed = rng.sample(methods, rng.randint(1, 2))
        evaluated = {rng.choice(benchmarks[: rng.randint(1, len(benchmarks))]) for _ in range(rng.randint(1, 5))}
        lines += [f"<{ID}paper/{paper}> kg:proposes <{iri}> ." for iri in proposed]
        lines += [f"<{ID}paper/{paper}> kg:evaluatedOn <{iri}> ." for iri in evaluated]
    graph = Graph(store="Oxigraph", identifier=DATASET_DEFAULT_GRAPH_ID)
    graph.parse(data="\n".join(lines), format="turtle")
    return graph


def query_rows(graph: Graph, *params: str) -> list[tuple]:
    run = partial(run_local, graph)
    result = run(prepare(resolve_query("methods-sharing-benchmarks"), collect_params(params), run))
    return [
        (str(m1), str(m2), int(n), round(float(j), 6), tuple(sorted(str(names).split(" | "))))
        for m1, _, m2, _, n, j, names in result
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_methods_sharing_benchmarks_query_lists_the_top_50_of_kg_shared(seed):
    graph = random_graph(seed)
    assert len(shared_benchmarks(graph)) > 50
    assert query_rows(graph) == found(shared_benchmarks(graph, top=50))
    assert query_rows(graph, "min_shared=3") == found(shared_benchmarks(graph, top=50, min_shared=3))


# ---------------------------------------------------------------- the CLI


def run(graph_dir: Path, *args: str):
    result = CliRunner().invoke(main, ["shared", "--graph", str(graph_dir), *args])
    assert result.exit_code == 0, result.output
    return result


def csv_rows(output: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output)))[1:]


def test_cli_shared_top_all_and_cache(tmp_path):
    graph_dir = tmp_path / "g"
    graph_dir.mkdir()
    write_graph(graph_dir, iter(random_graph(1)))
    every = csv_rows(run(graph_dir, "--all", "--format", "csv").output)
    assert len(every) > 50
    assert sorted(path.name for path in generation(graph_dir).glob("analysis-cache/shared-*")) == [cache_file_name("benchmark", "proposed")]
    assert csv_rows(run(graph_dir, "--format", "csv").output) == every[:50]  # the default top, from the cache
    assert csv_rows(run(graph_dir, "--top", "0", "--format", "csv").output) == every
    assert csv_rows(run(graph_dir, "--top", "3", "--min-shared", "2", "--format", "csv").output) == [
        row for row in every if int(row[3]) >= 2][:3]


def test_kg_build_keeps_the_default_links_and_plain_store_folders_get_no_cache(tmp_path):
    examples = Path(__file__).parent.parent / "examples"
    result = CliRunner().invoke(main, ["build", str(examples), "--out", str(tmp_path / "g"), "-j", "1"])
    assert result.exit_code == 0, result.output
    cached = generation(tmp_path / "g") / "analysis-cache" / cache_file_name("benchmark", "proposed")
    assert cached.is_file()  # written by the build: the first `kg shared` reads it
    plain = tmp_path / "plain"
    shutil.copytree(generation(tmp_path / "g") / "store", plain / "store")
    assert run(plain).output == run(tmp_path / "g").output
    assert list(plain.iterdir()) == [plain / "store"]  # not a generation: nothing written beside it
    code = ("import sys; from kg.cli import main\n"
            f"try: main(['shared', '--graph', {str(tmp_path / 'g')!r}])\n"
            "except SystemExit: pass\n"
            "print(sorted({'rdflib', 'oxrdflib', 'pyoxigraph'} & set(sys.modules)))")
    answered = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert answered.endswith("\n[]\n")  # answered from the kept links: the store is not opened


def test_cli_shared_method_top(graph_dir):
    pairs = json.loads(run(graph_dir, "--method", "alp", "--role", "any", "--top", "2", "--format", "json").output)
    assert [(p["method"], p["other"], p["shared"]) for p in pairs] == [("Alpha", "Beta", 2), ("Alpha", "Gamma", 2)]


def test_cli_shared_help_says_all_is_quadratic():
    result = CliRunner().invoke(main, ["shared", "--help"])
    assert "[default: 50; x>=0]" in result.output and "square" in result.output


def test_resolve_method_by_name_any_case_else_iri_and_hostile_names_are_data(graph_dir):
    from kg.graph.store import open_graph

    graph = open_graph(graph_dir)
    assert resolve_method(graph, "alp") == resolve_method(graph, f"{ID}method/alpha") == f"{ID}method/alpha"
    for name in ('x" } ; DROP ALL ; { "', f"<{ID}method/alpha>", f"{ID}benchmark/glue", "a\\b"):
        with pytest.raises(KGError, match="no method or model named"):
            resolve_method(graph, name)


@pytest.mark.parametrize("module", ["kg.analysis.shared", "kg.analysis.view", "kg.cli.analysis"])
def test_docstring_examples(module):
    results = doctest.testmod(importlib.import_module(module))
    assert results.attempted and not results.failed


def test_kg_shared_imports_neither_networkx_nor_igraph():
    code = "import sys, kg.analysis; kg.analysis.shared_benchmarks; print(sorted({'networkx', 'igraph'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_a_damaged_cache_file_is_read_again_and_replaced(graph_dir, tmp_path):
    from kg.graph.store import open_graph

    graph = open_graph(graph_dir)
    damaged = tmp_path / "analysis-cache" / cache_file_name("benchmark", "proposed")
    damaged.parent.mkdir()
    damaged.write_bytes(b"not a zip")
    assert found(top_pairs(cached_evaluated_on(graph, tmp_path))) == found(top_pairs(evaluated_on(graph)))
    assert Incidence.load(damaged).methods == evaluated_on(graph).methods
