"""The SPARQL endpoint as clients see it: media types, errors, updates, the guard, deadlines, limits."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from live_server import live_server
from loopback import Listener
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

TOKEN = "s3cret-token"
SRC = "https://w3id.org/aikg/source/test-article"
FACTS = f"""
@prefix aik: <https://w3id.org/aikg/ontology#> .
@prefix id: <https://w3id.org/aikg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{SRC}> {{
  id:round-1 a aik:FundingRound ; aik:recipient id:xai ; aik:leadInvestor id:valor-equity-partners ;
             aik:amountUSD 12000000000.0 ; rdfs:label "xAI debt round"@en .
  id:xai rdfs:label "xAI"@en .
}}
"""
# 100^4 rows to count: far longer than the test deadline of 2 s.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(100))} }}" for i in range(4)) + " }"
FUNDED = "ASK { GRAPH aik:derived { id:xai aik:fundedBy id:spacex } }"


def _store(root: Path) -> Path:
    path = root / "store"
    store = ox.Store(str(path))
    store.load(FACTS.encode(), ox.RdfFormat.TRIG)
    store.flush()
    del store
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("sparql")
    with live_server(_store(root), token=TOKEN, deadline="2", max_body="20000", max_result="100000") as url:
        yield url


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("sparql-ro")
    with live_server(_store(root)) as url:
        yield url


SELECT = "SELECT ?amount WHERE { ?r a aik:FundingRound ; aik:amountUSD ?amount }"


@pytest.mark.parametrize(("accept", "media_type"), [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/*;q=0.2, application/json;q=0.1", "text/csv"),
])
def test_select_results_in_each_media_type(base: str, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(base + "/sparql", params={"query": SELECT}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    if media_type.endswith("json"):
        assert response.json()["results"]["bindings"][0]["amount"]["value"].startswith("12000000000")
    elif media_type.endswith("xml"):
        literal = ET.fromstring(response.content).find(".//{http://www.w3.org/2005/sparql-results#}literal")
        assert literal is not None and literal.text.startswith("12000000000")
    elif media_type == "text/csv":
        assert list(csv.reader(io.StringIO(response.text)))[1][0].startswith("12000000000")
    else:
        assert response.text.splitlines()[0] == "?amount"


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/trig", ox.RdfFormat.TRIG), ("application/n-quads", ox.RdfFormat.N_QUADS),
])
def test_construct_in_each_rdf_format(base: str, accept: str, fmt: ox.RdfFormat) -> None:
    query = "CONSTRUCT { ?r aik:recipient ?who } WHERE { ?r aik:recipient ?who }"
    response = httpx.post(base + "/sparql", data={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    parsed = list(ox.parse(response.content, format=fmt))
    assert [str(t.object) for t in parsed] == ["<https://w3id.org/aikg/id/xai>"]


def test_ask_in_json_and_xml_only(base: str) -> None:
    query = "ASK { id:xai ?p ?o }"
    assert httpx.get(base + "/sparql", params={"query": query}).json()["boolean"] is True
    xml = httpx.get(base + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"})
    assert b"<boolean>true</boolean>" in xml.content
    # CSV cannot carry a boolean: a client that takes nothing else is told so.
    csv_only = httpx.get(base + "/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert csv_only.status_code == 406 and "application/sparql-results+json" in csv_only.text
    csv_first = httpx.get(base + "/sparql", params={"query": query}, headers={"Accept": "text/csv, */*;q=0.1"})
    assert csv_first.headers["content-type"].startswith("application/sparql-results+json")


def test_sparqlwrapper_reads_select_and_construct(base: str) -> None:
    client = SPARQLWrapper(base + "/sparql")
    client.setQuery("PREFIX aik: <https://w3id.org/aikg/ontology#> " + SELECT)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert rows[0]["amount"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"
    client.setQuery("CONSTRUCT WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }")
    client.setReturnFormat(TURTLE)
    assert b"xAI debt round" in client.queryAndConvert()


def test_syntax_errors_point_at_the_users_text_not_our_prefixes(base: str) -> None:
    response = httpx.get(base + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "SPARQL syntax error: error at 1:25" in response.text


@pytest.mark.parametrize(("method", "kwargs", "status", "message"), [
    ("GET", {"params": {"query": "SELECT * WHERE {"}}, 400, "syntax error"),
    ("GET", {"params": {"query": ["ASK {}", "ASK {}"]}}, 400, "query is given 2 times"),
    ("GET", {"headers": {"Accept": "application/sparql-results+json"}}, 400, "missing parameter query"),
    ("GET", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406, "image/png"),
    ("POST", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "Content-Type text/plain"),
    ("POST", {"content": b"ASK {}"}, 415, "Content-Type none"),
    ("POST", {"content": "ASK {}".encode("utf-16"),
              "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415, "charset=utf-16"),
    ("PUT", {"params": {"query": "ASK {}"}}, 405, "use GET or POST"),
    ("GET", {"params": {"update": "CLEAR ALL"}}, 405, "update must be sent with POST"),
    ("POST", {"content": b"x" * 30000, "headers": {"Content-Type": "application/sparql-query"}}, 413, "20,000"),
])
def test_protocol_errors_name_the_problem(base: str, method: str, kwargs: dict, status: int, message: str) -> None:
    response = httpx.request(method, base + "/sparql", **kwargs)
    assert response.status_code == status, response.text
    assert message in response.text


def test_updates_need_the_token(base: str, read_only: str) -> None:
    update = {"update": "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"}
    assert httpx.post(read_only + "/sparql", data=update).status_code == 403
    missing = httpx.post(base + "/sparql", data=update)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(base + "/sparql", data=update, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "wrong" in wrong.text
    asked = httpx.get(base + "/sparql", params={"query": "ASK { GRAPH <urn:x> { ?s ?p ?o } }"})
    assert asked.json()["boolean"] is False


def test_an_update_is_applied_and_rederives_the_shortcut_edges(base: str) -> None:
    assert httpx.get(base + "/sparql", params={"query": FUNDED}).json()["boolean"] is False
    update = """INSERT DATA { GRAPH <https://w3id.org/aikg/source/test-update> {
        id:round-2 a aik:FundingRound ; aik:recipient id:xai ; aik:investor id:spacex } }"""
    response = httpx.post(base + "/sparql", content=update.encode(), headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204, response.text
    assert httpx.get(base + "/sparql", params={"query": FUNDED}).json()["boolean"] is True


@pytest.mark.parametrize(("template", "rule"), [
    ("SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}", "SERVICE"),
    ("PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE SILENT e:sparql {{ ?s ?p ?o }} }}", "SERVICE"),
    ("SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}", "FROM"),
    ("SELECT * FROM NAMED <file:///etc/passwd> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM NAMED"),
])
def test_the_guard_refuses_requests_on_a_callers_behalf(base: str, template: str, rule: str) -> None:
    listener = Listener()
    try:
        response = httpx.get(base + "/sparql", params={"query": template.format(port=listener.port)})
        time.sleep(0.3)
    finally:
        listener.close()
    assert response.status_code == 400
    assert response.text.startswith(rule) and "refused" in response.text
    assert listener.connections == 0


def test_load_is_refused_even_with_the_token(base: str) -> None:
    listener = Listener()
    try:
        response = httpx.post(base + "/sparql", data={"update": f"LOAD <http://127.0.0.1:{listener.port}/x.ttl>"},
                              headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        listener.close()
    assert response.status_code == 400 and "LOAD" in response.text
    assert listener.connections == 0


def test_from_a_graph_in_the_store_is_a_dataset(base: str) -> None:
    query = f"SELECT ?r FROM <{SRC}> WHERE {{ ?r a aik:FundingRound }}"
    rows = httpx.get(base + "/sparql", params={"query": query}).json()["results"]["bindings"]
    assert [r["r"]["value"] for r in rows] == ["https://w3id.org/aikg/id/round-1"]
    empty = "SELECT ?r FROM <urn:nothing-here> WHERE { ?r ?p ?o }"
    assert httpx.get(base + "/sparql", params={"query": empty}).status_code == 400


def test_a_query_past_its_deadline_is_stopped_while_others_are_answered(base: str) -> None:
    with ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        slow = pool.submit(httpx.get, base + "/sparql", params={"query": SLOW}, timeout=60)
        time.sleep(0.5)
        quick = httpx.get(base + "/sparql", params={"query": "ASK { id:xai ?p ?o }"}, timeout=10)
        assert quick.status_code == 200 and quick.json()["boolean"] is True
        # Neither the liveness check nor the REST API waits for the runaway query.
        assert httpx.get(base + "/health", timeout=5).json()["status"] == "ok"
        rounds = httpx.get(base + "/funding", params={"recipient": "xai"}, timeout=10)
        assert rounds.status_code == 200, rounds.text
        assert rounds.json()["count"] >= 1
        assert not slow.done()
        stopped = slow.result()
    assert stopped.status_code == 503
    assert "deadline of 2 s" in stopped.text
    assert time.monotonic() - started < 15
    assert httpx.get(base + "/health").json()["status"] == "ok"


def test_a_result_over_the_limit_is_refused_clearly(base: str) -> None:
    big = "SELECT * WHERE { " + " ".join(
        f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(50))} }}" for i in range(3)) + " }"
    response = httpx.get(base + "/sparql", params={"query": big})
    assert response.status_code == 413
    assert "100,000 bytes" in response.text and "LIMIT" in response.text


def test_the_query_page_works_offline(base: str) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = httpx.get(base + "/sparql", headers={"Accept": browser})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for title in ("Money into xAI, by instrument", "Colossus GPU counts over time",
                  "Everything one source reported", "Paths between two people"):
        assert title in page.text
    assert "http://" not in page.text.split("<script id=\"settings\"")[0].replace("http://www.w3.org", "")
    for asset in ("/static/query.js", "/static/query.css"):
        served = httpx.get(base + asset)
        assert served.status_code == 200 and "https://" not in served.text
    # Every example runs.
    settings = json.loads(page.text.split('type="application/json">')[1].split("</script>")[0])
    for title, query in settings["examples"].items():
        assert httpx.post(base + "/sparql", data={"query": query}).status_code == 200, title


def test_an_operator_allow_list_lets_service_through(tmp_path: Path) -> None:
    listener = Listener()
    try:
        with live_server(_store(tmp_path), allow=f"http://127.0.0.1:{listener.port}/") as url:
            query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
            response = httpx.get(url + "/sparql", params={"query": query}, timeout=30)
            time.sleep(0.3)
    finally:
        listener.close()
    # Our listener hangs up without answering, so the query fails, but it was sent.
    assert listener.connections == 1
    assert response.status_code == 503


def test_without_a_query_an_rdf_client_gets_the_service_description(base: str, read_only: str) -> None:
    sd = "http://www.w3.org/ns/sparql-service-description#"
    described = httpx.get(base + "/sparql", headers={"Accept": "text/turtle"})
    triples = list(ox.parse(described.content, format=ox.RdfFormat.TURTLE))
    assert ox.NamedNode(base + "/sparql") in {t.object for t in triples if t.predicate.value == sd + "endpoint"}
    languages = {t.object.value for t in triples if t.predicate.value == sd + "supportedLanguage"}
    assert languages == {sd + "SPARQL11Query", sd + "SPARQL11Update"}
    read_only_languages = {t.object.value for t in ox.parse(httpx.get(read_only + "/sparql").content,
                                                             format=ox.RdfFormat.TURTLE)
                           if t.predicate.value == sd + "supportedLanguage"}
    assert read_only_languages == {sd + "SPARQL11Query"}
