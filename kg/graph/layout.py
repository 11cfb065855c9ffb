"""Names of the files and folders of a graph folder (see `kg.graph.store`), and which generation is
current: no RDF library needed, so a command answered from a generation's caches starts fast."""

from __future__ import annotations

from pathlib import Path

STORE = "store"
TURTLE = "graph.ttl"
REJECTS = "rejects.jsonl"
MANIFEST = "build.json"
INDEX = "chunks.tsv"
CURRENT = ".current"
GENERATION_PREFIX = ".gen-"


def current_generation(graph_dir: Path) -> Path | None:
    """The generation folder ``graph_dir``'s store is in now (resolved once, so what is read next and
    anything kept beside it belong to the same build); None for a store outside a generation."""
    folder = (Path(graph_dir) / STORE).resolve().parent
    return folder if folder.name.startswith(GENERATION_PREFIX) else None
