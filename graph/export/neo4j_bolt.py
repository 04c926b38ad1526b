"""Load the property graph into a running Neo4j over Bolt with the official driver, in batched transactions."""

from __future__ import annotations

from collections.abc import Callable

import neo4j
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ConfigurationError, DriverError, Neo4jError, ServiceUnavailable

from graph.export.neo4j_cypher import BATCH_SIZE, SCHEMA_STATEMENTS, batches
from graph.export.neo4j_mapping import PropertyGraph


class BoltError(Exception):
    """Neo4j could not be reached, refused the credentials, or rejected a statement."""


def load_bolt(
    graph: PropertyGraph,
    uri: str,
    user: str,
    password: str,
    database: str | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """MERGE every node and relationship into ``database``; return the rows written.

    ``progress(done, total)`` is called after each batch. Re-running it changes nothing.
    """
    work = list(batches(graph, batch_size))
    total = sum(len(rows) for _, rows in work)
    try:
        driver = GraphDatabase.driver(uri, auth=(user, password))
    except (ValueError, ConfigurationError) as exc:
        raise BoltError(f"{uri}: {exc}") from exc
    done = 0
    try:
        driver.verify_connectivity()
        with driver.session(database=database) as session:
            for statement in SCHEMA_STATEMENTS:
                session.run(statement).consume()
            for statement, rows in work:
                session.execute_write(_run, statement, rows)
                done += len(rows)
                if progress:
                    progress(done, total)
    except AuthError as exc:
        raise BoltError(f"{uri}: authentication failed for user {user!r}") from exc
    except ServiceUnavailable as exc:
        raise BoltError(f"{uri}: cannot connect to Neo4j ({' '.join(str(exc).split())})") from exc
    except (Neo4jError, DriverError, OSError) as exc:
        raise BoltError(f"{uri}: {' '.join(str(exc).split())}") from exc
    finally:
        driver.close()
    return done


def _run(tx: neo4j.ManagedTransaction, statement: str, rows: list[dict]) -> None:
    tx.run(statement, rows=rows).consume()
