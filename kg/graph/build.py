"""Extractions -> RDF triples, streaming: one paper at a time, entity nodes merged across papers.

The layout is ontology/README.md's. Paper, source and evidence triples are yielded as each paper
is read; entity nodes (type, prefLabel, altLabels) come last, once every paper has been seen, so
memory grows with the number of distinct entities, never with the number of triples.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Iterable, Iterator
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import DCTERMS, RDF, SKOS, XSD, Literal, URIRef
from rdflib.term import Node

from kg.errors import KGError
from kg.graph.iris import entity_iri, evidence_iri, paper_iri, source_iri
from kg.model import ENTITY_TYPES, ROLES, ExtractedEntity, Paper, PaperExtraction
from kg.vocab import KG, SCHEMA, TYPE_CLASS, relation_for

Triple = tuple[URIRef, URIRef, Node]


def _built_once(namespace, *names: str) -> SimpleNamespace:
    """``namespace``'s terms ``names``, built once: rdflib namespaces build a new URIRef on every access."""
    return SimpleNamespace(**{name: namespace[name] for name in names})


_KG = _built_once(
    KG,
    *("Paper", "contentHash", "upvotes", "authorCount", "authorName", "organization", "arxivId", "recordId"),
    *("link", "source", "SourceRecord", "file", "line", "format"),
    *("evidence", "Evidence", "entity", "relation", "confidence", "extractor", "extractorVersion", "reason"),
    *("surfaceForm", "section", "sentence", "startOffset", "endOffset"),
)
_RDF = _built_once(RDF, "type")
_DCTERMS = _built_once(DCTERMS, "title", "abstract", "issued")
_SKOS = _built_once(SKOS, "prefLabel", "altLabel")
_SCHEMA = _built_once(SCHEMA, "url")
_XSD = _built_once(XSD, "date", "gMonthDay", "anyURI", "decimal")

#: characters allowed unescaped in an IRI taken from input (everything else is percent-encoded)
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def triples_for(extractions: Iterable[PaperExtraction], base: str) -> Iterator[Triple]:
    """Every triple of the graph for ``extractions``, under the base IRI ``base``.

    >>> from kg.model import Paper, ExtractedEntity, Evidence
    >>> paper = Paper(title="LoRA", abstract="We propose LoRA.", arxiv_id="2106.09685")
    >>> lora = ExtractedEntity("LoRA", "Method", "proposed",
    ...                        evidence=(Evidence("abstract", "We propose LoRA.", 11, 15, "LoRA"),))
    >>> triples = list(triples_for([PaperExtraction(paper, [lora])], "https://ex.org/"))
    >>> (URIRef("https://ex.org/paper/2106.09685"), KG.proposes, URIRef("https://ex.org/method/lora")) in triples
    True
    """
    labels = EntityLabels()
    for extraction in extractions:
        yield from paper_triples(extraction.paper, base)
        yield from link_triples(extraction, base, labels)
    yield from labels.triples()


def paper_triples(paper: Paper, base: str) -> Iterator[Triple]:
    """The paper node's own triples (metadata and source records), without its entity links."""
    node = paper_iri(base, paper)
    yield node, _RDF.type, _KG.Paper
    yield node, _DCTERMS.title, Literal(paper.title)
    yield node, _DCTERMS.abstract, Literal(paper.abstract)
    yield node, _KG.contentHash, Literal(paper.content_hash)
    if paper.date is not None:
        datatype = _XSD.date if paper.date.year is not None else _XSD.gMonthDay
        yield node, _DCTERMS.issued, Literal(paper.date.iso(), datatype=datatype)
    if paper.upvotes is not None:
        yield node, _KG.upvotes, Literal(paper.upvotes)
    author_count = paper.author_count if paper.author_count is not None else len(paper.authors) or None
    if author_count is not None:
        yield node, _KG.authorCount, Literal(author_count)
    for name in paper.authors:
        yield node, _KG.authorName, Literal(name)
    if paper.organization:
        yield node, _KG.organization, Literal(paper.organization)
    if paper.arxiv_id:
        yield node, _KG.arxivId, Literal(paper.arxiv_id)
    if paper.record_id and paper.record_id != paper.arxiv_id:
        yield node, _KG.recordId, Literal(paper.record_id)
    url = web_iri(paper.url or (f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else ""))
    if url is not None:
        yield node, _SCHEMA.url, url
    for link in paper.links:
        yield node, _KG.link, Literal(link, datatype=_XSD.anyURI)
    for number, source in enumerate(sorted(set(paper.sources)), start=1):
        record = source_iri(node, number)
        yield node, _KG.source, record
        yield record, _RDF.type, _KG.SourceRecord
        yield record, _KG.file, Literal(source.path)
        if source.line is not None:
            yield record, _KG.line, Literal(source.line)
        yield record, _KG.format, Literal(source.format)


def link_triples(extraction: PaperExtraction, base: str, labels: EntityLabels) -> Iterator[Triple]:
    """Paper -> entity links with one evidence node per linked entity; records entity names in ``labels``.

    An entity found twice in one paper (say, proposed and used) keeps one evidence node carrying
    every relation; its sentence and offsets are those of the most confident finding.
    """
    paper = extraction.paper
    node = paper_iri(base, paper)
    found: dict[URIRef, list[ExtractedEntity]] = defaultdict(list)
    for entity in extraction.entities:
        check_entity(paper, entity)
        target = entity_iri(base, entity.type, entity.name)
        found[target].append(entity)
        labels.add(target, entity)
    for target, findings in found.items():
        relations = sorted({relation_for(f.role, f.type) for f in findings})
        best = max(findings, key=lambda f: f.confidence)
        evidence = evidence_iri(node, target, base)
        for relation in relations:
            yield node, relation, target
        yield node, _KG.evidence, evidence
        yield evidence, _RDF.type, _KG.Evidence
        yield evidence, _KG.entity, target
        for relation in relations:
            yield evidence, _KG.relation, relation
        confidence = decimal_text(max(f.confidence for f in findings))
        yield evidence, _KG.confidence, Literal(confidence, datatype=_XSD.decimal)
        yield evidence, _KG.extractor, Literal(extraction.extractor)
        yield evidence, _KG.extractorVersion, Literal(extraction.extractor_version)
        for reason in sorted({r for f in findings for r in f.reasons}):
            yield evidence, _KG.reason, Literal(reason)
        if best.evidence:
            primary = best.evidence[0]
            yield evidence, _KG.surfaceForm, Literal(primary.surface)
            yield evidence, _KG.section, Literal(primary.section)
            yield evidence, _KG.sentence, Literal(primary.sentence)
            yield evidence, _KG.startOffset, Literal(primary.start)
            yield evidence, _KG.endOffset, Literal(primary.end)


def web_iri(url: str) -> URIRef | None:
    """``url`` as an http(s) IRI, unsafe characters percent-encoded; None when it is not one.

    >>> web_iri(" https://example.org/a paper "), web_iri("not a url")
    (rdflib.term.URIRef('https://example.org/a%20paper'), None)
    """
    iri = quote(url.strip(), safe=_IRI_SAFE)
    if not iri.lower().startswith(("http://", "https://")):
        return None
    try:
        ox.NamedNode(iri)
    except ValueError:
        return None
    return URIRef(iri)


def check_entity(paper: Paper, entity: ExtractedEntity) -> None:
    """Raise KGError when an extracted entity has a type or role the ontology does not know."""
    if entity.type not in ENTITY_TYPES:
        raise KGError(f"paper {paper.id}: entity {entity.name!r} has unknown type {entity.type!r}")
    if entity.role not in ROLES:
        raise KGError(f"paper {paper.id}: entity {entity.name!r} has unknown role {entity.role!r}")


def decimal_text(value: float) -> str:
    """``value`` as a short canonical xsd:decimal, rounded to 4 places.

    >>> decimal_text(0.95), decimal_text(1), decimal_text(0.123456)
    ('0.95', '1.0', '0.1235')
    """
    text = f"{value:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


@dataclass
class EntityLabels:
    """The names seen for each entity node across all papers, turned into type and label triples.

    The prefLabel is the canonical name given most often (ties: the smallest string), so it does not
    depend on paper order; every other name, alias or surface form becomes an altLabel.
    """

    types: dict[URIRef, str] = field(default_factory=dict)
    names: dict[URIRef, Counter] = field(default_factory=lambda: defaultdict(Counter))
    aliases: dict[URIRef, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, node: URIRef, entity: ExtractedEntity) -> None:
        """Record one finding of ``entity`` at ``node``."""
        self.types[node] = entity.type
        self.names[node][entity.name] += 1
        self.aliases[node].update(entity.aliases)
        self.aliases[node].update(mention.surface for mention in entity.evidence)

    def pref_label(self, node: URIRef) -> str:
        """The most frequent canonical name of ``node`` (ties broken by string order)."""
        return min(self.names[node].items(), key=lambda item: (-item[1], item[0]))[0]

    def triples(self) -> Iterator[Triple]:
        """rdf:type, skos:prefLabel and skos:altLabel triples of every entity seen."""
        for node, entity_type in self.types.items():
            pref = self.pref_label(node)
            yield node, _RDF.type, TYPE_CLASS[entity_type]
            yield node, _SKOS.prefLabel, Literal(pref)
            for alt in sorted((set(self.names[node]) | self.aliases[node]) - {pref, ""}):
                yield node, _SKOS.altLabel, Literal(alt)
