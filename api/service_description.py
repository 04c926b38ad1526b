"""The SPARQL 1.1 Service Description: what ``GET /sparql`` without a query returns to an RDF client."""

from __future__ import annotations

import pyoxigraph as ox

from api.negotiation import GRAPH, RESULTS

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# The W3C names of the formats we write, for sd:resultFormat.
_FORMAT_NAMES = {
    "application/sparql-results+json": "SPARQL_Results_JSON", "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV", "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle", "application/n-triples": "N-Triples", "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML", "application/trig": "TriG", "application/n-quads": "N-Quads",
}


def describe(endpoint: str, updates: bool) -> list[ox.Triple]:
    """The endpoint's description: languages, result formats, and the union default graph."""
    service = ox.BlankNode()
    dataset = ox.BlankNode()

    def sd(term: str) -> ox.NamedNode:
        return ox.NamedNode(SD + term)

    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
    ]
    if updates:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    for fmt in (*RESULTS, *GRAPH):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + _FORMAT_NAMES[fmt.media_type])))
    return triples
