"""The spaCy pipeline and :func:`extract_corpus`, the stage's public entry point."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import lru_cache

import spacy
from spacy.language import Language

from kg.extract import abbreviations, candidates  # noqa: F401  (registers the components)
from kg.extract.corpus import consolidate
from kg.extract.mentions import Mention, doc_mentions
from kg.extract.resources import load_resources
from kg.extract.tokenizer import install_tokenizer
from kg.model import Paper, PaperExtraction

EXTRACTOR = "kg-rules"


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    """``spacy.blank("en")`` with the name-preserving tokenizer and the extraction components.

    Sentences are split inside the components (:func:`kg.extract.tokens.sentence_bounds`)
    on plain token strings: spaCy's sentencizer gives the same boundaries but creates a Token
    object per token, which cost a quarter of the run time."""
    nlp = install_tokenizer(spacy.blank("en"))
    nlp.add_pipe("kg_abbreviations")
    nlp.add_pipe("kg_candidates")
    return nlp


@lru_cache(maxsize=1)
def _components() -> tuple:
    """The pipeline's components in order (``Language.pipeline`` builds a new list on every access)."""
    return tuple(component for _, component in build_nlp().pipeline)


def extractor_version() -> str:
    """Changes whenever the extractor code, its rules or the lexicon change."""
    return load_resources().version


def section_mentions(text: str, section: str) -> list[Mention]:
    """Run the pipeline over one section's text and return its mentions."""
    nlp = build_nlp()
    doc = nlp.make_doc(text)
    doc.user_data["kg_section"] = section
    doc.user_data["kg_text"] = text  # Doc.text would re-join every token
    for component in _components():
        doc = component(doc)
    mentions = doc_mentions(doc, section)
    doc.user_data.clear()  # the cached token list refers back to the Doc: break the cycle for the GC
    return mentions


def paper_mentions(paper: Paper) -> list[Mention]:
    """Mentions in the title, then the abstract."""
    return text_mentions((paper.title, paper.abstract or ""))


def text_mentions(texts: tuple[str, str]) -> list[Mention]:
    """Mentions in a (title, abstract) pair: what pool workers receive instead of whole papers,
    whose other fields (authors, sources, dates) would only cost pickling."""
    title, abstract = texts
    mentions = section_mentions(title, "title") + section_mentions(abstract, "abstract")
    return with_shared_values(outside_long_forms(mentions, title))


def outside_long_forms(mentions: list[Mention], title: str) -> list[Mention]:
    """``mentions`` without the title's that lie inside a long form the abstract defines, written
    again in the title ("LOGO (Long cOntext aliGnment via efficient preference Optimization)" in the
    abstract makes the title's "Long cOntext aliGnment ..." that thing, not the name "cOntext");
    lexicon matches and the long form itself stay.

    >>> from kg.model import Evidence
    >>> long = Mention(Evidence("abstract", "", 5, 17, "Foo bAr Nets"), (), ("abbreviation",), None, "FBN", False)
    >>> inner = Mention(Evidence("title", "", 4, 7, "bAr"), (), ("name-shape",), None, None, False)
    >>> [m.form for m in outside_long_forms([inner, long], "Foo bAr Nets")]
    ['Foo bAr Nets']
    """
    long_forms = {m.evidence.surface for m in mentions if m.partner and m.evidence.section == "abstract"
                  and len(m.evidence.surface) > len(m.partner) and " " in m.evidence.surface}
    spans = [(at, at + len(form)) for form in long_forms for at in _occurrences(title, form)]
    if not spans:
        return mentions
    return [m for m in mentions if m.evidence.section != "title" or m.canonical is not None or not any(
        start <= m.evidence.start and m.evidence.end <= end and (m.evidence.start, m.evidence.end) != (start, end)
        for start, end in spans)]


def _occurrences(text: str, part: str) -> Iterator[int]:
    """Where ``part`` starts in ``text``, every time."""
    at = text.find(part)
    while at >= 0:
        yield at
        at = text.find(part, at + 1)


#: the vote and reason tuples of this process's mentions, one object per value (a corpus has a few hundred)
_SHARED_VALUES: dict[tuple, tuple] = {}


def with_shared_values(mentions: list[Mention]) -> list[Mention]:
    """``mentions``, just made and not yet seen by anyone, with equal vote and reason tuples made one
    object per process. Pool workers pickle each chunk of papers at once, so a shared tuple is sent
    once per chunk: pickling back and unpickling take half the time, and the mentions a fifth less
    memory. The only change made to a mention after it is made, and it changes no value."""
    shared = _SHARED_VALUES.setdefault
    for m in mentions:
        m.votes = shared(m.votes, m.votes)
        m.reasons = shared(m.reasons, m.reasons)
    return mentions


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (reference counting still frees everything).

    The per-paper pass and the consolidation make many small objects that live to the end (mentions,
    their evidence and votes) and no reference cycles at all (tests/test_extract_corpus.py checks).
    Each time such survivors grow by a quarter, the collector would rescan every object of the
    process, spaCy's and the lexicon's included, to find nothing: a quarter of the run time on the
    seed papers. The previous state is restored afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: below this many papers, starting worker processes costs more than it saves
POOL_MIN_PAPERS = 200


def mentions_of(
    papers: Sequence[Paper], n_process: int = 1, on_paper: Callable[[], None] | None = None
) -> list[list[Mention]]:
    """Each paper's mentions, in order, on up to ``n_process`` processes (the result does not depend
    on ``n_process``: papers are independent). ``on_paper`` is called after each paper, for progress."""
    if n_process <= 1 or len(papers) < POOL_MIN_PAPERS:
        results = map(paper_mentions, papers)
        pool = None
    else:
        pool = ProcessPoolExecutor(max_workers=n_process, initializer=gc.disable)  # see collector_paused
        results = pool.map(text_mentions, [(p.title, p.abstract or "") for p in papers],
                           chunksize=max(1, len(papers) // (n_process * 16)))
    try:
        found = []
        with collector_paused():
            for mentions in results:
                found.append(mentions)
                if on_paper:
                    on_paper()
        return found
    finally:
        if pool is not None:
            pool.shutdown()


def corpus_extractions(papers: Sequence[Paper], mentions: Sequence[list[Mention]]) -> list[PaperExtraction]:
    """Consolidate every paper's mentions across the corpus: one :class:`PaperExtraction` per paper."""
    version = extractor_version()
    with collector_paused():
        return [
            PaperExtraction(paper=paper, entities=entities, extractor=EXTRACTOR, extractor_version=version)
            for paper, entities in zip(papers, consolidate(list(mentions)))
        ]


def extract_corpus(
    papers: Sequence[Paper], n_process: int = 1, on_paper: Callable[[], None] | None = None
) -> list[PaperExtraction]:
    """One :class:`PaperExtraction` per paper, same order, consolidated across the corpus.

    Deterministic: the same papers give identical output for any ``n_process`` (papers are
    processed independently, in order; consolidation runs once over all of them).
    ``on_paper`` is called after each paper, for progress.
    """
    papers = list(papers)
    return corpus_extractions(papers, mentions_of(papers, n_process, on_paper))
