"""The project's RDF vocabulary (defined in ``ontology/kg.ttl``) and where the ontology files live."""

from __future__ import annotations

from pathlib import Path

from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Namespace

KG = Namespace("https://w3id.org/mlkg/ns#")
SCHEMA = Namespace("https://schema.org/")
MLS = Namespace("http://www.w3.org/ns/mls#")
DEFAULT_BASE_IRI = "https://w3id.org/mlkg/id/"

PREFIXES = {
    "kg": KG,
    "schema": SCHEMA,
    "mls": MLS,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
}

#: entity type name -> class IRI
TYPE_CLASS = {name: KG[name] for name in ("Method", "Model", "Dataset", "Benchmark", "Metric", "Task")}
CLASS_TYPE = {iri: name for name, iri in TYPE_CLASS.items()}

#: the paper -> entity properties; all are sub-properties of kg:mentions
RELATIONS = (KG.proposes, KG.uses, KG.evaluatedOn, KG.reportsMetric, KG.addressesTask)


def relation_for(role: str, entity_type: str):
    """The paper -> entity property for an extractor role and entity type.

    >>> relation_for("proposed", "Method") == KG.proposes
    True
    >>> relation_for("used", "Metric") == KG.reportsMetric
    True
    """
    if role == "proposed":
        return KG.proposes
    if role == "evaluated_on":
        return KG.evaluatedOn
    if entity_type == "Metric":
        return KG.reportsMetric
    if entity_type == "Task":
        return KG.addressesTask
    return KG.uses


def role_for(relation) -> str:
    """The extractor role a paper -> entity property stands for (inverse of ``relation_for``)."""
    if relation == KG.proposes:
        return "proposed"
    if relation == KG.evaluatedOn:
        return "evaluated_on"
    return "used"


def ontology_dir() -> Path:
    """The ``ontology/`` folder: inside the installed wheel, or at the repository root."""
    packaged = Path(__file__).parent / "_ontology"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "ontology"
