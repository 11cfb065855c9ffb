"""Candidate entity mentions in one section (title or abstract), as spaCy components.

Each step adds to ``doc.user_data["kg_candidates"]`` (token span -> :class:`Candidate`) or annotates
what is there; type evidence is collected as weighted votes so that the strongest kind of
evidence wins when sources disagree:

    lexicon 3.0 > context cue ("the X benchmark", "called X" after "method") 2.0
    > list pattern ("datasets such as A, B") 1.5 > head noun of the phrase 1.0
    > name shape (a size suffix means a Model) 0.6-1.2 > default 0.2

Why rules first: with 80 training papers a statistical tagger cannot learn which capitalised
strings are models and which are datasets, while a lexicon, abbreviation definitions and a few
context patterns are precise and transfer to new papers. The rules over-generate on purpose;
:mod:`kg.extract.classifier` then decides which candidates to keep, their coarse type and role.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.abbreviations import find_long_form_start, is_short_form_candidate, letters_spelt, max_long_form_words
from kg.extract.tokens import (
    doc_text,
    lowers_of,
    section_of,
    sentence_bounds,
    sentence_number,
    sentence_starts,
    span_text,
    words_of,
)
from kg.extract.resources import KEY_SEPARATORS, LexiconEntry, Resources, load_resources, name_key


W_LEXICON, W_CUE, W_LIST, W_HEAD, W_SHAPE, W_DEFAULT = 3.0, 2.0, 1.5, 1.0, 0.6, 0.2

_VERSION = re.compile(r"^v?\d+(\.\d+)*[A-Za-z]?$|^[0-9]+(\.[0-9]+)?[BMK]$")
_SIZE_SUFFIX = re.compile(r"[-_ ]\d+(\.\d+)?[BMK]$|^\d+(\.\d+)?[BM]$", re.IGNORECASE)
_GENERIC_PLURAL = re.compile(r"^[A-Z][A-Z0-9-]*[A-Z0-9]s$")
#: a number with a unit (matched ignoring case): "8x", "16times", "4-bit", "16GB", "2Go", "30fps", "3.5GHz", "40dB",
#: "3.2GFLOPs", "2.5Gbps", "5000mAh", "10ms"
_NUMBER_WITH_UNIT = (r"\d+(?:\.\d+)?(?:x|times|-?bits?|[kmgtp]?i?b|[kmgt]o|[mnuµ]?s|h|min|fps|[kmg]?hz|k?w|px|db"
                     r"|[kmgtp]?flops?|[kmg]?bps|mah)")
_NOT_NAME = re.compile(
    r"[%$=^{}~\\@*]|://|^www\.|^(?:fp|bf|int|uint|FP|BF|INT|UINT)\d+$|^W\d+A\d+(?:KV\d+)?$|^[A-Z]?\d+(\.\d+)?[A-Za-z]?$"
    r"|^\d+(\.\d+)?[BMKbmk]\b|\d{4}\.\d{4}|[A-Za-z]{2,}/[A-Za-z]{2,}|^[A-Z]{2,}-[a-z]+$|\.[A-Z][a-z]"
    r"|/[A-Za-z]|-/|/.*/|^dB$|'\d\d$|[\"()]"
    rf"|(?i:^{_NUMBER_WITH_UNIT}$|^\d+(\.\d+)?times)"  # "16GB", "40dB", "3.2GFLOPs", "8timesA800"
    r"|^[x×]\d+(\.\d+)?$"  # a factor written before its number: "x21 faster"
    r"|^(?:sim|approx)\d"  # LaTeX's \sim, \approx that lost their backslash: "1.3B sim14B", "approx25"
    r"|^[a-z]+/"  # "41.9B total/6.6B active"
    r"|^(?:ell|[A-Za-z])_\{?[0-9a-z]\}?(?:-norms?)?$"  # LaTeX variables: "F_1", "ell_2-norm" ($\ell_2$-norm)
)
_ADJECTIVE_COMPOUND = re.compile(  # "SVD-Free", "LLM-based", "GPT-style", "iPhone-X-optimized" describe
    r"-(?:free|driven|aware|based|guided|optimi[sz]ed|oriented|specific|agnostic|friendly|efficient|level|wise"
    r"|style|like|only|centric|conditioned|dependent|invariant|grained|tuned|enhanced|augmented|assisted"
    r"|powered|generated|induced|informed|constrained|preserving|consistent|compatible"
    r"|(?-i:[a-z]{3,}ed))$",  # any lower-case participle: "ZIP-FIT-selected", not "R1-Distilled"
    re.IGNORECASE,
)
_SHORT_ACRONYM = re.compile(r"^[A-Z]{2,3}$")
_YEAR = re.compile(r"^(?:19[5-9]\d|20[0-4]\d)$")  # a year written after a name dates an edition of data
#: hardware named by its vendor: where a model runs is not an entity ("Qualcomm 855", "NVIDIA A100 GPUs")
_HARDWARE = re.compile(
    r"^(?:qualcomm|snapdragon|geforce|jetson|xeon|ryzen|exynos|ascend|raspberry|quadro|"
    r"(?:nvidia|intel|amd|apple|google|huawei)[\s-]+"
    r"(?:tesla|geforce|titan|quadro|dgx|rtx|gtx|jetson|[ahvtlb]\d+|xeon|core|ryzen|epyc|"
    r"instinct|mi\d+|m\d|silicon|gaudi|tpu|ascend|cloud|colab))\b"
    r"|^(?:rtx|gtx)[\s-]?\d|^(?:mi\d{2,3}x?|[ahlv]\d{2,3}[a-z]?(?:-\d+gb?)?|\d{4}\s?ti)$"  # MI300X, 2080Ti
    r"|^.*\b[cgnt]pus?$", re.IGNORECASE)  # "Pro CPU", "multi-GPU"
_CLASS_PLURALS = frozenset({"models", "networks", "llms", "mllms", "vlms", "agents"})
_NAME_NUMBER = re.compile(r"^[A-Z][a-z]{2,}-\d+(\.\d+)*$")  # "Medusa-1", "Gemini-1.5"
_PROPOSE_VERBS = re.compile(
    r"^(propos|introduc|present|develop|design|build|built|creat|releas|construct|curat|contribut|"
    r"unveil|devis|establish|offer)"
)
_NAMING_WORDS = frozenset({"called", "named", "dubbed", "termed", "coined", "namely"})
_EVAL_WORDS = frozenset({
    "evaluate", "evaluated", "evaluating", "evaluation", "evaluations", "experiments", "experiment",
    "results", "achieves", "achieve", "achieving", "outperforms", "outperform", "accuracy", "tested",
    "state-of-the-art", "sota", "performance", "improvements", "gains", "benchmarked", "validated", "shown",
    "demonstrated", "reported", "reports",
})
_WHEN_WORDS = frozenset({"at", "during"})
_LIST_INTRO = frozenset({"such", "as", "including", "like", "namely", ":", "e.g.", "e.g.,", "i.e."})
_OBJECT_BOUNDARY = frozenset({
    "that", "which", "to", "for", "by", "using", "with", "based", "on", "in", "via", "from", "over",
    "through", "where", "while", "and", "of", ";", ".", "-based",
})


@dataclass
class Candidate:
    """A token span that may be an entity, with the evidence gathered for it."""

    start: int
    end: int
    votes: dict[str, float] = field(default_factory=dict)  # type -> best weight
    reasons: list[str] = field(default_factory=list)
    canonical: str | None = None  # lexicon canonical name
    partner: tuple[int, int] | None = None  # abbreviation partner span (long <-> short)
    proposed: bool = False
    alternative: bool = False  # overlaps other candidates on purpose; the classifier picks between them

    def vote(self, entity_type: str, weight: float, reason: str) -> None:
        """Record that ``reason`` says this is an ``entity_type`` with strength ``weight``."""
        if weight > self.votes.get(entity_type, 0.0):
            self.votes[entity_type] = weight
        if reason not in self.reasons:
            self.reasons.append(reason)

    @property
    def strongest(self) -> str | None:
        """The type of the strongest vote (None before any)."""
        return max(self.votes, key=self.votes.__getitem__, default=None)

    @property
    def strength(self) -> float:
        """The strongest vote."""
        return max(self.votes.values(), default=0.0)


def candidates(doc: Doc) -> dict[tuple[int, int], Candidate]:
    """The candidate table of ``doc`` (created on first use)."""
    return doc.user_data.setdefault("kg_candidates", {})


def candidate_at(doc: Doc, start: int, end: int) -> Candidate:
    """The candidate for tokens ``start:end``, created if needed."""
    table = candidates(doc)
    if (start, end) not in table:
        table[(start, end)] = Candidate(start, end)
    return table[(start, end)]


def candidate_beside(doc: Doc, start: int, end: int) -> Candidate:
    """The candidate for tokens ``start:end`` (created if needed), offered as an alternative to the
    candidates it overlaps, which the classifier then picks between (as lexicon extensions are)."""
    overlapping = any(s < end and start < e for (s, e) in candidates(doc) if (s, e) != (start, end))
    candidate = candidate_at(doc, start, end)
    candidate.alternative = candidate.alternative or overlapping
    return candidate


# --- token shape -------------------------------------------------------------------------------


_COMPOSITE = re.compile(r"^(?P<stem>.*?[A-Za-z_-])(?P<first>\d+(?:\.\d+)?[A-Za-z]?)(?P<rest>(?:/\d+(?:\.\d+)?[A-Za-z]?)+)$")


def composite_forms(surface: str) -> list[str]:
    """The names a composite surface abbreviates: one stem with several versions or sizes.

    >>> composite_forms("CIFAR10/100"), composite_forms("EMOv2-1M/2M/5M"), composite_forms("GPT-4")
    (['CIFAR10', 'CIFAR100'], ['EMOv2-1M', 'EMOv2-2M', 'EMOv2-5M'], [])
    """
    match = _COMPOSITE.match(surface)
    if match is None or " " in surface:
        return []
    versions = [match["first"], *match["rest"].split("/")[1:]]
    return [match["stem"] + version for version in versions]


@lru_cache(maxsize=65536)
def is_name_shaped(text: str) -> bool:
    """A token that looks like a proper name in ML text: inner capitals, or letters with digits.

    Title-case hyphenated words ("Training-Free", "Hardware-Aware") are ordinary words in titles,
    numbers with units ("1.3B", "63%"), bit-width settings ("W4A16") or plural class acronyms ("LLMs")
    are not names.

    >>> [is_name_shaped(t) for t in ("LoRA", "GPT-4o", "BERT", "ResNet-50", "3DGS", "model", "Model")]
    [True, True, True, True, True, False, False]
    >>> [is_name_shaped(t) for t in ("2024", "LLMs", "Training-Free", "1.3B", "63%-FLOPs", "fp16", "W4A16")]
    [False, False, False, False, False, False, False]
    >>> [is_name_shaped(t) for t in ("SVD-Free", "LLM-based", "GPT-style", "2Go", "16GB", "30Fps", "40dB")]
    [False, False, False, False, False, False, False]
    >>> [is_name_shaped(t) for t in ("ZIP-FIT-selected", "GPT-4-distilled", "DeepSeek-R1-Distilled")]
    [False, False, True]
    >>> [is_name_shaped(t) for t in ("3.2GFLOPs", "1.5TFLOPS", "2.5Gbps", "5000mAh", "8timesA800", "x21", "sim14B")]
    [False, False, False, False, False, False, False]
    >>> [is_name_shaped(t) for t in ("LLaMA-2-7B/13B/70B", "EMOv2-1M/2M/5M", "a/b/c", "10/20/30")]
    [True, True, False, False]
    """
    composite = composite_forms(text)  # judged by its first name: "LLaMA-2-7B" of "LLaMA-2-7B/13B/70B"
    if composite:
        return is_name_shaped(composite[0])
    if len(text) < 2 or not text[0].isalnum() or _GENERIC_PLURAL.match(text) or _NOT_NAME.search(text) \
            or _ADJECTIVE_COMPOUND.search(text):
        return False
    if text[0].isdigit() and sum(c.isalpha() for c in text) < 2:
        return False
    if _NAME_NUMBER.match(text):
        return True
    for part in text.split("-"):
        letters = [c for c in part if c.isalpha()]
        if not letters:
            continue
        if any(c.isupper() for c in part[1:]) or (any(c.isdigit() for c in part) and len(letters) >= 1
                                                  and part[0].isalpha()):
            return True
    return False


def is_version(text: str) -> bool:
    """A version or size token that continues a name: ``2.0``, ``3``, ``v2``, ``7B``.

    >>> [is_version(t) for t in ("2.0", "3", "v2", "7B", "the")]
    [True, True, True, True, False]
    """
    return bool(_VERSION.match(text))


def has_size_suffix(text: str) -> bool:
    """Names carrying a parameter count are trained models: ``LLaMA-2-7B``, ``OPT-175B``.

    >>> [has_size_suffix(t) for t in ("LLaMA-2-7B", "OPT-175B", "CIFAR-10", "Qwen 7B")]
    [True, True, False, True]
    """
    return bool(_SIZE_SUFFIX.search(text))


_VARIANT_SUFFIX = re.compile(r"(?:[-_ ]?v?\d+(?:\.\d+)*[BMK]?|-(?:base|large|small|tiny|huge|xl|instruct|chat"
                             r"|mini|nano|turbo|preview|pro|lite|flash|low|medium|high))$", re.IGNORECASE)


#: a word after a dataset or benchmark name naming one of its splits or editions ("LIBERO-Long", "MMLU-Redux",
#: "VBench-I2V")
_DATA_VARIANT_SUFFIX = re.compile(r"-[A-Za-z][A-Za-z0-9]*$")


def lexicon_family(text: str, resources: Resources):
    """The lexicon entry of the family a versioned or sized name belongs to ("SQuAD-v2" -> SQuAD,
    "Qwen2.5-7B" -> Qwen2.5), or a split of a dataset or benchmark ("LIBERO-Long" -> LIBERO): its
    type carries over, the name itself stays distinct.

    >>> resources = load_resources()
    >>> [lexicon_family(name, resources).canonical for name in ("SQuAD-v2", "LIBERO-Long", "VBench-I2V")]
    ['SQuAD', 'LIBERO', 'VBench']
    """
    base = text
    for _ in range(2):
        base = _VARIANT_SUFFIX.sub("", base)
        if base != text and len(base) >= 2:
            entry = resources.lexicon.get(name_key(base))
            if entry is not None:
                return entry
    entry = resources.lexicon.get(name_key(_DATA_VARIANT_SUFFIX.sub("", text)))
    return entry if entry is not None and entry.type in {"Dataset", "Benchmark"} and "-" in text else None


def name_suffix_type(text: str, resources: Resources) -> str | None:
    """The type a name's ending implies (rules/name_suffixes.tsv): "MT-Bench" -> Benchmark."""
    lower = text.lower()
    return next((kind for suffix, kind in resources.name_suffixes.items() if lower.endswith(suffix)
                 and len(lower) > len(suffix)), None)


def has_data_suffix(word: str, resources: Resources) -> bool:
    """A capitalised word ending in a benchmark or dataset suffix where a name part starts: after a
    hyphen or at a capital ("Decompile-Eval", "CodeBench"; not "Medieval", "Workbench").

    >>> r = load_resources()
    >>> [has_data_suffix(w, r) for w in ("CodeBench", "Decompile-Eval", "Medieval", "Workbench", "bench")]
    [True, True, False, False, False]
    """
    lower = word.lower()
    for suffix, kind in resources.name_suffixes.items():
        if kind in {"Benchmark", "Dataset"} and lower.endswith(suffix) and len(lower) > len(suffix) \
                and word[0].isupper():
            at = len(word) - len(suffix.lstrip("-"))
            return suffix.startswith("-") or word[at - 1] == "-" or word[at].isupper()
    return False


@lru_cache(maxsize=65536)
def _has_data_suffix(word: str) -> bool:
    """:func:`has_data_suffix` with the shipped resources, cached per distinct word."""
    return has_data_suffix(word, load_resources())


def is_generic(text: str, resources: Resources, named: bool = False) -> bool:
    """Whole fields, generic model classes, hardware and other never-entities (rules/not_entities.txt).

    A phrase ending in a plural class noun ("... models", "... networks") is generic too, and so
    is a plural acronym ("LLMs"), unless the text is ``named``: known to name one thing, as a lexicon
    match ("FLOPs", "latent diffusion models") or a short form the text defines ("LMDPs").
    """
    not_entities = resources.word_list("not_entities_keys")
    if name_key(text) in not_entities or ("/" in text and all(name_key(part) in not_entities
                                                               for part in text.split("/"))):
        return True  # "2D/3D", "CPU/GPU": every part is a never-entity
    if _HARDWARE.match(text):
        return True
    if _GENERIC_PLURAL.match(text) and not named:
        return True
    return not named and text.rsplit(" ", 1)[-1].lower() in _CLASS_PLURALS


@lru_cache(maxsize=131072)
def _is_generic_word(word: str) -> bool:
    """:func:`is_generic` for one token text with the shipped resources, cached per distinct word."""
    return is_generic(word, load_resources())


# --- components --------------------------------------------------------------------------------


# what a token can be, as bits (:func:`word_kinds`)
LEXICON_START, NAME_OR_TITLE, PROPOSE_VERB, TITLE_WORD, HEAD_WORD, CUE_WORD, NAMING_WORD, ON_WORD = (
    1, 2, 4, 8, 16, 32, 64, 128)
_KINDS = (LEXICON_START, NAME_OR_TITLE, PROPOSE_VERB, TITLE_WORD, HEAD_WORD, CUE_WORD, NAMING_WORD, ON_WORD)
_BITS = [tuple(kind for kind in _KINDS if bits & kind) for bits in range(2 ** len(_KINDS))]  # bits -> kinds


@lru_cache(maxsize=131072)
def word_kinds(word: str) -> int:
    """The bits of a token text: it may start a lexicon match, it is name-shaped or capitalised
    (where :func:`add_names` looks), it is a form of propose/introduce/present/…, it can be part of
    a Title-Case name (:func:`_title_word`); lower-cased, it is a head noun (rules/heads.tsv), a cue
    noun (rules/cues.tsv), a naming word ("called") or "on".

    >>> [word_kinds(w) for w in ("LoRA", "propose", "the", "on", "called", "benchmark", "accuracy")]
    [11, 4, 0, 128, 64, 33, 17]
    """
    lower = word.lower()
    resources = load_resources()
    return ((LEXICON_START if _lexicon_word_info(word)[2] else 0)
            | (NAME_OR_TITLE if is_name_shaped(word) or word.istitle() else 0)
            | (PROPOSE_VERB if _PROPOSE_VERBS.match(lower) else 0)
            | (TITLE_WORD if _title_word(word) else 0)
            | (HEAD_WORD if lower in resources.heads else 0)
            | (CUE_WORD if lower in resources.cues else 0)
            | (NAMING_WORD if lower in _NAMING_WORDS else 0)
            | (ON_WORD if lower == "on" else 0))


def word_positions(doc: Doc) -> dict[int, list[int]]:
    """Token indexes per kind bit of :func:`word_kinds`, found in one pass and kept on the Doc, so
    the components visit only the tokens they look for."""
    positions = doc.user_data.get("kg_word_positions")
    if positions is None:
        kinds = list(map(word_kinds, words_of(doc)))
        positions = doc.user_data["kg_word_positions"] = {kind: [] for kind in _KINDS}
        for i in compress(range(len(kinds)), kinds):  # most tokens are none of the kinds
            for kind in _BITS[kinds[i]]:
                positions[kind].append(i)
    return positions


def match_lexicon(doc: Doc, resources: Resources) -> None:
    """Add every longest lexicon match (compared by :func:`name_key`) as a candidate."""
    if not resources.lexicon:
        return
    words = words_of(doc)
    lexicon, prefixes = resources.lexicon, resources.lexicon_prefixes
    next_free, n_words, word_info = 0, len(words), _lexicon_word_info
    for i in word_positions(doc)[LEXICON_START]:
        if i < next_free:
            continue
        found = None
        key, prefix, _ = word_info(words[i])
        entry = lexicon.get(key) if key else None
        if entry is not None and lexicon_form_fits(words[i], entry, key):
            found = (1, entry)
        j = i + 1
        while j < n_words and prefix in prefixes:  # extend while some form still starts this way
            word_key, raw, _ = word_info(words[j])
            if not raw or words[j][0] in "'’":
                break  # punctuation or a possessive ends a name: "(CTR) prediction", "Attention's"
            key = prefix + word_key
            entry = lexicon.get(key) if word_key else None
            if entry is not None and lexicon_form_fits(span_text(doc, i, j + 1), entry, key):
                found = (j + 1 - i, entry)
            prefix += raw
            j += 1
        if found is None:
            continue
        n, entry = found
        if n == 1 and _heads_a_capitalised_name(doc, i, entry):
            continue
        next_free = i + n
        if is_generic(span_text(doc, i, i + n), resources, named=True):
            continue
        if _hardware_name(doc, i, i + n):
            continue  # "NVIDIA Titan Xp" is a GPU, not the Titans architecture
        reading = _metric_reading(words, i, i + n, entry.canonical) if entry.type == "Metric" else (i, entry.canonical)
        if reading is None:
            continue
        candidate = candidate_at(doc, reading[0], i + n)
        candidate.canonical = reading[1]
        candidate.vote(entry.type, W_LEXICON, "lexicon")


@lru_cache(maxsize=131072)
def _lexicon_word_info(word: str) -> tuple[str, str, bool]:
    """(name key, raw key, may start a lexicon match) of a token text, cached per distinct word."""
    resources = load_resources()
    lower = word.lower()
    key, raw = name_key(word), _raw_key(lower)
    possible = bool(raw) and lower not in STOP_WORDS and (key in resources.lexicon or raw in resources.lexicon_prefixes)
    return key, raw, possible


def _heads_a_capitalised_name(doc: Doc, i: int, entry) -> bool:
    """Whether the word at ``i``, an ordinary lower-case lexicon word written capitalised inside an
    abstract's sentence after another capitalised word, ends a name rather than naming the generic
    thing: "(1) Adaptive Expert Clustering, which ...", "our Generative Adversarial Distillation"
    (in a title every word is capitalised, so titles keep the lexicon reading)."""
    words = words_of(doc)
    word, before = words[i], words[i - 1] if i else ""
    return (section_of(doc) == "abstract" and word.istitle() and before.istitle() and before.isalpha()
            and i - 1 not in sentence_starts(doc)
            and all(form.islower() for form in forms_keyed(entry, name_key(word))))


def _metric_reading(words: list[str], start: int, end: int, canonical: str) -> tuple[int, str] | None:
    """Where the lexicon metric ``canonical`` matched at ``words[start:end]`` starts and what it is
    called there, or None where the words name no measure: "at inference time" says when,
    "4-bit precision" is a number format (:func:`_format_precision`); "peak" makes its own measure
    ("peak GPU memory usage").

    >>> [_metric_reading(s.split(), 1, 3, "latency") for s in ("at inference time", "cuts inference time")]
    [None, (1, 'latency')]
    >>> _metric_reading("lower peak GPU memory".split(), 2, 4, "GPU memory usage")
    (1, 'peak GPU memory usage')
    """
    before = words[start - 1].lower() if start else ""
    if (words[end - 1].lower() == "time" and before in _WHEN_WORDS) or _format_precision(words, start, end):
        return None
    if before == "peak" and not canonical.lower().startswith("peak"):
        return start - 1, "peak " + canonical
    return start, canonical


_FORMAT_BEFORE = frozenset({"bit", "floating-point", "fixed-point", "full", "half", "mixed", "numerical", "numeric",
                            "reduced", "model", "arithmetic", "weight", "activation"})
_FORMAT_AFTER = frozenset({"tensor", "tensors", "weights", "activations", "format", "formats", "floating-point",
                           "arithmetic", "training", "inference", "quantization", "computation"})
_FORMAT_NAME = re.compile(r"^(?:\d+-bits?|(?:fp|bf|int)\d+(?:/(?:fp|bf|int)\d+)*)$", re.IGNORECASE)


def _format_precision(words: list[str], start: int, end: int) -> bool:
    """Whether ``words[start:end]`` is the word "precision" naming a number format ("32-bit
    floating-point precision", "high precision tensors", "reducing model precision", "FP16/BF16
    precision", "hardware-supported precisions"), not the metric ("precision 87.71%, and recall").

    >>> [_format_precision(s.split(), 1, 2) for s in ("4-bit precision", "high precision tensors", "model precisions")]
    [True, True, True]
    >>> [_format_precision(s.split(), 1, 2) for s in ("improve precision by", "and precision 87.7%", "high precision at")]
    [False, False, False]
    >>> _format_precision("4-bit accuracy".split(), 1, 2)
    False
    """
    if end - start != 1 or words[start].lower() not in ("precision", "precisions"):
        return False
    before = words[start - 1].lower() if start else ""
    after = words[end].lower() if end < len(words) else ""
    return (words[start].lower().endswith("s") or before in _FORMAT_BEFORE or after in _FORMAT_AFTER
            or bool(_FORMAT_NAME.match(words[start - 1] if start else "")))


@lru_cache(maxsize=65536)
def _hardware_name(doc: Doc, start: int, end: int) -> bool:
    """Whether the word before tokens ``start:end`` makes them the name of a device (`_HARDWARE`):
    "Raspberry Pi 4", "Jetson Orin", "NVIDIA Titan Xp"."""
    return start > 0 and bool(_HARDWARE.match(span_text(doc, start - 1, end)))


def _raw_key(lower: str) -> str:
    """A lower-cased token without spaces and hyphens (inner parts of a multi-token lexicon key)."""
    return KEY_SEPARATORS.sub("", lower)


def _names_outputs(text: str, task: str) -> bool:
    """Whether ``text`` is the plural of the lower-case task name ``task`` that names what the task
    makes: a one-word task's plural ("recommendations"), or that of a last word in -ing ("text
    embeddings" are vectors, "text embedding" a task).

    >>> _names_outputs("recommendations", "recommendation"), _names_outputs("text embeddings", "text embedding")
    (True, True)
    >>> _names_outputs("Multi-armed Bandits", "multi-armed bandit"), _names_outputs("text embedding", "text embedding")
    (False, False)
    """
    if " " not in text:
        return text in (task + "s", task + "es")
    last = task.rsplit(" ", 1)[-1]
    return last.endswith("ing") and text.rsplit(" ", 1)[-1].lower() == last + "s"


@lru_cache(maxsize=65536)
def forms_keyed(entry, key: str) -> tuple[str, ...]:
    """The forms of lexicon ``entry`` compared equal to a text with :func:`name_key` ``key``: how the
    lexicon writes what the text matched ("inference time" of latency for "inference-time")."""
    return tuple(form for form in entry.forms if name_key(form) == key)


@lru_cache(maxsize=65536)
def lexicon_form_fits(text: str, entry, key: str) -> bool:
    """Whether ``text`` may stand for a lexicon form with the same key: a form written with capitals
    ("FRAMES", "DROP", "IE") does not match an ordinary lower-case word ("frames", "drop", "i.e."),
    a form with inner capitals ("ComplEx", "MultiPL", "BEHAVIOR") does not match a capitalised word,
    and a short form must match exactly.

    >>> from kg.extract.resources import LexiconEntry
    >>> e = LexiconEntry("Benchmark", "DROP", ("DROP",))
    >>> lexicon_form_fits("DROP", e, "drop"), lexicon_form_fits("drop", e, "drop")
    (True, False)
    >>> lexicon_form_fits("Complex", LexiconEntry("Method", "ComplEx", ("ComplEx",)), "complex")
    False
    >>> time = LexiconEntry("Metric", "latency", ("latency", "inference time"))
    >>> lexicon_form_fits("inference time", time, "inferencetime"), lexicon_form_fits("inference-time", time, "inferencetime")
    (True, False)
    >>> task = LexiconEntry("Task", "recommendation", ("recommendation",))
    >>> [lexicon_form_fits(text, task, "recommendation") for text in ("recommendation", "recommendations")]
    [True, False]
    """
    if text.startswith("\\"):
        return True  # a LaTeX macro left in an arXiv abstract stands for a name
    forms = forms_keyed(entry, key)
    if entry.type == "Metric" and "-" in text and text.islower() and " " not in text and all(" " in f for f in forms):
        return False  # a hyphenated compound modifies: "inference-time scaling" is no inference time
    if entry.type == "Task" and any(_names_outputs(text, f) for f in forms if f.islower()):
        return False  # a task's plural names its outputs: "practical recommendations", "text embeddings"
    for form in forms:
        inner_capitals = any(c.isupper() for c in form[1:])
        if len(key) <= 4 and not form.islower():
            if text.replace(" ", "") in {form.replace(" ", ""), form.replace(" ", "") + "s"}:
                return True
        elif text.isalpha() and text.istitle() and inner_capitals:
            continue  # a capitalised word is not a name spelled with inner capitals ("Complex", "ComplEx")
        elif text.islower() and entry.type == "Model" and form.istitle() and " " not in form:
            continue  # nor is a lower-case word a model named by a capitalised one ("mistral", "Mistral")
        elif not text.islower() or not inner_capitals:
            return True
    return False


def head_vote(span: Span, resources: Resources) -> tuple[str, float] | None:
    """The type the last words of ``span`` imply and how strongly: a lexicon name of two or more
    words it ends in ("Distillation-Supervised Convolutional Low-Rank Adaptation" ends in a method,
    though "adaptation" alone heads tasks), a head noun (rules/heads.tsv,
    as strong as any head phrase), a cue noun (rules/cues.tsv, as strong as a cue: "Knowledge-Intensive
    Compressed LLM Benchmark" is a benchmark, "Efficient Motion Diffusion Model" a model) or, after
    other words, a model the lexicon knows, spelled as no ordinary word is ("Semantic Token ViT" is
    a model, "Multilingual Spoken Whisper" need not be), if any."""
    for k in range(1, len(span) - 1):  # "... Convolutional Low-Rank Adaptation" ends in a method, not a task
        entry = resources.lexicon.get(name_key(span[k:].text))
        if entry is not None:
            return entry.type, W_HEAD
    word = span[-1].lower_
    head = resources.heads.get(word)
    if head:
        return head.type, W_HEAD
    if word in resources.cues:
        return resources.cues[word], W_CUE
    last = span[-1].text
    entry = resources.lexicon.get(name_key(last)) if len(span) > 1 and not last.istitle() else None
    return ("Model", W_HEAD) if entry is not None and entry.type == "Model" else None  # "Semantic Token ViT"


def cue_after(doc: Doc, end: int, resources: Resources) -> tuple[str, str] | None:
    """The cue noun right after a span ("X benchmark", "X (DNAS) framework") and the type it names."""
    i, words, n_words = end, words_of(doc), len(doc)
    if i < n_words and words[i] == "(":
        while i < n_words and words[i] != ")" and i - end < 6:
            i += 1
        i += 1
    if i >= n_words:
        return None
    word = lowers_of(doc)[i]
    return (resources.cues[word], word) if word in resources.cues else None


def add_abbreviations(doc: Doc, resources: Resources) -> None:
    """Long and short forms of each abbreviation definition become linked candidates."""
    for pair in doc._.abbreviations:
        long, short = pair.long, pair.short
        end = max(long.end, short.end)
        after = lowers_of(doc)[end + 1] if end + 1 < len(doc) and lowers_of(doc)[end] == ")" else None
        if is_generic(long.text, resources) or is_generic(short.text, resources, named=True) \
                or long[-1].lower_ in _CLASS_PLURALS or after in _CLASS_PLURALS:
            # "Vision-Language-Action (VLA) models" names a class of models; here the short form
            # means that class, not a lexicon name ("sparsely-activated models (SAMs)" is not SAM).
            # A plural acronym is generic only through its long form: "Latent Markov Decision
            # Processes (LMDPs)" is a thing, "Large Language Models (LLMs)" a class.
            drop_lexicon_readings(doc, short.text, long.text, resources)
            continue
        long_c = candidate_at(doc, long.start, long.end)
        short_c = candidate_at(doc, short.start, short.end)
        known = resources.lexicon.get(name_key(short_c.canonical)) if short_c.canonical else None
        if known is not None and not spells(long.text, known):
            redefine(doc, short.text, known, resources.lexicon.get(name_key(long.text)))
        long_c.partner, short_c.partner = (short.start, short.end), (long.start, long.end)
        for cand in (long_c, short_c):
            cand.vote("Method", W_DEFAULT, "abbreviation")
        cue = cue_after(doc, end + 1 if end < len(doc) and words_of(doc)[end] == ")" else end, resources)
        if cue:  # "Fast Object Network (FON) framework"
            long_c.vote(cue[0], W_CUE, f"cue:{cue[1]}")
        vote = head_vote(long, resources)
        if vote:
            long_c.vote(*vote, f"head:{long[-1].lower_}")
        words = words_of(doc)
        for i in compress(range(len(words)), map(short.text.__eq__, words)):
            if not (short.start <= i < short.end):
                candidate_at(doc, i, i + 1).partner = (long.start, long.end)


def _word_stems(text: str) -> list[str]:
    return [word[:5] for word in re.split(r"[\s-]+", text.lower()) if word]


def spells(long: str, entry: LexiconEntry) -> bool:
    """Whether ``long`` is one of the lexicon ``entry``'s names, word by word up to inflection.

    >>> from kg.extract.resources import LexiconEntry
    >>> mole = LexiconEntry("Method", "Mixture of LoRA Experts", ("MoLE",))
    >>> spells("Mixture-of-LoRA Experts", mole), spells("Mixture of Latent Experts", mole)
    (True, False)
    """
    stems = _word_stems(long)
    return any(_word_stems(form) == stems for form in (entry.canonical, *entry.forms))


def redefine(doc: Doc, short: str, known: LexiconEntry, spelled: LexiconEntry | None) -> None:
    """The text defines ``short`` otherwise than the lexicon entry ``known`` does ("Mixture of Latent
    Experts (MoLE)", where the lexicon's MoLE is the Mixture of LoRA Experts): the paper's definition
    wins, so ``short``'s candidates lose that reading and take the entry the definition spells
    (``spelled``), if any."""
    for span, candidate in _short_form_candidates(doc, short):
        if candidate.canonical == known.canonical:
            if candidate.votes.get(known.type) == W_LEXICON:
                del candidate.votes[known.type]
            if "lexicon" in candidate.reasons:
                candidate.reasons.remove("lexicon")
            candidate.canonical = None
            if spelled is not None:
                candidate.canonical = spelled.canonical
                candidate.vote(spelled.type, W_LEXICON, "lexicon")
            else:
                candidate.vote("Method", W_DEFAULT, "abbreviation")


def drop_lexicon_readings(doc: Doc, short: str, long: str, resources: Resources) -> None:
    """Remove the candidates that only the lexicon found for ``short`` (or its plural) when the text
    defines it as ``long``, which the lexicon entry does not spell ("Residual networks (ResNets)"
    keeps ResNet, whose entry spells "residual networks")."""
    table = candidates(doc)
    spelled = resources.lexicon.get(name_key(long))
    for span, candidate in _short_form_candidates(doc, short):
        if candidate.reasons == ["lexicon"] and name_key(candidate.canonical or "") != name_key(long) \
                and (spelled is None or spelled.canonical != candidate.canonical):
            del table[span]


def _short_form_candidates(doc: Doc, short: str) -> list[tuple[tuple[int, int], Candidate]]:
    """The candidates (with their spans) spelled as ``short`` or its plural or singular."""
    forms = {short, short + "s", short.removesuffix("s")}
    return [(span, candidate) for span, candidate in candidates(doc).items() if span_text(doc, *span) in forms]


def _name_end(doc: Doc, start: int, max_versions: int = 2) -> int:
    """End of a name starting at ``start``: the name plus version tokens ("AlpacaEval 2.0", "Llama 3 8B")."""
    end, words = start + 1, words_of(doc)
    while end < len(words) and end - start <= max_versions and is_version(words[end]):
        end += 1
    return end


_SPELLING_SHAPE = re.compile(r"^[A-Za-z]+[A-Z][a-z]{3,}$|^[A-Z]{2,}[a-z]{3,}$")  # "DenOises", "cOntext", "FREEzes"
_ACRONYM_LETTERS = re.compile(r"[A-Z]{3,}")
_ALL_CAPS = re.compile(r"^[A-Z][A-Z0-9-]*$")


def acronym_spellings(words: Sequence[str], window: int = 16) -> frozenset[int]:
    """Words whose inner capitals spell an acronym of the same text: wordplay, not names.

    Papers spell a coined acronym in the capitals of the words that describe it ("FREEDOM, that
    FREEzes the item-item graph and DenOises the user-item interaction graph ... for Multimodal
    recommendation"; "LOGO -- Long cOntext aliGnment via efficient preference Optimization"). An
    acronym's letters (a run of three or more capitals in an all-capital word) are matched in order
    against the capitals of the words after a word that starts with its first letter, within
    ``window`` words; when the match completes using at least two inner capitals, the words that
    lent inner capitals and end in three or more lower-case letters are wordplay. Names with inner
    capitals ("FlashAttention", "LLaMA", "DenseNet") end in capitals or short tails, or lend no
    capitals to an acronym spelt around them; a name that holds a whole acronym is named after it
    ("BERTScore" beside BERT, "XGBoost (XGB)"), so the spelling must take letters from two words.

    >>> words = "FREEDOM , that FREEzes the graph and DenOises the graph for Multimodal data".split()
    >>> sorted(acronym_spellings(words))
    [3, 7]
    >>> sorted(acronym_spellings("ECO-M2F or EffiCient TransfOrmer Encoders".split()))
    [2, 3]
    >>> sorted(acronym_spellings("LLM inference with LLaMA and FlashAttention in DeepSeek".split()))
    []
    >>> sorted(acronym_spellings("BERTScore uses BERT ; XGBoost ( XGB ) ; MLPerf for MLP".split()))
    []
    """
    acronyms = {letters for word in words if _ALL_CAPS.match(word) for letters in _ACRONYM_LETTERS.findall(word)}
    if not acronyms or not any(_SPELLING_SHAPE.match(word) for word in words):
        return frozenset()
    spelt: set[int] = set()
    for acronym in acronyms:
        for start, word in enumerate(words):
            if word[:1] == acronym[0] and not _ALL_CAPS.match(word):
                spelt.update(_inner_capital_words(words, start, acronym, window))
    return frozenset(spelt)


def _inner_capital_words(words: Sequence[str], start: int, acronym: str, window: int) -> list[int]:
    """The spelling-shaped words lending inner capitals to ``acronym`` spelt from ``words[start]``
    on (see :func:`acronym_spellings`), or none when it is not spelt with two inner capitals."""
    matched, inner, lenders, spellers = 0, 0, [], set()
    for i in range(start, min(len(words), start + window)):
        word = words[i]
        if _ALL_CAPS.match(word):
            continue
        for position, char in enumerate(word):
            if char == acronym[matched]:
                matched += 1
                spellers.add(i)
                if position:
                    inner += 1
                    lenders.append(i)
                if matched == len(acronym):
                    wordplay = inner >= 2 and len(spellers) >= 2  # one word spelling it all is named after it
                    return [j for j in lenders if _SPELLING_SHAPE.match(words[j])] if wordplay else []
    return []


def add_names(doc: Doc, resources: Resources) -> None:
    """Name-shaped tokens (with a following version) become candidates, typed by shape and cues."""
    covered = {i for (s, e) in candidates(doc) for i in range(s, e)}
    words = words_of(doc)
    starts = sentence_starts(doc)
    verbs = resources.word_list("verbs_all")
    spellings = None  # found when a word could be wordplay (rare)
    next_free = 0
    for i in word_positions(doc)[NAME_OR_TITLE]:
        word = words[i]
        if i < next_free:
            continue
        versioned = i not in starts and i + 1 < len(doc) and is_version(words[i + 1]) and word.lower() not in verbs
        name_like = is_name_shaped(word) or versioned or _has_data_suffix(word)  # "Llama 3", not "Pushing 5M"
        if i in covered or not name_like or not word[0].isalnum() or _is_generic_word(word) \
                or _SHORT_ACRONYM.match(word) or doc[i].like_url or _is_type_word(word):  # "-Driven 3D"
            continue
        if _SPELLING_SHAPE.match(word):
            spellings = acronym_spellings(words) if spellings is None else spellings
            if i in spellings:
                continue  # "FREEzes" in "FREEDOM, that FREEzes ..."
        end = _name_end(doc, i)
        if _hardware_name(doc, i, end):
            continue  # "Raspberry Pi 4", "Jetson Orin"
        if end < len(doc) and _kind_acronym(words[end], resources):
            end += 1  # "TopK SAEs"
        candidate = candidate_at(doc, i, end)
        text = span_text(doc, i, end)
        candidate.vote("Model", W_DEFAULT, "name-shape")
        if has_size_suffix(text):
            candidate.vote("Model", W_SHAPE * 2, "shape:size")
        if _YEAR.match(words[end - 1]) and end - i > 1:
            candidate.vote("Dataset", W_SHAPE * 2, "shape:year")  # an edition: "DCASE 2018", "NTIRE 2025"
        suffix = name_suffix_type(text, resources)
        if suffix:
            candidate.vote(suffix, W_SHAPE * 2, "shape:suffix")
        family = lexicon_family(text, resources)
        if family is not None:
            candidate.vote(family.type, W_CUE, "lexicon-family")
        cue = cue_after(doc, end, resources)
        if cue:
            candidate.vote(cue[0], W_CUE, f"cue:{cue[1]}")
        next_free = end


@lru_cache(maxsize=65536)
def _is_type_word(word: str) -> bool:
    """A head or cue noun however it is capitalised: "BenchmarK" and "MOdel" spell out an acronym's
    letters ("LLM-KICK"), they are not names."""
    resources = load_resources()
    return word.lower() in resources.heads or word.lower() in resources.cues


_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]+s?$")


def _kind_acronym(word: str, resources: Resources) -> bool:
    """Whether ``word`` is the acronym of a lexicon method (or its plural) that a name before it
    makes one kind of: "TopK SAEs", "Feature Choice SAEs", "Wasserstein GAN"; not a model class
    ("Qwen LLMs" are Qwen models)."""
    entry = resources.lexicon.get(name_key(word)) if _ACRONYM.match(word) else None
    return entry is not None and entry.type == "Method"


_TITLE_CONNECTORS = frozenset({"of", "as", "for"})


#: adjectives that place a thing among others and open no name ("Recent ...", "Existing ...")
_RELATIVE_ADJECTIVES = frozenset({"recent", "existing", "current", "previous", "prior", "conventional", "traditional",
                                  "typical", "popular", "modern", "contemporary", "mainstream"})

#: lexicon types a Title-Case run may take in (:func:`add_title_case_phrases`)
_EXTENDED_TYPES = frozenset({"Method", "Task"})


def add_title_case_phrases(doc: Doc, resources: Resources, max_tokens: int = 6) -> None:
    """Runs of two or more Title-Case words inside an abstract ("Salience-Determined Bit Allocation",
    "Frame as Prompt") are names; a title is all Title-Case, so it is skipped. A run may take in a
    lexicon method or task when it goes on past it ("Rainbow Padding" rather than the lexicon's
    "Rainbow"); the longer span then wins the overlap. Not a model or dataset, whose names go on
    with sizes, splits and citations ("GPT-3 Small", "SimplerEnv Bridge", "DiT Peebles")."""
    if section_of(doc) == "title":
        return
    lowers = lowers_of(doc)
    starts = word_positions(doc)[TITLE_WORD]
    titled = frozenset(starts)
    table = candidates(doc)
    known = {i for (s, e), c in table.items() if c.canonical is not None and c.strongest in _EXTENDED_TYPES
             for i in range(s, e)}
    taken = {i for (s, e) in table for i in range(s, e)} - known  # a run may extend a lexicon technique
    sentence_first, words = sentence_starts(doc), words_of(doc)
    next_free = 0
    for i in starts:
        if i < next_free or i in taken or lowers[i] in STOP_WORDS or lowers[i] in _RELATIVE_ADJECTIVES:
            continue  # "Recent Vision-Language-Action models" names no "Recent ..."
        end = i + 1
        kind = False  # the run ends in a method's acronym: "Feature Choice SAEs"
        while end < len(doc) and end - i < max_tokens and end not in taken:
            if end in titled:
                end += 1
            elif lowers[end] in _TITLE_CONNECTORS and end + 1 in titled and end + 1 not in taken:
                end += 2
            elif end - i >= 2 and _kind_acronym(words[end], resources):
                end, kind = end + 1, True
                break
            else:
                break
        substantive = [k for k in range(i, end) if k in titled and not _SHORT_ACRONYM.match(words[k])
                       and not _is_generic_word(words[k]) and k not in known]
        if end - 1 in known and not kind:
            substantive = []  # "Rainbow Padding" extends the lexicon's "Rainbow"; "High Memory Usage" does not
        sentence_case = substantive == [i] and i in sentence_first  # "Widespread LLM adoption ..."
        if len(titled.intersection(range(i, end))) >= 2 and substantive and not sentence_case \
                and not is_generic(span_text(doc, i, end), resources):
            candidate = candidate_at(doc, i, end)
            candidate.vote(*(head_vote(doc[i:end], resources) or ("Method", W_DEFAULT)), "title-case")
            cue = cue_after(doc, end, resources)
            if cue:
                candidate.vote(cue[0], W_CUE, f"cue:{cue[1]}")
        next_free = end


@lru_cache(maxsize=65536)
def _title_word(word: str) -> bool:
    """A capitalised word (or name) that can be part of a multi-word name.

    >>> [_title_word(w) for w in ("Mixed", "Salience-Determined", "LoRA", "mixed", "Https://x.io")]
    [True, True, True, False, False]
    """
    return (word.istitle() and len(word) > 1 and (word.isalpha() or "-" in word) or is_name_shaped(word)) \
        and "/" not in word


_MODIFIER_SHAPE = re.compile(r"[a-z0-9][a-z0-9\-/]*[a-z0-9]")


@lru_cache(maxsize=131072)
def _modifier_word(word: str, vocab) -> tuple[bool, bool, bool]:
    """What :func:`_modifier_ok` reads from a token text alone (its lexeme in ``vocab``): whether it
    may modify a name in a title; in an abstract; in an abstract unless it opens a sentence (a
    capitalised word inside a sentence is a name: "Hadamard normalization", "Matryoshka training")."""
    lexeme, words = vocab[word], load_resources().word_list
    text = lexeme.lower_
    if lexeme.is_punct or lexeme.like_num or text in words("stop_modifiers") or text in words("verbs_all"):
        return False, False, False
    if lexeme.is_stop or text.endswith("ly") or text.split("-", 1)[0].endswith("ly"):
        return False, False, False
    if not lexeme.is_alpha and not _MODIFIER_SHAPE.fullmatch(text):
        return False, False, False
    return "-" not in text or lexeme.is_lower, lexeme.is_lower or is_name_shaped(word), lexeme.is_title


def _modifier_ok(doc: Doc, i: int) -> bool:
    """Whether token ``i`` may open or extend an entity phrase leftwards."""
    in_title, in_abstract, unless_first = _modifier_word(words_of(doc)[i], doc.vocab)
    if section_of(doc) == "title":
        return in_title
    return in_abstract or (unless_first and i not in sentence_starts(doc))


#: nouns after a head word that make it part of an empirical law, not a technique ("scaling laws")
_LAW_WORDS = frozenset({"law", "laws"})


def add_head_phrases(doc: Doc, resources: Resources, max_modifiers: int = 3) -> None:
    """Phrases ending in a head noun (rules/heads.tsv) with up to ``max_modifiers`` modifiers."""
    taken = {i for (s, e) in candidates(doc) for i in range(s, e)}
    lowers = lowers_of(doc)
    for i in word_positions(doc)[HEAD_WORD]:
        head = resources.heads[lowers[i]]
        if i in taken or (i + 1 < len(doc) and lowers[i + 1] in _LAW_WORDS):
            continue  # "data scaling laws" are findings
        start = i
        while start > 0 and i - start < max_modifiers and _modifier_ok(doc, start - 1) and start - 1 not in taken:
            start -= 1
        if start == i and not head.standalone:
            continue
        if _format_precision(words_of(doc), i, i + 1):
            continue
        if is_generic(span_text(doc, start, i + 1), resources):
            continue
        candidate_at(doc, start, i + 1).vote(head.type, W_HEAD, f"head:{lowers[i]}")


#: words ending a title's leading phrase: prepositions, conjunctions, a copula ("X is All You Need")
_TITLE_BREAKS = frozenset({
    "for", "via", "with", "in", "on", "using", "through", "by", "towards", "toward", "to", "from", "of",
    "and", "or", "under", "without", "at", "as", "is", "are", "beyond", "versus", "vs", "vs.", "meets",
    "into", "against", "over", "within", "across",
})


def add_title_phrase(doc: Doc, resources: Resources, max_words: int = 4) -> None:
    """The leading phrase of a title: the words after "X: " (or its first words, when it has no
    colon and the phrase ends at a break word) up to the first preposition, conjunction or
    punctuation (``_TITLE_BREAKS``): "AdaToken-3D: Dynamic Spatial Gating for ..." names Dynamic
    Spatial Gating, "Adaptive Graph Shrinking for Quantum Optimization" Adaptive Graph Shrinking.
    Two to ``max_words`` words, not opening with a function word or a verb in -ing ("Rethinking",
    "Towards"), nor ending in a participle. Often the paper's technique, sometimes its task: a weak
    vote with reason ``title:phrase``, left to the classifier, which weighs where a title mention
    stands. Where X abbreviates the whole phrase (Schwartz-Hearst, as in "MUSE: Machine Unlearning
    Six-Way Evaluation for ..."), the title defines X: the two are linked as an abbreviation."""
    if section_of(doc) != "title":
        return
    words, lowers = words_of(doc), lowers_of(doc)
    colon = next((i for i, word in enumerate(words) if word == ":"), None)
    start = 0 if colon is None else colon + 1
    end = start
    while end < len(doc) and lowers[end] not in _TITLE_BREAKS and not doc[end].is_punct:
        end += 1
    short = span_text(doc, 0, colon) if colon else ""
    defined = (is_short_form_candidate(short) and end - start <= max_long_form_words(short)
               and short[0].lower() == lowers[start][0] and not doc[start].is_stop
               and find_long_form_start(short, span_text(doc, start, end)) == 0)
    while defined and end - start > 1 and find_long_form_start(short, span_text(doc, start, end - 1)) == 0 \
            and letters_spelt(short, words[start:end - 1], True) == letters_spelt(short, words[start:end], True):
        end -= 1  # the shortest long form, as Schwartz-Hearst take it ("EpiCache: Episodic KV Cache Management"),
        # but not one leaving a capital unspelt ("LoRA: Low-Rank Adaptation", not "Low-Rank")
    if not defined and (
            (colon is None and end == len(doc)) or not 2 <= end - start <= max_words
            or doc[start].is_stop or _reads_as_clause(lowers[start:end])
            or is_generic(span_text(doc, start, end), resources)):
        return  # "Small Language Models Fine-tuned to ..." is a clause
    candidate = candidate_beside(doc, start, end)
    head = resources.heads.get(lowers[end - 1])
    candidate.vote(head.type if head else "Method", W_DEFAULT, "title:phrase")
    if defined:
        short_candidate = candidate_at(doc, 0, colon)
        candidate.partner, short_candidate.partner = (0, colon), (start, end)
        for linked in (candidate, short_candidate):
            linked.vote("Method", W_DEFAULT, "abbreviation")


def _reads_as_clause(words: list[str]) -> bool:
    """Whether a title's leading words (lower case) read as a clause, not a name: opening with a
    verb in -ing ("Rethinking ...", not "Ring Attention"), an adverb before one ("Automatically
    Interpreting Millions"), or ending in a participle ("... Fine-tuned", not "... Speed").

    >>> [_reads_as_clause(w.lower().split()) for w in
    ...  ("Rethinking Attention", "Ring Attention", "Automatically Interpreting Millions",
    ...   "Early Exiting", "Models Fine-tuned", "Inference Speed")]
    [True, False, True, False, True, False]
    """
    def gerund(word: str) -> bool:
        return word.endswith("ing") and len(word) > 5

    first, last = words[0], words[-1]
    adverb = first.endswith("ly") and len(first) > 5 and len(words) > 1 and gerund(words[1])
    return gerund(first) or adverb or (last.endswith("ed") and not last.endswith("eed"))


def add_context_types(doc: Doc, resources: Resources) -> None:
    """Type votes from context: "the X benchmark", "datasets such as A, B and C" (or "datasets (A, B
    and C)", "datasets A, B and C"), "in terms of X", "+8.43 in X" (an amount in X: a metric)."""
    table = candidates(doc)
    starts = {s: c for (s, _), c in table.items()}
    lowers, words, n_words = lowers_of(doc), words_of(doc), len(doc)
    for (start, end), candidate in list(table.items()):
        if start >= 2 and lowers[start - 1] == "the" and end < n_words:
            kind = resources.cues.get(lowers[end])
            if kind in {"Benchmark", "Dataset"}:
                candidate.vote(kind, W_CUE, f"pattern:the-x-{lowers[end]}")
        if start >= 3 and lowers[start - 1] == "of" and span_text(doc, start - 3, start).lower() == "in terms of":
            candidate.vote("Metric", W_CUE, "pattern:in-terms-of")
        if start >= 2 and lowers[start - 1] == "in" and _AMOUNT.match(lowers[start - 2]) \
                and not is_name_shaped(words[start]):
            # "+8.43 in Scene Consistency", "3x in latency"; not "(vs 9.76 in AffineQuant)", a system
            candidate.vote("Metric", W_CUE, "pattern:amount-in-x")
        if end < n_words and words[end] == "-based":
            candidate.vote("Method", W_HEAD, "pattern:x-based")
        if _amount_follows(lowers, end):
            candidate.vote("Metric", W_CUE, "pattern:x-of-amount")
    for i in word_positions(doc)[ON_WORD]:
        start, end = sentence_bounds(doc)[sentence_number(doc, i)]
        if start < i < end - 1 and lowers[i - 1] != "based" and _EVAL_WORDS & set(lowers[max(start, i - 8) : i]):
            first = i + 2 if lowers[i + 1] == "the" else i + 1
            _vote_list(_list_members(doc, starts, first)[0], "Dataset", "pattern:evaluated-on")
    for index in word_positions(doc)[CUE_WORD]:
        lower = lowers[index]
        kind = resources.cues[lower]
        if kind not in {"Benchmark", "Dataset"} or lower not in _PLURAL_DATA_CUES:
            continue
        i = index + 1
        while i < n_words and i not in starts and (lowers[i] in _LIST_INTRO or lowers[i] == "("):
            i += 1  # "benchmarks such as A, B", "benchmarks (A, B and C)"
        members, end = _list_members(doc, starts, i)
        if i > index + 1 or (len(members) >= 2 and _ends_clause(doc, end)):  # or "benchmarks A, B and C."
            _vote_list(members, kind, f"pattern:{lower}-such-as", W_CUE)


_APPROXIMATELY = frozenset({"only", "about", "around", "nearly", "approximately", "over", "up", "to", "just"})
_RESULT_CONTINUATIONS = frozenset({"on", "in", "over", "for", "and", "with", "at", "while", "compared", "across",
                                   "within", "than", "when", "after", "under", "using", "relative", "versus", "vs"})


def _amount_follows(lowers: list[str], end: int) -> bool:
    """Whether a result follows the phrase ending before token ``end``: "of" and a number, after an
    optional parenthesised short form ("an average SDRi of 5.57 dB", "an F1 score (F1) of 93.00%",
    "a speedup of up to 2.3x"); the number ends the phrase ("a sequence of 53 image classes" counts
    things, it measures nothing).

    >>> [_amount_follows(s.split(), 2) for s in ("an sdri of 5.57 db .", "a accuracy of up to 93.2 % ,",
    ...                                              "a sequence of 53 image classes", "a model of choice")]
    [True, True, False, False]
    """
    if end + 3 < len(lowers) and lowers[end] == "(" and lowers[end + 2] == ")":
        end += 3
    if end >= len(lowers) or lowers[end] != "of":
        return False
    k = end + 1
    while k < len(lowers) and lowers[k] in _APPROXIMATELY:
        k += 1
    if k >= len(lowers) or not _AMOUNT.match(lowers[k]):
        return False
    while k + 1 < len(lowers) and (_AMOUNT.match(lowers[k + 1]) or lowers[k + 1] == "db"):
        k += 1  # a unit or a percent sign
    return k + 1 >= len(lowers) or not lowers[k + 1].isalpha() or lowers[k + 1] in _RESULT_CONTINUATIONS


_LIST_SEPARATORS = frozenset({",", "and", "or", "the"})
_PLURAL_DATA_CUES = frozenset({"benchmarks", "datasets", "corpora"})


def _list_members(doc: Doc, starts: dict[int, Candidate], i: int) -> tuple[list[Candidate], int]:
    """The candidates of a comma/and-separated list starting at token ``i``, and the token after it;
    a member may carry its result in parentheses ("on BP4D (67.1%), BP4D+ (66.8%) and DISFA (70.1%)")."""
    lowers, n_words = lowers_of(doc), len(doc)
    members = []
    while i < n_words and i in starts:
        members.append(starts[i])
        i = _after_result(doc, starts[i].end)
        while i < n_words and lowers[i] in _LIST_SEPARATORS:
            i += 1
    return members, i


def _after_result(doc: Doc, i: int, max_words: int = 6) -> int:
    """The token after a parenthesised result opening at token ``i`` ("(67.1%)", "(avg. 2.4%)"), else ``i``."""
    words = words_of(doc)
    if i >= len(doc) or words[i] != "(":
        return i
    for k in range(i + 1, min(i + 2 + max_words, len(doc))):
        if words[k] == ")":
            return k + 1 if any(doc[j].like_num or any(c.isdigit() for c in words[j]) for j in range(i + 1, k)) else i
    return i


def _ends_clause(doc: Doc, i: int) -> bool:
    """Whether a list ending before token ``i`` ends the clause or with a data noun ("benchmarks A and
    B.", "benchmarks A and B datasets", but not "benchmarks FlashNet outperforms")."""
    return i >= len(doc) or doc[i].is_punct or lowers_of(doc)[i] in _PLURAL_DATA_CUES


def _vote_list(members: list[Candidate], kind: str, reason: str, weight: float = W_LIST) -> None:
    """Vote ``kind`` for the ``members`` of a list (`_list_members`); Benchmark instead of Dataset when
    something else already calls a member a benchmark ("on MT-Bench, A and B": evaluation sets listed
    together are of one kind). A list the text calls benchmarks or datasets ("benchmarks such as A
    and B") votes as strongly as "the A benchmark" (``weight``), which makes a lexicon dataset a
    benchmark (GUIDELINES.md). A member named by a head noun or with a size ("on knowledge-intensive
    generation tasks") is a task there, not data; a list with a sized member ("experiments on
    Infinity-2B, Infinity-8B and VAR-d30") lists models."""
    if any("shape:size" in member.reasons for member in members):
        return
    if kind == "Dataset" and any("Benchmark" in member.votes for member in members):
        kind = "Benchmark"
    for member in members:
        if not any(r.startswith("head:") for r in member.reasons):
            member.vote(kind, weight, reason)


#: words opening the appositive that says what a just-named thing is ("We present Dita, a scalable framework")
_APPOSITIVE_OPENERS = frozenset({"a", "an", "the"})


def add_appositive_names(doc: Doc, resources: Resources, max_words: int = 4, max_appositive: int = 12) -> None:
    """The name between a propose-style verb whose subject is the authors and an appositive saying what
    it is: "We describe Sparsey, an unsupervised ... model", "We propose layered prefill, a new
    scheduling paradigm", "We present FIT: a transformer-based architecture". One to ``max_words``
    words (after an optional "the"), no punctuation or function word inside; a cue noun ending them
    ("the FLEX dataset, the first ...") or else the first in the appositive (within ``max_appositive``
    tokens, before the sentence ends) gives the type. The span is a candidate of its own, so it beats
    a shorter lexicon match inside it ("Spark Transformer")."""
    lowers, words = lowers_of(doc), words_of(doc)
    describing = [i for i, word in enumerate(lowers) if word in {"describe", "describes"}] \
        if "describ" in doc_text(doc) else []
    for verb in sorted([*word_positions(doc)[PROPOSE_VERB], *describing]):
        start, sent_end = sentence_bounds(doc)[sentence_number(doc, verb)]
        if not _authors_before(lowers, start, verb):
            continue
        first = verb + 2 if verb + 1 < sent_end and lowers[verb + 1] == "the" else verb + 1
        comma = next((i for i in range(first, min(first + max_words + 1, sent_end)) if words[i] in {",", ":"}), None)
        if comma is None or comma == first or comma + 1 >= sent_end or lowers[comma + 1] not in _APPOSITIVE_OPENERS:
            continue
        if any(doc[i].is_punct or lowers[i] in STOP_WORDS or "\\" in lowers[i] for i in range(first, comma)) \
                or is_generic(span_text(doc, first, comma), resources):  # "\\saltm": a lost LaTeX macro
            continue
        end, appositive = comma, range(comma + 2, min(comma + 2 + max_appositive, sent_end))
        cue = next((lowers[i] for i in appositive if lowers[i] in resources.cues), None)
        if lowers[end - 1] in resources.cues:  # "the FLEX dataset, the first ...": FLEX, a dataset
            end, cue = end - 1, lowers[end - 1]
        if end == first:
            continue
        candidate = candidate_at(doc, first, end)
        candidate.proposed = True
        candidate.vote(resources.cues[cue] if cue else "Method", W_CUE if cue else W_DEFAULT, "pattern:x-a-kind")


#: what numbers an item of an enumeration: "(1)", "2)", "(ii)", "(b)"
_ENUMERATOR = re.compile(r"^(?:\d|i{1,3}|iv|vi{0,3}|[a-e])$")


def add_enumerated_items(doc: Doc, resources: Resources, max_words: int = 4) -> None:
    """The phrase opening each item of an enumeration ("three components: (1) single-frame pretraining
    on ..., (2) multi-frame encoding, ..."), reason ``pattern:enumerated``: papers list their parts,
    findings and problems this way, and the classifier learns how often such a phrase is an entity.
    A candidate starting there gets the reason; else the words up to punctuation, a function word or,
    after two words, a participle ("lexical flip swapping ...") become one, from two to ``max_words``
    words, never opening with a verb or an adverb ("(1) applies ..."). A number restated in figures
    ("five (5) SoTA compression techniques") is no item."""
    if ")" not in doc_text(doc):
        return
    lowers, words = lowers_of(doc), words_of(doc)
    table = candidates(doc)
    verbs = resources.word_list("verbs_all")
    for i in [k for k, word in enumerate(words) if word == ")" and 0 < k < len(words) - 1]:
        if not _ENUMERATOR.match(lowers[i - 1]) or \
                not (i == 1 or words[i - 2] == "(" or doc[i - 2].is_punct):
            continue
        if i >= 3 and words[i - 2] == "(" and doc[i - 3].like_num:
            continue  # "five (5)"
        first = i + 1
        found = [c for (s, _), c in table.items() if s == first]
        for candidate in found:
            if "pattern:enumerated" not in candidate.reasons:
                candidate.reasons.append("pattern:enumerated")
        if found or lowers[first] in verbs or lowers[first].endswith("ly"):
            continue
        sent_end = sentence_bounds(doc)[sentence_number(doc, first)][1]
        end = first
        while end < min(first + max_words, sent_end) and not doc[end].is_punct and lowers[end] not in STOP_WORDS \
                and not (end - first >= 2 and lowers[end].endswith(("ing", "ed"))):
            end += 1
        if end - first >= 2 and not is_generic(span_text(doc, first, end), resources):
            candidate_at(doc, first, end).vote("Method", W_DEFAULT, "pattern:enumerated")


def mark_proposed(doc: Doc, resources: Resources) -> None:
    """Role patterns: "we propose/introduce/present X", "our (proposed) X", "our method, X",
    "X, called/named/dubbed Y", title "X: ..." or "X, a ...", and the other side: "outperforms A, B
    and C", "compared with A" name someone else's things (reason ``pattern:compared-with``)."""
    table = candidates(doc)
    starts = {s: c for (s, _), c in table.items()}
    lowers = lowers_of(doc)
    for i, word in enumerate(lowers):
        if word in _COMPARED_WORDS or (word in {"with", "to"} and i > 0 and lowers[i - 1] == "compared"):
            for member in _list_members(doc, starts, _compared_start(lowers, i + 1))[0]:
                if "pattern:compared-with" not in member.reasons:
                    member.reasons.append("pattern:compared-with")
    for sent_start, sent_end in sentence_bounds(doc):
        verb = _propose_verb(doc, sent_start, sent_end)
        if verb is None:
            continue
        i = verb + 1
        while i < sent_end:
            if i in starts:
                starts[i].proposed = True
                starts[i].reasons.append("pattern:we-propose")
                i = starts[i].end
                continue
            if lowers[i] in _OBJECT_BOUNDARY and not _naming_follows(doc, i):
                break
            i += 1
    for (start, end), cand in table.items():
        before = start - 1
        if before >= 1 and lowers[before] in _NEW_WORDS:
            before -= 1
        elif before >= 2 and lowers[before] in {",", ":"} and lowers[before - 1] in _CONTRIBUTION_NOUNS:
            before -= 2
        if before >= 0 and lowers[before] == "our" and (end == len(doc) or lowers[end] not in _BORROWED_ROLES):
            # "our (proposed) DDPM reach ...", "Our contribution, DFM, is ...", not "our BERT baseline"
            cand.proposed = True
            cand.reasons.append("pattern:our-x")
    for k in word_positions(doc)[CUE_WORD]:  # "our method, X,", "our framework (X)", "we call our model X"
        before = k - 2 if k >= 2 and lowers[k - 1] in _NEW_WORDS else k - 1
        after = k + 2 if k + 1 < len(doc) and lowers[k + 1] in {",", "("} else k + 1
        if before >= 0 and lowers[before] == "our" and after in starts and not doc[after].text[0].islower():
            cand = starts[after]  # a name: "our method frees ..." names nothing
            cand.proposed = True
            cand.vote(resources.cues[lowers[k]], W_CUE, "pattern:our-kind-x")
    for i in word_positions(doc)[NAMING_WORD]:
        lower = lowers[i]
        if i + 1 in starts:
            cand = starts[i + 1]
            cand.proposed = True
            cand.reasons.append(f"pattern:{lower}-x")
            kind = next((resources.cues[w] for w in reversed(lowers[max(0, i - 4) : i]) if w in resources.cues), None)
            if kind:
                cand.vote(kind, W_CUE, f"pattern:{kind.lower()}-{lower}-x")
    if section_of(doc) == "title":  # "X: ...", or the appositive "X, a distilled version of BERT: ..."
        colon = next((i for i, word in enumerate(words_of(doc)) if word == ":"
                      or word == "," and i + 1 < len(doc) and lowers[i + 1] in {"a", "an"}), 0)
        end = colon
        while 0 < end <= 6 and lowers[end - 1] in _REPORT_WORDS:
            end -= 1  # "Step-Video-T2V Technical Report: ..." proposes Step-Video-T2V
        if 0 < end <= 4 and not any(t.is_punct or t.is_stop or _is_generic_word(t.text) for t in doc[:end]) \
                and not (end > 1 and _reads_as_clause(lowers[:end])):
            # "Compressing LLMs: ...", "Understanding Warmup-Stable-Decay Learning Rates: ..." name no thing
            candidate = candidate_at(doc, 0, end)
            candidate.proposed = True
            kind = _title_head_type(doc[colon + 1 :])
            candidate.vote(kind or "Method", W_CUE if kind else W_DEFAULT * 2, "title:head-noun")


#: words after which a list names the things a paper compares itself with ("compared with" too)
_COMPARED_WORDS = frozenset({"outperforms", "outperform", "outperforming", "surpasses", "surpass", "surpassing",
                             "than", "versus", "vs", "vs."})


def _compared_start(lowers: list[str], i: int) -> int:
    """Where the things compared with start, from token ``i`` after "outperforms", "than", "vs.":
    past "the", a measure's "<noun> of" ("surpassing the performance of X") and a result's "<amount>
    of" ("vs. 86.86 % of X").

    >>> [_compared_start(s.split(), 0) for s in ("the FooNet", "the performance of FooNet", "86.86 % of FooNet")]
    [1, 3, 3]
    """
    if i < len(lowers) and lowers[i] == "the":
        i += 1
    k = i
    while k < len(lowers) and _AMOUNT.match(lowers[k]):
        k += 1
    if k == i and k + 1 < len(lowers) and lowers[k].isalpha() and lowers[k + 1] == "of":
        return k + 2  # "the performance of X"
    return k + 1 if k > i and k < len(lowers) and lowers[k] == "of" else i


#: nouns in "our contribution, X": X is the paper's, of no particular type
_CONTRIBUTION_NOUNS = frozenset({"contribution", "solution", "proposal"})

#: nouns after "our X" saying X is someone else's thing the authors use ("our BERT baseline")
_BORROWED_ROLES = frozenset({"baseline", "baselines", "teacher", "backbone", "backbones"})

#: words closing a title's "X ...:" that name the document, not the thing
_REPORT_WORDS = frozenset({"technical", "report"})


#: nouns saying that the phrase before them names a technique, and not part of its name ("a gradual
#: channel pruning method" names "gradual channel pruning")
_TECHNIQUE_NOUNS = frozenset({
    "strategy", "method", "technique", "scheme", "mechanism", "algorithm", "approach", "framework", "paradigm",
})
#: words right before such a phrase saying something is new ("a novel", "the proposed"); the paper's
#: own only where the authors speak in the sentence
_NEW_WORDS = frozenset({"novel", "new", "proposed"})
_AUTHOR_WORDS = frozenset({"we", "our"})


def add_own_techniques(doc: Doc, resources: Resources, max_modifiers: int = 4) -> None:
    """The paper's own techniques named in lower case: "our sparse token routing strategy", "we
    introduce a novel layer recycling method", "we devise a gradient-aware channel pruning method".
    The phrase of two words or more between such an opener (`_own_opener`) and a technique noun
    (``_TECHNIQUE_NOUNS``) is a proposed Method candidate; where it overlaps other candidates
    ("channel pruning") it is offered beside them (:func:`candidate_beside`)."""
    lowers = lowers_of(doc)
    for k in word_positions(doc)[CUE_WORD]:
        if lowers[k] not in _TECHNIQUE_NOUNS:
            continue
        start = k
        while start > 0 and k - start < max_modifiers and _modifier_ok(doc, start - 1):
            start -= 1
        if k - start < 2 or not _own_opener(doc, start - 1) or is_generic(span_text(doc, start, k), resources):
            continue
        candidate = candidate_beside(doc, start, k)
        candidate.proposed = True
        candidate.vote("Method", W_HEAD, "pattern:own-x")


def _own_opener(doc: Doc, i: int) -> bool:
    """Whether token ``i`` opens the paper's own technique: "our"; "novel", "new" or "proposed" (not
    after an adverb: "the recently proposed") in a sentence where the authors speak; "a"/"an" right
    after a propose-style verb in a sentence where the authors propose ("we first present A and then
    introduce a ...") or after an apply-style verb whose subject is a name the paper proposes
    (`_own_subject`). Never a word inside another candidate ("novel view synthesis")."""
    lowers = lowers_of(doc)
    if i < 0 or any(s <= i < e for (s, e) in candidates(doc)):
        return False
    start, end = sentence_bounds(doc)[sentence_number(doc, i)]
    if lowers[i] == "our":
        return True
    if lowers[i] in _NEW_WORDS:
        return not (i > start and lowers[i - 1].endswith("ly")) and bool(_AUTHOR_WORDS & set(lowers[start:end]))
    if lowers[i] not in {"a", "an"} or i == 0:
        return False
    if _own_subject(doc, i - 1):
        return True
    if i - 1 not in word_positions(doc)[PROPOSE_VERB]:
        return False
    first = _propose_verb(doc, start, end)  # "we first present A and then introduce a ..."
    return first is not None and first < i


#: verbs by which a paper's own system brings in one of its parts ("UltraEdit employs a ... strategy")
_APPLY_VERBS = frozenset({
    "introduces", "employs", "leverages", "adopts", "uses", "utilizes", "incorporates", "features",
    "applies", "proposes", "designs", "devises", "develops", "presents", "integrates", "exploits",
})


def _own_subject(doc: Doc, verb: int) -> bool:
    """Whether token ``verb`` is an apply-style verb whose subject right before it is a name the
    paper proposes ("ULTRAEDIT employs a lifelong normalization strategy")."""
    if verb < 1 or lowers_of(doc)[verb] not in _APPLY_VERBS:
        return False
    table = candidates(doc)
    subjects = {span_text(doc, s, e) for (s, e) in table if e == verb}
    return any(c.proposed and span_text(doc, c.start, c.end) in subjects for c in table.values())


def _propose_verb(doc: Doc, start: int, end: int) -> int | None:
    """Token index of a "we propose"-style verb in sentence ``start:end``, if the authors are the subject."""
    lowers = lowers_of(doc)
    for i in word_positions(doc)[PROPOSE_VERB]:
        if start < i < end and _authors_before(lowers, start, i):
            return i
    return None


def _authors_before(lowers: list[str], start: int, verb: int) -> bool:
    """Whether the authors are the subject of the verb at ``verb`` (a sentence starting at ``start``):
    "we", "this paper", "this work", "this study" or "here" within four words before it."""
    return bool({"we", "paper", "work", "study", "here"} & set(lowers[max(start, verb - 4) : verb]))


def _naming_follows(doc: Doc, i: int) -> bool:
    """Whether a naming word ("called", "named") is right after token ``i`` (a comma, say)."""
    return i + 1 < len(doc) and lowers_of(doc)[i + 1] in _NAMING_WORDS


def _title_head_type(rest: Span) -> str | None:
    """What the title after "X:" says X is: its first framework/model/benchmark/dataset noun."""
    for token in rest:
        word = token.lower_
        if word in {"framework", "frameworks", "method", "approach", "algorithm", "technique"}:
            return "Method"
        if word in {"model", "models", "network", "llm", "transformer"}:
            return "Model"
        if word in {"benchmark", "benchmarking", "suite", "leaderboard", "evaluation"}:  # HELM: Holistic Evaluation of ...
            return "Benchmark"
        if word in {"dataset", "corpus"}:
            return "Dataset"
    return None


#: an amount before "in X": "+8.43", "2.1%" ("%" is a token of its own), "3x", "5 points"
_AMOUNT = re.compile(rf"^[+±−-]?\d+(?:\.\d+)?$|^%$|^(?:points|pp|percent)$|^{_NUMBER_WITH_UNIT}$", re.IGNORECASE)

_MEASURE_WORD = re.compile(rf"^{_NUMBER_WITH_UNIT}$|^[a-z]$", re.IGNORECASE)


def _extension_modifier_ok(doc: Doc, i: int) -> bool:
    """Whether token ``i`` may extend a lexicon match leftwards: a modifier (:func:`_modifier_ok`) that
    is not a verb in -ing ("including", "eliminating"), a list or naming word, a measure ("8x") or
    a plural data noun ("benchmarks MMLU and GSM8K").

    >>> from kg.extract.pipeline import build_nlp
    >>> doc = build_nlp().make_doc("including causal 8x attention")
    >>> [_extension_modifier_ok(doc, i) for i in range(len(doc))]
    [False, True, False, True]
    """
    text = lowers_of(doc)[i]
    return _modifier_ok(doc, i) and not (text.endswith("ing") and "-" not in text) \
        and text not in _LIST_INTRO and text not in _NAMING_WORDS and not _MEASURE_WORD.match(text) \
        and text not in _PLURAL_DATA_CUES


def add_lexicon_extensions(doc: Doc, resources: Resources, max_modifiers: int = 3) -> None:
    """A lexicon match with modifiers before it ("double early exiting", "causal temporal attention")
    is also offered as the longer phrase: an :attr:`Candidate.alternative` overlapping the match, with
    the match's type (as a head-noun vote), role and context votes. Which of the two names the entity
    is left to the classifier (:func:`kg.extract.corpus.select_mentions`)."""
    lowers = lowers_of(doc)
    for (start, end), base in list(candidates(doc).items()):
        if base.canonical is None or base.alternative:
            continue
        first = start
        while first > 0 and start - first < max_modifiers and lowers[first - 1] not in STOP_WORDS \
                and _extension_modifier_ok(doc, first - 1):
            first -= 1
            _add_alternative(doc, first, end, base, "lexicon-extension", resources)


def _add_alternative(doc: Doc, start: int, end: int, base: Candidate, reason: str, resources: Resources) -> None:
    """Offer ``start:end`` as an alternative to the overlapping ``base``: its types (at most as
    strong as a head noun), role and context reasons carry over."""
    if (start, end) in candidates(doc) or is_generic(span_text(doc, start, end), resources):
        return
    alternative = candidate_at(doc, start, end)
    alternative.alternative, alternative.proposed = True, base.proposed
    for kind, weight in base.votes.items():
        alternative.vote(kind, min(weight, W_HEAD), reason)
    for kept in base.reasons:
        if kept != "lexicon" and kept not in alternative.reasons:
            alternative.reasons.append(kept)


@Language.component("kg_candidates")
def candidate_component(doc: Doc) -> Doc:
    """spaCy component: lexicon, abbreviations (after ``kg_abbreviations``), names, head phrases,
    context types, appositive names and enumerated items, roles, then the longer alternatives of
    lexicon matches."""
    resources = load_resources()
    candidates(doc)
    match_lexicon(doc, resources)
    add_abbreviations(doc, resources)
    add_names(doc, resources)
    add_title_case_phrases(doc, resources)
    add_head_phrases(doc, resources)
    add_title_phrase(doc, resources)
    add_context_types(doc, resources)
    add_appositive_names(doc, resources)
    add_enumerated_items(doc, resources)
    mark_proposed(doc, resources)
    add_own_techniques(doc, resources)
    add_lexicon_extensions(doc, resources)
    return doc
