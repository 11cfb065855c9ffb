"""SHACL validation of a built graph against ontology/shapes.ttl (with kg.ttl as the ontology)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import Graph

from kg.errors import KGError
from kg.graph.store import open_store
from kg.vocab import PREFIXES, ontology_dir

_RESULTS_QUERY = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?focus ?path ?inverse ?message ?severity ?value WHERE {
    ?result a sh:ValidationResult ; sh:focusNode ?focus ; sh:resultSeverity ?severity .
    OPTIONAL { ?result sh:resultPath ?path OPTIONAL { ?path sh:inversePath ?inverse } }
    OPTIONAL { ?result sh:resultMessage ?message }
    OPTIONAL { ?result sh:value ?value }
}
"""


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result: which node, which property, what is wrong."""

    focus: str
    path: str
    message: str
    severity: str = "Violation"
    value: str = ""

    def line(self) -> str:
        """One readable line: ``<focus> <path>: message (value)``."""
        where = f"{self.focus} {self.path}".rstrip()
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {where}: {self.message}{value}"


@dataclass
class ValidationReport:
    """Whether the graph conforms, and every violation, sorted."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)


def load_shapes() -> tuple[Graph, Graph]:
    """The SHACL shapes graph and the ontology graph shipped in ontology/."""
    folder = ontology_dir()
    return Graph().parse(folder / "shapes.ttl"), Graph().parse(folder / "kg.ttl")


def validate(graph_dir: Path) -> ValidationReport:
    """Validate the graph that ``kg build`` wrote in ``graph_dir``.

    pyshacl runs on the Oxigraph store itself (its SPARQL constraints then run in Oxigraph), which
    is much faster than going through rdflib.
    """
    return validate_graph(open_store(graph_dir))


def validate_graph(graph: Graph | ox.Store) -> ValidationReport:
    """Validate an rdflib graph or a pyoxigraph store against the shipped shapes and ontology."""
    shapes, ontology = load_shapes()
    conforms, results, text = pyshacl.validate(
        graph, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=False
    )
    if not isinstance(results, Graph):
        raise KGError(f"cannot validate: {text.strip()}")
    for prefix, namespace in PREFIXES.items():
        results.bind(prefix, namespace)
    violations = sorted(
        Violation(
            focus=_short(results, row.focus),
            path=_path(results, row.path, row.inverse),
            message=str(row.message) if row.message is not None else "constraint violated",
            severity=_short(results, row.severity).removeprefix("sh:"),
            value=_short(results, row.value) if row.value not in (None, row.focus) else "",
        )
        for row in results.query(_RESULTS_QUERY)
    )
    return ValidationReport(conforms=bool(conforms), violations=violations)


def _path(graph: Graph, path, inverse) -> str:
    """A result path in SPARQL property-path syntax: ``kg:source`` or ``^kg:source``."""
    if inverse is not None:
        return "^" + _short(graph, inverse)
    return _short(graph, path) if path is not None else ""


def _short(graph: Graph, term) -> str:
    """A term as the user reads it: a prefixed name where a prefix fits, else its N3 form."""
    return term.n3(graph.namespace_manager)
