"""From a processed section Doc to plain, picklable mentions, and from mentions to one paper's
entities: overlapping candidates resolved, abbreviation partners and spelling variants grouped,
type and role decided, canonical name and aliases chosen."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates
from kg.extract.resources import name_key
from kg.model import Evidence

DATA_TYPES = frozenset({"Dataset", "Benchmark"})


@dataclass(frozen=True)
class Mention:
    """One candidate mention with its evidence and type votes (plain data, safe to pickle)."""

    evidence: Evidence
    votes: tuple[tuple[str, float], ...]
    reasons: tuple[str, ...]
    canonical: str | None
    partner: str | None  # surface form of the abbreviation partner
    proposed: bool

    @property
    def key(self) -> str:
        """Grouping key of the surface form."""
        return name_key(self.evidence.surface)


def resolve_overlaps(table: dict[tuple[int, int], Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: the longest first, then the best-evidenced (deterministic).

    >>> a, b, c = Candidate(0, 2, {"Task": 1.0}), Candidate(1, 2, {"Metric": 3.0}), Candidate(3, 4)
    >>> [(x.start, x.end) for x in resolve_overlaps({(0, 2): a, (1, 2): b, (3, 4): c})]
    [(0, 2), (3, 4)]
    """
    ranked = sorted(table.values(), key=lambda c: (-(c.end - c.start), -c.strength, c.start))
    taken: set[int] = set()
    kept = []
    for cand in ranked:
        span = set(range(cand.start, cand.end))
        if span & taken:
            continue
        taken |= span
        kept.append(cand)
    return sorted(kept, key=lambda c: c.start)


def doc_mentions(doc: Doc, section: str) -> list[Mention]:
    """The resolved candidates of a processed section ``doc`` as :class:`Mention` records."""
    table = candidates(doc)
    kept = resolve_overlaps(table)
    kept_spans = {(c.start, c.end) for c in kept}
    mentions = []
    for cand in kept:
        span = doc[cand.start : cand.end]
        partner = None
        if cand.partner is not None and cand.partner in kept_spans:
            partner = doc[cand.partner[0] : cand.partner[1]].text
        elif cand.partner is not None:
            partner = doc[cand.partner[0] : cand.partner[1]].text
        sentence = span.sent
        evidence = Evidence(
            section=section,
            sentence=sentence.text,
            start=span.start_char,
            end=span.end_char,
            surface=span.text,
        )
        mentions.append(Mention(
            evidence=evidence,
            votes=tuple(sorted(cand.votes.items())),
            reasons=tuple(dict.fromkeys(cand.reasons)),
            canonical=cand.canonical,
            partner=partner,
            proposed=cand.proposed,
        ))
    return mentions
