"""Fast per-Doc views used by every component: token strings, offsets, sentences and span texts.

spaCy creates a new Token object (and a new Python string for ``.text``) on every access, and
``Doc.text`` re-joins all tokens each time; the components touch each token many times, so these
views are read once per Doc from ``Doc.to_array`` and kept in ``doc.user_data``.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import compress

from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc


def _cached(doc: Doc, name: str, build):
    """``doc.user_data[name]``, built by ``build(doc)`` on first use (callers try ``.get`` first:
    these views are read tens of thousands of times per corpus)."""
    value = doc.user_data.get(name)
    if value is None:
        value = doc.user_data[name] = build(doc)
    return value


def _build_words(doc: Doc) -> list[str]:
    """Token texts cut from the Doc's text at the token offsets (read in one call, as numpy arrays:
    no Token objects or 64-bit string hashes are created)."""
    text = doc_text(doc)
    spans = doc.to_array([IDX, LENGTH])
    offsets = doc.user_data["kg_offsets"] = spans[:, 0].tolist()
    return [text[start:end] for start, end in zip(offsets, (spans[:, 0] + spans[:, 1]).tolist())]


def doc_text(doc: Doc) -> str:
    """The Doc's text (``Doc.text`` re-joins every token, so the pipeline stores it at creation)."""
    return doc.user_data.get("kg_text") or _cached(doc, "kg_text", lambda d: d.text)


def words_of(doc: Doc) -> list[str]:
    """Token texts."""
    return doc.user_data.get("kg_words") or _cached(doc, "kg_words", _build_words)


def char_offsets(doc: Doc) -> list[int]:
    """Character offset of each token in the Doc's text (read with the token texts)."""
    offsets = doc.user_data.get("kg_offsets")
    if offsets is None:
        words_of(doc)
        offsets = doc.user_data["kg_offsets"]
    return offsets


def lowers_of(doc: Doc) -> list[str]:
    """Lower-cased token texts."""
    return doc.user_data.get("kg_lowers") or _cached(doc, "kg_lowers", lambda d: list(map(str.lower, words_of(d))))


def span_text(doc: Doc, start: int, end: int) -> str:
    """Text of tokens ``start:end`` cut from ``doc.text`` (no Span objects: they are slow)."""
    text, offsets, words = doc.user_data.get("kg_span_view") or _cached(doc, "kg_span_view", _span_view)
    return text[offsets[start] : offsets[end - 1] + len(words[end - 1])]


def _span_view(doc: Doc) -> tuple[str, list[int], list[str]]:
    """(text, token offsets, token texts): what :func:`span_text` reads, in one cached tuple."""
    return doc_text(doc), char_offsets(doc), words_of(doc)


_SENTENCE_END = frozenset({".", "!", "?"})


def split_sentences(words: list[str]) -> list[tuple[int, int]]:
    """(start, end) token indexes of sentences: a sentence ends after ".", "!" or "?" unless more
    punctuation follows (the rule of spaCy's sentencizer, on plain strings for speed).

    >>> split_sentences(["We", "win", ".", "It", "works", "!", ")"])
    [(0, 3), (3, 7)]
    """
    bounds, start = [], 0
    for i in compress(range(1, len(words)), map(_SENTENCE_END.__contains__, words[:-1])):
        if words[i] not in _SENTENCE_END and words[i] not in ")]\"'":
            bounds.append((start, i))
            start = i
    if start < len(words):
        bounds.append((start, len(words)))
    return bounds


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) token indexes of each sentence, computed once per Doc."""
    cached = doc.user_data.get("kg_sentences")
    if cached is None:
        cached = doc.user_data["kg_sentences"] = split_sentences(words_of(doc))
    return cached


def sentence_starts(doc: Doc) -> frozenset[int]:
    """Indexes of the first token of every sentence."""
    return doc.user_data.get("kg_sentence_starts") or _cached(
        doc, "kg_sentence_starts", lambda d: frozenset(start for start, _ in sentence_bounds(d)))


def section_of(doc: Doc) -> str:
    """``"title"`` or ``"abstract"``: which part of the paper the Doc holds (set by the pipeline)."""
    return doc.user_data.get("kg_section", "abstract")


def _sentence_start_list(doc: Doc) -> list[int]:
    """The first token of every sentence, in order (for bisection)."""
    return doc.user_data.get("kg_sentence_start_list") or _cached(
        doc, "kg_sentence_start_list", lambda d: [start for start, _ in sentence_bounds(d)])


def sentence_number(doc: Doc, i: int) -> int:
    """Index in :func:`sentence_bounds` of the sentence holding token ``i``."""
    return bisect_right(_sentence_start_list(doc), i) - 1


def sentence_start(doc: Doc, i: int) -> int:
    """Index of the first token of the sentence holding token ``i``."""
    return _sentence_start_list(doc)[sentence_number(doc, i)]
