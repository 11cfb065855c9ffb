"""Bundled queries on a fixture graph with known answers; parameter binding; query errors."""

from __future__ import annotations

import random
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.analysis.shared import shared_benchmarks
from kg.errors import KGError
from kg.sparql.binding import bind_params, collect_params, typed_term, where_group_offset
from kg.sparql.queries import bundled_queries, query_form, resolve_query
from kg.sparql.resolve import lookup_query
from kg.sparql.results import cap_result, serialize_result
from kg.sparql.run import prepare, run_local

FIXTURE = Path(__file__).parent / "fixtures" / "sparql" / "graph.ttl"
ID = "https://w3id.org/mlkg/id/"
KG = "https://w3id.org/mlkg/ns#"
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
HOSTILE = 'x" } ; DROP ALL ; { "'


def oxigraph_graph() -> Graph:
    """An empty in-memory graph laid out like ``kg.graph.store.open_graph``'s: the store's default graph."""
    return Graph(store="Oxigraph", identifier=DATASET_DEFAULT_GRAPH_ID)


@pytest.fixture(scope="module")
def graph() -> Graph:
    graph = oxigraph_graph()
    graph.parse(FIXTURE)
    return graph


def rows(graph: Graph, name: str, *params: str) -> list[tuple]:
    """The rows of bundled query ``name``, each as a tuple of Python values (None when unbound)."""
    run = partial(run_local, graph)
    result = run(prepare(resolve_query(name), collect_params(params), run))
    return [tuple(None if term is None else term.toPython() for term in row) for row in result]


def test_every_bundled_query_has_a_description():
    queries = bundled_queries()
    assert len(queries) >= 8
    for name, query in queries.items():
        assert query.description, name
        query_form(query.text, name)


def test_papers_per_benchmark(graph):
    assert [(label, n) for _, label, n in rows(graph, "papers-per-benchmark")] == [
        ("GLUE", 3),
        ("MMLU", 2),
        ("ImageNet-Bench", 1),
    ]


def test_methods_sharing_benchmarks(graph):
    assert [(a, b, n, round(float(j), 4), names) for _, a, _, b, n, j, names in rows(graph, "methods-sharing-benchmarks")] == [
        ("Adapter", "Low-Rank Adaptation", 2, 1.0, "GLUE | MMLU"),
        ("Adapter", "ViT", 1, 0.3333, "GLUE"),
        ("Low-Rank Adaptation", "ViT", 1, 0.3333, "GLUE"),
    ]


def random_graph(seed: int) -> Graph:
    """Papers proposing, using and evaluated on random methods, models, benchmarks and datasets."""
    rng = random.Random(seed)
    lines = [f"@prefix kg: <{KG}> .", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> ."]
    entities = [(kind, n) for kind in ("Method", "Model", "Benchmark", "Dataset") for n in range(12)]
    for kind, n in entities:
        label = f"{kind} {n:02d}" if n != 3 else "Shared Name"  # a label used by several entities
        lines.append(f'<{ID}{kind.lower()}/{n}> a kg:{kind} ; skos:prefLabel "{label}" .')
    for paper in range(60):
        for relation in ("proposes", "uses", "evaluatedOn", "evaluatedOn"):
            kind, n = rng.choice(entities)
            lines.append(f"<{ID}paper/{paper}> a kg:Paper ; kg:{relation} <{ID}{kind.lower()}/{n}> .")
    graph = oxigraph_graph()
    graph.parse(data="\n".join(lines), format="turtle")
    return graph


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_methods_sharing_benchmarks_answers_as_kg_shared(seed):
    graph = random_graph(seed)
    expected = [
        (p.method_iri, p.other_iri, p.shared, p.jaccard, p.benchmarks) for p in shared_benchmarks(graph, top=50)
    ]
    found = [
        (m1, m2, n, round(float(j), 6), tuple(sorted(names.split(" | "))))
        for m1, _, m2, _, n, j, names in rows(graph, "methods-sharing-benchmarks")
    ]
    assert expected and found == expected


@pytest.mark.parametrize("paper", ["2401.00001", "lora for everyone", f"<{ID}paper/2401.00001>"])
def test_paper_entities(graph, paper):
    assert [row[1:4:2] + row[4:] for row in rows(graph, "paper-entities", f"paper={paper}")] == [
        ("proposes", f"{ID}method/lora", "Low-Rank Adaptation"),
        ("uses", f"{ID}model/gpt-4", "GPT-4"),
        ("evaluated on", f"{ID}benchmark/glue", "GLUE"),
        ("evaluated on", f"{ID}benchmark/mmlu", "MMLU"),
        ("reports metric", f"{ID}metric/accuracy", "accuracy"),
    ]


def test_paper_entities_by_record_id(graph):
    assert {row[4] for row in rows(graph, "paper-entities", "paper=rec-4")} == {
        "ViT",
        "Low-Rank Adaptation",
        "C4",
        HOSTILE,
    }


@pytest.mark.parametrize("model", ["GPT-4", "gpt4", f"<{ID}model/gpt-4>"])
def test_papers_using_model(graph, model):
    assert [row[1] for row in rows(graph, "papers-using-model", f"model={model}")] == [
        "Adapters Revisited",
        "LoRA for Everyone",
    ]


def test_top_datasets_and_benchmarks(graph):
    assert [row[1:] for row in rows(graph, "top-datasets-benchmarks")] == [
        ("Dataset", "C4", 3),
        ("Benchmark", "GLUE", 3),
        ("Benchmark", "MMLU", 2),
        ("Benchmark", "ImageNet-Bench", 1),
    ]
    assert [row[2] for row in rows(graph, "top-datasets-benchmarks", "type=Dataset")] == ["C4"]


def test_adoption_by_month(graph):
    assert rows(graph, "adoption-by-month", "entity=LoRA") == [
        ("Low-Rank Adaptation", "--03", 1),
        ("Low-Rank Adaptation", "2024-01", 1),
    ]


def test_entity_aliases(graph):
    assert rows(graph, "entity-aliases", "entity=vision transformer") == [
        (f"{ID}model/vit", "Model", "ViT", "Vision Transformer"),
    ]
    assert rows(graph, "entity-aliases", "entity=Adapter") == [(f"{ID}method/adapter", "Method", "Adapter", None)]


def test_link_evidence(graph):
    (row,) = rows(graph, "link-evidence", "entity=lora")
    assert row[1:7] == (
        "LoRA for Everyone",
        "Low-Rank Adaptation",
        "proposes",
        "LoRA",
        "abstract",
        "We propose LoRA, a low-rank adapter.",
    )
    assert sorted(row[8].split(", ")) == ["lexicon", "pattern:we-propose"]
    assert rows(graph, "link-evidence", "entity=lora", "paper=2401.00002") == []


def test_hostile_parameter_is_a_plain_literal(graph):
    before = len(graph)
    assert [row[1] for row in rows(graph, "papers-using-model", f"model={HOSTILE}")] == ["Tiny Paper"]
    assert len(graph) == before
    assert 'VALUES ?name { "x\\" } ; DROP ALL ; { \\"" }' in lookup_query("Model", HOSTILE).text
    query = "SELECT ?e WHERE { ?e skos:prefLabel ?label }"
    bound = prepare(resolve_query(query), collect_params([f"label={HOSTILE}"])).text
    assert 'VALUES ?label { "x\\" } ; DROP ALL ; { \\"" }' in bound
    assert [row[0] for row in run_local(graph, prepare(resolve_query(query), collect_params([f"label={HOSTILE}"])))] == [
        URIRef(f"{ID}model/hostile")
    ]


def test_names_that_name_nothing(graph):
    with pytest.raises(KGError, match="no Model named 'Adapter' in the graph"):
        rows(graph, "papers-using-model", "model=Adapter")
    with pytest.raises(KGError, match="no paper named '9999.99999'"):
        rows(graph, "paper-entities", "paper=9999.99999")


def test_typed_terms():
    assert typed_term("<https://ex.org/a>") == URIRef("https://ex.org/a")
    assert typed_term("-12") == Literal(-12)
    assert typed_term("GPT-4") == Literal("GPT-4")
    with pytest.raises(KGError, match="not a valid IRI"):
        typed_term("<https://ex.org/a> . <b>")
    with pytest.raises(KGError, match="NAME=VALUE"):
        collect_params(["no-equals-sign"])


def test_values_go_into_the_where_group_not_strings_or_comments():
    query = '# { not here\nPREFIX ex: <http://ex.org/ns#>\nSELECT ?a (EXISTS { ?a ?b "{" } AS ?e) WHERE { ?a ?b ?c }'
    bound = bind_params(query, "SelectQuery", {"c": [Literal(1)]})
    assert bound.endswith('WHERE { VALUES ?c { "1"^^<http://www.w3.org/2001/XMLSchema#integer> }  ?a ?b ?c }')
    construct = "CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c }"
    assert construct[where_group_offset(construct, "ConstructQuery") :] == " ?a ?b ?c }"
    short = "CONSTRUCT WHERE { ?a ?b ?c }"
    assert short[where_group_offset(short, "ConstructQuery") :] == " ?a ?b ?c }"


def test_multiple_values_and_parameter_checks(graph):
    found = rows(graph, "entity-aliases", "entity=GPT-4", "entity=Adapter")
    assert [row[2] for row in found] == ["Adapter", "GPT-4"]
    with pytest.raises(KGError, match="needs --param model=VALUE"):
        prepare(resolve_query("papers-using-model"), {})
    with pytest.raises(KGError, match="takes no parameter 'modle'"):
        prepare(resolve_query("papers-using-model"), collect_params(["model=x", "modle=y"]))
    with pytest.raises(KGError, match="no variable \\?nope"):
        prepare(resolve_query("SELECT ?a WHERE { ?a ?b ?c }"), collect_params(["nope=1"]))


def test_malformed_query_names_its_position():
    with pytest.raises(KGError, match=r"^query:2:\d+: SPARQL syntax error near"):
        prepare(resolve_query("SELECT ?a\nWHERE { ?a ?b }"), {})
    with pytest.raises(KGError, match="updates are not allowed"):
        prepare(resolve_query("DROP ALL"), {})
    with pytest.raises(KGError, match="no bundled query named 'papers-per-benchmrk'"):
        resolve_query("papers-per-benchmrk")


def test_federated_queries_and_undeclared_prefixes_are_refused():
    with pytest.raises(KGError, match="SERVICE .* is not allowed"):
        prepare(resolve_query("SELECT * WHERE { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"), {})
    with pytest.raises(KGError, match="prefix 'foo:' is not declared"):
        prepare(resolve_query("SELECT * WHERE { ?s foo:bar ?o }"), {})
    declared = prepare(resolve_query('PREFIX foo: <http://ex.org/>\nSELECT * WHERE { ?s foo:bar "SERVICE" }'), {})
    assert declared.form == "SELECT"


def test_query_file(tmp_path, graph):
    path = tmp_path / "count.rq"
    path.write_text("# Count papers.\nSELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Paper }\n")
    query = resolve_query(str(path))
    assert query.description == "Count papers."
    assert [row.n.toPython() for row in run_local(graph, prepare(query, {}))] == [5]
    with pytest.raises(KGError, match="no such query file"):
        resolve_query(str(tmp_path / "missing.rq"))


def test_serialisations_and_cap(graph):
    prepared = prepare(resolve_query("papers-per-benchmark"), {})
    capped, truncated = cap_result(run_local(graph, prepared), 2)
    assert truncated
    assert serialize_result(capped, "csv").decode().splitlines() == [
        "benchmark,label,papers",
        f"{ID}benchmark/glue,GLUE,3",
        f"{ID}benchmark/mmlu,MMLU,2",
    ]
    tsv = serialize_result(run_local(graph, prepared), "tsv").decode().splitlines()
    assert tsv[1] == f'<{ID}benchmark/glue>\t"GLUE"\t3'
    construct = run_local(graph, prepare(resolve_query("CONSTRUCT WHERE { ?b a kg:Benchmark }"), {}))
    assert serialize_result(construct, "nt").decode().splitlines()[0].startswith(f"<{ID}benchmark/glue>")
    with pytest.raises(KGError, match="is a graph"):
        serialize_result(construct, "csv")


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_parameter_text_comes_back_as_itself(value):
    """Whatever the text, it is one plain literal (or integer) and the query stays one query."""
    empty = oxigraph_graph()
    prepared = prepare(resolve_query("SELECT ?v WHERE { }"), collect_params([f"v={value}"]))
    (got,) = [row.v for row in run_local(empty, prepared)]
    want = typed_term(value)
    assert (str(got), got.datatype or XSD_STRING) == (str(want), want.datatype or XSD_STRING)
