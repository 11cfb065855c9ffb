"""A paper's entities encoded (MessagePack), and the names and aliases a corpus's entities give each thing.

The consolidation keeps every paper's entities encoded in its state (:mod:`kg.extract.incremental`),
so a rebuild copies an unchanged paper's entities as bytes and never makes objects of them; the graph
writer takes the same bytes as the digest of a paper's entities (`kg.graph.build.paper_digest`), and
the names and aliases of every entity (`Names`, what the entity nodes' labels are made of) are kept
as a tally that a rebuild changes by the papers whose entities changed.

The encoding is canonical: equal entities, equal bytes, and the bytes give the entities back.
msgspec MessagePack, never pickle: a graph folder may come from elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from kg.model import Evidence, ExtractedEntity


class Spot(msgspec.Struct, array_like=True, gc=False):
    """An :class:`Evidence` with its sentence as an index into its paper's sentences."""

    section: str
    sentence: int
    start: int
    end: int
    surface: str


class EntityRecord(msgspec.Struct, array_like=True, gc=False):
    """An :class:`ExtractedEntity` (its evidence as :class:`Spot` s)."""

    name: str
    type: str
    role: str
    aliases: tuple[str, ...]
    confidence: float
    evidence: tuple[Spot, ...]
    reasons: tuple[str, ...]


class Entities(msgspec.Struct, array_like=True, gc=False):
    """A paper's entities with the sentences their evidence is in (so copying them needs no mentions)."""

    entities: list[EntityRecord]
    sentences: list[str]


class Named(msgspec.Struct, array_like=True, gc=False):
    """How many entities of a corpus have one type and name, and how many of those give each alias
    (an alias of the entity or a surface form of its evidence)."""

    count: int
    aliases: dict[str, int]


#: (type, name) as ``"Type:name"`` (a type has no colon) -> :class:`Named`
Names = dict[str, Named]

_ENCODER = msgspec.msgpack.Encoder()
_ENTITIES = msgspec.msgpack.Decoder(Entities)


def encode_entities(entities: Sequence[ExtractedEntity]) -> bytes:
    """``entities`` as MessagePack bytes (:class:`Entities`)."""
    sentences: dict[str, int] = {}
    records = [EntityRecord(e.name, e.type, e.role, e.aliases, e.confidence,
                            tuple(Spot(v.section, sentences.setdefault(v.sentence, len(sentences)), v.start, v.end,
                                       v.surface) for v in e.evidence), e.reasons) for e in entities]
    return _ENCODER.encode(Entities(records, list(sentences)))


def decode_entities(encoded: bytes, shared: dict) -> list[ExtractedEntity]:
    """The entities `encode_entities` encoded; equal names, reasons and the like are made one object
    through ``shared`` (for all papers: decoded, each would be its own, four times the memory)."""
    found = _ENTITIES.decode(encoded)
    sentences, share = found.sentences, shared.setdefault
    return [ExtractedEntity(share(e.name, e.name), share(e.type, e.type), share(e.role, e.role),
                            share(e.aliases, e.aliases), e.confidence,
                            tuple(Evidence(share(v.section, v.section), sentences[v.sentence], v.start, v.end,
                                           share(v.surface, v.surface)) for v in e.evidence),
                            share(e.reasons, e.reasons)) for e in found.entities]


def count_names(names: Names, encoded: bytes, sign: int = 1) -> None:
    """Add (``sign`` 1) or take out (-1) the entities `encode_entities` encoded in ``encoded`` to
    ``names``; an entry that drops to no entity is removed.

    >>> names: Names = {}
    >>> lora = ExtractedEntity("LoRA", "Method", "used", aliases=("LoRA adapters",))
    >>> count_names(names, encode_entities([lora, lora]))
    >>> names
    {'Method:LoRA': Named(count=2, aliases={'LoRA adapters': 2})}
    >>> count_names(names, encode_entities([lora]), -1); names
    {'Method:LoRA': Named(count=1, aliases={'LoRA adapters': 1})}
    >>> count_names(names, encode_entities([lora]), -1); names
    {}
    """
    for entity in _ENTITIES.decode(encoded).entities:
        key = f"{entity.type}:{entity.name}"
        named = names.get(key)
        if named is None:
            named = names[key] = Named(0, {})
        named.count += sign
        aliases = named.aliases
        for alias in {*entity.aliases, *(spot.surface for spot in entity.evidence)}:
            number = aliases.get(alias, 0) + sign
            if number:
                aliases[alias] = number
            else:
                del aliases[alias]
        if not named.count:
            del names[key]


def names_of(encoded: Sequence[bytes]) -> Names:
    """The :class:`Names` of the papers whose entities are ``encoded``."""
    names: Names = {}
    for paper in encoded:
        count_names(names, paper)
    return names
