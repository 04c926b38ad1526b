"""Hostile names come through every format intact and inert.

A company whose name holds quotes, angle brackets, a backslash, a newline, right-to-left
text and a closing script tag is built from a fact file and read back through SPARQL results
(JSON, XML, CSV, TSV), Turtle, the REST API and the HTML pages. Each format must give back
exactly the name, and no page may run it. (The Neo4j exports have their own test in
tests/neo4j/test_hostile_names.py.)
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pyoxigraph as ox
import pytest
from live_server import live_server

from graph.build import build_store

HOSTILE = 'Evil "Q" <b>x</b> \\ back\nnew line \u202eRTL\u202c & \'s </script><script>alert(1)</script>'
HOSTILE_JA = "شركة \u05e2\u05d1\u05e8\u05d9\u05ea 「悪」 <i>"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LABEL_QUERY = 'SELECT ?name WHERE { id:hostile-co rdfs:label ?name FILTER(LANG(?name) = "en") }'


def _fact_file() -> str:
    name = json.dumps(HOSTILE)  # a JSON string is a valid YAML double-quoted scalar
    return f"""
source:
  slug: hostile-2025-01-names
  headline: {name}
  publisher: hostile-news
  language: en
  published: 2025-01-02
entities:
  - {{slug: hostile-co, class: Company, name: {{en: {name}, ja: {json.dumps(HOSTILE_JA)}}}, aliases: [{name}]}}
  - {{slug: hostile-news, class: MediaOrganization, name: {{en: Hostile News}}}}
relations:
  - {{subject: hostile-co, predicate: locatedIn, object: memphis}}
events:
  - id: hostile-round-2025
    type: FundingRound
    recipient: hostile-co
    investors: [nvidia]
    amount_usd: 1
    status: Reported
    date: 2025-01
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("escaping")
    (root / "facts").mkdir()
    (root / "facts" / "hostile.yaml").write_text(_fact_file(), encoding="utf-8")
    build_store([root / "facts"], store=root / "store")[0].close()
    with live_server(root / "store", workers="1") as url:
        yield url


def _sparql(base: str, accept: str, query: str = LABEL_QUERY) -> httpx.Response:
    answer = httpx.get(base + "/sparql", params={"query": query}, headers={"Accept": accept})
    assert answer.status_code == 200, answer.text
    return answer


def test_sparql_json_results_give_the_name_back(base: str) -> None:
    rows = _sparql(base, "application/sparql-results+json").json()["results"]["bindings"]
    assert [r["name"]["value"] for r in rows] == [HOSTILE]


def test_sparql_xml_results_give_the_name_back(base: str) -> None:
    root = ET.fromstring(_sparql(base, "application/sparql-results+xml").content)
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [lit.text for lit in root.iterfind(".//r:literal", ns)] == [HOSTILE]


def test_sparql_csv_results_give_the_name_back(base: str) -> None:
    rows = list(csv.reader(io.StringIO(_sparql(base, "text/csv").content.decode("utf-8"), newline="")))
    assert rows == [["name"], [HOSTILE]]


def test_sparql_tsv_results_give_the_name_back(base: str) -> None:
    solutions = ox.parse_query_results(_sparql(base, "text/tab-separated-values").content,
                                       ox.QueryResultsFormat.TSV)
    assert [s["name"].value for s in solutions] == [HOSTILE]


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML), ("application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_rdf_graphs_give_the_name_back(base: str, accept: str, fmt: ox.RdfFormat) -> None:
    answer = _sparql(base, accept, "CONSTRUCT { id:hostile-co rdfs:label ?n } WHERE { id:hostile-co rdfs:label ?n }")
    names = {t.object.value for t in ox.parse(answer.content, format=fmt)}
    assert names == {HOSTILE, HOSTILE_JA}


def test_the_entity_card_and_search_give_the_name_back(base: str) -> None:
    card = httpx.get(base + "/entities/hostile-co").json()
    assert card["name"]["en"] == HOSTILE and HOSTILE in card["aliases"]
    found = httpx.get(base + "/entities", params={"q": "Evil \"Q\""}).json()
    assert "hostile-co" in json.dumps(found)
    turtle = httpx.get(base + "/entities/hostile-co", headers={"Accept": "text/turtle"})
    labels = {t.object.value for t in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)
              if t.predicate.value == RDFS_LABEL}
    assert HOSTILE in labels


def test_sources_and_funding_give_the_name_back(base: str) -> None:
    graph = httpx.get(base + "/sources/hostile-2025-01-names", headers={"Accept": "text/turtle"})
    assert graph.status_code == 200
    literals = {t.object.value for t in ox.parse(graph.content, format=ox.RdfFormat.TURTLE)
                if isinstance(t.object, ox.Literal)}
    assert HOSTILE in literals
    sources = httpx.get(base + "/sources").json()
    assert HOSTILE in _all_strings(sources)
    funding = httpx.get(base + "/funding").json()
    assert HOSTILE in _all_strings(funding)


def _all_strings(value: object) -> set[str]:
    """Every string anywhere in a JSON document."""
    if isinstance(value, str):
        return {value}
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return set().union(set(), *(_all_strings(v) for v in items))


class _Elements(HTMLParser):
    """Counts the elements a browser would build: an injected tag shows up here."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)


def _tags(page: str) -> list[str]:
    parser = _Elements()
    parser.feed(page)
    return parser.tags


def test_the_query_page_keeps_a_hostile_query_inert(base: str) -> None:
    plain = httpx.get(base + "/query").text
    hostile = httpx.get(base + "/query", params={"query": HOSTILE}).text
    assert _tags(hostile) == _tags(plain)  # no element was injected
    settings = json.loads(re.search(r'type="application/json">(.*?)</script>', hostile, re.DOTALL).group(1))
    assert settings["query"] == HOSTILE


def test_html_pages_that_show_entities_keep_the_name_inert(base: str) -> None:
    spec = httpx.get(base + "/openapi.json").json()
    pages = [path for path, ops in spec["paths"].items() if "get" in ops and "text/html" in json.dumps(ops["get"])
             and "{" not in path]
    assert "/query" in pages
    for path in pages:
        page = httpx.get(base + path, headers={"Accept": "text/html"})
        assert page.status_code == 200, path
        assert "<b>x</b>" not in page.text and "<script>alert(1)</script>" not in page.text, path


def test_a_real_browser_runs_nothing_from_a_hostile_name(base: str) -> None:
    """Chromium shows the hostile name in the query page (query and results) and the graph view: no dialog opens."""
    import shutil

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=["--no-sandbox"])
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(base + "/query?" + str(httpx.QueryParams({"query": LABEL_QUERY + " # " + HOSTILE.replace("\n", " ")})))
            page.click("#run")
            page.wait_for_selector("#results table")
            shown = page.locator("#results td").first.inner_text()
            # The graph view draws the hostile company and its neighbours.
            view = page.goto(base + "/view?focus=hostile-co")
            assert view is not None and view.status == 200
            page.wait_for_load_state("load")
            drawn = page.content()
        finally:
            browser.close()
    assert dialogs == []
    assert "<b>x</b>" in shown and "alert(1)" in shown  # shown as text, not run
    assert "<b>x</b>" not in drawn  # the view's document holds the name as text only
