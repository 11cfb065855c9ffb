"""The method-benchmark links `kg build` keeps for `kg shared` (`kg.analysis.shared.cached_evaluated_on`
with its defaults), carried from build to build instead of read from the whole store each time.

Beside the links a build keeps the papers that make each one and the label of every Method,
Model and Benchmark node (:class:`Kept`). Every link's triples are in its paper's chunk and every
label in its entity's chunk (`kg.graph.build`), so the next build reads only the chunks that differ
between the two chunk indexes, old text from the previous graph.ttl (checked against its fingerprint)
and new text from the new one, takes out what the old text says and adds what the new one says.
Without the previous links or either index, or when a chunk does not read as the graph writer
writes chunks, everything is read from the store.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from rdflib import Graph

from kg.analysis.shared import (
    BENCHMARK_TYPES,
    CACHE_FOLDER,
    METHOD_TYPES,
    Incidence,
    cache_file_name,
    link_papers,
    typed_labels,
)

if TYPE_CHECKING:
    from kg.graph.store import Span

#: what the build keeps: `kg shared`'s defaults
BY, ROLE = "benchmark", "proposed"
_SIDES = {f"kg:{name}": "method" for name in METHOD_TYPES} | {f"kg:{name}": "benchmark" for name in BENCHMARK_TYPES[BY]}


class Kept(msgspec.Struct, array_like=True):
    """Each link's papers (method IRI -> benchmark IRI -> paper IRIs) and each method's and
    benchmark's label (IRI -> label)."""

    papers: dict[str, dict[str, list[str]]]
    methods: dict[str, str]
    benchmarks: dict[str, str]

    def sorted(self) -> Kept:
        """The same, every mapping and list in order (so the same graph keeps the same bytes, whatever
        the build history)."""
        papers = {method: {benchmark: sorted(found) for benchmark, found in sorted(self.papers[method].items())}
                  for method in sorted(self.papers)}
        return Kept(papers, dict(sorted(self.methods.items())), dict(sorted(self.benchmarks.items())))

    def incidence(self) -> Incidence:
        """The links between labelled methods and benchmarks, as `kg.analysis.shared.evaluated_on` finds them."""
        links = [(method, benchmark, paper, True)
                 for method, benchmarks in self.papers.items() if method in self.methods
                 for benchmark, found in benchmarks.items() if benchmark in self.benchmarks for paper in found]
        return Incidence.from_links(links, self.methods | self.benchmarks)


_CODEC = (msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder(Kept))


def file_name() -> str:
    """The file of :class:`Kept`, named by the recipe of the links and this module's code."""
    recipe = cache_file_name(BY, ROLE).encode() + Path(__file__).read_bytes()
    return f"links-{hashlib.sha1(recipe).hexdigest()[:12]}.msgpack"


def counted(graph: Graph) -> Kept:
    """:class:`Kept` read from the store of ``graph``."""
    labels = typed_labels(graph, BY)
    papers: dict[str, dict[str, list[str]]] = {}
    for (method, benchmark), found in link_papers(graph, ROLE).items():
        papers.setdefault(method, {})[benchmark] = sorted(found)  # ROLE proposed: each paper proposes it
    return Kept(papers, labels["method"], labels["benchmark"])


def chunk_facts(text: bytes) -> tuple[str, set[str], set[str], str | None]:
    """What a chunk (`kg.graph.build.turtle_block` s, its key's block first) says for the links: its
    key's class (``kg:Paper``, ``kg:Method``...), the IRIs it proposes and is evaluated on, and its
    prefLabel. ValueError when it does not read so.

    >>> chunk_facts(b'<p> a kg:Paper ;\\n    kg:proposes <m> ;\\n    kg:evaluatedOn <b> .\\n<p/e> kg:entity <m> .\\n')
    ('kg:Paper', {'m'}, {'b'}, None)
    >>> chunk_facts(b'<m> a kg:Method ;\\n    skos:prefLabel "A \\\\"B\\\\"" .\\n')
    ('kg:Method', set(), set(), 'A "B"')
    """
    lines = text[:text.index(b" .\n") + 2].decode("utf-8").split("\n")
    head = lines[0].split(" ")
    if len(head) != 4 or head[1] != "a":
        raise ValueError(f"not a chunk: {lines[0][:80]!r}")
    proposed, evaluated, label = set(), set(), None
    for line in lines[1:]:
        predicate, _, value = line.strip().partition(" ")
        value = value[:-2]  # without " ;" or " ."
        if predicate == "kg:proposes":
            proposed.add(value.removeprefix("<").removesuffix(">"))
        elif predicate == "kg:evaluatedOn":
            evaluated.add(value.removeprefix("<").removesuffix(">"))
        elif predicate == "skos:prefLabel":
            label = json.loads(value)
    return head[2], proposed, evaluated, label


def apply(kept: Kept, key: str, text: bytes, sign: int) -> None:
    """Add (``sign`` 1) or take out (-1) what chunk ``text`` of ``key`` says to ``kept``."""
    kind, proposed, evaluated, label = chunk_facts(text)
    side = {"method": kept.methods, "benchmark": kept.benchmarks}.get(_SIDES.get(kind, ""))
    if side is not None and label is not None:
        if sign > 0:
            side[key] = label
        else:
            side.pop(key, None)
    for method in proposed:
        benchmarks = kept.papers.setdefault(method, {})
        for benchmark in evaluated:
            papers = benchmarks.setdefault(benchmark, [])
            if sign > 0:
                papers.append(key)
            elif key in papers:
                papers.remove(key)
            else:
                raise ValueError(f"{key} taken out of {method} -> {benchmark}, which it did not make")
            if not papers:
                del benchmarks[benchmark]
        if not benchmarks:
            del kept.papers[method]


def moved(kept: Kept, previous: Path, generation: Path, old: dict[str, Span], new: dict[str, Span]) -> Kept:
    """``kept`` of the graph of generation ``previous`` (chunk index ``old``) made that of ``generation``
    (index ``new``): old texts out, new texts in, for every chunk that differs. Old texts removed first,
    so a label that moved between keys lands where it is now. ValueError when a chunk does not check out."""
    from kg.graph.store import TURTLE, _checked_span

    keys = sorted(key for key in old.keys() | new.keys()
                  if key not in old or key not in new or old[key].fingerprint != new[key].fingerprint)
    with open(previous / TURTLE, "rb") as source:
        for key in keys:
            if key in old:
                apply(kept, key, _checked_span(source, old[key]), -1)
    with open(generation / TURTLE, "rb") as source:
        for key in keys:
            if key in new:
                apply(kept, key, _checked_span(source, new[key]), 1)
    return kept


def kept_evaluated_on(graph: Graph, generation: Path, previous: Path | None) -> Incidence:
    """``cached_evaluated_on(graph, generation)`` for the build that wrote ``generation`` (the
    generation before it: ``previous``), from the links kept by the previous build when it can;
    keeps them, and the incidence, in ``generation``."""
    from kg.graph.store import read_index

    found = None
    new = read_index(generation) if previous is not None else None
    old = read_index(previous) if new is not None else None
    if old is not None:
        try:
            kept = _CODEC[1].decode((previous / CACHE_FOLDER / file_name()).read_bytes())
            found = moved(kept, previous, generation, old, new)
        except (OSError, ValueError, msgspec.DecodeError):  # DecodeError is a ValueError too
            found = None
    if found is None:
        found = counted(graph)
    folder = generation / CACHE_FOLDER
    folder.mkdir(exist_ok=True)
    (folder / file_name()).write_bytes(_CODEC[0].encode(found.sorted()))
    incidence = found.incidence()
    incidence.save(folder / cache_file_name(BY, ROLE))
    return incidence
