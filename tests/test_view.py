"""The graph view: `aikg view` writes one offline HTML page and `GET /view` serves it.

The pages are opened in headless Chromium (Debian's chromium, driven by Playwright): what the
network shows is compared with the networkx projection, and the search box, the cards, the event
switch and the class filter are used as a reader would.
"""

from __future__ import annotations

import os
import shutil
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import graph
from graph import analysis
from graph.build import build_store
from graph.cli import app
from graph.view import ViewOptions, external_urls, view_html, write_view
from graph.view.details import event_summary, money_words, read_details
from graph.view.selection import SelectionError, select
from tests.live_server import REPO, live_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("AIKG_SCREENSHOTS", REPO / "test-artifacts"))
HOSTILE = "<img src=x onerror=alert(1)>"


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kg() -> graph.Store:
    return graph.open_graph(":memory:")


@pytest.fixture(scope="module")
def projection(kg: graph.Store):
    return analysis.project(kg)


@pytest.fixture(scope="module")
def seed_file(kg: graph.Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("view") / "graph.html"
    write_view(kg, ViewOptions(), path)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Visit:
    """One page in Chromium, with every request, console error and dialog it caused."""

    def __init__(self, browser: Any, url: str) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.response = self.page.goto(url)
        self.wait_until_settled()

    def wait_until_settled(self, timeout: float = 60) -> None:
        """Poll from outside the page (a served page's CSP forbids the eval that wait_for_function uses)."""
        deadline = time.monotonic() + timeout
        while not self.page.evaluate("!!(window.aikgView && window.aikgView.state.stabilized)"):
            assert time.monotonic() < deadline, "the layout did not settle"
            time.sleep(0.05)

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(("file://", "http://127.0.0.1", "http://localhost", "data:")):
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def counts(self) -> tuple[int, int]:
        """Nodes and edges the vis network holds right now."""
        return tuple(self.page.evaluate(
            "[aikgView.network.body.data.nodes.getIds().length, aikgView.network.body.data.edges.getIds().length]"))

    def search(self, text: str) -> None:
        self.page.fill("#search-box", text)
        self.page.press("#search-box", "Enter")

    def click_node(self, slug: str) -> None:
        """Click where the node is drawn, as a reader would."""
        x, y = self.page.evaluate(
            """(id) => { const net = aikgView.network; const p = net.canvasToDOM(net.getPositions([id])[id]);
                         const box = document.getElementById('network').getBoundingClientRect();
                         return [box.left + p.x, box.top + p.y]; }""", slug)
        self.page.mouse.click(x, y)

    def close(self) -> None:
        self.page.close()

    def only_local_requests(self) -> bool:
        return all(u.startswith(("file://", "http://127.0.0.1", "data:")) for u in self.requests)


@pytest.fixture
def seed_visit(browser: Any, seed_file: Path) -> Iterator[Visit]:
    visit = Visit(browser, seed_file.as_uri())
    yield visit
    visit.close()


# -- the written file in a browser ---------------------------------------------------------------

def test_the_written_file_holds_no_external_url(seed_file: Path) -> None:
    assert external_urls(seed_file.read_text(encoding="utf-8")) == []


def test_the_offline_check_finds_what_a_browser_would_load() -> None:
    page = '<link href="https://cdn.example/b.css"><script src="//cdn.example/x.js"></script><style>a{background:url(http://e.x/i.png)}</style>'
    assert external_urls(page) == ["//cdn.example/x.js", "http://e.x/i.png", "https://cdn.example/b.css"]


def test_the_seed_graph_shows_what_the_projection_holds(seed_visit: Visit, projection) -> None:
    """Also saves screenshots of both modes for a person to look at (test-artifacts/, or $AIKG_SCREENSHOTS)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    facts = analysis.facts_only(projection)
    assert seed_visit.counts() == (projection.number_of_nodes(), facts.number_of_edges())
    seed_visit.page.screenshot(path=str(SCREENSHOTS / "view-seed-graph.png"))
    seed_visit.page.check("input[name=events][value=collapse]")
    entities = analysis.collapsed(projection)
    assert seed_visit.counts() == (entities.number_of_nodes(), entities.number_of_edges())
    seed_visit.wait_until_settled()
    seed_visit.page.screenshot(path=str(SCREENSHOTS / "view-seed-graph-collapsed.png"))
    seed_visit.page.check("input[name=events][value=show]")
    assert seed_visit.counts() == (projection.number_of_nodes(), facts.number_of_edges())
    assert seed_visit.only_local_requests(), seed_visit.requests
    assert seed_visit.errors == []


def test_searching_colossus_focuses_it(seed_visit: Visit) -> None:
    seed_visit.search("Colossus")
    assert seed_visit.page.evaluate("aikgView.network.getSelectedNodes()") == ["colossus"]
    assert seed_visit.page.text_content("#card h2") == "Colossus"
    assert "GPUs: 100,000" in seed_visit.page.text_content("#card")
    seed_visit.search("コロッサス2")  # Japanese names and aliases find nodes too
    assert seed_visit.page.evaluate("aikgView.network.getSelectedNodes()") == ["colossus-2"]


def test_clicking_xai_shows_its_card_with_the_three_funding_rounds(seed_visit: Visit) -> None:
    seed_visit.click_node("xai")
    assert seed_visit.page.evaluate("aikgView.network.getSelectedNodes()") == ["xai"]
    card = seed_visit.page.locator("#card")
    assert card.locator("h2").text_content() == "xAI"
    rounds = card.locator("li.event[data-type=FundingRound]")
    assert rounds.count() == 3
    text = " ".join(rounds.all_text_contents())
    for figure in ("USD 12B debt, in negotiation", "USD 5B loan/secured bond, completed", "USD 2B equity, completed"):
        assert figure in text
    assert "Fastview" in text  # each fact names its source's publisher
    assert "arranger: Morgan Stanley; recipient: xAI" in text  # and who took part, by role
    assert card.locator("a.entity-link").count() == 0  # a file on disk has no server to link to
    # The neighbourhood stays bright, the rest dims.
    opacity = seed_visit.page.evaluate("Object.fromEntries(aikgView.nodes.get().map(n => [n.id, n.opacity]))")
    assert opacity["colossus"] == 1 and opacity["tennessee"] < 1


def test_the_class_filter_hides_a_class(seed_visit: Visit, projection) -> None:
    people = sum(1 for _, d in projection.nodes(data=True) if d["cls"] == "Person")
    before, _ = seed_visit.counts()
    seed_visit.page.uncheck("#legend input[data-class=Person]")
    assert seed_visit.counts()[0] == before - people


def test_edges_and_tooltips_say_amount_status_and_source(seed_visit: Visit) -> None:
    seed_visit.page.check("input[name=events][value=collapse]")
    edge = seed_visit.page.evaluate("(() => { const e = aikgView.edges.get('xai|fundedBy|valor-equity-partners'); "
                                    "return {label: e.label, tip: e.title.textContent}; })()")
    assert edge["label"] == "funded by: USD 12B debt, in negotiation"
    assert "Fastview" in edge["tip"] and "2025-07" in edge["tip"]
    assert "WSJ report (22 July 2025" in edge["tip"]  # the report the source relays
    assert "lead investor: Valor Equity Partners; recipient: xAI" in edge["tip"]
    supply = seed_visit.page.evaluate("aikgView.edges.get('nvidia|suppliesTo|xai').label")
    assert supply == "supplies to: 200,000 Nvidia GPUs, completed"
    tip = seed_visit.page.evaluate("aikgView.nodes.get('colossus').title.textContent")
    assert "GPUs: 100,000 (2024-H2) → 200,000" in tip
    assert seed_visit.page.evaluate("aikgView.nodes.get('elon-musk').title.textContent").startswith("Elon Muskイーロン・マスクalso: Musk")


def test_folded_events_leave_the_gpu_counts_on_the_asset(seed_visit: Visit) -> None:
    label = "aikgView.nodes.get('colossus').label"
    assert seed_visit.page.evaluate(label) == "Colossus"
    seed_visit.page.check("input[name=events][value=collapse]")
    assert seed_visit.page.evaluate(label) == "Colossus\n100,000 → 200,000 GPUs"
    seed_visit.page.check("input[name=events][value=show]")
    assert seed_visit.page.evaluate(label) == "Colossus"
    seed_visit.wait_until_settled()


def test_a_shortcut_edge_is_drawn_where_the_cap_or_the_filter_leaves_its_event_out(browser: Any, kg: graph.Store, projection,
                                                                                   tmp_path: Path) -> None:
    """Events as nodes: entities whose event the node cap dropped would look unlinked; the shortcut edge links them."""
    page = tmp_path / "capped.html"
    options = ViewOptions(focus="xai", depth=1, max_nodes=12)
    chosen = write_view(kg, options, page).graph
    shortcuts = {f"{u}|{k}|{v}": set(d["events"]) for u, v, k, d in chosen.edges(keys=True, data=True) if d.get("events")}
    left_out = {edge for edge, events in shortcuts.items() if not events <= set(chosen)}
    assert left_out and left_out != set(shortcuts)  # some events are drawn, some are not
    visit = Visit(browser, page.as_uri())
    try:
        shown = "aikgView.edgesView.getIds()"
        drawn = set(visit.page.evaluate(shown))
        assert drawn & set(shortcuts) == left_out
        assert drawn - set(shortcuts) == {f"{u}|{k}|{v}" for u, v, k, d in chosen.edges(keys=True, data=True) if not d["derived"]}
        visit.page.uncheck("#legend input[data-class=FundingRound]")  # the rounds hidden: each one's shortcut appears
        rounds = {n for n, d in chosen.nodes(data=True) if d["cls"] == "FundingRound"}
        assert rounds
        assert set(visit.page.evaluate(shown)) & set(shortcuts) == left_out | {e for e, events in shortcuts.items() if events & rounds}
        assert visit.errors == []
    finally:
        visit.close()


def test_physics_stops_once_the_layout_settles(seed_visit: Visit) -> None:
    assert seed_visit.page.evaluate("aikgView.network.physics.physicsEnabled") is False


def test_node_size_shows_links_money_or_importance_in_the_whole_graph(seed_visit: Visit, projection) -> None:
    values = "Object.fromEntries(aikgView.nodes.get().map(n => [n.id, n.value]))"
    links = seed_visit.page.evaluate(values)
    assert links == {n: max(d, 1) for n, d in projection.degree()}
    seed_visit.page.check("input[name=size][value=money]")
    money = seed_visit.page.evaluate(values)
    assert money["xai"] > money["valor-equity-partners"] > money["elon-musk"] == 1  # USD 19B in; a share of 12B out; none
    seed_visit.page.check("input[name=size][value=importance]")
    importance = seed_visit.page.evaluate(values)
    ranked = analysis.ranking(projection)
    entities = [e["slug"] for e in ranked]
    assert sorted(entities, key=lambda n: -importance[n]) == entities  # the larger, the higher its PageRank
    assert all(importance[n] == 1 for n, kind in projection.nodes(data="kind") if kind == "event")
    assert importance[entities[-1]] > 1
    seed_visit.click_node("elon-musk")
    assert seed_visit.page.text_content("#card .importance") == \
        f"#2 of {len(ranked)} entities by PageRank ({ranked[1]['score']:.3g})"
    seed_visit.page.check("input[name=size][value=links]")
    assert seed_visit.page.evaluate(values) == links
    assert seed_visit.errors == []


# -- names are data ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> graph.Store:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.yaml").write_text(textwrap.dedent(f"""\
        source:
          slug: example-2025-08-hostile
          headline: "<script>alert('headline')</script>"
          publisher: fastview
          language: en
          published: 2025-08-01
        entities:
          - {{slug: hostile-co, class: Company, name: {{en: "{HOSTILE}", ja: "<b>太字</b>"}}, aliases: ["<svg onload=alert(2)>"]}}
        relations:
          - {{subject: hostile-co, predicate: associateOf, object: xai}}
        """), encoding="utf-8")
    store, _ = build_store([folder], store=":memory:")
    return store


def test_a_name_holding_html_is_shown_as_text(browser: Any, hostile_store: graph.Store, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    write_view(hostile_store, ViewOptions(focus="hostile-co", depth=1), path)
    visit = Visit(browser, path.as_uri())
    try:
        visit.search("hostile-co")
        assert visit.page.text_content("#card h2") == HOSTILE
        assert "<svg onload=alert(2)>" in visit.page.text_content("#card")
        tip = visit.page.evaluate("(() => { const t = aikgView.nodes.get('hostile-co').title; "
                                  "return {text: t.textContent, html: t.querySelectorAll('img, b, svg, script').length}; })()")
        assert HOSTILE in tip["text"] and tip["html"] == 0
        edge_tip = visit.page.evaluate("aikgView.edges.get('hostile-co|associateOf|xai').title.textContent")
        assert "<script>alert('headline')</script>" in edge_tip
        assert visit.page.locator("img, svg, b").count() == 0
        visit.click_node("hostile-co")  # hovering and clicking run nothing either
        assert visit.dialogs == [] and visit.errors == []
    finally:
        visit.close()


# -- GET /view on a real server ------------------------------------------------------------------

@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with live_server(":memory:") as url:
        yield url


def test_the_served_view_matches_the_projection_and_links_cards(browser: Any, base: str, projection) -> None:
    visit = Visit(browser, base + "/view")
    try:
        assert visit.response.status == 200
        assert external_urls(visit.page.content()) == []
        facts = analysis.facts_only(projection)
        assert visit.counts() == (projection.number_of_nodes(), facts.number_of_edges())
        visit.click_node("xai")
        assert visit.page.locator("#card li.event[data-type=FundingRound]").count() == 3
        assert visit.page.get_attribute("#card a.entity-link", "href") == "/entities/xai"
        assert visit.only_local_requests(), visit.requests
        assert visit.errors == []  # the page's Content-Security-Policy lets its own code run, and nothing else
    finally:
        visit.close()


def test_the_served_view_takes_the_cli_options(browser: Any, base: str) -> None:
    visit = Visit(browser, base + "/view?focus=colossus&depth=1&events=collapse&max-nodes=4")
    try:
        assert visit.page.evaluate("aikgView.network.getSelectedNodes()") == ["colossus"]
        assert visit.counts()[0] <= 4
        assert "the node cap (4) left out" in visit.page.text_content("#note")
        assert visit.page.is_checked("input[name=events][value=collapse]")
    finally:
        visit.close()


def test_the_served_view_opens_sized_as_asked_and_ranks_over_the_whole_graph(browser: Any, base: str, projection) -> None:
    visit = Visit(browser, base + "/view?focus=memphis&depth=1&size=importance")
    try:
        assert visit.page.is_checked("input[name=size][value=importance]")
        places = visit.page.evaluate("Object.fromEntries(Object.entries(JSON.parse("
                                     "document.getElementById('aikg-data').textContent).info).map(([k, v]) => [k, v.place]))")
        ranked = [e["slug"] for e in analysis.ranking(projection)]
        # A drawing of a few nodes still gives each its place among every entity of the graph.
        assert {n: p for n, p in places.items() if p} == {n: ranked.index(n) + 1 for n in places if n in ranked}
        assert len(places) < len(ranked)
        values = visit.page.evaluate("Object.fromEntries(aikgView.nodes.get().map(n => [n.id, n.value]))")
        assert values["colossus"] > values["memphis"]  # third and fifth of the whole graph
        assert visit.errors == []
    finally:
        visit.close()


def test_the_served_view_names_bad_options(base: str) -> None:
    import httpx

    answer = httpx.get(base + "/view", params={"focus": "xia"})
    assert answer.status_code == 404 and "did you mean xai" in answer.json()["detail"]
    answer = httpx.get(base + "/view", params={"focus": "x> ?p ?o"})
    assert answer.status_code == 404 and answer.json()["detail"] == "focus: no entity 'x> ?p ?o'"
    answer = httpx.get(base + "/view", params={"types": "Compny"})
    assert answer.status_code == 422 and "unknown class 'Compny'" in answer.json()["detail"]
    assert httpx.get(base + "/view", params={"events": "both"}).status_code == 422
    assert httpx.get(base + "/view", params={"since": "July"}).status_code == 422
    answer = httpx.get(base + "/view", params={"size": "pagerank"})
    assert answer.status_code == 422 and "links|money|importance" in answer.text


@pytest.mark.parametrize("focus", ["Elon Musk", "イーロン・マスク", "https://w3id.org/aikg/id/elon-musk"])
def test_the_served_view_takes_a_name_or_an_iri_as_its_focus(base: str, focus: str) -> None:
    import httpx

    answer = httpx.get(base + "/view", params={"focus": focus, "depth": 1})
    assert answer.status_code == 200, answer.text
    assert "<title>aikg: around elon-musk</title>" in answer.text


def test_the_query_page_and_entity_cards_link_to_the_view(base: str) -> None:
    import httpx

    assert 'href="/view"' in httpx.get(base + "/query").text
    assert httpx.get(base + "/entities/xai").json()["view"] == "/view?focus=xai"


# -- selection: focus, filters and the node cap --------------------------------------------------

def test_the_node_cap_keeps_the_nearest_best_connected_and_says_what_it_left_out(kg: graph.Store, projection) -> None:
    details = read_details(kg)
    chosen = select(projection, details, ViewOptions(focus="xai", depth=2, max_nodes=6))
    assert len(chosen.graph) == 6 and "xai" in chosen.graph
    assert chosen.candidates > 6 and sum(chosen.left_out.values()) == chosen.candidates - 6
    nearest = set(analysis.neighbourhood(projection, "xai", 1))
    assert set(chosen.graph) <= nearest  # one hop fills the cap before two hops get a place
    assert "the node cap (6) left out" in chosen.note()


def test_filters_by_class_date_and_amount(kg: graph.Store, projection) -> None:
    details = read_details(kg)
    rounds = select(projection, details, ViewOptions(types=("Organization", "FundingRound")))
    assert {d["cls"] for _, d in rounds.graph.nodes(data=True)} <= {"Company", "InvestmentFirm", "Bank", "MediaOrganization", "FundingRound"}
    assert {"xai-debt-raise-2025-07", "xai-secured-debt-2025-06", "spacex-invests-in-xai-2025"} <= set(rounds.graph)
    recent = select(projection, details, ViewOptions(since="2025-07"))
    assert "xai-debt-raise-2025-07" in recent.graph and "xai-secured-debt-2025-06" not in recent.graph
    assert "colossus-construction" not in recent.graph  # 2024-H2 ended before July 2025
    assert not recent.graph.has_edge("morgan-stanley", "xai")  # its only round is gone, so is the shortcut
    big = select(projection, details, ViewOptions(min_amount=10e9))
    assert "xai-debt-raise-2025-07" in big.graph and "spacex-invests-in-xai-2025" not in big.graph
    assert "nvidia-gpus-for-colossus" in big.graph  # events without an amount stay
    with pytest.raises(SelectionError, match="unknown class 'Compny'"):
        select(projection, details, ViewOptions(types=("Compny",)))
    with pytest.raises(KeyError):
        select(projection, details, ViewOptions(focus="nobody"))


def test_the_page_carries_the_sources_it_cites_and_no_others(kg: graph.Store, projection) -> None:
    from graph.view.render import page_data

    details = read_details(kg)
    data = page_data(select(projection, details, ViewOptions(focus="colossus", depth=1)), details)
    cited = {k for e in data["events"].values() for k in (*e["sources"], *e["reported_by"])}
    cited |= {k for e in data["edges"] for k in e["sources"]}
    assert cited and set(data["sources"]) == cited  # every cited document is described, nothing more
    assert len(data["sources"]) < len(details.sources)  # the store holds documents this page does not cite
    whole = page_data(select(projection, details, ViewOptions()), details)
    assert set(whole["sources"]) <= {iri.rstrip("/").rsplit("/", 1)[-1] for iri in details.sources}


def test_an_edge_standing_for_many_events_is_labelled_with_their_count_and_total(tmp_path: Path, browser: Any) -> None:
    """At scale an investor takes part in dozens of a firm's rounds: one line a round would make labels nobody reads,
    and tooltips no screen holds; the label sums them all, the tooltip lists the newest and counts the rest."""
    import math

    from graph.store import open_store
    from graph.view.render import EDGE_EVENTS_LISTED, EDGE_TIP_EVENTS, page_data, render_html
    from tests.synthetic import synthetic_store

    kg = open_store(synthetic_store(tmp_path, 20_000, seed=3), read_only=True)
    try:
        whole, details = analysis.project(kg), read_details(kg)
        data = page_data(select(whole, details, ViewOptions(events="collapse", max_nodes=5000)), details)
        hub = max((d for d in data["edges"] if d["predicate"] == "fundedBy"), key=lambda d: d["events_total"])["to"]
        small = select(whole, details, ViewOptions(focus=hub, depth=1, events="collapse", max_nodes=40))
        (tmp_path / "hub.html").write_text(render_html(small, details), encoding="utf-8")
    finally:
        kg.close()
    funded = [e for e in data["edges"] if e["predicate"] == "fundedBy"]
    many = [e for e in funded if e["events_total"] > EDGE_TIP_EVENTS]
    few = [e for e in funded if 0 < e["events_total"] <= EDGE_EVENTS_LISTED]
    assert many and few
    for edge in many:
        chosen = whole.edges[edge["from"], edge["to"], "fundedBy"]["events"]
        assert len(chosen) == edge["events_total"]
        usd = [details.events[e]["amount_usd"] for e in chosen if details.events[e].get("amount_usd") is not None]
        assert edge["label"].startswith(f"funded by: {len(chosen)} funding rounds totalling {money_words(math.fsum(usd))}")
        # The tooltip's rounds are the newest of them, and the page carries each one it lists.
        when = sorted((details.events[e].get("date_start") or details.events[e].get("date") or "" for e in chosen), reverse=True)
        listed = [data["events"][e] for e in edge["events"]]
        assert [r.get("date_start") or r.get("date") or "" for r in listed] == when[:EDGE_TIP_EVENTS]
    for edge in few:
        assert len(edge["events"]) == edge["events_total"]
        assert edge["label"].count(";") == len(edge["events"]) - 1  # each round's figures, as in the bundled graph
    visit = Visit(browser, (tmp_path / "hub.html").as_uri())
    try:
        tips = visit.page.evaluate("aikgView.edges.get().filter(e => e.events_total > e.events.length)"
                                   ".map(e => [e.events.length, e.events_total, e.title.textContent])")
        assert tips and visit.errors == []
        for listed, total, text in tips:
            assert listed == EDGE_TIP_EVENTS and text.endswith(f"and {total - listed:,} older events")
    finally:
        visit.close()


def test_figures_read_like_a_briefing() -> None:
    assert money_words(12_000_000_000) == "USD 12B" and money_words(450_000_000) == "USD 450M"
    assert event_summary({"amount_usd": 5e9, "instruments": ["SecuredBond", "Loan"], "status": "Completed"}) == \
        "USD 5B secured bond/loan, completed"


def test_the_page_from_python_is_the_same_page(kg: graph.Store) -> None:
    page = view_html(kg, ViewOptions(focus="xai", depth=1), entity_link="/entities/")
    assert page.startswith("<!doctype html>") and external_urls(page) == []
    assert '"entityLink": "/entities/"' in page


# -- the command line ----------------------------------------------------------------------------

runner = CliRunner()


def test_aikg_view_writes_the_page(tmp_path: Path) -> None:
    out = tmp_path / "xai.html"
    result = runner.invoke(app, ["view", "--store", ":memory:", "--focus", "xai", "--depth", "1", "--events", "collapse", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.stdout and "nodes within 1 hop(s) of xai" in result.stdout
    page = out.read_text(encoding="utf-8")
    assert external_urls(page) == [] and '"mode": "collapse"' in page and '"size": "links"' in page
    result = runner.invoke(app, ["view", "--store", ":memory:", "--size", "importance", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert '"size": "importance"' in out.read_text(encoding="utf-8")


def test_aikg_view_focus_takes_a_name(tmp_path: Path) -> None:
    out = tmp_path / "musk.html"
    result = runner.invoke(app, ["view", "--store", ":memory:", "--focus", "Elon Musk", "--depth", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "nodes within 1 hop(s) of elon-musk" in result.stdout
    assert "<title>aikg: around elon-musk</title>" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (["--focus", "xia"], "--focus: no entity 'xia'; did you mean xai?"),
    (["--focus", "x> ?p"], "--focus: no entity 'x> ?p'"),
    (["--types", "Compny"], "--types: unknown class 'Compny'"),
    (["--since", "2025-7"], "--since: '2025-7' is not a date"),
    (["--events", "both"], "--events 'both': choose show or collapse"),
    (["--max-nodes", "0"], "--max-nodes: must be 1 or more"),
    (["--size", "pagerank"], "--size: choose links, money, importance, not 'pagerank'"),
])
def test_aikg_view_refuses_bad_input_with_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["view", "--store", ":memory:", "-o", str(tmp_path / "x.html"), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "x.html").exists()


def test_aikg_view_fails_with_exit_1_when_it_cannot_work(tmp_path: Path) -> None:
    result = runner.invoke(app, ["view", "--store", ":memory:", "-o", str(tmp_path / "missing" / "x.html")])
    assert result.exit_code == 1 and "No such file or directory" in result.stderr
    result = runner.invoke(app, ["view", "--store", str(tmp_path / "no-store"), "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 1 and "no store here yet" in result.stderr


def test_aikg_view_help_documents_the_exit_codes() -> None:
    result = runner.invoke(app, ["view", "--help"])
    assert result.exit_code == 0 and "Exit codes: 0" in result.stdout
