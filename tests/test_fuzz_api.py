"""Fuzzing the service through its own OpenAPI document: every endpoint, generated requests, a real server.

No answer may be a 5xx, and every answer must match what the document promises (status
code, content type, JSON schema). Endpoints added later are covered as soon as they are in
the document. This is the short form that runs in the suite; ``AIKG_FUZZ_EXAMPLES`` raises
the number of requests per endpoint for a longer run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_server import live_server
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api.app import create_app
from graph.build import build_store

EXAMPLES = int(os.environ.get("AIKG_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store: Path = tmp_path_factory.mktemp("fuzz") / "store"
    build_store(store=store)[0].close()
    # A token is set so the writing operations run too; the fuzzer does not know it, so
    # every write must be refused cleanly. Generous limits: the fuzzer is one client.
    with live_server(store, token="fuzz-secret", deadline="5", max_per_client="0") as url:
        yield url


@schemathesis.serializer("application/sparql-query", "application/sparql-update", "application/n-triples", "text/turtle",
                         "application/n-quads", "application/trig")
def _text_body(ctx: object, value: object) -> bytes:
    """SPARQL and RDF bodies are plain text; the fuzzer's strings (or anything else) go as UTF-8."""
    return (value if isinstance(value, str) else str(value)).encode("utf-8", "surrogatepass")


# The document is read from the app itself at collection time; the requests go to the live server.
schema = schemathesis.openapi.from_dict(create_app(":memory:").openapi())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case: schemathesis.Case, server: str) -> None:
    case.call_and_validate(
        base_url=server,
        timeout=30,
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )



@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_with_the_token_gets_a_server_error(case: schemathesis.Case, server: str) -> None:
    # With the token, generated updates reach the engine too (and may empty the graph: that is allowed).
    case.call_and_validate(
        base_url=server,
        timeout=30,
        headers={"Authorization": "Bearer fuzz-secret"},
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )

SPARQL_WORDS = st.sampled_from([
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FILTER", "OPTIONAL", "UNION", "GRAPH", "VALUES", "BIND",
    "LIMIT", "OFFSET", "ORDER BY", "GROUP BY", "COUNT(*)", "*", "{", "}", "(", ")", ".", ";", ",", "?s", "?p", "?o",
    "id:xai", "aik:FundingRound", "rdfs:label", "<urn:x>", "<https://w3id.org/aikg/id/xai>", '"x"', "'y'@en", "1",
    "-2.5e3", "a", "#", "\n", "PREFIX x: <urn:x#>", "BASE <urn:b/>", "\\", '"', "<", "\u202e", "é", "\x00",
])


@settings(max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))
@given(words=st.lists(SPARQL_WORDS, max_size=25), accept=st.sampled_from([
    "application/sparql-results+json", "text/csv", "application/sparql-results+xml", "text/turtle", "*/*",
    "text/html", "image/png", "", "application/json;q=0.5, text/csv;q=x",
]))
def test_any_query_text_gets_a_clear_answer(server: str, words: list[str], accept: str) -> None:
    query = " ".join(words)
    for answer in (
        httpx.get(server + "/sparql", params={"query": query}, headers={"Accept": accept}, timeout=30),
        httpx.post(server + "/sparql", content=query.encode("utf-8", "surrogatepass"),
                   headers={"Accept": accept, "Content-Type": "application/sparql-query"}, timeout=30),
    ):
        assert answer.status_code in (200, 400, 406, 413), (query, accept, answer.status_code, answer.text)
        if answer.status_code != 200:
            assert answer.text.strip() and "Traceback" not in answer.text


UPDATE_WORDS = st.one_of(SPARQL_WORDS, st.sampled_from([
    "INSERT DATA", "DELETE DATA", "DELETE WHERE", "INSERT", "DELETE", "WITH <urn:g>", "USING <urn:g>", "DROP",
    "CLEAR", "CREATE", "ADD", "MOVE", "COPY", "SILENT", "ALL", "DEFAULT", "NAMED", "TO", "GRAPH <urn:g>", "LOAD",
    "{ <urn:a> <urn:b> 'c' }", "{ GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }",
]))


@settings(max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))
@given(words=st.lists(UPDATE_WORDS, max_size=20))
def test_any_update_text_gets_a_clear_answer(server: str, words: list[str]) -> None:
    update = " ".join(words)
    answer = httpx.post(server + "/sparql", content=update.encode("utf-8", "surrogatepass"), timeout=30,
                        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer fuzz-secret"})
    assert answer.status_code in (204, 400, 413), (update, answer.status_code, answer.text)
    if answer.status_code != 204:
        assert answer.text.strip() and "Traceback" not in answer.text
    assert httpx.get(server + "/health", timeout=30).json()["status"] == "ok"
