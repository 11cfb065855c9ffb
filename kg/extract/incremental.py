"""Consolidation that the next build continues: a `kg build` keeps the corpus-wide aggregates
(:class:`kg.extract.corpus.Tally`) and each paper's entities, and the next build takes out the papers
removed or changed, adds the new ones and consolidates again only the papers it has to, with the
result a full consolidation gives.

Per paper, the consolidation's output depends on the corpus only through the decisions on the things
its groups name: the acronym definitions its groups look up, each thing's name, rule type, how many
papers name it (as the classifier reads it) and learned type. So a build takes the old versions of
removed or changed papers out of the tally and adds the new papers (wherever they sort), finds the
things whose decisions changed and consolidates again the new papers and the unchanged ones that name
such a thing; every other paper's entities are copied. Sums are taken in corpus order as in a full
build (:class:`~kg.extract.corpus.Thing` keeps each group's votes and type-model row in that order).
Anything else (another extractor version, a removed or changed paper whose mentions are not cached, an
acronym definition changed that an unchanged paper looks up, a missing or unreadable state)
consolidates everything again.

The state is msgspec MessagePack, never pickle: a graph folder may come from elsewhere, and reading
it must not run code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

import msgspec

from kg.extract.classifier import Scorer, candidate_profile, load_classifier
from kg.extract.corpus import (
    Decision,
    Group,
    Resolved,
    Table,
    Tally,
    Thing,
    add_definitions,
    add_first,
    definition_pairs,
    definitions_of,
    group_profiles,
    paper_entities,
    paper_groups,
    resolve_paper,
    thing_key,
)
from kg.extract.mentions import Mention
from kg.extract.pipeline import collector_paused
from kg.extract.records import Names, count_names, encode_entities, names_of
from kg.extract.resources import load_resources
from kg.model import Evidence, ExtractedEntity


class PaperRecord(msgspec.Struct, array_like=True, gc=False):
    """One paper as the last consolidation left it: its content hash, the things its groups name, the
    keys its groups without an identity of their own looked up in the acronym definitions, and its
    entities, kept encoded (`kg.extract.records.encode_entities`: as objects they took five times the
    memory, and an unchanged paper's are copied as bytes)."""

    key: str
    hash: str
    things: list[str]
    reads: list[str]
    entities: msgspec.Raw


class State(msgspec.Struct, gc=False):
    """What a consolidation leaves for the next build: the corpus's acronym definitions (acronym key ->
    long-form key -> how many groups define it so), its :class:`Tally`, a record per paper, in
    corpus order, and the names and aliases of all the papers' entities."""

    version: str
    definitions: dict[str, dict[str, int]]
    things: dict[str, Thing]
    votes: list[tuple[tuple[str, float], ...]]
    rows: list[tuple[float, ...]]
    papers: list[PaperRecord]
    names: Names


@dataclass(frozen=True)
class Consolidated:
    """Each paper's entities (corpus order; None: those of its record in ``state``, copied unchanged
    from the previous one), the state for the next build and how many papers were consolidated again
    (all of them unless the previous state was continued)."""

    entities: list[list[ExtractedEntity] | None]
    state: State
    redone: int


@dataclass
class Corpus:
    """The papers being consolidated (their keys, which are their order, content hashes and mentions),
    and the groups and thing keys of those grouped so far (by index)."""

    orders: list[str]
    hashes: list[str]
    mentions: Mapping[str, list[Mention]]  # by content hash
    groups: dict[int, list[Group]] = field(default_factory=dict)
    keys: dict[int, list[str]] = field(default_factory=dict)

    def group(self, indexes, definitions: dict[str, str]) -> None:
        """Group the papers at ``indexes`` and key their groups with ``definitions``."""
        weak_words = load_resources().word_list("weak_words")
        for i in indexes:
            if i not in self.groups:
                self.groups[i] = paper_groups(self.mentions[self.hashes[i]], weak_words)
            self.keys[i] = [thing_key(g, definitions) for g in self.groups[i]]


def consolidate_papers(keys: list[str], hashes: list[str], mentions: Mapping[str, list[Mention]], version: str,
                       previous: State | None = None, cached: Mapping[str, list[Mention]] | None = None
                       ) -> Consolidated:
    """Each paper's entities, equal to :func:`kg.extract.corpus.consolidate` of its mentions, the papers
    given by their ``keys`` and content ``hashes`` (``mentions``: theirs by content hash, read only for
    the papers consolidated again). Continues ``previous`` (a :class:`State` of extractor
    ``version``) when it can, ``cached`` giving the mentions of its papers that were removed or changed,
    by content hash. ``keys`` must be sorted (as `kg.sources.read_inputs` gives papers): a paper's key is
    its order in the corpus."""
    corpus = Corpus(keys, hashes, mentions)
    if any(a >= b for a, b in pairwise(keys)):
        raise ValueError("consolidate_papers needs papers sorted by key, each key once")
    with collector_paused():
        found = continued(corpus, version, previous, cached or {}) if previous is not None else None
        return found or consolidated(corpus, version)


def consolidated(corpus: Corpus, version: str) -> Consolidated:
    """Every paper of ``corpus`` consolidated (a full build)."""
    weak_words = load_resources().word_list("weak_words")
    corpus.groups = {i: paper_groups(corpus.mentions[h], weak_words) for i, h in enumerate(corpus.hashes)}
    seen: dict[str, dict[str, int]] = {}
    for groups in corpus.groups.values():
        add_definitions(seen, groups)
    everyone = range(len(corpus.orders))
    corpus.group(everyone, definitions_of(seen))
    tally = Tally()
    for i in everyone:
        tally.add_groups(corpus.orders[i], corpus.groups[i], corpus.keys[i])
    scorer = Scorer(load_classifier())
    decisions = {key: tally.decide(key) for key in tally.things}
    resolved = {i: resolve_paper(corpus.groups[i], corpus.keys[i], decisions) for i in everyone}
    profiles = dict(zip(everyone, group_profiles(list(resolved.values()))))
    for i in everyone:
        tally.add_rows(corpus.orders[i], resolved[i], profiles[i], scorer)
    entities = finish(corpus, tally, scorer, decisions, resolved, profiles)
    records = [paper_record(corpus, i, entities[i]) for i in everyone]
    names = names_of([record.entities for record in records])
    return Consolidated([entities[i] for i in everyone], state(version, seen, tally, records, names), len(records))


@dataclass
class Change:
    """How a corpus differs from the one a :class:`State` was made from: the unchanged papers' records
    (by index), the records of the papers removed or changed with their old groups and thing keys, and
    the indexes of the new or changed papers."""

    kept: dict[int, PaperRecord]
    gone: list[PaperRecord]
    gone_groups: list[list[Group]]
    gone_keys: list[list[str]]
    new: list[int]


def change(corpus: Corpus, previous: State, cached: Mapping[str, list[Mention]]) -> Change | None:
    """How ``corpus`` differs from ``previous``'s (None when the mentions of a paper removed or changed
    are not in ``cached``, or do not make the record the state has of it)."""
    records = {record.key: record for record in previous.papers}
    kept = {i: record for i, (order, content) in enumerate(zip(corpus.orders, corpus.hashes))
            if (record := records.get(order)) is not None and record.hash == content}
    unchanged = {record.key for record in kept.values()}
    gone = [record for record in previous.papers if record.key not in unchanged]
    gone_mentions = [cached.get(record.hash) for record in gone]
    if len(records) != len(previous.papers) or any(found is None for found in gone_mentions):
        return None
    weak_words = load_resources().word_list("weak_words")
    old_definitions = definitions_of(previous.definitions)
    gone_groups = [paper_groups(found, weak_words) for found in gone_mentions]
    gone_keys = [[thing_key(g, old_definitions) for g in groups] for groups in gone_groups]
    if any(sorted(set(keys)) != record.things for keys, record in zip(gone_keys, gone)):
        return None
    return Change(kept, gone, gone_groups, gone_keys, [i for i in range(len(corpus.orders)) if i not in kept])


def new_definitions(seen: dict[str, dict[str, int]], corpus: Corpus, change: Change) -> dict[str, str] | None:
    """Take the acronyms the removed or changed papers defined out of ``seen``, add the new papers'
    (grouped in ``corpus``) and return the definitions; None when one changed that an unchanged paper
    looks up (its groups would name other things)."""
    new_groups = [corpus.groups[i] for i in change.new]
    shorts = {short for groups in [*change.gone_groups, *new_groups] for short, _ in definition_pairs(groups)}
    before = {short: definition(seen, short) for short in shorts}
    for groups in change.gone_groups:
        add_definitions(seen, groups, -1)
    for groups in new_groups:
        add_definitions(seen, groups)
    changed = {short for short in shorts if definition(seen, short) != before[short]}
    if changed and any(not changed.isdisjoint(record.reads) for record in change.kept.values()):
        return None
    return definitions_of(seen)


def update_tally(tally: Tally, corpus: Corpus, change: Change, definitions: dict[str, str]) -> None:
    """Take the removed or changed papers' groups out of ``tally`` and add the new papers' (grouped and
    keyed in ``corpus``), back in corpus order."""
    lost = set()
    for record, groups, keys in zip(change.gone, change.gone_groups, change.gone_keys):
        lost |= tally.remove_groups(record.key, groups, keys)
    tally.drop({record.key for record in change.gone}, {key for keys in change.gone_keys for key in keys})
    for i in change.new:
        tally.add_groups(corpus.orders[i], corpus.groups[i], corpus.keys[i])
    find_firsts(corpus, change.kept, tally, lost & tally.things.keys(), definitions)
    tally.sort(touched_keys(corpus, change) & tally.things.keys())


def touched_keys(corpus: Corpus, change: Change) -> set[str]:
    """The things the removed, changed or new papers name."""
    return {key for keys in [*change.gone_keys, *(corpus.keys[i] for i in change.new)] for key in keys}


def continued(corpus: Corpus, version: str, previous: State, cached: Mapping[str, list[Mention]]
              ) -> Consolidated | None:
    """The consolidation of ``corpus`` continuing ``previous``, or None when it cannot be continued:
    another version, the mentions of a paper removed or changed not in ``cached`` (mentions by content
    hash), or a changed acronym definition that an unchanged paper looks up."""
    found = change(corpus, previous, cached) if previous.version == version else None
    if found is None:
        return None
    weak_words = load_resources().word_list("weak_words")
    for i in found.new:
        corpus.groups[i] = paper_groups(corpus.mentions[corpus.hashes[i]], weak_words)
    seen = {short: dict(longs) for short, longs in previous.definitions.items()}
    definitions = new_definitions(seen, corpus, found)
    if definitions is None:
        return None
    corpus.group(found.new, definitions)
    tally = Tally(previous.things, table(previous.votes), table(previous.rows))
    classes = load_classifier().type.classes
    touched = touched_keys(corpus, found)
    known = [key for key in touched if key in tally.things]
    old_decisions = {key: tally.decide(key) for key in known}
    old_learned = {key: tally.learned(key, old_decisions[key].type, classes) for key in known}
    update_tally(tally, corpus, found, definitions)
    known = [key for key in known if key in tally.things]
    decisions = Decisions(tally)
    changed = {key for key in known if effect(decisions[key]) != effect(old_decisions[key])}
    redo = named(found.kept, changed)
    corpus.group(redo, definitions)
    for key in changed:  # their rows are added again from every paper that names them
        thing = tally.things[key]
        thing.rows, thing.data_cues = [], 0
    scorer = Scorer(load_classifier())
    todo = sorted([*redo, *found.new])
    resolved = {i: resolve_paper(corpus.groups[i], corpus.keys[i], decisions) for i in todo}
    profiles = dict(zip(todo, group_profiles([resolved[i] for i in todo])))
    fresh = set(found.new)
    for i in todo:
        tally.add_rows(corpus.orders[i], resolved[i], profiles[i], scorer, None if i in fresh else changed)
    tally.sort((touched | changed) & tally.things.keys())
    relearned = {key for key in known if key not in changed
                 and tally.learned(key, decisions[key].type, classes) != old_learned[key]}
    more = [i for i in named(found.kept, relearned) if i not in resolved]
    corpus.group(more, definitions)
    for i in more:
        resolved[i] = resolve_paper(corpus.groups[i], corpus.keys[i], decisions)
    profiles.update(zip(more, group_profiles([resolved[i] for i in more])))
    entities = finish(corpus, tally, scorer, decisions, resolved, profiles)
    everyone = range(len(corpus.orders))
    records = [paper_record(corpus, i, entities[i]) if i in entities else found.kept[i] for i in everyone]
    names = changed_names(previous.names, found, {i: records[i] for i in entities})
    return Consolidated([entities.get(i) for i in everyone], state(version, seen, tally, records, names), len(entities))


def changed_names(names: Names, change: Change, redone: dict[int, PaperRecord]) -> Names:
    """``names`` (the previous state's) without the entities of the papers removed or changed, and those
    of the papers consolidated again (``redone``, by index) as they were and as they are now."""
    for record in change.gone:
        count_names(names, record.entities, -1)
    for i, record in redone.items():
        old = change.kept.get(i)
        if old is None or bytes(old.entities) != bytes(record.entities):
            if old is not None:
                count_names(names, old.entities, -1)
            count_names(names, record.entities)
    return names


def find_firsts(corpus: Corpus, kept: dict[int, PaperRecord], tally: Tally, keys: set[str],
                definitions: dict[str, str]) -> None:
    """Find again the first group and lexicon group of the things ``keys`` among the unchanged papers
    (``kept``), after their papers' groups were removed (:meth:`Tally.remove_groups`; new papers' groups
    were compared when added). A thing's votes list every group in corpus order, so the papers to
    regroup are the first unchanged ones it lists: one, unless it is a lexicon thing ("lex:" keys, the
    only ones with lexicon groups, :func:`thing_key`) whose first groups are not lexicon groups."""
    where = {order: i for i, order in enumerate(corpus.orders)}
    for key in keys:
        thing = tally.things[key]
        for order in dict.fromkeys(order for order, _ in thing.votes):
            i = where[order]
            if i not in kept:
                continue
            corpus.group([i], definitions)
            lexicon = False
            for index, (group, group_key) in enumerate(zip(corpus.groups[i], corpus.keys[i])):
                if group_key == key:
                    add_first(thing, order, index, group)
                    lexicon = lexicon or bool(group.canonical)
            if lexicon or not key.startswith("lex:"):
                break


def definition(seen: dict[str, dict[str, int]], short: str) -> str | None:
    """The long-form key acronym ``short`` resolves to (None: undefined, or defined differently)."""
    longs = seen.get(short)
    return next(iter(longs)) if longs is not None and len(longs) == 1 else None


def named(kept: dict[int, PaperRecord], keys: set[str]) -> list[int]:
    """Indexes of the papers kept (by index) that name one of the things ``keys``, in order."""
    if not keys:
        return []
    return sorted(i for i, record in kept.items() if not keys.isdisjoint(record.things))


class Decisions(dict):
    """The tally's decisions by thing key, each made when first asked for."""

    def __init__(self, tally: Tally):
        super().__init__()
        self.tally = tally

    def __missing__(self, key: str) -> Decision:
        found = self[key] = self.tally.decide(key)
        return found


def effect(decision: Decision) -> tuple[str, str, str]:
    """What of a :class:`Decision` reaches a paper's entities: name, type and how many papers name the
    thing as the classifier reads it (a bucket)."""
    return decision.name, decision.type, papers_read(decision.papers)


_PROBE = Group([Mention(Evidence("title", "x", 0, 1, "x"), (), (), None, None, False)])


@cache
def papers_read(papers: int) -> str:
    """How the classifier reads that ``papers`` papers name a thing (asked of it, not copied here)."""
    return candidate_profile(Resolved(_PROBE, "x", "x", "Method", False, papers, False)).papers


def finish(corpus: Corpus, tally: Tally, scorer: Scorer, decisions: dict[str, Decision],
           resolved: dict[int, list[Resolved]], profiles: dict) -> dict[int, list[ExtractedEntity]]:
    """The entities of the papers in ``resolved`` (their :class:`Profile` lists in ``profiles``)."""
    classes = scorer.models.type.classes
    keys = {key for i in resolved for key in corpus.keys[i]}
    learned = {key: found for key in keys if (found := tally.learned(key, decisions[key].type, classes)) is not None}
    return {i: paper_entities(resolved[i], profiles[i], learned, scorer) for i in sorted(resolved)}


def paper_record(corpus: Corpus, i: int, entities: list[ExtractedEntity]) -> PaperRecord:
    """The record of paper ``i`` with its ``entities``."""
    groups = corpus.groups[i]
    reads = sorted({key for g in groups if g.own_key is None for key in g.keys})
    kept = msgspec.Raw(encode_entities(entities))
    return PaperRecord(corpus.orders[i], corpus.hashes[i], sorted(set(corpus.keys[i])), reads, kept)


def table(values: list[tuple]) -> Table:
    """A :class:`Table` of ``values``."""
    return Table(values, {value: n for n, value in enumerate(values)})


def state(version: str, seen: dict[str, dict[str, int]], tally: Tally, records: list[PaperRecord],
          names: Names) -> State:
    """The :class:`State` of a consolidation."""
    return State(version, seen, tally.things, tally.votes.values, tally.rows.values, records, names)


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(State)


def encode_state(found: State) -> bytes:
    """``found`` as bytes (MessagePack): far smaller than its objects, which a build can then free."""
    return _ENCODER.encode(found)


class _RecordView(msgspec.Struct, array_like=True, gc=False):
    """A :class:`PaperRecord` with nothing decoded."""

    key: msgspec.Raw
    hash: msgspec.Raw
    things: msgspec.Raw
    reads: msgspec.Raw
    entities: msgspec.Raw


class _StateView(msgspec.Struct, gc=False):
    """The records of a :class:`State` (its other fields skipped)."""

    papers: list[_RecordView]


_VIEW = msgspec.msgpack.Decoder(_StateView)


def entities_in(encoded: bytes) -> list[msgspec.Raw]:
    """Each paper's encoded entities in an encoded :class:`State`, as views into ``encoded`` (no
    copies: the state's objects can be freed while the entities stay at hand)."""
    return [record.entities for record in _VIEW.decode(encoded).papers]


def load_state(path: Path, version: str) -> State | None:
    """The state at ``path`` when it was written by extractor ``version`` (else None: a missing or
    unreadable state only costs a full consolidation, never correctness)."""
    try:
        with collector_paused():
            found = _DECODER.decode(path.read_bytes())
    except (OSError, ValueError, msgspec.DecodeError):
        return None
    return found if found.version == version else None
