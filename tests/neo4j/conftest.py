"""Fixtures for the Neo4j tests: a real Neo4j 5 Community, built and started by neo4j_fixtures."""

from neo4j_fixtures import _session_driver, neo4j_db, neo4j_server  # noqa: F401
