"""kg.graph: stable IRIs, triples, the on-disk store, the ontology and SHACL shapes."""

from __future__ import annotations

import doctest
import json
import importlib
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import rdflib
from rdflib import DCTERMS, RDF, SKOS, BNode, Graph, Literal, URIRef

from kg.errors import KGError
from kg.graph.build import Encoded, graph_chunks, paper_digest, turtle_document
from kg.graph.iris import entity_iri, evidence_iri, normalise_base, paper_iri, slug, source_iri
from kg.graph.stats import graph_counts
import kg.graph.store as store_module
from kg.graph.store import (CURRENT, INDEX, StoreLoader, open_graph, open_store, previous_chunks, read_manifest,
                            write_chunks, write_graph)
from kg.graph.validate import load_shapes, validate, validate_graph
from kg.model import ENTITY_TYPES, Evidence, ExtractedEntity, Paper, PaperDate, PaperExtraction, Reject, Source
from kg.vocab import KG, RELATIONS, SCHEMA, ontology_dir

BASE = "https://example.org/kg/"


def mention(entity: str, role: str, kind: str, abstract: str, confidence: float = 0.9, aliases=()) -> ExtractedEntity:
    """An entity found at its first occurrence in ``abstract`` (offsets computed, so they are right)."""
    start = abstract.index(entity)
    return ExtractedEntity(
        name=entity,
        type=kind,
        role=role,
        aliases=tuple(aliases),
        confidence=confidence,
        evidence=(Evidence("abstract", abstract, start, start + len(entity), entity),),
        reasons=("lexicon",),
    )


def corpus() -> list[PaperExtraction]:
    """Three small papers sharing GLUE and LoRA, one without arXiv id or year."""
    lora_abstract = "We propose Low-Rank Adaptation. We fine-tune GPT-3 and report accuracy on GLUE."
    lora = Paper(
        title="LoRA: Low-Rank Adaptation of Large Language Models",
        abstract=lora_abstract,
        arxiv_id="2106.09685",
        authors=("Edward Hu", "Yelong Shen"),
        date=PaperDate(6, 17, 2021),
        upvotes=12,
        links=("https://github.com/microsoft/LoRA",),
        sources=(Source("b.txt", 40, "hf-text"), Source("a.txt", 3, "hf-text")),
    )
    qlora_abstract = "We use LoRA adapters on a quantized LLaMA model and evaluate on GLUE."
    qlora = Paper(
        title="QLoRA",
        abstract=qlora_abstract,
        author_count=4,
        date=PaperDate(5, 23),
        organization="UW NLP",
        url="https://example.org/a paper",
        sources=(Source("a.txt", 20, "hf-text"),),
    )
    bert_abstract = "BERT is evaluated on GLUE and SQuAD. The C++ and C code is released."
    bert = Paper(title="BERT", abstract=bert_abstract, record_id="dev-7", sources=(Source("c.jsonl", 1, "jsonl"),))
    return [
        PaperExtraction(
            lora,
            [
                mention("Low-Rank Adaptation", "proposed", "Method", lora_abstract, 0.95, aliases=("LoRA",)),
                mention("GPT-3", "used", "Model", lora_abstract),
                mention("accuracy", "used", "Metric", lora_abstract),
                mention("GLUE", "evaluated_on", "Benchmark", lora_abstract),
            ],
            extractor_version="1.0",
        ),
        PaperExtraction(
            qlora,
            [
                mention("LoRA", "used", "Method", qlora_abstract),
                mention("LLaMA", "used", "Model", qlora_abstract),
                mention("GLUE", "evaluated_on", "Benchmark", qlora_abstract),
            ],
            extractor_version="1.0",
        ),
        PaperExtraction(
            bert,
            [
                mention("GLUE", "evaluated_on", "Benchmark", bert_abstract),
                mention("SQuAD", "evaluated_on", "Dataset", bert_abstract),
                mention("C++", "used", "Method", bert_abstract),
                mention("C", "used", "Method", bert_abstract),
            ],
            extractor_version="1.0",
        ),
    ]


def graph_of(extractions) -> Graph:
    return Graph().parse(data=turtle_document(graph_chunks(extractions, BASE)), format="turtle")


# ---------------------------------------------------------------- IRIs


@pytest.mark.parametrize(
    "name, expected",
    [
        ("LLaMA-2-7B", "llama-2-7b"),
        ("ViT-B/16", "vit-b-16"),
        ("Low-Rank  Adaptation", "low-rank-adaptation"),
        ("C++", "c-plus-plus"),
        ("C#", "c-sharp"),
        ("GPT‑4o", "gpt-4o"),  # non-breaking hyphen
        ("ＢＥＲＴ", "bert"),  # full-width letters (NFKC)
        ("Top-1 Acc. (%)", "top-1-acc-percent"),
    ],
)
def test_slug_examples(name, expected):
    assert slug(name) == expected


def test_slug_keeps_distinct_names_distinct():
    names = ["C", "C++", "C#", "A*", "A", "LLaMA-2-7B", "LLaMA-2-13B", "GPT-3.5", "GPT-35"]
    assert len({slug(name) for name in names}) == len(names)


def test_slug_of_punctuation_only_is_a_stable_hash():
    assert slug("…") == slug("…") and slug("…").startswith("x") and slug("…") != slug("—")


@given(st.text(max_size=40))
def test_slug_is_a_safe_iri_segment(text):
    value = slug(text)
    assert value == slug(text)
    assert value and value == value.strip("-") and "--" not in value
    assert not any(char.isspace() or char in "/?#%<>\"" for char in value)
    ox.NamedNode(BASE + "method/" + value)  # a valid IRI


def test_paper_iri_by_arxiv_id_else_title_hash():
    arxiv = Paper(title="Anything", abstract="x", arxiv_id="2106.09685")
    assert paper_iri(BASE, arxiv) == BASE + "paper/2106.09685"
    first = Paper(title="Attention Is All You Need", abstract="a")
    second = Paper(title="  attention is all you NEED. ", abstract="b")
    assert paper_iri(BASE, first) == paper_iri(BASE, second)
    assert paper_iri(BASE, first) != paper_iri(BASE, Paper(title="Attention Is Not All You Need", abstract="a"))
    old_style = Paper(title="x", abstract="y", arxiv_id="hep-th/9901001")
    assert paper_iri(BASE, old_style) == BASE + "paper/hep-th%2F9901001"


def test_entity_evidence_and_source_iris():
    entity = entity_iri(BASE, "Model", "LLaMA-2-7B")
    assert entity == BASE + "model/llama-2-7b"
    assert entity_iri(BASE, "Model", "llama 2 7b") == entity
    assert entity_iri(BASE, "Dataset", "LLaMA-2-7B") != entity
    paper = BASE + "paper/2106.09685"
    assert evidence_iri(paper, entity, BASE) == BASE + "paper/2106.09685/evidence/model/llama-2-7b"
    assert source_iri(paper, 2) == BASE + "paper/2106.09685/source/2"


def test_normalise_base():
    assert normalise_base("https://example.org/kg") == "https://example.org/kg/"
    assert normalise_base("https://example.org/kg#") == "https://example.org/kg#"
    for bad in ("example.org/kg/", "https://exa mple.org/", "ftp://x/"):
        with pytest.raises(KGError):
            normalise_base(bad)


# ---------------------------------------------------------------- triples


def test_paper_metadata_follows_the_ontology_layout():
    graph = graph_of(corpus())
    lora = URIRef(BASE + "paper/2106.09685")
    assert (lora, RDF.type, KG.Paper) in graph
    assert graph.value(lora, DCTERMS.title) == Literal("LoRA: Low-Rank Adaptation of Large Language Models")
    assert graph.value(lora, DCTERMS.issued) == Literal("2021-06-17", datatype=rdflib.XSD.date)
    assert graph.value(lora, KG.upvotes) == Literal(12)
    assert graph.value(lora, KG.authorCount) == Literal(2)
    assert set(graph.objects(lora, KG.authorName)) == {Literal("Edward Hu"), Literal("Yelong Shen")}
    assert graph.value(lora, SCHEMA.url) == URIRef("https://arxiv.org/abs/2106.09685")
    assert graph.value(lora, KG.link) == Literal("https://github.com/microsoft/LoRA", datatype=rdflib.XSD.anyURI)
    sources = sorted(graph.objects(lora, KG.source))
    assert sources == [URIRef(f"{lora}/source/1"), URIRef(f"{lora}/source/2")]
    assert graph.value(sources[0], KG.file) == Literal("a.txt")  # sorted, whatever order the reader gave
    assert graph.value(sources[0], KG.line) == Literal(3)
    qlora = URIRef(paper_iri(BASE, corpus()[1].paper))
    assert graph.value(qlora, DCTERMS.issued) == Literal("--05-23", datatype=rdflib.XSD.gMonthDay)
    assert graph.value(qlora, KG.organization) == Literal("UW NLP")
    assert graph.value(qlora, SCHEMA.url) == URIRef("https://example.org/a%20paper")
    assert graph.value(qlora, KG.arxivId) is None
    bert = URIRef(paper_iri(BASE, corpus()[2].paper))
    assert graph.value(bert, KG.recordId) == Literal("dev-7")


def test_every_link_carries_role_and_evidence():
    graph = graph_of(corpus())
    lora = URIRef(BASE + "paper/2106.09685")
    method = URIRef(BASE + "method/low-rank-adaptation")
    assert (lora, KG.proposes, method) in graph
    assert (lora, KG.reportsMetric, URIRef(BASE + "metric/accuracy")) in graph
    assert (lora, KG.evaluatedOn, URIRef(BASE + "benchmark/glue")) in graph
    evidence = URIRef(f"{lora}/evidence/method/low-rank-adaptation")
    assert (lora, KG.evidence, evidence) in graph
    assert graph.value(evidence, KG.entity) == method
    assert graph.value(evidence, KG.surfaceForm) == Literal("Low-Rank Adaptation")
    assert graph.value(evidence, KG.section) == Literal("abstract")
    assert graph.value(evidence, KG.startOffset) == Literal(11)
    assert graph.value(evidence, KG.endOffset) == Literal(30)
    assert graph.value(evidence, KG.confidence) == Literal("0.95", datatype=rdflib.XSD.decimal)
    assert graph.value(evidence, KG.reason) == Literal("lexicon")
    extraction = graph.value(lora, KG.extractedBy)
    assert extraction == URIRef(BASE + "extractor/kg-rules/1.0")
    assert graph.value(extraction, KG.extractor) == Literal("kg-rules")
    assert graph.value(extraction, KG.extractorVersion) == Literal("1.0")
    assert len(set(graph.subjects(KG.extractedBy, extraction))) == 3  # one node for the whole graph


def test_entities_merge_across_papers_with_every_alias():
    graph = graph_of(corpus())
    glue = URIRef(BASE + "benchmark/glue")
    assert len(set(graph.subjects(KG.evaluatedOn, glue))) == 3
    assert graph.value(glue, SKOS.prefLabel) == Literal("GLUE")
    method = URIRef(BASE + "method/low-rank-adaptation")
    assert (method, RDF.type, KG.Method) in graph
    assert set(graph.objects(method, SKOS.altLabel)) == {Literal("LoRA")}
    assert URIRef(BASE + "method/c-plus-plus") != URIRef(BASE + "method/c")
    assert (URIRef(BASE + "method/c-plus-plus"), SKOS.prefLabel, Literal("C++")) in graph


def test_pref_label_is_the_most_frequent_name_whatever_the_paper_order():
    def paper(index: int, name: str) -> PaperExtraction:
        abstract = f"We use {name} here."
        return PaperExtraction(Paper(title=f"P{index}", abstract=abstract), [mention(name, "used", "Model", abstract)])

    extractions = [paper(1, "Llama 2"), paper(2, "LLaMA-2"), paper(3, "LLaMA-2"), paper(4, "llama-2")]
    labels = set()
    for seed in range(5):
        random.Random(seed).shuffle(extractions)
        graph = graph_of(extractions)
        node = URIRef(BASE + "model/llama-2")
        labels.add((graph.value(node, SKOS.prefLabel), frozenset(graph.objects(node, SKOS.altLabel))))
    assert labels == {(Literal("LLaMA-2"), frozenset({Literal("Llama 2"), Literal("llama-2")}))}


def test_one_entity_with_two_roles_in_a_paper_keeps_one_evidence_with_both_relations():
    abstract = "We propose FooNet and use FooNet again."
    extraction = PaperExtraction(
        Paper(title="FooNet", abstract=abstract, sources=(Source("a.txt", 1, "hf-text"),)),
        [mention("FooNet", "used", "Model", abstract, 0.5), mention("FooNet", "proposed", "Model", abstract, 0.9)],
    )
    graph = graph_of([extraction])
    paper = URIRef(paper_iri(BASE, extraction.paper))
    node = URIRef(BASE + "model/foonet")
    assert {(paper, KG.proposes, node), (paper, KG.uses, node)} <= set(graph)
    evidence = URIRef(f"{paper}/evidence/model/foonet")
    assert list(graph.objects(paper, KG.evidence)) == [evidence]
    assert graph.value(evidence, KG.confidence) == Literal("0.9", datatype=rdflib.XSD.decimal)
    assert validate_graph(graph).conforms


def test_unknown_entity_type_is_a_clear_error():
    abstract = "We use Foo."
    bad = PaperExtraction(Paper(title="T", abstract=abstract), [mention("Foo", "used", "Gadget", abstract)])
    with pytest.raises(KGError, match="unknown type 'Gadget'"):
        list(graph_chunks([bad], BASE))


def test_chunks_have_no_blank_nodes_and_ignore_paper_order():
    extractions = corpus()
    first = list(graph_chunks(extractions, BASE))
    assert not any(isinstance(term, BNode) for triple in graph_of(extractions) for term in triple)
    assert list(graph_chunks(list(reversed(extractions)), BASE)) == first


def test_chunks_never_share_a_subject():
    owners = {}
    for chunk in graph_chunks(corpus(), BASE):
        graph = Graph().parse(data=turtle_document([chunk]), format="turtle")
        for subject in set(graph.subjects()):
            assert str(subject) == chunk.key or str(subject).startswith(chunk.key + "/")
            assert owners.setdefault(subject, chunk.key) == chunk.key


# ---------------------------------------------------------------- ontology and shapes


def test_ontology_and_shapes_load():
    shapes, ontology = load_shapes()
    sh = "http://www.w3.org/ns/shacl#"
    targets = set(shapes.objects(None, URIRef(sh + "targetClass")))
    classes = set(ontology.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    assert classes and classes <= targets  # a shape for every class
    Graph().parse(ontology_dir() / "kg.ttl")


def test_hand_built_graph_conforms():
    report = validate_graph(graph_of(corpus()))
    assert report.conforms, [v.line() for v in report.violations]


def test_broken_graph_fails_with_readable_violations():
    graph = graph_of(corpus())
    lora = URIRef(BASE + "paper/2106.09685")
    graph.remove((lora, DCTERMS.title, None))
    graph.remove((lora, KG.evidence, URIRef(f"{lora}/evidence/model/gpt-3")))
    qlora = URIRef(paper_iri(BASE, corpus()[1].paper))
    graph.set((URIRef(f"{qlora}/evidence/model/llama"), KG.startOffset, Literal(3)))
    graph.add((URIRef(BASE + "task/orphan"), RDF.type, KG.Task))
    report = validate_graph(graph)
    assert not report.conforms
    lines = [violation.line() for violation in report.violations]
    assert any("dcterms:title" in line and "title" in line for line in lines)
    assert any("has no evidence" in line and "gpt-3" in line for line in lines)
    assert any("surface form is not the text at its offsets" in line for line in lines)
    assert any("task/orphan" in line and "skos:prefLabel" in line for line in lines)
    assert all("\n" not in line for line in lines)


# ---------------------------------------------------------------- the store on disk


def write(out: Path, extractions=None, **kwargs):
    return write_chunks(out, graph_chunks(extractions or corpus(), BASE), **kwargs)


def test_write_and_reopen(tmp_path):
    written = write(tmp_path / "g", rejects=[Reject("x.txt", 4, "no abstract")], manifest={"inputs": ["x.txt"]})
    assert written.counts.papers == 3
    assert written.counts.entities["Benchmark"] == 1
    assert written.counts.links["evaluatedOn"] == 4  # GLUE three times, SQuAD once
    graph = open_graph(tmp_path / "g")
    assert len(graph) == written.counts.triples == graph_counts(graph).triples
    assert len(Graph().parse(tmp_path / "g" / "graph.ttl")) == len(graph)
    turtle = set(ox.parse(path=str(tmp_path / "g" / "graph.ttl"), format=ox.RdfFormat.TURTLE))
    store = set(open_store(tmp_path / "g"))
    assert turtle == store
    assert (tmp_path / "g" / "rejects.jsonl").read_text().count("no abstract") == 1
    manifest = read_manifest(tmp_path / "g")
    assert manifest["inputs"] == ["x.txt"] and manifest["counts"]["papers"] == 3
    assert validate(tmp_path / "g").conforms


def test_open_graph_is_read_only(tmp_path):
    write(tmp_path / "g")
    graph = open_graph(tmp_path / "g")
    with pytest.raises(Exception):
        graph.add((URIRef(BASE + "x"), RDF.type, KG.Paper))


def test_open_graph_without_a_build_says_so(tmp_path):
    with pytest.raises(KGError, match="no graph here; run `kg build` first"):
        open_graph(tmp_path)


def test_graph_ttl_is_byte_identical_whatever_the_order(tmp_path):
    write(tmp_path / "one")
    shuffled = corpus()
    random.Random(3).shuffle(shuffled)
    write(tmp_path / "two", shuffled)
    write(tmp_path / "two", shuffled)  # and a rebuild in place
    assert (tmp_path / "one" / "graph.ttl").read_bytes() == (tmp_path / "two" / "graph.ttl").read_bytes()


def test_failed_build_leaves_previous_graph_untouched(tmp_path):
    out = tmp_path / "g"
    write(out)
    before = (out / "graph.ttl").read_bytes()

    def failing():
        yield from list(graph_chunks(corpus(), BASE))[:2]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_chunks(out, failing())
    assert (out / "graph.ttl").read_bytes() == before
    assert len(open_graph(out)) > 0
    assert [p.name for p in out.glob(".gen-*")] == [Path(out / CURRENT).resolve().name]


def test_a_failed_first_build_leaves_nothing_behind(tmp_path):
    out = tmp_path / "g"

    def failing():
        yield from list(graph_chunks(corpus(), BASE))[:2]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_chunks(out, failing())
    assert not list(out.glob(".gen-*")) and not (out / CURRENT).exists()


def test_the_store_loaded_while_graph_ttl_is_written_holds_its_triples(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "LOAD_PIECE", 1000)  # many pieces, loaded on the loader's thread
    out = tmp_path / "g"
    write(out)
    expected = {tuple(q)[:3] for q in ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE)}
    assert {tuple(q)[:3] for q in open_store(out)} == expected


def test_a_piece_the_store_refuses_fails_the_load_in_the_caller():
    with pytest.raises(SyntaxError):
        with StoreLoader(ox.Store()) as loader:
            loader.add(b"<https://ex.org/a> <https://ex.org/p> .\n")


def test_leftovers_of_a_killed_build_are_removed_by_the_next(tmp_path):
    out = tmp_path / "g"
    write(out)
    (out / ".gen-killed" / "store").mkdir(parents=True)
    write(out)
    assert len(list(out.glob(".gen-*"))) == 1


def test_a_foreign_file_is_never_overwritten(tmp_path):
    out = tmp_path / "g"
    out.mkdir()
    (out / "graph.ttl").write_text("mine")
    with pytest.raises(KGError, match="not written by `kg build`"):
        write(out)
    assert (out / "graph.ttl").read_text() == "mine"
    assert not (out / CURRENT).exists() and not list(out.glob(".gen-*"))


@pytest.mark.parametrize("module", ["kg.graph.iris", "kg.graph.build", "kg.graph.store", "kg.cli.build"])
def test_docstring_examples(module):
    results = doctest.testmod(importlib.import_module(module))
    assert results.attempted and not results.failed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.text(min_size=1, max_size=30),
    abstract=st.text(min_size=1, max_size=60),
    name=st.text(min_size=1, max_size=15),
    url=st.text(max_size=30),
)
def test_any_text_round_trips_through_graph_ttl(tmp_path, title, abstract, name, url):
    text = f"{abstract} {name}"
    paper = Paper(title=title, abstract=text, url=url or None, sources=(Source("a b.txt", 1, "hf-text"),))
    extraction = PaperExtraction(paper, [mention(name, "used", "Model", text, aliases=(title,))])
    out = tmp_path / "g"
    written = write_chunks(out, graph_chunks([extraction], BASE))
    assert len(Graph().parse(out / "graph.ttl", format="turtle")) == written.counts.triples
    assert set(ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE)) == set(open_store(out))


def test_a_build_leaves_no_oxigraph_result_for_the_collector(tmp_path):
    """An unfinished query result sits in a reference cycle (oxrdflib's row generator) that the
    collector may free on the store loader's thread, which pyoxigraph refuses: none may be left."""
    import gc

    abstract = "We use Net-1 here."
    paper = Paper(title="T", abstract=abstract, sources=(Source("a.txt", 1, "hf-text"),))
    gc.collect()
    gc.disable()
    try:
        write_chunks(tmp_path / "g", graph_chunks([PaperExtraction(paper, [mention("Net-1", "used", "Model", abstract)])],
                                                  BASE))
        assert not [o for o in gc.get_objects() if type(o).__name__ == "QuerySolutions"]
    finally:
        gc.enable()


# ---------------------------------------------------------------- rebuilds that reuse the previous store


def store_dump(graph_dir: Path) -> bytes:
    return open_store(graph_dir).dump(format=ox.RdfFormat.N_QUADS)


def filler(count: int) -> list[PaperExtraction]:
    """``count`` papers, each using a model of its own."""
    papers = []
    for index in range(count):
        abstract = f"We use Net-{index} here."
        paper = Paper(title=f"Paper {index}", abstract=abstract, sources=(Source("f.txt", index + 1, "hf-text"),))
        papers.append(PaperExtraction(paper, [mention(f"Net-{index}", "used", "Model", abstract)], extractor_version="1.0"))
    return papers


def grown_corpus() -> list[PaperExtraction]:
    """corpus() and filler, minus BERT, plus a paper that adds an alias to GLUE (which other papers link to)."""
    abstract = "We evaluate on the GLUE benchmark (General Language Understanding Evaluation)."
    new = Paper(title="New", abstract=abstract, arxiv_id="2401.00001", sources=(Source("d.txt", 1, "hf-text"),))
    glue = mention("GLUE", "evaluated_on", "Benchmark", abstract, aliases=("General Language Understanding Evaluation",))
    return [*corpus()[:2], *filler(10), PaperExtraction(new, [glue], extractor_version="1.0")]


def test_a_rebuild_updates_only_changed_chunks_and_equals_a_full_build(tmp_path):
    full, incremental = tmp_path / "full", tmp_path / "incremental"
    write(incremental, corpus() + filler(10))
    before = read_index_lines(incremental)
    written = write(incremental, grown_corpus())
    write(full, grown_corpus())
    assert (incremental / "graph.ttl").read_bytes() == (full / "graph.ttl").read_bytes()
    assert store_dump(incremental) == store_dump(full)
    assert (incremental / "build.json").read_bytes() == (full / "build.json").read_bytes()
    assert set(open_store(incremental)) == set(ox.parse(path=str(full / "graph.ttl"), format=ox.RdfFormat.TURTLE))
    after = read_index_lines(incremental)
    assert written.reused_chunks == len(before & after) > 0  # unchanged papers and entities were kept
    assert not any("/paper/" in line and "bert" in line.lower() for line in after)
    assert validate(incremental).conforms


def read_index_lines(graph_dir: Path) -> set[str]:
    """Each chunk's key and fingerprint (its offsets in graph.ttl move as other chunks come and go)."""
    lines = (graph_dir / INDEX).read_text().splitlines()[1:]  # after the header
    return {"\t".join(line.split("\t")[:2]) for line in lines}


def test_the_previous_generation_is_untouched_by_a_rebuild(tmp_path):
    out = tmp_path / "g"
    write(out, corpus() + filler(10))
    previous = (out / CURRENT).resolve()
    dump = store_dump(out)
    held = open_store(out)  # a reader of the old generation during the rebuild
    write(out, grown_corpus())
    assert set(held.quads_for_pattern(None, None, None)) == set(ox.parse(dump, format=ox.RdfFormat.N_QUADS))
    assert not previous.exists()  # removed after the swap; the reader keeps its open files


def test_a_damaged_index_means_a_full_load(tmp_path):
    out = tmp_path / "g"
    write(out, corpus() + filler(10))
    (out / INDEX).write_text("not an index\n")
    written = write(out, grown_corpus())
    assert written.reused_chunks == 0
    write(tmp_path / "full", grown_corpus())
    assert store_dump(out) == store_dump(tmp_path / "full")


@pytest.mark.parametrize("damage", ["same-length edit", "line added on top", "other prefixes"])
def test_a_previous_graph_that_does_not_match_its_index_means_a_full_load(tmp_path, damage):
    out = tmp_path / "g"
    write(out, corpus() + filler(10))
    turtle = (out / CURRENT).resolve() / "graph.ttl"
    text = turtle.read_text(encoding="utf-8")
    if damage == "same-length edit":  # the old text of the paper the rebuild removes, edited in place
        assert "BERT is evaluated" in text
        turtle.write_text(text.replace("BERT is evaluated", "BERT is Evaluated"), encoding="utf-8")
    elif damage == "line added on top":  # every offset in chunks.tsv now points elsewhere
        turtle.write_text("# a comment\n" + text, encoding="utf-8")
    else:
        index = (out / CURRENT).resolve() / INDEX
        index.write_text(index.read_text().replace("prefixes=", "prefixes=0"))
    written = write(out, grown_corpus())
    write(tmp_path / "full", grown_corpus())
    assert store_dump(out) == store_dump(tmp_path / "full")
    assert (out / "graph.ttl").read_bytes() == (tmp_path / "full" / "graph.ttl").read_bytes()
    assert written.reused_chunks == 0


def test_a_rebuild_copies_the_text_of_unchanged_papers_only(tmp_path):
    out = tmp_path / "g"
    old = corpus()
    write(out, old)
    chunks = {chunk.key: chunk for chunk in graph_chunks(old, BASE)}
    key = paper_iri(BASE, old[0].paper)
    with previous_chunks(out) as reuse:
        assert reuse(key, paper_digest(Encoded.of(old[0]), BASE)).data == chunks[key].data
        old[0].entities[0].confidence = 0.5  # another extraction, another digest
        assert reuse(key, paper_digest(Encoded.of(old[0]), BASE)) is None
        assert reuse(key, "") is None and reuse("https://example.org/other", chunks[key].digest) is None
    assert paper_digest(Encoded.of(old[0]), "https://example.org/other/") != paper_digest(Encoded.of(old[0]), BASE)
    turtle = (out / CURRENT).resolve() / "graph.ttl"
    turtle.write_text(turtle.read_text(encoding="utf-8").replace("BERT", "BERt"), encoding="utf-8")
    with previous_chunks(out) as reuse:  # text that does not match its fingerprint is never copied
        assert all(reuse(chunk.key, chunk.digest) is None for chunk in chunks.values() if "BERT" in chunk.text)
    with previous_chunks(tmp_path / "nothing-here") as reuse:
        assert reuse(key, chunks[key].digest) is None


WRONG_COUNTS = json.dumps({"counts": {"papers": 99, "entities": {t: 0 for t in ENTITY_TYPES},
                                       "links": {r.removeprefix(str(KG)): 0 for r in RELATIONS}, "triples": 7}})


@pytest.mark.parametrize("manifest", ["{}", "not JSON", '{"counts": {"papers": 1}}', WRONG_COUNTS])
def test_counts_of_an_updated_store_without_the_previous_counts_are_counted_in_the_store(tmp_path, manifest):
    out = tmp_path / "g"
    write(out, corpus() + filler(10))
    ((out / CURRENT).resolve() / "build.json").write_text(manifest, encoding="utf-8")
    written = write(out, grown_corpus())
    assert written.reused_chunks > 0
    assert written.counts == write(tmp_path / "full", grown_corpus()).counts


def test_rdflib_triples_are_written_as_one_chunk_without_an_index(tmp_path):
    graph = graph_of(corpus())
    written = write_graph(tmp_path / "g", iter(graph))
    assert written.counts.triples == len(graph)
    assert not (tmp_path / "g" / INDEX).exists()
    written = write(tmp_path / "g")  # the next build has nothing to compare with: a full load
    assert written.reused_chunks == 0 and len(open_graph(tmp_path / "g")) == len(graph)
    with pytest.raises(ValueError, match="blank node"):
        write_graph(tmp_path / "h", [(BNode(), RDF.type, KG.Paper)])
