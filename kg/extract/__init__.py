"""kg.extract: find the methods, models, datasets, benchmarks, metrics and tasks of each paper.

Entry point: :func:`extract_corpus`. Built from spaCy components on ``spacy.blank("en")``
(tokenizer, abbreviations, candidates) plus a corpus-level consolidation; fully offline.
"""

from kg.extract.pipeline import EXTRACTOR, extract_corpus, extractor_version

__all__ = ["EXTRACTOR", "extract_corpus", "extractor_version"]
