"""kg.extract: find the methods, models, datasets, benchmarks, metrics and tasks of each paper.

Entry point: :func:`extract_corpus`. Built from spaCy components on ``spacy.blank("en")``
(tokenizer, abbreviations, candidates) plus a corpus-level consolidation; fully offline.
"""

__all__ = ["EXTRACTOR", "extract_corpus", "extractor_version"]


def __getattr__(name: str):
    """Load the pipeline (and spaCy) on first use, so that importing a light submodule such as
    ``kg.extract.jsonl`` or ``kg.extract.lexicon`` stays cheap (PEP 562)."""
    if name in __all__:
        from kg.extract import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'kg.extract' has no attribute {name!r}")
