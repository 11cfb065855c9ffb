"""The spaCy pipeline and :func:`extract_corpus`, the stage's public entry point."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from typing import Callable, Sequence

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


def extractor_version() -> str:
    """Changes whenever the extractor code, its rules or the lexicon change."""
    return load_resources().version


def section_mentions(text: str, section: str) -> list[Mention]:
    """Run the pipeline over one section's text and return its mentions."""
    nlp = build_nlp()
    doc = nlp.make_doc(text)
    doc.user_data["kg_section"] = section
    doc.user_data["kg_text"] = text  # Doc.text would re-join every token
    for _, component in nlp.pipeline:
        doc = component(doc)
    mentions = doc_mentions(doc, section)
    doc.user_data.clear()  # the cached token list refers back to the Doc: break the cycle for the GC
    return mentions


def paper_mentions(paper: Paper) -> list[Mention]:
    """Mentions in the title, then the abstract."""
    return section_mentions(paper.title, "title") + section_mentions(paper.abstract or "", "abstract")


def _mentions_of(papers: Sequence[Paper]) -> list[list[Mention]]:
    return [paper_mentions(p) for p in papers]


def extract_corpus(
    papers: Sequence[Paper], n_process: int = 1, on_paper: Callable[[], None] | None = None
) -> list[PaperExtraction]:
    """One :class:`PaperExtraction` per paper, same order, consolidated across the corpus.

    Deterministic: the same papers give identical output for any ``n_process`` (papers are
    processed independently in chunks, in order; consolidation runs once over all of them).
    ``on_paper`` is called after each paper (single process) or chunk of papers, for progress.
    """
    papers = list(papers)
    if n_process > 1 and len(papers) > 1:
        size = -(-len(papers) // n_process)
        chunks = [papers[i : i + size] for i in range(0, len(papers), size)]
        with ProcessPoolExecutor(max_workers=n_process) as pool:
            mentions = []
            for chunk in pool.map(_mentions_of, chunks):
                mentions.extend(chunk)
                for _ in chunk:
                    if on_paper:
                        on_paper()
    else:
        mentions = []
        for paper in papers:
            mentions.append(paper_mentions(paper))
            if on_paper:
                on_paper()
    version = extractor_version()
    return [
        PaperExtraction(paper=paper, entities=entities, extractor=EXTRACTOR, extractor_version=version)
        for paper, entities in zip(papers, consolidate(mentions))
    ]
