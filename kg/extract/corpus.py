"""One paper's mentions -> entities, and the corpus-level consolidation that makes every thing one
node: a type decided from all papers, an acronym defined in one paper resolved in the others, and
one canonical name per thing. The learned models (:mod:`kg.extract.classifier`) then keep or drop
each candidate, pick its coarse type (averaged over the corpus) and decide whether it is proposed.

Three stages (:func:`consolidate`): each paper's groups and what the paper alone says of them
(:func:`paper_groups`); the corpus-wide decisions, identity, name, rule type (:func:`resolve_groups`)
and learned type (:func:`learned_types`); then each paper's entities (:func:`paper_entities`). Every
group is read several times, so what a group's mentions say is computed once, in :class:`Group`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import lru_cache
from operator import itemgetter
from types import MappingProxyType

import msgspec

from kg.extract.candidates import W_CUE, W_DEFAULT, W_LEXICON, W_SHAPE
from kg.extract.classifier import Models, Profile, Scorer, candidate_profile, load_classifier
from kg.extract.mentions import DATA_TYPES, Mention
from kg.extract.resources import load_resources, name_key
from kg.model import ExtractedEntity


W_DATA_CUE = W_SHAPE * 2  # a name suffix ("-Bench") or any stronger context says Dataset/Benchmark


@lru_cache(maxsize=65536)
def cached_name_key(text: str) -> str:
    """:func:`name_key` of a lexicon name, an abbreviation partner or a long form: few distinct
    ones, met in many papers."""
    return name_key(text)


NO_KEYS: frozenset[str] = frozenset()


@dataclass(slots=True)
class Group:
    """The mentions of one thing in one paper, and what grouping and naming read from them (computed
    once: every group is read several times by the consolidation)."""

    mentions: list[Mention]
    keys: tuple[str, ...] = field(init=False)  # every surface key of the group, once
    canonical: str | None = field(init=False)  # the lexicon's canonical name, when a mention matched it
    long_form: str | None = field(init=False)  # the long form of an abbreviation defined in this paper
    short_forms: frozenset[str] = field(init=False)  # keys of the abbreviation short forms defined in this paper
    votes: Mapping[str, float] = field(init=False)  # the best vote per type over the mentions (read-only)
    own_key: str | None = field(init=False)  # identity from the group alone: lexicon entry, else own long form
    proposed: bool = field(init=False)  # a mention says the paper proposes it
    alternative: bool = field(init=False)  # a mention may overlap others (select_mentions decides)
    # what the paper's other groups say (set by paper_groups)
    variant: bool = False  # names a variant of a proposed name
    family: bool = False  # the paper also names a variant of it, or it names a variant of another name
    weak: bool = False  # only named by a generic word the title does not use

    def __post_init__(self):
        keys: dict[str, None] = {}
        shorts = []
        self.canonical = self.long_form = None
        self.proposed = self.alternative = False
        for m in self.mentions:  # one pass: most groups have one mention
            keys[m.key] = None
            if m.canonical and self.canonical is None:
                self.canonical = m.canonical
            if m.partner:
                if len(m.partner) < len(m.form):
                    self.long_form = self.long_form or m.form
                elif len(m.partner) > len(m.form):
                    shorts.append(m.key)
            if m.proposed:
                self.proposed = True
            if m.alternative:
                self.alternative = True
        # tuples and a shared empty set: a large corpus keeps about a million groups
        self.keys, self.short_forms = tuple(keys), frozenset(shorts) if shorts else NO_KEYS
        self.votes = mention_votes(self.mentions[0].votes) if len(self.mentions) == 1 else best_votes(self.mentions)
        self.own_key = ("lex:" + cached_name_key(self.canonical) if self.canonical
                        else cached_name_key(self.long_form) if self.long_form else None)


@lru_cache(maxsize=4096)
def mention_votes(votes: tuple[tuple[str, float], ...]) -> Mapping[str, float]:
    """One mention's votes by type (:class:`Candidate` keeps one positive weight per type), read-only:
    the groups of one mention with the same votes, most of a corpus, share one mapping.

    >>> dict(mention_votes((("Dataset", 3.0), ("Model", 0.2))))
    {'Dataset': 3.0, 'Model': 0.2}
    """
    return MappingProxyType(dict(votes))


def best_votes(mentions: list[Mention]) -> dict[str, float]:
    """The best vote per type over ``mentions``."""
    votes: dict[str, float] = {}
    for m in mentions:
        for kind, weight in m.votes:
            votes[kind] = max(votes.get(kind, 0.0), weight)
    return votes


def spelling_variants(key: str, other: str) -> bool:
    """Whether two name keys spell the same name ("Low-Rank Adaptation" / "Low-Rank Adapters"):
    difflib's ratio of matching characters is at least 0.75.

    >>> spelling_variants("lowrankadaptation", "lowrankadapter")
    True
    >>> spelling_variants("stanfordsentimenttreebank", "sparsespectraltraining")
    False
    """
    return key == other or SequenceMatcher(None, key, other).ratio() >= 0.75


@lru_cache(maxsize=16384)
def lexicon_conflicts(canonical: str, long_key: str) -> bool:
    """Whether a paper's long form (key ``long_key``) of an acronym is not the lexicon entry
    ``canonical`` the acronym matched: neither its key nor a spelling variant of it."""
    return not spelling_variants(cached_name_key(canonical), long_key)


def drop_conflicting_lexicon(mentions: list[Mention]) -> list[Mention]:
    """An acronym the paper defines itself means what the paper says: "Sparse Spectral Training
    (SST)" is not the lexicon's SST (Stanford Sentiment Treebank), so those lexicon matches lose
    their lexicon entry and vote. A long form that only spells the lexicon's name differently
    ("Low-Rank Adapters (LoRA)") keeps the lexicon entry, so it joins that node.

    >>> from kg.model import Evidence
    >>> ev = lambda s: Evidence("abstract", "", 0, len(s), s)
    >>> long = Mention(ev("Sparse Spectral Training"), (("Method", 0.2),), ("abbreviation",), None, "SST", False)
    >>> sst = Mention(ev("SST"), (("Dataset", 3.0),), ("lexicon",), "Stanford Sentiment Treebank", None, False)
    >>> [m.canonical for m in drop_conflicting_lexicon([long, sst])]
    [None, None]

    An acronym that is itself a lexicon name ("GQA", a benchmark) defined as another lexicon entry
    ("grouped-query attention (GQA)") is that entry:

    >>> gqa_long = Mention(ev("grouped-query attention"), (("Method", 3.0),), ("lexicon",), "grouped-query attention",
    ...                    "GQA", False)
    >>> gqa = Mention(ev("GQA"), (("Benchmark", 3.0),), ("lexicon",), "GQA", None, False)
    >>> [m.canonical for m in drop_conflicting_lexicon([gqa_long, gqa])]
    ['grouped-query attention', None]
    """
    shorts: dict[str, str] = {}  # acronym key -> its long form's key
    long_entries: dict[str, str] = {}  # long form's key -> its own lexicon entry's key
    for m in mentions:
        if m.partner and len(m.partner) < len(m.form):  # a long form
            shorts[cached_name_key(m.partner)] = long_key = cached_name_key(m.form)
            if m.canonical:
                long_entries[long_key] = cached_name_key(m.canonical)
    if not shorts:  # the paper defines no acronym
        return mentions
    result = []
    for m in mentions:
        long_key = shorts.get(m.key) if m.canonical else None
        if long_key and lexicon_conflicts(m.canonical, long_key):
            entry = cached_name_key(m.canonical)
            # the acronym is an alias of another entry, or its long form is another entry
            if entry != m.key or long_entries.get(long_key, entry) != entry:
                m = replace(m, canonical=None, votes=tuple(v for v in m.votes if v[1] != W_LEXICON),
                            reasons=tuple(r for r in m.reasons if r != "lexicon"))
        result.append(m)
    return result


def group_mentions(mentions: list[Mention]) -> list[Group]:
    """Group a paper's mentions: same key, same lexicon entry, or abbreviation partners.

    A small union-find over the keys that lexicon entries and partners link (a group's root is its
    smallest key; any other key is its own group); groups come out in order of first mention.
    """
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for m in mentions:
        if m.canonical:
            union(m.key, "lex:" + cached_name_key(m.canonical))
        if m.partner:
            union(m.key, cached_name_key(m.partner))
    groups: dict[str, list[Mention]] = {}
    for m in mentions:
        key = find(m.key) if m.key in parent else m.key
        found = groups.get(key)
        if found is None:
            groups[key] = [m]
        else:
            found.append(m)
    return [Group(ms) for ms in groups.values()]


def thing_key(group: Group, definitions: dict[str, str]) -> str:
    """Corpus identity of a group: lexicon entry, else own long form, else an acronym resolved
    through a definition made in another paper, else its own most common key."""
    if group.own_key is not None:
        return group.own_key
    if len(group.keys) == 1:  # most groups
        (key,) = group.keys
        return definitions.get(key, key)
    keys = sorted(group.keys)
    for key in keys:
        if key in definitions:
            return definitions[key]
    return Counter(m.key for m in group.mentions).most_common(1)[0][0]


def definition_pairs(groups: list[Group]) -> Iterator[tuple[str, str]]:
    """(acronym key, long-form key) for each acronym a paper's ``groups`` define (not lexicon entries)."""
    for group in groups:
        if group.short_forms and group.long_form and not group.canonical:
            for short in group.short_forms:
                yield short, group.own_key


def add_definitions(seen: dict[str, dict[str, int]], groups: list[Group], step: int = 1) -> None:
    """Count the acronyms a paper's ``groups`` define into ``seen`` (acronym key -> long-form key -> how
    many groups define it so); ``step=-1`` takes a paper's out again."""
    for short, long in definition_pairs(groups):
        longs = seen.setdefault(short, {})
        count = longs[long] = longs.get(long, 0) + step
        if count == 0:
            del longs[long]
            if not longs:
                del seen[short]


def definitions_of(seen: Mapping[str, Mapping[str, int]]) -> dict[str, str]:
    """Acronym key -> long-form key, for acronyms every defining paper expands the same way."""
    return {short: next(iter(longs)) for short, longs in seen.items() if len(longs) == 1}


def corpus_definitions(paper_groups: list[list[Group]]) -> dict[str, str]:
    """Acronym key -> long-form key, for acronyms every defining paper expands the same way."""
    seen: dict[str, dict[str, int]] = {}
    for groups in paper_groups:
        add_definitions(seen, groups)
    return definitions_of(seen)


def decide_type(votes: Mapping[str, float]) -> str:
    """The winning type; Benchmark beats Dataset once any paper calls it a benchmark.

    >>> decide_type({"Dataset": 3.0, "Benchmark": 2.0, "Method": 0.2})
    'Benchmark'
    >>> decide_type({"Method": 1.0, "Task": 1.0})
    'Method'
    """
    if len(votes) == 1:  # most groups
        return next(iter(votes))
    best = max(sorted(votes), key=votes.__getitem__)
    if best == "Dataset" and votes.get("Benchmark", 0.0) >= W_CUE:
        return "Benchmark"
    return best


def canonical_name(lexicon_name: str | None, counts: dict[str, int]) -> str:
    """Lexicon canonical, else the corpus's most frequent surface (ties: the one with capitals
    first, then alphabetical, so the choice is stable)."""
    if lexicon_name:
        return lexicon_name
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].islower(), kv[0]))[0][0]


def is_weak(group: Group, weak_words: frozenset[str]) -> bool:
    """A group named only by a generic word (rules/weak_words.txt) that the title does not use."""
    return (all(m.form.lower() in weak_words for m in group.mentions)
            and all(m.evidence.section != "title" for m in group.mentions))


@dataclass(slots=True)
class Resolved:
    """A group with its corpus-level decisions, before the classifier and entity building (one per
    group of the corpus: slots, and not frozen, as creating frozen dataclasses is slow)."""

    group: Group
    key: str  # corpus identity
    name: str
    type: str
    variant: bool  # names a variant of a proposed name
    papers_with_key: int  # how many papers of the corpus mention the thing
    weak: bool  # only named by a generic word the title does not use (rules/weak_words.txt)
    family: bool = False  # the paper also names a variant of it, or it names a variant of another name


def paper_groups(mentions: list[Mention], weak_words: frozenset[str]) -> list[Group]:
    """A paper's groups with what its other groups say about each (variants, families) and whether
    it is weak: all that the consolidation needs of one paper without the rest of the corpus."""
    groups = group_mentions(drop_conflicting_lexicon(mentions))
    for i in proposed_variants(groups):
        groups[i].variant = True
    for i in variant_family(groups):
        groups[i].family = True
    for group in groups:
        group.weak = is_weak(group, weak_words)
    return groups


def resolve_corpus(paper_mentions: list[list[Mention]]) -> list[list[Resolved]]:
    """Group each paper's mentions and decide, across the corpus, each thing's identity, type and
    name (same order as the input)."""
    weak_words = load_resources().word_list("weak_words")
    return resolve_groups([paper_groups(ms, weak_words) for ms in paper_mentions])


def resolve_groups(paper_groups: list[list[Group]]) -> list[list[Resolved]]:
    """Decide, across the corpus, the identity, type and name of each paper's groups (same order)."""
    definitions = corpus_definitions(paper_groups)
    keys = [[thing_key(g, definitions) for g in groups] for groups in paper_groups]
    tally = Tally()
    for index, (groups, gkeys) in enumerate(zip(paper_groups, keys)):
        tally.add_groups(position(index), groups, gkeys)
    decisions = {key: tally.decide(key) for key in tally.things}
    return [resolve_paper(groups, gkeys, decisions) for groups, gkeys in zip(paper_groups, keys)]


def position(index: int) -> str:
    """A paper's place in a corpus as a string that sorts like it (the paper order :class:`Thing` keeps).

    >>> position(9) < position(10)
    True
    """
    return f"{index:012d}"


class Thing(msgspec.Struct, array_like=True, gc=False):
    """What the corpus's groups of one thing say of it: counts, its first groups by paper order (a
    string that sorts like the corpus), and each group's votes and type-model row in corpus order (the
    sums are taken in that order, as floats). So a later build can add its new papers, wherever they
    sort, and decide as a full build would (:mod:`kg.extract.incremental`)."""

    votes: list[tuple[str, int]] = []  # (paper order, vote id in Tally.votes) of every group, in corpus order
    papers: int = 0  # papers that name the thing
    proposed: int = 0  # groups saying their paper proposes it
    lexicon: tuple[str, str] | None = None  # (paper order, lexicon name) of its first lexicon group
    first: tuple[str, int] | None = None  # (paper order, index in the paper) of its first group
    first_forms: dict[str, int] = {}  # every form of the first group, when it names the thing by short forms only
    surfaces: dict[str, int] = {}  # how many mentions name it by each form that is not a short form
    rows: list[tuple[str, int]] = []  # (paper order, row id in Tally.rows) of each non-lexicon group, in corpus order
    data_cues: int = 0  # non-lexicon groups whose votes say Dataset or Benchmark (W_DATA_CUE)


@dataclass
class Table:
    """Distinct values (vote tuples, type-model rows), each kept once and named by its index."""

    values: list[tuple] = field(default_factory=list)
    index: dict[tuple, int] = field(default_factory=dict)

    def id(self, value: tuple) -> int:
        """The index of ``value``, added when new."""
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found


@dataclass(frozen=True, slots=True)
class Decision:
    """The corpus's decisions on one thing: its name, its rule type and how many papers name it."""

    name: str
    type: str
    papers: int


@dataclass
class Tally:
    """Per thing key, what the corpus's groups say of it (:class:`Thing`), with the tables its vote and
    row ids point into; papers may be added in any order (:meth:`sort` then restores corpus order)."""

    things: dict[str, Thing] = field(default_factory=dict)
    votes: Table = field(default_factory=Table)
    rows: Table = field(default_factory=Table)

    def thing(self, key: str) -> Thing:
        """The :class:`Thing` of ``key``, made when new."""
        thing = self.things.get(key)
        if thing is None:
            thing = self.things[key] = Thing()
        return thing

    def add_groups(self, order: str, groups: list[Group], keys: list[str]) -> None:
        """Add one paper's ``groups`` (their thing ``keys``, in order); ``order``: the paper's."""
        for key in set(keys):
            self.thing(key).papers += 1
        for index, (group, key) in enumerate(zip(groups, keys)):
            thing = self.things[key]
            thing.votes.append((order, self.votes.id(tuple(group.votes.items()))))
            if group.proposed:
                thing.proposed += 1
            surfaces = thing.surfaces
            for form in long_forms(group):
                surfaces[form] = surfaces.get(form, 0) + 1
            add_first(thing, order, index, group)

    def remove_groups(self, order: str, groups: list[Group], keys: list[str]) -> set[str]:
        """Take out one paper's ``groups`` (thing ``keys``, in order; ``order``: the paper's), added by
        :meth:`add_groups` and :meth:`add_rows`, but for their votes and rows (:meth:`drop`). Returns the
        keys of the things left whose first group or lexicon name was the paper's: :func:`add_first` has
        to find them again in other papers."""
        lost = set()
        for key in set(keys):
            thing = self.things[key]
            thing.papers -= 1
            if thing.first is None or thing.first[0] == order or (thing.lexicon and thing.lexicon[0] == order):
                thing.first, thing.first_forms, thing.lexicon = None, {}, None
                lost.add(key)
        for group, key in zip(groups, keys):
            thing = self.things[key]
            if group.proposed:
                thing.proposed -= 1
            for form in long_forms(group):
                thing.surfaces[form] -= 1
                if not thing.surfaces[form]:
                    del thing.surfaces[form]
            if not group.canonical and data_cue(group.votes):
                thing.data_cues -= 1
        for key in set(keys):
            if not self.things[key].papers:
                del self.things[key]
                lost.discard(key)
        return lost

    def drop(self, orders: Container[str], keys: Iterable[str]) -> None:
        """Take the votes and rows of the papers of ``orders`` out of the things ``keys`` left (one pass
        over each thing's lists for all removed papers: a common thing lists thousands)."""
        for key in keys:
            thing = self.things.get(key)
            if thing is not None:
                thing.votes = [entry for entry in thing.votes if entry[0] not in orders]
                thing.rows = [entry for entry in thing.rows if entry[0] not in orders]

    def add_rows(self, order: str, paper: list[Resolved], profiles: list[Profile], scorer: Scorer,
                 keys: Container[str] | None = None) -> None:
        """Add the type model's probabilities and the data cues of a paper's resolved groups
        (``profiles``: theirs, in order; ``order``: the paper's), only for the things in ``keys`` when
        given. Lexicon groups, and sizes or versions of a lexicon name ("Llama-3-8B-Instruct": the
        lexicon's type), keep their type and add nothing."""
        for r, profile in zip(paper, profiles):
            if r.group.canonical or (keys is not None and r.key not in keys) \
                    or any("lexicon-family" in m.reasons for m in r.group.mentions):
                continue
            thing = self.thing(r.key)
            thing.rows.append((order, self.rows.id(scorer.types(profile, r))))
            if data_cue(r.group.votes):
                thing.data_cues += 1

    def sort(self, keys: Iterable[str]) -> None:
        """Put the votes and rows of the things of ``keys`` back in corpus order after papers were added
        out of order (a stable sort: a paper's own groups stay in their order)."""
        for key in keys:
            thing = self.things[key]
            thing.votes.sort(key=itemgetter(0))
            thing.rows.sort(key=itemgetter(0))

    def decide(self, key: str) -> Decision:
        """What the corpus decides of thing ``key``: the type its votes give, summed in corpus order
        (a proposed thing with no type evidence is a Method), and its :func:`canonical_name`."""
        thing, table = self.things[key], self.votes.values
        totals: dict[str, float] = {}
        for _, vote in thing.votes:
            for kind, weight in table[vote]:
                totals[kind] = totals.get(kind, 0.0) + weight
        kind = decide_type(totals)
        if thing.proposed and max(totals.values()) <= W_DEFAULT * 2:
            kind = "Method"  # a named contribution with no type evidence: most are methods
        counts = thing.surfaces
        if thing.first_forms:  # the first group named it only by short forms: they count too
            counts = dict(Counter(counts) + Counter(thing.first_forms))
        return Decision(canonical_name(thing.lexicon[1] if thing.lexicon else None, counts), kind, thing.papers)

    def learned(self, key: str, rule: str, classes: tuple[str, ...]) -> str | None:
        """The type model's choice for thing ``key`` from its non-lexicon groups' probabilities, added
        one by one in corpus order (so a thing keeps one type; None when it has no such group). Within
        Dataset/Benchmark the rules decide (``rule``: the thing's rule type), and a thing that context
        calls a dataset or benchmark ("the X benchmark", "datasets such as X", "X-Bench") stays one
        whatever the model says."""
        thing, table = self.things[key], self.rows.values
        if not thing.rows:
            return None
        total = table[thing.rows[0][1]]
        for _, row in thing.rows[1:]:
            probabilities = table[row]
            total = [a + b for a, b in zip(total, probabilities)]
        scores = dict(zip(classes, total))
        best = max(sorted(scores), key=scores.get)
        if best == "Data" or (thing.data_cues and rule in DATA_TYPES):
            return rule if rule in DATA_TYPES else "Dataset"
        return best


def long_forms(group: Group) -> list[str]:
    """The forms of ``group``'s mentions that are not abbreviation short forms (what names a thing)."""
    short = group.short_forms
    return [m.form for m in group.mentions if m.key not in short]


def add_first(thing: Thing, order: str, index: int, group: Group) -> None:
    """Make ``group`` (at ``index`` in the paper of ``order``) ``thing``'s first group and lexicon group
    when it comes before them."""
    if group.canonical and (thing.lexicon is None or order < thing.lexicon[0]):
        thing.lexicon = (order, group.canonical)
    if thing.first is None or (order, index) < thing.first:
        thing.first = (order, index)
        thing.first_forms = {} if long_forms(group) else dict(Counter(m.form for m in group.mentions))


def data_cue(votes: Mapping[str, float]) -> bool:
    """Whether a group's ``votes`` say Dataset or Benchmark as a context or name suffix does (W_DATA_CUE)."""
    return votes.get("Dataset", 0.0) >= W_DATA_CUE or votes.get("Benchmark", 0.0) >= W_DATA_CUE


def resolve_paper(groups: list[Group], keys: list[str], decisions: Mapping[str, Decision]) -> list[Resolved]:
    """A paper's ``groups`` (thing ``keys``, in order) with the corpus's ``decisions`` on their things."""
    resolved = []
    for g, k in zip(groups, keys):
        d = decisions[k]
        resolved.append(Resolved(g, k, d.name, d.type, g.variant, d.papers, g.weak, g.family))
    return resolved


def consolidate(paper_mentions: list[list[Mention]], models: Models | None = None) -> list[list[ExtractedEntity]]:
    """Entities per paper, consolidated across the corpus and filtered by the candidate
    classifier (same order as the input). ``models``: the shipped ones unless given."""
    scorer = Scorer(models or load_classifier())
    resolved = resolve_corpus(paper_mentions)
    profiles = group_profiles(resolved)
    types = learned_types(resolved, scorer, profiles)
    return [paper_entities(paper, paper_profiles, types, scorer) for paper, paper_profiles in zip(resolved, profiles)]


def group_profiles(resolved: list[list[Resolved]]) -> list[list[Profile]]:
    """Each resolved group's :class:`Profile` (same order); equal profiles are one object, as most
    groups share theirs with others (a large corpus has about a million groups)."""
    shared: dict[Profile, Profile] = {}
    return [[shared.setdefault(profile, profile) for profile in map(candidate_profile, paper)] for paper in resolved]


def paper_entities(paper: list[Resolved], profiles: list[Profile], types: dict[str, str],
                   scorer: Scorer) -> list[ExtractedEntity]:
    """The entities of one paper's resolved groups (``profiles``: theirs, in order) that the keep
    model keeps, typed by ``types`` (:func:`learned_types`) where it has the thing."""
    threshold, proposed_threshold = scorer.models.keep.threshold, scorer.models.proposed.threshold
    kept = [(r, profile, p) for r, profile in zip(paper, profiles) if (p := scorer.keep(profile)) >= threshold]
    chosen = None  # no alternatives overlap: each kept group keeps all its mentions (most papers)
    if any(r.group.alternative for r, _, _ in kept):
        chosen = select_mentions([r for r, _, _ in kept], {id(r): p for r, _, p in kept})
    entities = []
    for r, profile, probability in kept:
        mentions = r.group.mentions if chosen is None else chosen[id(r)]
        if not mentions:
            continue
        entity_type = types.get(r.key, r.type)
        p_proposed = scorer.proposed(profile, r)
        by_model = p_proposed >= proposed_threshold and not others_thing(mentions) \
            and not known_unclaimed(r.group, mentions)
        votes = r.group.votes if len(mentions) == len(r.group.mentions) else best_votes(mentions)
        entities.append(paper_entity(mentions, votes, r.name, entity_type, by_model or announced(mentions),
                                     probability, p_proposed if by_model else None))
    return merge_same_name(entities)


def select_mentions(kept: list[Resolved], probabilities: dict[int, float]) -> dict[int, list[Mention]]:
    """The mentions each kept group keeps where alternatives overlap ("double early exiting" over
    "early exiting"): the more probable group wins the text, then the longer span. Mentions no
    alternative overlaps are all kept. Returns the kept mentions by ``id(resolved)`` (read-only lists).

    >>> from kg.model import Evidence
    >>> def r(surface, start, alternative):
    ...     m = Mention(Evidence("abstract", "", start, start + len(surface), surface), (), (), None, None, False,
    ...                 alternative=alternative)
    ...     return Resolved(Group([m]), surface, surface, "Method", False, 1, False)
    >>> long, short = r("double early exiting", 0, True), r("early exiting", 7, False)
    >>> [len(ms) for ms in select_mentions([long, short], {id(long): 0.6, id(short): 0.5}).values()]
    [1, 0]
    >>> [len(ms) for ms in select_mentions([long, short], {id(long): 0.4, id(short): 0.5}).values()]
    [0, 1]
    """
    spans = [(m.evidence.section, m.evidence.start, m.evidence.end) for r in kept for m in r.group.mentions
             if m.alternative]
    if not spans:  # nothing overlaps: most papers
        return {id(r): r.group.mentions for r in kept}
    chosen: dict[int, list[Mention]] = {id(r): [] for r in kept}
    contested = []
    for r in kept:
        for m in r.group.mentions:
            if any(section == m.evidence.section and start < m.evidence.end and m.evidence.start < end
                   for section, start, end in spans):
                contested.append((r, m))
            else:
                chosen[id(r)].append(m)
    contested.sort(key=lambda rm: (-probabilities[id(rm[0])], rm[1].evidence.start - rm[1].evidence.end,
                                   rm[1].evidence.section, rm[1].evidence.start))
    taken: list[tuple[str, int, int]] = []
    for r, m in contested:
        e = m.evidence
        if not any(section == e.section and start < e.end and e.start < end for section, start, end in taken):
            taken.append((e.section, e.start, e.end))
            chosen[id(r)].append(m)
    return chosen


def learned_types(resolved: list[list[Resolved]], scorer: Scorer, profiles: list[list[Profile]]) -> dict[str, str]:
    """Per thing key, the type model's choice over every paper that mentions the thing
    (:meth:`Tally.learned`). ``profiles``: each group's :class:`Profile`, in the order of ``resolved``."""
    tally = Tally()
    rule_types: dict[str, str] = {}
    for index, (paper, paper_profiles) in enumerate(zip(resolved, profiles)):
        tally.add_rows(position(index), paper, paper_profiles, scorer)
        rule_types.update((r.key, r.type) for r in paper)
    classes = scorer.models.type.classes
    return {key: tally.learned(key, rule_types[key], classes) for key in tally.things}


#: reasons saying the paper presents the thing as its own
_OWN_PATTERNS = frozenset({"pattern:we-propose", "pattern:our-x"})


def _reasons_of(mentions: list[Mention]) -> set[str]:
    return {reason for m in mentions for reason in m.reasons}


#: patterns naming someone else's thing: a baseline ("outperforms X", "compared with X") or a testbed
#: ("results on MNIST, the Toronto Face Database and CIFAR-10")
_OTHERS_PATTERNS = frozenset({"pattern:compared-with", "pattern:evaluated-on"})


def others_thing(mentions: list[Mention]) -> bool:
    """Whether the paper compares itself with the thing or reports results on it and never says it
    proposes it: a baseline or a testbed, whatever the role model thinks."""
    reasons = _reasons_of(mentions)
    return not reasons.isdisjoint(_OTHERS_PATTERNS) and reasons.isdisjoint(_OWN_PATTERNS)


def known_unclaimed(group: Group, mentions: list[Mention]) -> bool:
    """Whether the thing is a lexicon entry (known before the paper) the paper never says it proposes
    ("we propose X", "our X"): proposed only when announced (:func:`announced`), whatever the role
    model thinks ("we apply MMA to LLaMA and term this model LaVIN" proposes LaVIN, not LLaMA)."""
    return group.canonical is not None and _reasons_of(mentions).isdisjoint(_OWN_PATTERNS)


def announced(mentions: list[Mention]) -> bool:
    """Whether the paper titles itself with the name ("X: ..."; in the gold annotations every
    title's X that is an entity is proposed), presents it with an appositive ("We present YOLO, a
    new approach to ...", "We propose the Transformer, an encoder-decoder architecture"), or its
    whole title is the name and it says it proposes it ("we propose X", "our X"): proposed, however
    well known the name is (the BERT paper proposes BERT, the paper titled "Mistral 7B" Mistral 7B)."""
    reasons = _reasons_of(mentions)
    if "title:head-noun" in reasons or "pattern:x-a-kind" in reasons:
        return True
    return not reasons.isdisjoint(_OWN_PATTERNS) and any(
        m.evidence.section == "title" and m.evidence.start == 0
        and m.evidence.end >= len(m.evidence.sentence.rstrip(" .")) for m in mentions)


def proposed_variants(groups: list[Group]) -> set[int]:
    """Indexes of groups naming a variant of a proposed name ("FBNet-B", "SliM-LLM+" after
    "FBNet", "SliM-LLM"): the paper proposes those too.

    >>> from kg.model import Evidence
    >>> def g(surface, proposed):
    ...     return Group([Mention(Evidence("abstract", "", 0, 1, surface), (), (), None, None, proposed)])
    >>> sorted(proposed_variants([g("FBNet", True), g("FBNet-B", False), g("FBNetwork", False)]))
    [1]
    """
    stems = {m.form for g in groups for m in g.mentions if m.proposed and len(m.form) >= 3}
    if not stems:
        return set()
    return {i for i, g in enumerate(groups)
            if not g.proposed and any(not stems.isdisjoint(stems_of(m.form)) for m in g.mentions)}


_VARIANT_SEPARATORS = "-+_ v"


@lru_cache(maxsize=65536)
def stems_of(form: str) -> frozenset[str]:
    """Every stem ``form`` names a variant of: the stem, then "-", "+", "_", " " or "v" and more
    (the set, so a paper's names are compared by lookups, not pairwise).

    >>> sorted(stems_of("SliM-LLM+")), sorted(stems_of("FBNet-B")), "FBNet" in stems_of("FBNetwork")
    (['SliM', 'SliM-LLM'], ['FBNet'], False)
    """
    return frozenset(form[:k] for k in range(1, len(form)) if form[k] in _VARIANT_SEPARATORS)


def variant_family(groups: list[Group]) -> set[int]:
    """Indexes of groups that name a variant of another group's name or have one named ("EMOv2"
    and "EMOv2-1M"): sizes and configurations are what trained models come in.

    >>> from kg.model import Evidence
    >>> def g(surface):
    ...     return Group([Mention(Evidence("abstract", "", 0, 1, surface), (), (), None, None, False)])
    >>> sorted(variant_family([g("EMOv2"), g("EMOv2-1M"), g("LoRA"), g("EMOv2x")]))
    [0, 1]
    """
    forms = [{m.form for m in g.mentions if len(m.form) >= 3} for g in groups]
    names = set().union(*forms)
    stems = set().union(*map(stems_of, names))
    if not stems:  # no name has a separator: none is a variant of another
        return set()
    # a group belongs when one of its names is a stem of a name, or has a stem among the names
    related = stems.union([name for name in names if not names.isdisjoint(stems_of(name))])
    return {i for i, own in enumerate(forms) if not related.isdisjoint(own)}


def paper_entity(mentions: list[Mention], votes: Mapping[str, float], name: str, entity_type: str, proposed: bool,
                 probability: float, p_proposed: float | None) -> ExtractedEntity:
    """The entity a group's (kept) ``mentions`` stand for in their paper. ``votes``: their
    :func:`best_votes`; ``proposed``: whether the paper proposes it; ``probability``: the keep
    classifier's, which becomes the confidence; ``p_proposed``: the role model's probability when
    that model made it proposed, else None."""
    if len(mentions) > 1:
        mentions = sorted(mentions, key=lambda m: (m.evidence.section != "title", m.evidence.start))
        found = tuple(dict.fromkeys(r for m in mentions for r in m.reasons))
        aliases = tuple(sorted({m.form for m in mentions} - {name}))
    else:
        found = mentions[0].reasons
        aliases = () if mentions[0].form == name else (mentions[0].form,)
    corpus_type = entity_type if votes and decide_type(votes) != entity_type else None
    reasons = entity_reasons(found, p_proposed, corpus_type)
    if proposed:
        role = "proposed"
    elif entity_type in DATA_TYPES:
        role = "evaluated_on"
    else:
        role = "used"
    return ExtractedEntity(
        name=name,
        type=entity_type,
        role=role,
        aliases=aliases,
        confidence=round(probability, 2),
        evidence=tuple(m.evidence for m in mentions),
        reasons=reasons,
    )


@lru_cache(maxsize=65536)
def entity_reasons(found: tuple[str, ...], p_proposed: float | None, corpus_type: str | None) -> tuple[str, ...]:
    """An entity's reasons: what found its mentions, the role model's probability when that model
    made it proposed, and the corpus's type when it overrules the entity's own votes. (The keep
    model's probability is the entity's confidence, not a reason.) Entities share few distinct
    tuples: each is made once, and shared.

    >>> entity_reasons(("lexicon", "lexicon"), None, None), entity_reasons(("name-shape",), 0.9137, "Model")
    (('lexicon',), ('name-shape', 'classifier-proposed:0.91', 'corpus:Model'))
    """
    reasons = tuple(dict.fromkeys(found))
    if p_proposed is not None:
        reasons += (f"classifier-proposed:{p_proposed:.2f}",)
    return reasons + (f"corpus:{corpus_type}",) if corpus_type is not None else reasons


def merge_same_name(entities: list[ExtractedEntity]) -> list[ExtractedEntity]:
    """One entity per name in a paper (two groups can resolve to one thing), sorted by type, name."""
    by_name: dict[tuple[str, str], ExtractedEntity] = {}
    for e in entities:
        other = by_name.get((e.type, e.name))
        if other is None:
            by_name[(e.type, e.name)] = e
            continue
        role = "proposed" if "proposed" in (e.role, other.role) else other.role
        by_name[(e.type, e.name)] = ExtractedEntity(
            name=e.name, type=e.type, role=role,
            aliases=tuple(sorted(set(other.aliases) | set(e.aliases))),
            confidence=max(e.confidence, other.confidence),
            evidence=other.evidence + e.evidence,
            reasons=tuple(dict.fromkeys(other.reasons + e.reasons)),
        )
    return sorted(by_name.values(), key=lambda e: (e.type, e.name))
