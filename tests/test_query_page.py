"""The query page in a real browser (Chromium): its links from results to the graph view and to a source's
facts, and the answer downloaded in the formats the endpoint serves."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from live_server import live_server

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
    page.wait_for_function("document.querySelector('#editor').value.includes('GRAPH <" + FASTVIEW + ">')")
    page.wait_for_selector("#results table")
    page.wait_for_function("document.querySelector('#status').textContent.includes('rows')")
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
