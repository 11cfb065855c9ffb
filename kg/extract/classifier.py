"""A small learned filter over rule-generated candidates: logistic regression on hand-made features.

Why: rules find most entities, but which lower-case phrases annotators count as entities, and
which generic words they leave out, is a matter of degree that 80 training papers can teach
through a handful of general features (what found the candidate, its type, shape, casing, how
many papers use it), never through names. The weights are trained on ``train_*`` only by
``kg/extract/train/train_classifier.py`` (fixed seed, deterministic solver) and shipped as
``rules/classifier.json``; applying them is a dot product, so no ML library is needed at run time.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from kg.extract.resources import RULES_DIR, load_resources

CLASSIFIER_PATH = RULES_DIR / "classifier.json"
_ADJECTIVE_SUFFIX = re.compile(r"(al|ive|ic|ous|ar|ful|less|ed|ing|able|ible|ent|ant)$")


@dataclass(frozen=True)
class Classifier:
    """Logistic-regression weights and the keep threshold."""

    bias: float
    weights: dict[str, float] = field(default_factory=dict)
    threshold: float = 0.5


@dataclass(frozen=True)
class TypeModel:
    """Multinomial logistic regression over coarse types ("Data" = Dataset or Benchmark)."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]] = field(default_factory=dict)


@lru_cache(maxsize=65536)
def casing(text: str) -> str:
    """Casing class of a surface form.

    >>> [casing(t) for t in ("accuracy", "MMLU", "LoRA", "Stable Diffusion", "GPT-4")]
    ['lower', 'upper', 'mixed', 'title', 'upper']
    """
    letters = [c for c in text if c.isalpha()]
    if all(c.islower() for c in letters):
        return "lower"
    if all(c.isupper() for c in letters):
        return "upper"
    if all(w[:1].isupper() and w[1:].islower() for w in text.split() if w[:1].isalpha()):
        return "title"
    return "mixed"


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    """``n`` as a bucket label: the first edge it does not exceed, else ``>last``."""
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f">{edges[-1]}"


class Profile(NamedTuple):
    """What the keep features of a resolved group depend on (:func:`candidate_profile`)."""

    type: str
    reason_kinds: tuple[str, ...]  # sorted, so the features (and their sums) come in one fixed order
    proposed: bool
    in_title: str  # "none", else where its title mention stands (:func:`title_slot`)
    mentions: str  # bucket
    tokens: str  # bucket
    case: str
    papers: str  # bucket
    digit: bool
    weak: bool
    near_number: bool
    first_word: str | None  # the kind of a multi-word name's first word
    alternative: bool


def _reading_order(mention) -> tuple[bool, int]:
    """Title first, then by position: the first mention a reader sees."""
    return mention.evidence.section != "title", mention.evidence.start


@lru_cache(maxsize=4096)
def reason_kinds(reason: str) -> tuple[str, ...]:
    """The feature kinds of one reason: its prefix, plus the whole reason for context patterns.

    >>> reason_kinds("lexicon"), reason_kinds("cue:benchmark"), reason_kinds("shape:size")
    (('lexicon',), ('cue', 'cue:benchmark'), ('shape',))
    """
    prefix = reason.split(":", 1)[0]
    return (prefix, reason) if prefix in {"pattern", "cue", "title", "head"} and prefix != reason else (prefix,)


@lru_cache(maxsize=4096)
def reasons_kinds(reasons: tuple[str, ...]) -> frozenset[str]:
    """The feature kinds of a mention's reasons (:func:`reason_kinds` of each): mentions share few
    distinct reason tuples."""
    return frozenset(kind for reason in reasons for kind in reason_kinds(reason))


@lru_cache(maxsize=4096)
def sorted_kinds(kinds: frozenset[str]) -> tuple[str, ...]:
    """``kinds`` sorted: the order features (and their sums) come in."""
    return tuple(sorted(kinds))


@lru_cache(maxsize=65536)
def name_shape(name: str) -> tuple[str, str, bool, str | None]:
    """What the keep features read of a group's first name: (tokens bucket, casing, has a digit,
    the kind of a multi-word name's first word).

    >>> name_shape("low-rank adaptation"), name_shape("GPT-4")
    (('2', 'lower', False, 'hyphenated'), ('1', 'upper', True, None))
    """
    words = name.split()
    first = words[0].lower() if len(words) > 1 else None
    first_word = (None if first is None else "hyphenated" if "-" in first
                  else "adjective-like" if _ADJECTIVE_SUFFIX.search(first) else "other")
    return _bucket(len(words), (1, 2, 3)), casing(name), any(map(str.isdigit, name)), first_word


def title_slot(evidence) -> str:
    """Where a title mention stands in its sentence: "opening" (its first words), "after-colon"
    (the first words after a colon: what the paper's name stands for, or its main technique) or
    "inside".

    >>> from kg.model import Evidence
    >>> [title_slot(Evidence("title", "FooNet: Sparse Gating for ViT", s, e, t))
    ...  for s, e, t in [(0, 6, "FooNet"), (8, 21, "Sparse Gating"), (26, 29, "ViT")]]
    ['opening', 'after-colon', 'inside']
    >>> title_slot(Evidence("title", "ViT-Slim: Pruning ViT for Image Classification", 18, 21, "ViT"))
    'inside'
    """
    before = evidence.sentence[: evidence.start].rstrip()  # a title is one sentence: offsets agree
    return "opening" if not before else "after-colon" if before.endswith(":") else "inside"


#: title slots, strongest first: a group mentioned at several places of its title takes the strongest
_SLOT_STRENGTH = ("opening", "after-colon", "inside", "none")


def candidate_profile(resolved) -> Profile:
    """The :class:`Profile` of one resolved candidate group (a :class:`kg.extract.corpus.Resolved`)."""
    mentions = resolved.group.mentions
    primary = (min(mentions, key=_reading_order) if len(mentions) > 1 else mentions[0]).form
    tokens, case, digit, first_word = name_shape(primary)
    kinds = (reasons_kinds(mentions[0].reasons) if len(mentions) == 1
             else frozenset().union(*[reasons_kinds(m.reasons) for m in mentions]))
    proposed, in_title, near_number, alternative = bool(resolved.variant), "none", False, False
    for m in mentions:  # one pass: most groups have one mention
        if m.proposed:
            proposed = True
        if m.evidence.section == "title":
            in_title = min(in_title, title_slot(m.evidence), key=_SLOT_STRENGTH.index)
        if m.near_number:
            near_number = True
        if m.alternative:
            alternative = True
    return Profile(
        type=resolved.type,
        reason_kinds=sorted_kinds(kinds),
        proposed=proposed,
        in_title=in_title,
        mentions=_bucket(len(mentions), (1, 2, 4)),
        tokens=tokens,
        case=case,
        papers=_bucket(resolved.papers_with_key, (1, 3, 10)),
        digit=digit,
        weak=resolved.weak,
        near_number=near_number,
        first_word=first_word,
        alternative=alternative,
    )


def candidate_features(resolved) -> Mapping[str, float]:
    """Features of one resolved candidate group (a :class:`kg.extract.corpus.Resolved`): what
    found it, its type, shape, casing and spread. Read-only: groups with the same
    :func:`candidate_profile` share one mapping, built once."""
    return profile_features(candidate_profile(resolved))


@lru_cache(maxsize=16384)
def profile_features(profile: Profile) -> Mapping[str, float]:
    """The features of every group with ``profile`` (read-only)."""
    t = profile.type
    features = {f"type={t}": 1.0}
    for kind in profile.reason_kinds:
        features[f"reason={kind}"] = 1.0
        if ":" not in kind:
            features[f"type={t}&reason={kind}"] = 1.0
    features.update({
        f"proposed={profile.proposed}": 1.0,
        f"type={t}&proposed={profile.proposed}": 1.0,
        f"in_title={profile.in_title}": 1.0,
        f"type={t}&in_title={profile.in_title}": 1.0,
        f"mentions={profile.mentions}": 1.0,
        f"tokens={profile.tokens}": 1.0,
        f"type={t}&tokens={profile.tokens}": 1.0,
        f"case={profile.case}": 1.0,
        f"type={t}&case={profile.case}": 1.0,
        f"papers={profile.papers}": 1.0,
        f"digit={profile.digit}": 1.0,
        f"weak={profile.weak}": 1.0,
        f"type={t}&near_number={profile.near_number}": 1.0,
    })
    if profile.first_word is not None:
        features[f"first={profile.first_word}"] = 1.0
    if profile.alternative:  # a lexicon match with its modifiers: what kind of modifier
        for name in [n for n in features if n.startswith(("first=", "case=", "proposed=", "mentions="))]:
            features[f"alternative&{name}"] = 1.0
    return MappingProxyType(features)


def weighted_sum(features: Mapping[str, float], weights: dict[str, float], start: float = 0.0) -> float:
    """``start`` plus each feature's weight times its value, added in the features' order, so a
    sum over some features continues with more of them bit for bit as if summed at once.

    >>> weighted_sum({"a": 1.0, "b": 2.0}, {"a": 0.5, "b": 0.25}), weighted_sum({"b": 2.0}, {"b": 0.25}, 0.5)
    (1.0, 1.0)
    """
    weight = weights.get
    return sum([weight(name, 0.0) * value for name, value in features.items()], start)


def _probability(z: float) -> float:
    """The logistic function of ``z``, to 4 decimals."""
    return round(1.0 / (1.0 + math.exp(-z)), 4)


def keep_probability(features: Mapping[str, float], model: Classifier) -> float:
    """The model's probability that a candidate with ``features`` is an entity.

    >>> keep_probability({"a": 1.0}, Classifier(bias=0.0, weights={"a": 2.0}))
    0.8808
    """
    return _probability(model.bias + weighted_sum(features, model.weights))


def type_facts(resolved) -> tuple:
    """What :func:`type_extras` reads of ``resolved``: its group's votes (in order), the last word of
    its name (:func:`last_word`), and whether the paper names variants of it."""
    words = resolved.name.split()
    return tuple(resolved.group.votes.items()), last_word(words[-1]) if words else "", resolved.family


@lru_cache(maxsize=16384)
def last_word(word: str) -> str:
    """The last word of a name as the type model sees it: a head or cue noun ("transformer",
    "benchmark") as itself, any other word by its casing, so that the model learns what kinds of
    words end names of each type and never the names of the training papers.

    >>> [last_word(w) for w in ("Transformer", "benchmark", "EMOv2-1M", "CBNet", "Kangaroo", "tiling")]
    ['transformer', 'benchmark', 'name:mixed', 'name:mixed', 'name:title', 'name:lower']
    """
    resources, lower = load_resources(), word.lower()
    if lower in resources.heads or lower in resources.cues:
        return lower
    return f"name:{casing(word)}"


@lru_cache(maxsize=16384)
def type_extras_of(facts: tuple) -> Mapping[str, float]:
    """The type extras of every group with these :func:`type_facts` (read-only)."""
    votes, last, family = facts
    features = {f"vote={kind}": weight for kind, weight in votes}
    features[f"last={last}"] = 1.0
    features[f"family={family}"] = 1.0
    return MappingProxyType(features)


def type_extras(resolved) -> Mapping[str, float]:
    """What the type model reads besides the keep features: the rule votes, the last word of the
    name and whether the paper names variants of it (models come in sizes)."""
    return type_extras_of(type_facts(resolved))


def type_features(resolved, keep_features: Mapping[str, float] | None = None) -> dict[str, float]:
    """Features for the type model: the keep features (computed unless given), then :func:`type_extras`."""
    return {**(keep_features if keep_features is not None else candidate_features(resolved)), **type_extras(resolved)}


_AUTHOR_WORDS = re.compile(r"\b(we|our|this paper|this work)\b", re.IGNORECASE)
_NEW_WORDS = re.compile(  # not "in terms of", "named entity", "news", "long-term", "new state-of-the-art results"
    r"(?<![\w-])(?:propos|introduc|present(?:s|ed|ing)?\b|novel\b"
    r"|new\b(?!\s+(?:state|sota|best|records?\b|highs?\b|results?\b))"
    r"|call(?:s|ed)?\b|name[sd]?\b(?!\s+entit)|dub(?:s|bed)?\b|term(?:s|ed)?\b(?!\s+of\b))", re.IGNORECASE)


@lru_cache(maxsize=16384)
def _sentence_flags(sentence: str) -> tuple[bool, bool]:
    """(the authors speak: "we", "our", "this paper"; something is new: "propose", "novel", "called").

    >>> _sentence_flags("We term it X."), _sentence_flags("Gains on long-term benchmarks.")
    ((True, True), (False, False))
    >>> [_sentence_flags(s)[1] for s in ("Better in terms of speed.", "Named entity recognition.", "A method named X.")]
    [False, False, True]
    >>> [_sentence_flags(s)[1] for s in ("It sets new state-of-the-art results.", "It reaches new best results.")]
    [False, False]
    """
    return bool(_AUTHOR_WORDS.search(sentence)), bool(_NEW_WORDS.search(sentence))


def role_facts(resolved) -> tuple[bool, bool, bool, bool, str]:
    """What :func:`role_extras` reads of ``resolved``: whether an abstract sentence of it has the
    authors speak, or says something is new; whether it defines an abbreviation; whether it is a
    lexicon entry; where in the abstract it first appears (bucket)."""
    mentions = resolved.group.mentions
    author, new, first = False, False, -1
    for m in mentions:
        e = m.evidence
        if e.section == "abstract":
            says_author, says_new = _sentence_flags(e.sentence)
            author, new = author or says_author, new or says_new
            first = e.start if first < 0 else min(first, e.start)
    return (author, new, any(m.partner for m in mentions), bool(resolved.group.canonical),
            "none" if first < 0 else _bucket(first, (200, 600)))


@lru_cache(maxsize=1024)
def role_extras_of(facts: tuple[bool, bool, bool, bool, str]) -> Mapping[str, float]:
    """The role extras of every group with these :func:`role_facts` (read-only)."""
    author, new, abbreviation, lexicon, first_at = facts
    return MappingProxyType({
        f"author_sentence={author}": 1.0,
        f"new_sentence={new}": 1.0,
        f"abbreviation_defined={abbreviation}": 1.0,
        f"lexicon={lexicon}": 1.0,
        f"first_at={first_at}": 1.0,
    })


def role_extras(resolved) -> Mapping[str, float]:
    """What the proposed-or-not model reads besides the keep features: where and how it is said."""
    return role_extras_of(role_facts(resolved))


def role_features(resolved, keep_features: Mapping[str, float]) -> dict[str, float]:
    """Features for the proposed-or-not model: the keep features, then :func:`role_extras`."""
    return {**keep_features, **role_extras(resolved)}


def class_scores(features: Mapping[str, float], model: TypeModel, start: list[float] | None = None) -> list[float]:
    """Per class, ``start`` (the biases unless given) plus the weighted features, added in the
    features' order (so, as :func:`weighted_sum`, a sum can be continued)."""
    weight = model.weights.get
    rows = [(row, value) for name, value in features.items() if (row := weight(name)) is not None]
    return [sum([row[k] * value for row, value in rows], first)
            for k, first in enumerate(model.bias if start is None else start)]


def softmax(scores: list[float]) -> list[float]:
    """Softmax probabilities of ``scores``, to 4 decimals."""
    top = max(scores)
    exps = [math.exp(x - top) for x in scores]
    total = sum(exps)
    return [round(e / total, 4) for e in exps]


def type_probabilities(features: Mapping[str, float], model: TypeModel) -> dict[str, float]:
    """Softmax probabilities per coarse type.

    >>> m = TypeModel(("Method", "Model"), (0.0, 0.0), {"a": (1.0, -1.0)})
    >>> type_probabilities({"a": 1.0}, m)
    {'Method': 0.8808, 'Model': 0.1192}
    """
    return dict(zip(model.classes, softmax(class_scores(features, model))))


@dataclass(frozen=True)
class Models:
    """The three learned parts: keep/drop, coarse type, and proposed-or-not."""

    keep: Classifier
    type: TypeModel
    proposed: Classifier


def read_classifier(path: Path) -> Models:
    """The models from the JSON written by the training script."""
    data = json.loads(path.read_text(encoding="utf-8"))
    keep, kind, proposed = data["keep"], data["type"], data["proposed"]
    return Models(
        keep=Classifier(bias=keep["bias"], weights=keep["weights"], threshold=keep["threshold"]),
        type=TypeModel(classes=tuple(kind["classes"]), bias=tuple(kind["bias"]),
                       weights={k: tuple(v) for k, v in kind["weights"].items()}),
        proposed=Classifier(bias=proposed["bias"], weights=proposed["weights"], threshold=proposed["threshold"]),
    )


@lru_cache(maxsize=1)
def load_classifier() -> Models:
    """The shipped models (``rules/classifier.json``)."""
    return read_classifier(CLASSIFIER_PATH)


class _TwoStageScores:
    """One model's results by (profile, facts): the sum over a profile's keep features,
    ``start(features)``, is taken once per profile, then ``finish(partial, facts)`` once per pair."""

    def __init__(self, start, finish):
        self.start, self.finish = start, finish
        self.partials: dict[Profile, object] = {}
        self.results: dict[tuple, object] = {}  # most groups share profile and facts with another

    def __call__(self, profile: Profile, facts: tuple):
        key = (profile, facts)
        found = self.results.get(key)
        if found is None:
            partial = self.partials.get(profile)
            if partial is None:
                partial = self.partials[profile] = self.start(profile_features(profile))
            found = self.results[key] = self.finish(partial, facts)
        return found


class Scorer:
    """The three models applied to resolved groups. Many groups share a :class:`Profile`, so each
    model's sum over a profile's keep features is taken once; a group's own extra features
    (:func:`type_extras`, :func:`role_extras`) continue that sum, which gives bit for bit what
    :func:`type_probabilities` and :func:`keep_probability` give on the whole feature dicts (a test checks)."""

    def __init__(self, models: Models):
        self.models = models
        self._keep: dict[Profile, float] = {}
        proposed, types = models.proposed, models.type
        self._proposed = _TwoStageScores(
            lambda features: weighted_sum(features, proposed.weights),
            lambda partial, facts: _probability(
                proposed.bias + weighted_sum(role_extras_of(facts), proposed.weights, partial)))
        self._types = _TwoStageScores(
            lambda features: class_scores(features, types),
            lambda partial, facts: tuple(softmax(class_scores(type_extras_of(facts), types, partial))))

    def keep(self, profile: Profile) -> float:
        """:func:`keep_probability` of the profile's features."""
        found = self._keep.get(profile)
        if found is None:
            found = self._keep[profile] = keep_probability(profile_features(profile), self.models.keep)
        return found

    def proposed(self, profile: Profile, resolved) -> float:
        """The proposed model's probability for ``resolved`` (whose profile is ``profile``)."""
        return self._proposed(profile, role_facts(resolved))

    def types(self, profile: Profile, resolved) -> tuple[float, ...]:
        """The type model's probabilities for ``resolved`` (whose profile is ``profile``), in the
        order of ``models.type.classes``."""
        return self._types(profile, type_facts(resolved))
