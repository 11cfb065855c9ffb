"""A tokenizer that keeps model and dataset names whole.

spaCy's English infix rules split on hyphens between letters (``Mixture-of-Experts``), on ``/``
before a letter (``ViT-B/16`` -> ``ViT - B/16``) and on arithmetic signs between digits
(``LLaMA-2-7B`` -> ``LLaMA-2 - 7B``). Those splits are what break ML names apart, and nothing
downstream needs them: the lexicon and the grouping compare names after removing hyphens and
spaces, so ``Mixture-of-Experts`` (one token) and ``Mixture of Experts`` (three) still meet.
We therefore drop exactly those three infix rules and keep every prefix/suffix rule, so trailing
punctuation (``GPT-4o,`` ``(MoE)``) is still split off. One suffix is added: ``-based``/``-like``/
``-style``/``-driven``/``-powered``/``-type``/``-sized`` is split from the name before it, so "MoE-based" yields "MoE",
and a parenthesis glued to a word ("Caching(BAC)", "DeiT-(Tiny", "O(1)") is split off, as is a
hyphen left hanging before "and" ("accuracy- and memory-aware") and a
dash typed as a hyphen before "the", "and", ... ("FooBench-the largest") and a sentence glued to a
name by a lost footnote break ("PromptTPPOur code"). spaCy's
unit suffixes ("5M" -> "5" "M") would cut a size off a name ("ImageNet-1K", "EMOv2-5M"), so a name
that starts with a letter and ends in a size is kept whole (``token_match``), also when an opening
parenthesis is glued to it ("(ImageNet-1K and ..."), where the tokenizer strips the prefix and a suffix
in one step before it asks ``token_match`` (:func:`sized_name_suffixes`).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_suffix_regex

_NAME_BREAKING_INFIXES = ("(?:-|–|—|--|---|——|~)", "[:<>=/]", "[+\\-\\*^]")
_DERIVATION_SUFFIX = r"(?<=[A-Za-z0-9])-(?i:based|like|style|driven|powered|type|sized)"
_FINAL_PERIOD = r"(?<=[A-Z0-9])\."  # "LLaMA-2-13B." -> "LLaMA-2-13B" "."
_SUSPENDED_HYPHEN = r"(?<=[A-Za-z0-9])-"  # "accuracy- and memory-aware" -> "accuracy" "-"
#: "Caching(BAC)", "DeiT-(Tiny", "O(1)", "MoE)-like"
_GLUED_PARENTHESES = (r"(?<=[A-Za-z-])\((?=[A-Za-z0-9])", r"(?<=[A-Za-z])-(?=\()", r"\)(?=-)")
_DASH_AS_HYPHEN = r"(?<=[A-Za-z0-9])-(?=(?:the|and|which|that|a|an)$)"  # "UltraBench-the largest", "pairs-and"
_GLUED_SENTENCE = r"(?<=[A-Z]{2})(?=(?:Our|The|We|This)$)"  # "PromptTPPOur code is ..." (a lost footnote break)
_SIZED_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*[0-9](?:\.[0-9]+)?[KMGTkmgt](?:/[0-9]+(?:\.[0-9]+)?[KMGTkmgt]?)*$")


def sized_name_match(old_match):
    """A ``token_match`` that keeps sized names whole ("ImageNet-1K") and otherwise defers to ``old_match``."""
    if old_match is None:
        return _SIZED_NAME.match  # English has no token_match of its own: no Python call per token

    def match(text: str):
        return _SIZED_NAME.match(text) or old_match(text)
    return match


def sized_name_suffixes(search):
    """A ``suffix_search`` that finds no suffix in a sized name ("ImageNet-1K": no unit "K") and
    otherwise defers to ``search``."""
    sized = _SIZED_NAME.match

    def find(text: str):
        return None if sized(text) else search(text)
    return find


def name_preserving_infixes(infixes) -> list[str]:
    """The default infix patterns minus those that split hyphenated or slashed names.

    >>> import spacy
    >>> len(name_preserving_infixes(spacy.blank("en").Defaults.infixes)) < len(spacy.blank("en").Defaults.infixes)
    True
    """
    return [p for p in infixes if not any(marker in p for marker in _NAME_BREAKING_INFIXES)]


def install_tokenizer(nlp: Language) -> Language:
    """Replace ``nlp``'s tokenizer infix rules with :func:`name_preserving_infixes`; returns ``nlp``.

    >>> import spacy
    >>> nlp = install_tokenizer(spacy.blank("en"))
    >>> [t.text for t in nlp("LLaMA-2-7B, ViT-B/16 and Qwen2.5-VL on CIFAR-10/100.")]
    ['LLaMA-2-7B', ',', 'ViT-B/16', 'and', 'Qwen2.5-VL', 'on', 'CIFAR-10/100', '.']
    >>> [t.text for t in nlp("with LLaMA-2-13B. Then")]
    ['with', 'LLaMA-2-13B', '.', 'Then']
    >>> [t.text for t in nlp("Block Caching(BAC) helps")]
    ['Block', 'Caching', '(', 'BAC', ')', 'helps']
    >>> [t.text for t in nlp("O(1) cost on DeiT-(Tiny,Small) with accuracy- and memory-aware steps")]
    ['O', '(', '1', ')', 'cost', 'on', 'DeiT', '-', '(', 'Tiny', ',', 'Small', ')', 'with', 'accuracy', '-', 'and', 'memory-aware', 'steps']
    >>> [t.text for t in nlp("a MoE-based model")]
    ['a', 'MoE', '-based', 'model']
    >>> [t.text for t in nlp("build FooBench-the largest state-of-the-art set")]
    ['build', 'FooBench', '-', 'the', 'largest', 'state-of-the-art', 'set']
    >>> [t.text for t in nlp("propose FooTPPOur code, not GPT4Code")]
    ['propose', 'FooTPP', 'Our', 'code', ',', 'not', 'GPT4Code']
    >>> [t.text for t in nlp("on ImageNet-1K, EMOv2-1M/2M/5M with 5M parameters")]
    ['on', 'ImageNet-1K', ',', 'EMOv2-1M/2M/5M', 'with', '5', 'M', 'parameters']
    >>> [t.text for t in nlp("(ImageNet-1K and ImageNet-21K)")]
    ['(', 'ImageNet-1K', 'and', 'ImageNet-21K', ')']
    """
    old: Tokenizer = nlp.tokenizer
    infixes = [*name_preserving_infixes(nlp.Defaults.infixes), *_GLUED_PARENTHESES, _DASH_AS_HYPHEN, _GLUED_SENTENCE]
    nlp.tokenizer = Tokenizer(
        nlp.vocab,
        rules=old.rules,
        prefix_search=old.prefix_search,
        suffix_search=sized_name_suffixes(compile_suffix_regex(
            [*nlp.Defaults.suffixes, _DERIVATION_SUFFIX, _FINAL_PERIOD, _SUSPENDED_HYPHEN]).search),
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=sized_name_match(old.token_match),
        url_match=old.url_match,
    )
    return nlp
