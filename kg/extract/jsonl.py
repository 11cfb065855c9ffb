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


def explained_entity_record(entity: ExtractedEntity) -> dict:
    """:func:`entity_record` plus the reasons and every mention's evidence."""
    record = entity_record(entity)
    record["reasons"] = list(entity.reasons)
    record["mentions"] = [
        {"section": ev.section, "start": ev.start, "end": ev.end, "surface": ev.surface, "sentence": ev.sentence}
        for ev in entity.evidence
    ]
    return record


def explained_record(extraction: PaperExtraction) -> dict:
    """:func:`extraction_record` with :func:`explained_entity_record` entities."""
    record = extraction_record(extraction)
    record["entities"] = [explained_entity_record(e) for e in extraction.entities]
    return record
