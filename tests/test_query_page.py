"""The query page in a real browser (Chromium): its links from results to the graph view and to a source's
facts, the answer downloaded in the formats the endpoint serves, and drawn as bars."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from live_server import live_server

from api.query_page import EXAMPLES

FASTVIEW = "https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b"
ROUNDS = """SELECT ?round ?recipient ?source
WHERE { GRAPH ?source { ?round aik:recipient ?recipient } }
ORDER BY ?round"""
FUNDED_BY = "CONSTRUCT WHERE { ?s aik:fundedBy ?o }"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with live_server(":memory:") as url:
        yield url


@pytest.fixture()
def page(base: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=["--no-sandbox"])
        try:
            yield browser.new_page(accept_downloads=True)
        finally:
            browser.close()


def _until(page, expression: str, timeout: float = 30) -> None:
    """Poll from outside the page: the page's CSP forbids the eval that wait_for_function polls with."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.05)


def _open(page, base: str, query: str) -> None:
    page.goto(base + "/query?" + str(httpx.QueryParams({"query": query})))
    page.wait_for_selector("#results table")


def test_an_entity_in_the_results_links_to_the_view_and_a_source_to_what_it_reported(page, base: str) -> None:
    _open(page, base, ROUNDS)
    entity = page.locator("#results a", has_text="id:xai").first
    assert entity.get_attribute("href") == "/view?focus=xai&depth=1"
    rows = page.locator("#results tr").count() - 1
    assert page.locator("#results td a.iri").count() == 3 * rows  # rounds, recipients and sources all lead somewhere
    page.locator("#results a", has_text="fastview-2025-07-xai-raises-12b").first.click()
    _until(page, "document.querySelector('#editor').value.includes('GRAPH <" + FASTVIEW + ">')")
    page.wait_for_selector("#results table")
    _until(page, "document.querySelector('#status').textContent.includes('rows')")
    reported = len(httpx.get(base + "/sources/fastview-2025-07-xai-raises-12b", headers={"Accept": "application/n-triples"})
                   .text.strip().splitlines())
    assert page.locator("#results tr").count() - 1 == reported
    page.goto(base + "/view?focus=xai&depth=1")
    page.wait_for_selector("canvas", timeout=30_000)


@pytest.mark.parametrize(("label", "check"), [
    ("CSV", lambda text, rows: list(csv.DictReader(io.StringIO(text))) == rows),
    ("JSON", lambda text, rows: [{k: v["value"] for k, v in b.items()} for b in json.loads(text)["results"]["bindings"]] == rows),
])
def test_the_answer_downloads_as_the_endpoint_serves_it(page, base: str, tmp_path: Path, label: str, check) -> None:
    _open(page, base, ROUNDS)
    with page.expect_download() as started:
        page.locator("#downloads button", has_text=label).click()
    saved = tmp_path / started.value.suggested_filename
    started.value.save_as(saved)
    served = httpx.post(base + "/sparql", data={"query": ROUNDS}, headers={"Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(served.text)))
    assert len(rows) >= 3 and check(saved.read_text(encoding="utf-8"), rows)


def test_a_construct_downloads_as_turtle(page, base: str, tmp_path: Path) -> None:
    page.goto(base + "/query?" + str(httpx.QueryParams({"query": FUNDED_BY})))
    page.wait_for_selector("#results pre.graph")
    with page.expect_download() as started:
        page.locator("#downloads button", has_text="Turtle").click()
    saved = tmp_path / "answer.ttl"
    started.value.save_as(saved)
    downloaded = rdflib.Graph().parse(saved, format="turtle")
    served = httpx.post(base + "/sparql", data={"query": FUNDED_BY}, headers={"Accept": "application/n-triples"}).text
    assert len(downloaded) >= 2 and isomorphic(downloaded, rdflib.Graph().parse(data=served, format="nt"))


MONEY = EXAMPLES["Money into xAI, by instrument"]


def _bars(page) -> list[dict]:
    """Each drawn bar: its name, the number written beside it, and its share of the track's width and offset."""
    return page.evaluate("""() => [...document.querySelectorAll('.chart-row')].map((row) => {
        const track = row.querySelector('.chart-track').getBoundingClientRect();
        const bar = row.querySelector('.chart-bar').getBoundingClientRect();
        const name = row.querySelector('.chart-label');
        return {name: name.textContent, href: name.getAttribute('href'), value: row.querySelector('.chart-value').textContent,
                width: bar.width / track.width, left: (bar.left - track.left) / track.width};
    })""")


def test_a_numeric_answer_draws_as_bars_and_the_chart_keeps_its_address(page, base: str) -> None:
    page.goto(base + "/query?" + str(httpx.QueryParams({"query": MONEY, "view": "chart"})))
    page.wait_for_selector(".chart .chart-row")
    served = httpx.post(base + "/sparql", data={"query": MONEY}, headers={"Accept": "application/sparql-results+json"})
    rows = served.json()["results"]["bindings"]
    totals = [Decimal(row["total_usd"]["value"]) for row in rows]
    bars = _bars(page)
    assert [bar["name"] for bar in bars] == ["aik:" + row["instrument"]["value"].rsplit("#", 1)[1] for row in rows]
    assert [bar["value"] for bar in bars] == [f"{int(total):,}" for total in totals]
    for bar, total in zip(bars, totals):  # lengths in proportion, from one zero line
        assert bar["left"] == pytest.approx(0, abs=0.005)
        assert bar["width"] == pytest.approx(float(total / max(totals)), abs=0.005)
    assert "view=chart" in page.url and "value=total_usd" in page.url and "label=instrument" in page.url

    page.select_option("select[data-role=Bars]", "rounds")
    _until(page, "document.querySelector('.chart-value').textContent === '" + rows[0]["rounds"]["value"] + "'")
    assert [bar["value"] for bar in _bars(page)] == [row["rounds"]["value"] for row in rows]
    assert "value=rounds" in page.url
    shared = page.url
    page.check("#views input[value=table]")
    page.wait_for_selector("#results table")
    assert page.locator("#results tr").count() - 1 == len(rows) and "view=" not in page.url

    page.goto(shared)  # the chart's address opens the same chart
    page.wait_for_selector(".chart .chart-row")
    assert [bar["value"] for bar in _bars(page)] == [row["rounds"]["value"] for row in rows]


def test_bars_of_negative_numbers_go_left_of_zero_and_rows_without_a_number_are_counted(page, base: str) -> None:
    query = 'SELECT ?who ?change WHERE { VALUES (?who ?change) { (id:xai 30) (id:nvidia -10) (id:tesla UNDEF) } }'
    page.goto(base + "/query?" + str(httpx.QueryParams({"query": query, "view": "chart"})))
    page.wait_for_selector(".chart .chart-row")
    gain, loss = _bars(page)
    assert (gain["name"], gain["value"], loss["name"], loss["value"]) == ("id:xai", "30", "id:nvidia", "-10")
    assert loss["left"] == pytest.approx(0, abs=0.005) and loss["width"] == pytest.approx(0.25, abs=0.005)
    assert gain["left"] == pytest.approx(0.25, abs=0.005) and gain["width"] == pytest.approx(0.75, abs=0.005)
    assert gain["href"] == "/view?focus=xai&depth=1"  # a named entity leads to the view, as in the table
    assert page.locator(".chart-note").text_content() == "1 row without ?change left out"


def test_an_answer_without_numbers_offers_no_chart(page, base: str) -> None:
    page.goto(base + "/query?" + str(httpx.QueryParams({"query": ROUNDS, "view": "chart"})))
    page.wait_for_selector("#results table")
    assert page.locator("#views").is_hidden() and page.locator(".chart").count() == 0


def _drawn(page) -> tuple[dict, set]:
    """The drawn graph: each node's label and tooltip by id, and the edges as (from, to, label)."""
    _until(page, "!!window.aikgQueryGraph")
    nodes = page.evaluate("Object.fromEntries(aikgQueryGraph.nodes.get().map((n) => [n.id, [n.label, n.title]]))")
    edges = page.evaluate("aikgQueryGraph.edges.get().map((e) => [e.from, e.to, e.label])")
    return nodes, {tuple(edge) for edge in edges}


def test_a_graph_answer_draws_its_resources_as_nodes_and_keeps_the_drawing_in_its_address(page, base: str) -> None:
    page.goto(base + "/query?" + str(httpx.QueryParams({"query": FUNDED_BY, "view": "graph"})))
    nodes, edges = _drawn(page)
    served = httpx.post(base + "/sparql", data={"query": FUNDED_BY}, headers={"Accept": "application/n-triples"})
    triples = {(str(s), str(o)) for s, _, o in rdflib.Graph().parse(data=served.text, format="nt")}
    assert len(triples) >= 2
    assert set(nodes) == {iri for pair in triples for iri in pair}
    assert edges == {(s, o, "fundedBy") for s, o in triples}
    assert "view=graph" in page.url
    page.check("#views input[value=turtle]")
    page.wait_for_selector("#results pre.graph")
    assert "fundedBy" in page.locator("#results pre.graph").text_content() and "view=" not in page.url

    page.check("#views input[value=graph]")
    _drawn(page)
    xai = "https://w3id.org/aikg/id/xai"
    page.evaluate(f"aikgQueryGraph.network.body.emitter.emit('doubleClick', {{nodes: ['{xai}']}})")
    page.wait_for_url("**/view?focus=xai&depth=1")


def test_a_drawn_node_is_named_by_its_label_and_shows_its_literals(page, base: str) -> None:
    query = """CONSTRUCT { id:elon-musk rdfs:label ?name ; rdfs:comment ?note ; a aik:Person ; aik:founderOf id:xai }
WHERE { id:elon-musk rdfs:label ?name BIND("said \\"yes\\"\\nthen left ✓" AS ?note) }"""
    page.goto(base + "/query?" + str(httpx.QueryParams({"query": query, "view": "graph"})))
    nodes, edges = _drawn(page)
    label, tooltip = nodes["https://w3id.org/aikg/id/elon-musk"]
    assert label == "Elon Musk"  # the English label, over the Japanese one
    assert "rdfs:label: イーロン・マスク @ja" in tooltip and "a aik:Person" in tooltip
    assert 'rdfs:comment: said "yes"\nthen left ✓' in tooltip  # the N-Triples escapes undone
    assert edges == {("https://w3id.org/aikg/id/elon-musk", "https://w3id.org/aikg/id/xai", "founderOf")}
