"""The W3C SPARQL 1.1 Protocol tests, every one, sent over HTTP to a live aikg server.

Each test's data graphs (ut:graphData) are loaded under their names first, through the
endpoint itself (SPARQL Update with the operator's token); the manifest's requests are then
sent as written, with ``/sparql/`` replaced by our endpoint's path.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pyoxigraph as ox
import pytest
from live_server import live_server, w3c_dir
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
TOKEN = "w3c-runner-token"
MANIFEST = w3c_dir() / "protocol" / "manifest.ttl"
RESULT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values")
RDF_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
             "application/rdf+xml": ox.RdfFormat.RDF_XML}


def _manifest() -> tuple[Graph, list[URIRef]]:
    graph = Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = next(graph.subjects(MF.entries, None))
    return graph, list(Collection(graph, graph.value(manifest, MF.entries)))


GRAPH, ENTRIES = _manifest()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> str:
    store = tmp_path_factory.mktemp("w3c-protocol") / "store"
    ox.Store(str(store)).flush()
    with live_server(store, token=TOKEN) as base:
        yield base + "/sparql"


def test_the_manifest_has_every_test() -> None:
    assert len(ENTRIES) == 34


@pytest.mark.parametrize("test", ENTRIES, ids=[str(t).rsplit("#", 1)[-1] for t in ENTRIES])
def test_protocol(endpoint: str, test: URIRef) -> None:
    with httpx.Client(timeout=60) as client:
        for data in GRAPH.objects(test, UT.graphData):
            _load(client, endpoint, GRAPH.value(data, UT.graph), str(GRAPH.value(data, RDFS.label)))
        action = GRAPH.value(test, MF.action)
        for request in Collection(GRAPH, GRAPH.value(action, HT.requests)):
            response = _send(client, endpoint, request)
            _check(response, GRAPH.value(request, HT.resp), str(GRAPH.value(test, MF.name)))


def _load(client: httpx.Client, endpoint: str, file: URIRef, name: str) -> None:
    path = Path(str(file).removeprefix("file://"))
    triples = path.read_text(encoding="utf-8")
    update = f"DROP SILENT GRAPH <{name}> ; INSERT DATA {{ GRAPH <{name}> {{ {triples} }} }}"
    response = client.post(endpoint, content=update.encode(), headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204, response.text


def _send(client: httpx.Client, endpoint: str, request: URIRef) -> httpx.Response:
    path = str(GRAPH.value(request, HT.absolutePath))
    assert path.startswith("/sparql/")
    url = endpoint + path[len("/sparql/"):]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    for header in Collection(GRAPH, GRAPH.value(request, HT.headers)) if GRAPH.value(request, HT.headers) else []:
        headers[str(GRAPH.value(header, HT.fieldName))] = str(GRAPH.value(header, HT.fieldValue))
    body = GRAPH.value(request, HT.body)
    content = None
    if body is not None:
        encoding = str(GRAPH.value(body, CNT.characterEncoding) or "UTF-8")
        content = str(GRAPH.value(body, CNT.chars)).encode(encoding)
    return client.request(str(GRAPH.value(request, HT.methodName)), url, content=content, headers=headers)


def _check(response: httpx.Response, expected: URIRef, name: str) -> None:
    statuses = set(GRAPH.objects(expected, MF.expectedStatus))
    klass = f"StatusCode{response.status_code // 100}xx"
    assert HTS[klass] in statuses, f"{name}: got {response.status_code} {response.text[:300]}"
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    expected_format = GRAPH.value(expected, MF.expectedFormat)
    if expected_format is not None:
        wanted = {"boolean": RESULT_TYPES[:2], "tabular": RESULT_TYPES, "RDF": tuple(RDF_TYPES)}[str(expected_format)]
        assert media_type in wanted, f"{name}: {media_type} is not one of {wanted}"
        if str(expected_format) == "RDF":
            list(ox.parse(response.content, format=RDF_TYPES[media_type]))
    boolean = GRAPH.value(expected, MF.expectedBoolean)
    if boolean is not None:
        assert _boolean(response, media_type) is boolean.toPython(), f"{name}: wrong boolean"


def _boolean(response: httpx.Response, media_type: str) -> bool:
    if media_type == "application/sparql-results+json":
        return json.loads(response.content)["boolean"]
    root = ET.fromstring(response.content)
    return root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"  # type: ignore[union-attr]


def test_the_base_of_an_update_is_the_endpoint(endpoint: str) -> None:
    # The manifest only checks that <test> became an IRI; ours resolves against the endpoint's URL.
    with httpx.Client() as client:
        client.post(endpoint, content=b"INSERT DATA { GRAPH <http://example.org/base> { <http://example.org/s> <http://example.org/p> <test> } }",
                    headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
        answer = client.get(endpoint, params={"query": "SELECT ?o { GRAPH <http://example.org/base> { ?s ?p ?o } }"})
    assert answer.json()["results"]["bindings"][0]["o"]["value"] == urljoin(endpoint, "test")
