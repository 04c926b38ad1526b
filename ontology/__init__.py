"""The aikg vocabulary: namespaces, and the paths of the OWL, SHACL and rule files that ship here."""

from __future__ import annotations

from pathlib import Path

from rdflib import Namespace

HERE = Path(__file__).resolve().parent

AIK = Namespace("https://w3id.org/aikg/ontology#")
ID = Namespace("https://w3id.org/aikg/id/")
SOURCE = Namespace("https://w3id.org/aikg/source/")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")

ONTOLOGY_IRI = "https://w3id.org/aikg/ontology"
"""The named graph that holds the ontology itself inside a built store."""
DERIVED_GRAPH = str(AIK.derived)
"""The named graph that holds the shortcut edges and inferred types derived by the rules."""

ONTOLOGY_FILE = HERE / "aikg.ttl"
SHAPES_FILE = HERE / "shapes.ttl"
RULES_DIR = HERE / "rules"

PREFIXES: dict[str, str] = {
    "aik": str(AIK),
    "id": str(ID),
    "src": str(SOURCE),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""Prefixes every query may use without declaring them (the query page shows them too)."""


def sparql_prologue() -> str:
    """The PREFIX lines for :data:`PREFIXES`, to put before a query that uses them."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def rule_files() -> list[Path]:
    """The derivation rules (SPARQL CONSTRUCT), in the order they run."""
    return sorted(RULES_DIR.glob("*.rq"))
