"""From a processed section Doc to plain, picklable mentions: overlapping candidates resolved
(longest first; alternatives stay for the classifier to choose), each kept one with its evidence (section, sentence, offsets, surface), type
votes, reasons, lexicon entry and abbreviation partner. Grouping and decisions: kg.extract.corpus."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

from spacy.tokens import Doc

from kg.extract.tokens import char_offsets, doc_text, sentence_bounds, span_text, words_of
from kg.extract.candidates import W_LEXICON, Candidate, candidates, composite_forms
from kg.extract.resources import Resources, load_resources, name_key
from kg.model import Evidence

DATA_TYPES = frozenset({"Dataset", "Benchmark"})


@dataclass(slots=True)
class Mention:
    """One candidate mention with its evidence and type votes (plain data: it crosses process pools and
    is cached as JSON by kg.graph.extraction). Never changed once made (derive new ones with
    ``dataclasses.replace``); not frozen only because a large corpus makes millions of them and
    frozen dataclasses are three times slower to create; slots save memory for the same reason."""

    evidence: Evidence
    votes: tuple[tuple[str, float], ...]
    reasons: tuple[str, ...]
    canonical: str | None
    partner: str | None  # surface form of the abbreviation partner
    proposed: bool
    key: str = ""  # grouping key of the surface form (name_key), filled in by __post_init__
    near_number: bool = False  # a number is within a few words in the same sentence ("3% accuracy")
    form: str = ""  # the name this mention stands for: the surface, or one part of a composite
    alternative: bool = False  # may overlap other mentions: kg.extract.corpus.select_mentions decides

    def __post_init__(self):
        if not self.form:
            self.form = self.evidence.surface
        if not self.key:
            self.key = name_key(self.form)

    def __reduce__(self):
        """Pickle as one flat tuple of plain values (pool workers send every mention back): about
        five times smaller and faster than the default, which pickles two dataclass states.

        >>> import pickle
        >>> m = Mention(Evidence("title", "FooNet: x", 0, 6, "FooNet"), (("Method", 2.0),), ("cue",), None, None, True)
        >>> pickle.loads(pickle.dumps(m)) == m
        True
        """
        e = self.evidence
        return _unpickled_mention, (e.section, e.sentence, e.start, e.end, e.surface, self.votes, self.reasons,
                                    self.canonical, self.partner, self.proposed, self.key, self.near_number,
                                    self.form, self.alternative)


def _unpickled_mention(section, sentence, start, end, surface, *fields) -> Mention:
    """The :class:`Mention` that :meth:`Mention.__reduce__` flattened."""
    return Mention(Evidence(section, sentence, start, end, surface), *fields)


def resolve_overlaps(table: dict[tuple[int, int], Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: the longest first, then the best-evidenced (deterministic).

    >>> a, b, c = Candidate(0, 2, {"Task": 1.0}), Candidate(1, 2, {"Metric": 3.0}), Candidate(3, 4)
    >>> [(x.start, x.end) for x in resolve_overlaps({(0, 2): a, (1, 2): b, (3, 4): c})]
    [(0, 2), (3, 4)]
    """
    ranked = sorted(table.values(), key=lambda c: (-(c.end - c.start), -c.strength, c.start))
    taken = bytearray(max((c.end for c in ranked), default=0))  # 1 for each token a kept candidate covers
    kept = []
    for cand in ranked:
        if 1 in taken[cand.start : cand.end]:
            continue
        taken[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
        kept.append(cand)
    return sorted(kept, key=lambda c: c.start)


def doc_mentions(doc: Doc, section: str) -> list[Mention]:
    """The resolved candidates of a processed section ``doc`` as :class:`Mention` records, plus the
    alternatives (which may overlap them)."""
    table = candidates(doc)
    alternatives = [c for c in table.values() if c.alternative]
    kept = sorted(resolve_overlaps({span: c for span, c in table.items() if not c.alternative}) + alternatives,
                  key=lambda c: (c.start, c.end))
    text, offsets, words = doc_text(doc), char_offsets(doc), words_of(doc)
    bounds = sentence_bounds(doc)
    sentence_starts = [start for start, _ in bounds]
    numbers = number_positions(doc)
    resources = load_resources()
    sentences: dict[int, str] = {}  # one string per sentence, shared by its mentions (and their pickles)
    mentions = []
    for cand in kept:
        start, end = cand.start, cand.end
        partner = span_text(doc, *cand.partner) if cand.partner is not None else None
        sent_start, sent_end = bounds[bisect_right(sentence_starts, start) - 1]
        sentence = sentences.get(sent_start)
        if sentence is None:
            sentence = sentences[sent_start] = span_text(doc, sent_start, sent_end)
        start_char, end_char = offsets[start], offsets[end - 1] + len(words[end - 1])
        surface = text[start_char:end_char]
        mention = Mention(
            Evidence(section, sentence, start_char, end_char, surface),
            tuple(sorted(cand.votes.items())),
            tuple(dict.fromkeys(cand.reasons)),
            cand.canonical,
            partner,
            cand.proposed,
            near_number=near_number(numbers, start, end, sent_start, sent_end),
            alternative=cand.alternative,
        )
        if "/" in surface:  # a composite ("CIFAR10/100") has one
            mentions.extend(split_composite(mention, resources))
        else:
            mentions.append(mention)
    return mentions


def split_composite(mention: Mention, resources: Resources) -> list[Mention]:
    """One mention per name of a composite ("CIFAR10/100" -> CIFAR10 and CIFAR100), each with its
    lexicon entry when the lexicon knows it; the evidence stays the composite text."""
    forms = composite_forms(mention.evidence.surface)
    if not forms:
        return [mention]
    parts = []
    for form in forms:
        entry = resources.lexicon.get(name_key(form))
        votes = ((entry.type, W_LEXICON),) if entry else mention.votes
        reasons = mention.reasons + (("lexicon",) if entry else ()) + ("composite",)
        parts.append(replace(mention, form=form, key="", canonical=entry.canonical if entry else None,
                             votes=votes, reasons=tuple(dict.fromkeys(reasons)), partner=None))
    return parts


_DIGITS = re.compile(r"\d+")


def near_number(numbers: list[int], start: int, end: int, sent_start: int, sent_end: int, window: int = 4) -> bool:
    """Whether a token with a digit (``numbers``: their sorted indexes) is within ``window`` tokens of
    ``start:end`` in its sentence: results are given in a metric ("improves accuracy by 3.1%").

    >>> near_number([4], 0, 2, 0, 5), near_number([], 0, 1, 0, 2), near_number([1], 0, 1, 0, 2)
    (True, False, True)
    """
    before = bisect_left(numbers, max(sent_start, start - window))
    if before < len(numbers) and numbers[before] < start:
        return True
    after = bisect_left(numbers, end)
    return after < len(numbers) and numbers[after] < min(sent_end, end + window)


def number_positions(doc: Doc) -> list[int]:
    """Indexes of the tokens holding a digit (found in the text, then mapped to tokens)."""
    offsets = char_offsets(doc)
    return sorted({bisect_right(offsets, match.start()) - 1 for match in _DIGITS.finditer(doc_text(doc))})
