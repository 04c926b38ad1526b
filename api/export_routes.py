"""Neo4j downloads: the Cypher script and the neo4j-admin CSV files of the whole graph."""

from __future__ import annotations

import io

from fastapi import APIRouter, Request, Response

from api.reading import read
from graph.export.neo4j_csv import csv_zip
from graph.export.neo4j_cypher import write_cypher
from graph.export.neo4j_mapping import property_graph
from graph.store import Store

router = APIRouter(tags=["export"])


@router.get(
    "/export/neo4j.cypher",
    summary="The graph as a Cypher script for cypher-shell -f",
    response_class=Response,
    responses={200: {"content": {"application/x-cypher-query": {"example": "CREATE CONSTRAINT resource_uri IF NOT EXISTS ..."}}}},
)
async def neo4j_cypher(request: Request) -> Response:
    """Constraints, then idempotent batched MERGE statements: safe to run on an existing database."""
    body = await read(request, cypher_script)
    return Response(body, media_type="application/x-cypher-query; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="aikg.cypher"'})


@router.get(
    "/export/neo4j-csv.zip",
    summary="The graph as neo4j-admin import CSV files",
    response_class=Response,
    responses={200: {"content": {"application/zip": {
        "schema": {"type": "string", "format": "binary"},
        "example": "a zip archive: nodes-000.csv, ..., relationships-000.csv, ..., import-command.txt",
    }}}},
)
async def neo4j_csv(request: Request) -> Response:
    """Node and relationship CSV files with neo4j-admin headers, and import-command.txt with the command."""
    body = await read(request, csv_archive)
    return Response(body, media_type="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="aikg-neo4j-csv.zip"'})


def cypher_script(store: Store) -> bytes:
    """The Cypher script of the whole store, UTF-8."""
    out = io.StringIO()
    write_cypher(property_graph(store), out)
    return out.getvalue().encode("utf-8")


def csv_archive(store: Store) -> bytes:
    """The neo4j-admin CSV files of the whole store, zipped."""
    return csv_zip(property_graph(store))
