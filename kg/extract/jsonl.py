"""The JSON record of one paper's extraction (what ``kg extract --format jsonl`` prints and the
annotation scorer reads)."""

from __future__ import annotations

from kg.model import ExtractedEntity, PaperExtraction


def entity_record(entity: ExtractedEntity) -> dict:
    """``{"name", "type", "aliases", "role", "evidence", "confidence"}`` with the primary evidence."""
    primary = entity.evidence[0] if entity.evidence else None
    return {
        "name": entity.name,
        "type": entity.type,
        "aliases": list(entity.aliases),
        "role": entity.role,
        "evidence": None if primary is None else {
            "section": primary.section,
            "sentence": primary.sentence,
            "start": primary.start,
            "end": primary.end,
            "surface": primary.surface,
        },
        "confidence": entity.confidence,
    }


def extraction_record(extraction: PaperExtraction) -> dict:
    """``{"id", "title", "entities": [...]}`` for one paper."""
    return {
        "id": extraction.paper.id,
        "title": extraction.paper.title,
        "entities": [entity_record(e) for e in extraction.entities],
    }
