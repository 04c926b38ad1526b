"""Time the graph view on a large synthetic graph: a 2,000-node neighbourhood made into a page, then laid out in Chromium.

    python -m bench.view [--entities 20000] [--rounds 30000] [--max-nodes 2000]

Both figures are also given as ratios to a baseline measured in the same run: page generation
against projecting the store into networkx, and the layout against the seed graph's page in the
same browser. The graph follows our vocabulary (companies, investment firms, banks, people, data
centers; funding rounds and supply deals with the derived shortcut edges); a few companies draw
most of the money, as in life, so a focus two hops out reaches thousands of nodes.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

import graph
from graph.analysis import project
from graph.build import ontology_quads
from graph.quads import ENTITIES_GRAPH
from graph.store import MEMORY, Store
from graph.view import ViewOptions, write_view
from graph.view.details import read_details
from graph.view.render import render_html
from graph.view.selection import select
from ontology import AIK, DERIVED_GRAPH, ID, SOURCE

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
XSD = "http://www.w3.org/2001/XMLSchema#"
CLASSES = (("company", "Company", 0.45), ("firm", "InvestmentFirm", 0.2), ("bank", "Bank", 0.05),
           ("person", "Person", 0.2), ("dc", "DataCenter", 0.1))


def synthetic_store(entities: int, rounds: int, seed: int = 7) -> Store:
    """An in-memory store of ``entities`` entities and ``rounds`` funding rounds (plus a supply deal per ten rounds)."""
    rng = random.Random(seed)
    store = Store(ox.Store(), MEMORY)
    slugs: dict[str, list[str]] = {prefix: [f"{prefix}-{i}" for i in range(int(entities * share))] for prefix, _, share in CLASSES}

    def pick(prefix: str) -> str:
        pool = slugs[prefix]
        return pool[min(int(rng.paretovariate(1.2)) - 1, len(pool) - 1)] if prefix == "company" else rng.choice(pool)

    def node(slug: str) -> ox.NamedNode:
        return ox.NamedNode(f"{ID}{slug}")

    def quads() -> Iterator[ox.Quad]:
        yield from ontology_quads()
        entities_graph = ox.NamedNode(ENTITIES_GRAPH)
        for prefix, cls, _ in CLASSES:
            for slug in slugs[prefix]:
                yield ox.Quad(node(slug), RDF_TYPE, ox.NamedNode(f"{AIK}{cls}"), entities_graph)
                yield ox.Quad(node(slug), LABEL, ox.Literal(slug.replace("-", " ").title(), language="en"), entities_graph)
        derived = ox.NamedNode(DERIVED_GRAPH)
        for i in range(rounds):
            source = ox.NamedNode(f"{SOURCE}synthetic-{i // 500}")
            if i % 500 == 0:
                yield ox.Quad(source, RDF_TYPE, ox.NamedNode(f"{AIK}SourceDocument"), source)
                yield ox.Quad(source, LABEL, ox.Literal(f"Synthetic report {i // 500}"), source)
            event, recipient, investor = node(f"round-{i}"), pick("company"), pick(rng.choice(("firm", "bank", "company", "person")))
            year, month = rng.choice((2023, 2024, 2025)), rng.randint(1, 12)
            for p, o in (
                (RDF_TYPE, ox.NamedNode(f"{AIK}FundingRound")), (LABEL, ox.Literal(f"Round {i}")), (DERIVED_FROM, source),
                (ox.NamedNode(f"{AIK}recipient"), node(recipient)), (ox.NamedNode(f"{AIK}investor"), node(investor)),
                (ox.NamedNode(f"{AIK}amountUSD"), ox.Literal(str(rng.randint(1, 5000) * 1_000_000), datatype=ox.NamedNode(f"{XSD}decimal"))),
                (ox.NamedNode(f"{AIK}status"), ox.NamedNode(f"{AIK}{rng.choice(('Completed', 'Reported', 'InNegotiation'))}")),
                (ox.NamedNode(f"{AIK}date"), ox.Literal(f"{year}-{month:02d}", datatype=ox.NamedNode(f"{XSD}gYearMonth"))),
            ):
                yield ox.Quad(event, p, o, source)
            yield ox.Quad(node(recipient), ox.NamedNode(f"{AIK}fundedBy"), node(investor), derived)
            if i % 10 == 0:
                deal, supplier, customer, site = node(f"deal-{i}"), pick("company"), pick("company"), pick("dc")
                for p, o in ((RDF_TYPE, ox.NamedNode(f"{AIK}SupplyDeal")), (DERIVED_FROM, source),
                             (ox.NamedNode(f"{AIK}supplier"), node(supplier)), (ox.NamedNode(f"{AIK}customer"), node(customer)),
                             (ox.NamedNode(f"{AIK}forAsset"), node(site)),
                             (ox.NamedNode(f"{AIK}quantity"), ox.Literal(str(rng.randint(1, 100) * 1000), datatype=ox.NamedNode(f"{XSD}integer")))):
                    yield ox.Quad(deal, p, o, source)
                yield ox.Quad(node(supplier), ox.NamedNode(f"{AIK}suppliesTo"), node(customer), derived)
                yield ox.Quad(node(site), ox.NamedNode(f"{AIK}operator"), node(customer), source)
            if i % 4 == 0:
                yield ox.Quad(node(pick("person")), ox.NamedNode(f"{AIK}ceoOf"), node(pick("company")), source)

    store.bulk_add(quads())
    return store


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def settle_seconds(browser: Any, page_file: Path) -> float:
    """Seconds from navigation start until the page has stabilised its layout and stopped physics."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(page_file.as_uri())
        page.wait_for_function("window.aikgView && window.aikgView.stabilizedAt !== null", timeout=600_000, polling=100)
        return page.evaluate("aikgView.stabilizedAt") / 1000
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=30_000)
    parser.add_argument("--max-nodes", type=int, default=2_000)
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()

    store, build_s = timed(lambda: synthetic_store(args.entities, args.rounds))
    print(f"synthetic graph: {len(store):,} quads, built in {build_s:.1f} s")
    projection, project_s = timed(lambda: project(store))
    details, details_s = timed(lambda: read_details(store))
    focus = max((n for n, d in projection.nodes(data=True) if d["kind"] == "entity"), key=projection.degree)
    options = ViewOptions(focus=focus, depth=args.depth, max_nodes=args.max_nodes)
    selection, select_s = timed(lambda: select(projection, details, options))
    html, render_s = timed(lambda: render_html(selection, details))
    generate_s = project_s + details_s + select_s + render_s
    print(f"projection: {projection.number_of_nodes():,} nodes, {projection.number_of_edges():,} edges in {project_s:.2f} s")
    print(f"view around {focus}: {selection.note()}")
    print(f"  page generation {generate_s:.2f} s (projection {project_s:.2f}, details {details_s:.2f}, "
          f"selection {select_s:.2f}, render {render_s:.2f}); {len(html) / 1e6:.1f} MB; "
          f"{generate_s / project_s:.2f}x the projection alone")

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        big, seed = Path(tmp) / "big.html", Path(tmp) / "seed.html"
        big.write_text(html, encoding="utf-8")
        write_view(graph.open_graph(MEMORY), ViewOptions(), seed)
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        try:
            seed_s = settle_seconds(browser, seed)
            big_s = settle_seconds(browser, big)
        finally:
            browser.close()
    print(f"  layout settled in headless Chromium after {big_s:.2f} s "
          f"({selection.graph.number_of_nodes():,} nodes, {selection.graph.number_of_edges():,} edges); "
          f"the seed graph's page: {seed_s:.2f} s; ratio {big_s / seed_s:.1f}x")
    print(f"total, generation and layout: {generate_s + big_s:.2f} s")


if __name__ == "__main__":
    main()
