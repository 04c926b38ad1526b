"""Exports of the graph: RDF dumps, Neo4j, GraphML."""
