"""Extractions -> the graph as Turtle chunks, one per paper, extractor and entity node, never through rdflib.

The layout is ontology/README.md's. A :class:`Chunk` is the Turtle text of everything one IRI (its
``key``) owns: a paper with its source records and evidence nodes, an extractor node, or an entity node
with its type and labels. Chunks never share a subject, so the graph is their disjoint union, and a
rebuild can compare each chunk with the previous build's and touch only those that changed
(:mod:`kg.graph.store`). The same text is what graph.ttl holds and what the store bulk-loads. A paper
chunk carries a digest of what its text is made from, so a rebuild copies the text of an unchanged
paper from the previous graph.ttl instead of writing it again; the entity nodes are written from a
tally of all entities' names and aliases (`kg.extract.records.Names`, kept by the consolidation), so
such a paper's entities are never made objects of.

Chunks come in a fixed order: papers by IRI, then extractor nodes, then entities by IRI; within a chunk
every list of values is sorted. So the same extractions give the same bytes, whatever order they come in.
Entity nodes come last, once every paper has been seen, so memory grows with the number of distinct
entities, not with the number of triples.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from json.encoder import encode_basestring
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence
from urllib.parse import quote

import msgspec
import pyoxigraph as ox

from kg.errors import KGError
from kg.extract.records import Names, decode_entities, encode_entities, names_of
from kg.graph.iris import entity_iri, evidence_iri, extractor_iri, keyed_paper_iri, source_iri
from kg.model import ENTITY_TYPES, ROLES, ExtractedEntity, Paper, PaperExtraction
from kg.vocab import KG, PREFIXES, relation_for

#: characters allowed unescaped in an IRI taken from input (everything else is percent-encoded)
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"

#: the @prefix lines every chunk's prefixed names rely on (graph.ttl's header)
TURTLE_PREFIXES = "".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in PREFIXES.items())

#: (extractor role, entity type) -> the prefixed name of the paper -> entity property
_RELATION_NAMES = {
    (role, kind): "kg:" + relation_for(role, kind).removeprefix(str(KG)) for role in ROLES for kind in ENTITY_TYPES
}

Statements = list[tuple[str, str]]  # (prefixed predicate, Turtle object) of one subject


@dataclass(frozen=True)
class Chunk:
    """The Turtle statements (prefixes of ``TURTLE_PREFIXES``) of ``key`` and the IRIs nested under it.

    ``key`` owns every subject in ``text``: itself and the IRIs ``<key>/...`` it links to (a paper's
    source records and evidence nodes), as UTF-8 ``data``. ``digest`` identifies what a paper chunk's
    text was made from (`paper_digest`; empty for other chunks): equal digests, equal text.
    ``fingerprint``: the SHA-1 of ``data`` when known (a chunk copied from the previous build), else empty.
    """

    key: str
    data: bytes
    digest: str = ""
    fingerprint: str = ""

    @property
    def text(self) -> str:
        """The chunk's Turtle text."""
        return self.data.decode("utf-8")


#: the chunk of the previous build with that key and digest (None when it has to be made again)
Reuse = Callable[[str, str], "Chunk | None"]


@dataclass(frozen=True)
class Encoded:
    """A paper's extraction with its entities encoded (`kg.extract.records.encode_entities`): all the
    graph needs of it when its text is copied from the previous build."""

    paper: Paper
    key: str  # the paper's key (taken once: a title's is a hash of it)
    extractor: str
    version: str
    entities: bytes  # or any bytes-like object (msgspec.Raw)

    @classmethod
    def of(cls, extraction: PaperExtraction) -> Encoded:
        """``extraction`` encoded."""
        return cls(extraction.paper, extraction.paper.key, extraction.extractor, extraction.extractor_version,
                   encode_entities(extraction.entities))


class Extractions(Sequence[PaperExtraction]):
    """The extractions of a corpus as `graph_chunks` reads them: each paper :class:`Encoded`, its
    entities as objects where known (None: decoded from ``encoded`` when asked for) and the
    :class:`~kg.extract.records.Names` of all their entities."""

    def __init__(self, encoded: Sequence[Encoded], entities: Sequence[list[ExtractedEntity] | None], names: Names):
        self.encoded, self.entities, self.names = encoded, entities, names
        self.shared: dict = {}

    @classmethod
    def of(cls, extractions: Iterable[PaperExtraction]) -> Extractions:
        """``extractions`` as an :class:`Extractions`."""
        extractions = list(extractions)
        encoded = [Encoded.of(e) for e in extractions]
        return cls(encoded, [e.entities for e in extractions], names_of([e.entities for e in encoded]))

    def __getitem__(self, i):  # an int: Sequence's slices are never asked for here
        head, entities = self.encoded[i], self.entities[i]
        if entities is None:
            entities = decode_entities(head.entities, self.shared)
        return PaperExtraction(head.paper, entities, head.extractor, head.version)

    def __len__(self) -> int:
        return len(self.encoded)


def graph_chunks(extractions: Iterable[PaperExtraction] | Extractions, base: str, reuse: Reuse | None = None
                 ) -> Iterator[Chunk]:
    """Every chunk of the graph for ``extractions`` under the base IRI ``base``, in graph.ttl order.

    ``reuse`` may give a paper's chunk from the previous build when its digest is unchanged
    (`kg.graph.store.previous_chunks`), which saves writing it again: most papers of a grown corpus.
    Such a paper's entities are never made objects of (in an :class:`Extractions`): the entity nodes
    are written from the names of all entities (``Extractions.names``).

    >>> from kg.model import Evidence
    >>> paper = Paper(title="LoRA", abstract="We propose LoRA.", arxiv_id="2106.09685")
    >>> lora = ExtractedEntity("LoRA", "Method", "proposed", confidence=0.9, reasons=("lexicon",),
    ...                        evidence=(Evidence("abstract", "We propose LoRA.", 11, 15, "LoRA"),))
    >>> chunks = list(graph_chunks([PaperExtraction(paper, [lora], extractor_version="1")], "https://ex.org/"))
    >>> [chunk.key for chunk in chunks]
    ['https://ex.org/paper/2106.09685', 'https://ex.org/extractor/kg-rules/1', 'https://ex.org/method/lora']
    >>> print(chunks[2].text, end="")
    <https://ex.org/method/lora> a kg:Method ;
        skos:prefLabel "LoRA" .
    """
    if not isinstance(extractions, Extractions):
        extractions = Extractions.of(extractions)
    extractors: set[tuple[str, str]] = set()
    for node, i in sorted((keyed_paper_iri(base, head.key), i) for i, head in enumerate(extractions.encoded)):
        head = extractions.encoded[i]
        extractors.add((head.extractor, head.version))
        digest = paper_digest(head, base)
        copied = reuse(node, digest) if reuse is not None else None
        yield copied or Chunk(node, paper_text(node, extractions[i], base).encode("utf-8"), digest)
    for name, version in sorted(extractors):
        node = extractor_iri(base, name, version)
        yield Chunk(node, turtle_block(node, [("a", "kg:Extraction"), ("kg:extractor", literal(name)),
                                              ("kg:extractorVersion", literal(version))]).encode("utf-8"))
    labels = EntityLabels.of(extractions.names, base)
    for node in sorted(labels.types):
        yield Chunk(node, turtle_block(node, labels.statements(node)).encode("utf-8"))


def turtle_document(chunks: Iterable[Chunk]) -> str:
    """A complete Turtle document of ``chunks`` (graph.ttl's content)."""
    return TURTLE_PREFIXES + "\n" + "".join(chunk.text for chunk in chunks)


def paper_digest(head: Encoded, base: str) -> str:
    """A digest of everything `paper_text` makes a paper's chunk from: the paper, extractor, entities
    (their canonical encoding), the base IRI and the code that writes the text (`_layout_digest`), so a
    changed layout never reuses old text."""
    digest = hashlib.sha1(_layout_digest() + base.encode("utf-8"))
    digest.update(_ENCODER.encode((head.paper, head.extractor, head.version)))  # a JSON array: ends where it ends
    digest.update(head.entities)
    return digest.hexdigest()


_ENCODER = msgspec.json.Encoder()


@cache
def _layout_digest() -> bytes:
    """A digest of what decides a chunk's text: the modules of this one, IRIs, vocabulary, the model
    (whose properties give the paper's key and content hash) and the entities' encoding, and the Python and pyoxigraph
    versions (string escaping, IRI checks)."""
    from kg import model, vocab
    from kg.extract import records
    from kg.graph import iris

    modules = (sys.modules[__name__], iris, vocab, model, records)
    sources = b"".join(Path(module.__file__).read_bytes() for module in modules)
    versions = f"{platform.python_version()} {ox.__version__}".encode()
    return hashlib.sha1(sources + versions).digest()


def paper_text(node: str, extraction: PaperExtraction, base: str) -> str:
    """The chunk text of the paper at IRI ``node``: its node, source records and one evidence node per
    linked entity."""
    paper = extraction.paper
    statements = paper_statements(paper)
    statements.append(("kg:extractedBy", iri(extractor_iri(base, extraction.extractor, extraction.extractor_version))))
    sources = [source_iri(node, number) for number in range(1, len(set(paper.sources)) + 1)]
    statements.extend(("kg:source", iri(source)) for source in sources)
    links, evidence_blocks = link_statements(node, extraction, base)
    statements.extend(links)
    blocks = [turtle_block(node, statements)]
    for source, record in zip(sources, sorted(set(paper.sources))):
        source_statements = [("a", "kg:SourceRecord"), ("kg:file", literal(record.path))]
        if record.line is not None:
            source_statements.append(("kg:line", str(record.line)))
        source_statements.append(("kg:format", literal(record.format)))
        blocks.append(turtle_block(source, source_statements))
    return "".join(blocks) + "".join(evidence_blocks)


def paper_statements(paper: Paper) -> Statements:
    """The paper node's metadata statements (no links, sources or extractor)."""
    statements = [("a", "kg:Paper"), ("dcterms:title", literal(paper.title)),
                  ("dcterms:abstract", literal(paper.abstract)), ("kg:contentHash", literal(paper.content_hash))]
    if paper.date is not None:
        datatype = "xsd:date" if paper.date.year is not None else "xsd:gMonthDay"
        statements.append(("dcterms:issued", f"{literal(paper.date.iso())}^^{datatype}"))
    if paper.upvotes is not None:
        statements.append(("kg:upvotes", str(paper.upvotes)))
    author_count = paper.author_count if paper.author_count is not None else len(paper.authors) or None
    if author_count is not None:
        statements.append(("kg:authorCount", str(author_count)))
    statements.extend(("kg:authorName", literal(name)) for name in sorted(set(paper.authors)))
    if paper.organization:
        statements.append(("kg:organization", literal(paper.organization)))
    if paper.arxiv_id:
        statements.append(("kg:arxivId", literal(paper.arxiv_id)))
    if paper.record_id and paper.record_id != paper.arxiv_id:
        statements.append(("kg:recordId", literal(paper.record_id)))
    url = web_iri(paper.url or (f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else ""))
    if url is not None:
        statements.append(("schema:url", iri(url)))
    statements.extend(("kg:link", f"{literal(link)}^^xsd:anyURI") for link in sorted(set(paper.links)))
    return statements


def link_statements(node: str, extraction: PaperExtraction, base: str) -> tuple[Statements, list[str]]:
    """The link statements of the paper at IRI ``node`` and the Turtle blocks of its evidence nodes, by entity IRI.

    An entity found twice in one paper (say, proposed and used) gets one evidence node for every
    relation; its confidence is the highest, its reasons all of them, its sentence and offsets
    those of the most confident finding.
    """
    found = entity_findings(extraction, base)
    links: Statements = []
    evidence_links: Statements = []
    blocks = []
    for target in sorted(found):
        findings = found[target]
        for relation in sorted({_RELATION_NAMES[f.role, f.type] for f in findings}):
            links.append((relation, iri(target)))
        evidence = evidence_iri(node, target, base)
        evidence_links.append(("kg:evidence", iri(evidence)))
        blocks.append(turtle_block(evidence, evidence_statements(target, findings)))
    return links + evidence_links, blocks


def entity_findings(extraction: PaperExtraction, base: str) -> dict[str, list[ExtractedEntity]]:
    """The paper's findings by entity IRI; KGError for an unknown type or role."""
    found: dict[str, list[ExtractedEntity]] = defaultdict(list)
    for entity in extraction.entities:
        check_entity(extraction.paper, entity)
        found[entity_iri(base, entity.type, entity.name)].append(entity)
    return found


def evidence_statements(target: str, findings: Sequence[ExtractedEntity]) -> Statements:
    """What an evidence node says: entity, confidence, reasons, and the primary mention of the best finding."""
    best = max(findings, key=lambda f: f.confidence)
    statements = [("kg:entity", iri(target)), ("kg:confidence", decimal_text(best.confidence))]
    statements.extend(("kg:reason", literal(reason)) for reason in sorted({r for f in findings for r in f.reasons}))
    if best.evidence:
        primary = best.evidence[0]
        statements.extend([
            ("kg:surfaceForm", literal(primary.surface)), ("kg:section", literal(primary.section)),
            ("kg:sentence", literal(primary.sentence)), ("kg:startOffset", str(primary.start)),
            ("kg:endOffset", str(primary.end)),
        ])
    return statements


def turtle_block(subject: str, statements: Statements) -> str:
    """One Turtle statement block: the subject, then one ``predicate object`` per line.

    >>> print(turtle_block("https://ex.org/a", [("a", "kg:Paper"), ("kg:upvotes", "3")]), end="")
    <https://ex.org/a> a kg:Paper ;
        kg:upvotes 3 .
    """
    return f"<{subject}> " + " ;\n    ".join(f"{predicate} {value}" for predicate, value in statements) + " .\n"


def iri(value: str) -> str:
    """``value`` as a Turtle IRI reference (the IRIs here are built or checked to need no escaping)."""
    return f"<{value}>"


def literal(text: str) -> str:
    """``text`` as a Turtle string literal (JSON string escapes are Turtle escapes too).

    >>> print(literal('say "hi"\\n'))
    "say \\"hi\\"\\n"
    """
    return encode_basestring(text)


def web_iri(url: str) -> str | None:
    """``url`` as an http(s) IRI, unsafe characters percent-encoded; None when it is not one.

    >>> web_iri(" https://example.org/a paper "), web_iri("not a url")
    ('https://example.org/a%20paper', None)
    """
    value = quote(url.strip(), safe=_IRI_SAFE)
    if not value.lower().startswith(("http://", "https://")):
        return None
    try:
        ox.NamedNode(value)
    except ValueError:
        return None
    return value


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
    """The names seen for each entity node across all papers, turned into type and label statements.

    The prefLabel is the canonical name given most often (ties: the smallest string), so it does not
    depend on paper order; every other name, alias or surface form becomes an altLabel.
    """

    types: dict[str, str] = field(default_factory=dict)
    names: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    aliases: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, names: Names, base: str) -> EntityLabels:
        """The labels of the entity nodes under ``base`` that the entities counted in ``names`` make
        (names that slug alike meet in one node); KGError for an unknown type."""
        labels = cls()
        for key, named in names.items():
            kind, _, name = key.partition(":")
            if kind not in ENTITY_TYPES:
                raise KGError(f"entity {name!r} has unknown type {kind!r}")
            node = entity_iri(base, kind, name)
            labels.types[node] = kind
            labels.names[node][name] += named.count
            labels.aliases[node].update(named.aliases)
        return labels

    def pref_label(self, node: str) -> str:
        """The most frequent canonical name of ``node`` (ties broken by string order)."""
        return min(self.names[node].items(), key=lambda item: (-item[1], item[0]))[0]

    def statements(self, node: str) -> Statements:
        """rdf:type, skos:prefLabel and skos:altLabel statements of ``node``."""
        pref = self.pref_label(node)
        statements = [("a", f"kg:{self.types[node]}"), ("skos:prefLabel", literal(pref))]
        alternatives = sorted((set(self.names[node]) | self.aliases[node]) - {pref, ""})
        return statements + [("skos:altLabel", literal(alt)) for alt in alternatives]
