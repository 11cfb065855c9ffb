"""Abbreviation definitions, both orders: "Mixture of Experts (MoE)" and "MoE (Mixture of Experts)".

The algorithm is Schwartz & Hearst (2003), "A Simple Algorithm for Identifying Abbreviation
Definitions in Biomedical Text" (PSB 2003): a short form is a parenthesised 2-12 character token
group (the paper's limit is 10; ML names such as "LightM-UNet" run longer) with a letter whose
first character is alphanumeric; its long form is the shortest run of at most
``min(len(short) + 5, 2 * len(short))`` preceding words in which every character of the short form
appears, right to left, with the first one starting a word. Laid out as scispaCy's
``abbreviation.py``: small pure functions plus one spaCy component that stores the pairs on the Doc.

One extension for the digits of ML acronyms, which S-H cannot match: a capital followed by a digit
counts that many words with its initial ("JD3P": Joint Discrete Denoising Diffusion Process, "T5":
Text-to-Text Transfer Transformer, "C4"), and a "2" between letters stands for "to" ("G2SD":
generic-to-specific distillation). These readings (`digit_spellings`) are tried only when the short
form itself does not match, and are kept only when the initials of the long form's words spell every
one of their letters in order (`letters_spelt`), so "NF4" or "W4A4" never find a long form by them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import compress

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.tokens import (
    char_offsets,
    sentence_number,
    sentence_start,
    span_text,
    words_of,
)

Doc.set_extension("abbreviations", default=[], force=True)


@dataclass(frozen=True)
class Abbreviation:
    """A short form and the long form it abbreviates, as token spans of one Doc."""

    long: Span
    short: Span


def is_short_form_candidate(text: str) -> bool:
    """Schwartz-Hearst's test for a short form: 2-12 chars (10 in the paper), a letter, alphanumeric first char.

    >>> [is_short_form_candidate(t) for t in ("MoE", "RL", "e.g.", "x", "2024", "DNAS", "LightM-UNet")]
    [True, True, True, False, False, True, True]
    """
    return (
        2 <= len(text) <= 12
        and any(c.isalpha() for c in text)
        and text[0].isalnum()
        and len(text.split()) <= 2
    )


def find_long_form_start(short: str, long: str) -> int | None:
    """Index in ``long`` where the long form of ``short`` starts, or None (Schwartz-Hearst match).

    Characters of ``short`` are matched right to left inside ``long``; the first character must
    begin a word of ``long`` (after a space or hyphen).

    >>> long = "adoption of Mixture-of-Experts"
    >>> long[find_long_form_start("MoE", long):]
    'Mixture-of-Experts'
    >>> find_long_form_start("XYZ", "a plain phrase") is None
    True
    """
    s_index = len(short) - 1
    l_index = len(long) - 1
    while s_index >= 0:
        current = short[s_index].lower()
        if not current.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            long[l_index].lower() != current
            or (s_index == 0 and l_index > 0 and long[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = long.rfind(" ", 0, l_index + 1) + 1
    return max(start, 0)


def letters_spelt(short: str, words: list[str], capitals_only: bool = False) -> int:
    """How many letters of ``short`` (only its capitals, with ``capitals_only``), in order, begin a
    word (or a hyphenated part) of ``words``, case-insensitively.

    >>> letters_spelt("LoRA", ["Low-Rank", "Adaptation"], True), letters_spelt("LoRA", ["Low-Rank"], True)
    (3, 2)
    >>> letters_spelt("Monet", "Mixture of Monosemantic Experts for Transformers".split())
    4
    """
    initials = "".join(part[0].lower() for word in words for part in word.split("-") if part)
    spelt, at = 0, 0
    for letter in short:
        if letter.isupper() or (letter.isalpha() and not capitals_only):
            found = initials.find(letter.lower(), at)
            if found >= 0:  # a letter no initial spells is skipped ("n" of Monet)
                spelt, at = spelt + 1, found + 1
    return spelt


_REPEATED_INITIAL = re.compile(r"([A-Z])([2-9])(?![0-9])")
_TO = re.compile(r"(?<=[A-Za-z])2(?=[A-Za-z])")


def digit_spellings(short: str) -> list[str]:
    """The ways ``short``'s digits may spell words: a capital and a digit n as n such initials, or a
    "2" between letters as the initial of "to" (none when it has no such digit).

    >>> digit_spellings("JD3P"), digit_spellings("T5"), digit_spellings("G2SD"), digit_spellings("GPT-4")
    (['JDDDP'], ['TTTTT'], ['GGSD', 'GTSD'], [])
    """
    spellings = [_REPEATED_INITIAL.sub(lambda m: m.group(1) * int(m.group(2)), short), _TO.sub("T", short)]
    return list(dict.fromkeys(spelling for spelling in spellings if spelling != short))


def max_long_form_words(short: str) -> int:
    """Schwartz-Hearst's window: ``min(len + 5, 2 * len)`` words.

    >>> max_long_form_words("MoE")
    6
    """
    return min(len(short) + 5, 2 * len(short))


def _long_form_span(doc: Doc, short: str, start: int, end: int) -> Span | None:
    """The long-form span for the short form ``short`` inside the window of tokens ``start:end``
    (the tokens before, or inside, a parenthesis), read as written or, failing that, by one of its
    :func:`digit_spellings`."""
    for spelling in (short, *digit_spellings(short)):
        span = _spelt_long_form(doc, short, spelling, start, end)
        if span is not None:
            return span
    return None


def _spelt_long_form(doc: Doc, short: str, spelling: str, start: int, end: int) -> Span | None:
    """:func:`_long_form_span` for one way of spelling ``short``: ``short`` itself, or a digit
    spelling all of whose letters the long form's initials must spell."""
    limit = max_long_form_words(spelling)
    if end - start > limit + 2:
        start = end - limit
    if end == start:
        return None
    window = span_text(doc, start, end)
    if len(window) <= len(short):
        return None
    offset = find_long_form_start(spelling, window)
    if offset is None:
        return None
    window_start = char_offsets(doc)[start]
    span = doc.char_span(window_start + offset, window_start + len(window), alignment_mode="expand")
    if span is None:
        return None
    text = span.text
    if text.lower() == short.lower():
        return None
    if any(t.is_punct and t.text not in "-/" for t in span) or span[0].is_stop:
        return None
    if any(c in text for c in "{}$\\^_"):  # LaTeX, not a name
        return None
    if len(span) > 2 and len(span[0].text) >= 2 and short.startswith(span[0].text) and not _camel_prefix(short, span[0].text):
        return None  # "SSE in both pure linear and hybrid (SSE-H)" names a variant of SSE, it does not spell it
    span = _spelling_start(doc, spelling, span, start)
    letters = sum(map(str.isalpha, spelling))
    if spelling != short and letters_spelt(spelling, words_of(doc)[span.start:span.end]) < letters:
        return None
    return span


def _camel_prefix(short: str, word: str) -> bool:
    """Whether ``short`` joins the plain word ``word`` to capitals that spell the rest: "Code" of
    "Code Adaptive Compute-efficient Tuning (CodeACT)", "Sentence" of "SentenceVAE"; not "SSE" of "SSE-H".

    >>> _camel_prefix("CodeACT", "Code"), _camel_prefix("SSE-H", "SSE"), _camel_prefix("video KVs", "video")
    (True, False, False)
    """
    return word[1:].islower() and short[len(word):][:1].isupper()


def _spelling_start(doc: Doc, short: str, span: Span, window_start: int) -> Span:
    """``span`` (the shortest long form) or a longer one, opening at an earlier word with the short
    form's first letter, whose word initials spell more of the short form: "Mixture of Monosemantic
    Experts for Transformers (Monet)", not "Monosemantic Experts for Transformers"."""
    words = words_of(doc)
    best, best_spelt = span, letters_spelt(short, words[span.start:span.end])
    k = span.start - 1
    while k >= window_start and not (doc[k].is_punct and doc[k].text not in "-/"):
        if doc[k].text[0].lower() == short[0].lower() and not doc[k].is_stop:
            spelt = letters_spelt(short, words[k:span.end])
            if spelt > best_spelt:
                best, best_spelt = doc[k:span.end], spelt
        k -= 1
    return best


_PARENTHESES = frozenset({"(", ")"})


def _parenthesised(doc: Doc):
    """Yield (open, close) token indices of single-level parentheses within one sentence."""
    words = words_of(doc)
    opened = None
    for i in compress(range(len(words)), map(_PARENTHESES.__contains__, words)):
        if words[i] == "(":
            opened = i
        elif opened is not None:
            if sentence_number(doc, opened) == sentence_number(doc, i):
                yield opened, i
            opened = None


def find_abbreviations(doc: Doc) -> list[Abbreviation]:
    """Every (long form, short form) pair defined in ``doc``, in either order.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> pairs = find_abbreviations(nlp("We use Mixture of Experts (MoE) and RL (reinforcement learning)."))
    >>> [(p.long.text, p.short.text) for p in pairs]
    [('Mixture of Experts', 'MoE'), ('reinforcement learning', 'RL')]
    >>> find_abbreviations(nlp("subnets that share model weights (weight-shared shrinking)"))  # a word, no short form
    []
    """
    words = words_of(doc)
    pairs = []
    for open_i, close_i in _parenthesised(doc):
        if close_i == open_i + 1:
            continue
        inside = span_text(doc, open_i + 1, close_i)
        if is_short_form_candidate(inside):
            window = max(map(max_long_form_words, (inside, *digit_spellings(inside))))
            window_start = max(sentence_start(doc, open_i), open_i - window)
            long = _long_form_span(doc, inside, window_start, open_i)
            if long is not None:
                pairs.append(Abbreviation(long=long, short=doc[open_i + 1 : close_i]))
                continue
        before = words[open_i - 1] if open_i > 0 else ""
        if close_i - open_i > 2 and is_short_form_candidate(before) and not before.islower():
            # "RL (reinforcement learning)"; not "share model weights (weight-shared shrinking)"
            long = _long_form_span(doc, before, open_i + 1, close_i)
            if long is not None and long.start == open_i + 1:
                pairs.append(Abbreviation(long=long, short=doc[open_i - 1 : open_i]))
    return pairs


@Language.component("kg_abbreviations")
def abbreviation_component(doc: Doc) -> Doc:
    """spaCy component: store :func:`find_abbreviations` in ``doc._.abbreviations``."""
    doc._.abbreviations = find_abbreviations(doc)
    return doc
