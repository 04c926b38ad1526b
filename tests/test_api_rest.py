"""The REST API over the bundled seed graph, as an analyst would call it."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from live_server import live_server

from graph.build import build_store

FASTVIEW = "https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> httpx.Client:
    store = tmp_path_factory.mktemp("rest") / "store"
    build_store(store=store)[0].close()
    with live_server(Path(store)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


@pytest.mark.parametrize(("q", "slug"), [
    ("Valor", "valor-equity-partners"), ("valor", "valor-equity-partners"), ("ｘＡＩ", "xai"), ("xai", "xai"),
    ("エヌビディア", "nvidia"), ("Colossu", "colossus"), ("マスク", "elon-musk"),
])
def test_search_matches_names_and_aliases_in_any_case_width_or_script(api: httpx.Client, q: str, slug: str) -> None:
    found = api.get("/entities", params={"q": q}).json()
    assert found["items"][0]["slug"] == slug


def test_search_filters_by_class_and_pages(api: httpx.Client) -> None:
    people = api.get("/entities", params={"type": "Person", "limit": 2}).json()
    assert people["total"] >= 3 and len(people["items"]) == 2
    assert all("Person" in item["classes"] for item in people["items"])
    rest = api.get("/entities", params={"type": "Person", "limit": 2, "offset": 2}).json()
    assert {i["slug"] for i in rest["items"]}.isdisjoint({i["slug"] for i in people["items"]})
    assert {i["slug"] for i in api.get("/entities", params={"type": "Company", "limit": 100}).json()["items"]} >= {
        "xai", "spacex", "tesla", "nvidia"}


@pytest.mark.parametrize(("params", "name"), [
    ({"limit": 0}, "limit"), ({"offset": -1}, "offset"), ({"limit": "many"}, "limit"),
])
def test_bad_pagination_is_a_422_naming_the_parameter(api: httpx.Client, params: dict, name: str) -> None:
    response = api.get("/entities", params=params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", name]


def test_an_unknown_class_is_a_422_listing_the_known_ones(api: httpx.Client) -> None:
    response = api.get("/entities", params={"type": "Spaceship"})
    assert response.status_code == 422 and "Company" in response.json()["detail"]


def test_the_xai_card(api: httpx.Client) -> None:
    card = api.get("/entities/xai").json()
    assert card["name"]["en"] == "xAI" and "Company" in card["classes"]
    funders = {d["slug"] for d in card["derived"] if d["predicate"] == "fundedBy"}
    assert {"valor-equity-partners", "spacex"} <= funders
    rounds = [e for e in card["events"] if e["type"] == "FundingRound"]
    assert sorted(a["value"] for e in rounds for a in e["amounts"] if a["currency"] == "USD") == [
        2_000_000_000, 5_000_000_000, 12_000_000_000]
    assert all(e["sources"][0]["iri"] == FASTVIEW for e in rounds)


def test_the_card_can_describe_only_the_newest_events(api: httpx.Client) -> None:
    whole = api.get("/entities/xai").json()
    assert whole["events_total"] == len(whole["events"]) > 2
    newest = api.get("/entities/xai", params={"events": 2}).json()
    assert newest["events"] == whole["events"][:2] and newest["events_total"] == whole["events_total"]
    assert {k: v for k, v in newest.items() if k != "events"} == {k: v for k, v in whole.items() if k != "events"}
    assert api.get("/entities/xai", params={"events": 0}).status_code == 422


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/trig", ox.RdfFormat.TRIG),
])
def test_the_card_as_rdf_carries_provenance(api: httpx.Client, accept: str, fmt: ox.RdfFormat) -> None:
    response = api.get("/entities/xai", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(accept)
    quads = list(ox.parse(response.content, format=fmt))
    predicates = {q.predicate.value for q in quads}
    assert "http://www.w3.org/ns/prov#wasDerivedFrom" in predicates
    assert "https://w3id.org/aikg/ontology#recipient" in predicates
    if fmt is ox.RdfFormat.TRIG:
        assert FASTVIEW in {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}


def test_an_unknown_slug_suggests_the_closest(api: httpx.Client) -> None:
    response = api.get("/entities/xia")
    assert response.status_code == 404
    assert "did you mean xai" in response.json()["detail"]
    assert api.get("/entities/xai", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize(("path", "params", "location"), [
    ("/entities/Elon Musk", {}, "/entities/elon-musk"),
    ("/entities/イーロン・マスク", {"events": "1"}, "/entities/elon-musk?events=1"),
    ("/entities/ＸＡＩ/neighbors", {"depth": "1"}, "/entities/xai/neighbors?depth=1"),
])
def test_a_name_in_the_path_redirects_to_the_slugs_address(api: httpx.Client, path: str, params: dict, location: str) -> None:
    moved = api.get(path, params=params)
    assert moved.status_code == 307 and moved.headers["location"] == location
    followed = api.get(path, params=params, follow_redirects=True)
    assert followed.status_code == 200 and followed.json() == api.get(location).json()


def test_a_name_in_the_path_that_names_nobody_or_two_is_an_error_naming_them(api: httpx.Client) -> None:
    unknown = api.get("/entities/Elon Musky")
    assert unknown.status_code == 404 and unknown.json()["detail"].startswith("slug: no entity 'Elon Musky'")
    assert "elon-musk" in unknown.json()["detail"]
    injected = api.get("/entities/x%3E%20%3Fp%20%3Fo/neighbors")  # `x> ?p ?o`: a name to look up, never put in a query
    assert injected.status_code == 404 and injected.json()["detail"].startswith("slug: no entity 'x> ?p ?o'")
    assert api.get("/entities/" + "x" * 501).status_code == 422
    with live_server(":memory:", token="t0ken") as base, httpx.Client(base_url=base, timeout=30) as client:
        alias = "INSERT DATA { GRAPH aik:entities { id:spacex skos:altLabel 'Musk'@en } }"
        assert client.post("/sparql", data={"update": alias}, headers={"Authorization": "Bearer t0ken"}).status_code == 204
        both = client.get("/entities/MUSK")
        assert both.status_code == 400 and both.json()["detail"].startswith("slug: 'MUSK' names 2 entities: elon-musk")


def test_neighbours_are_nodes_and_edges(api: httpx.Client) -> None:
    near = api.get("/entities/colossus/neighbors", params={"depth": 1}).json()
    ids = {n["id"] for n in near["nodes"]}
    assert {"colossus", "memphis"} <= ids
    assert all(e["from"] in ids and e["to"] in ids for e in near["edges"])
    only_people = api.get("/entities/xai/neighbors", params={"depth": 2, "types": "Person"}).json()
    assert {n["cls"] for n in only_people["nodes"] if n["id"] != "xai"} == {"Person"}
    assert api.get("/entities/xai/neighbors", params={"depth": 4}).status_code == 422


def test_paths_from_gracias_to_nvidia_name_their_sources(api: httpx.Client) -> None:
    found = api.get("/paths", params={"from": "antonio-gracias", "to": "nvidia"}).json()
    assert found["count"] >= 1 and found["hops"] == len(found["paths"][0])
    for path in found["paths"]:
        assert path[0]["from"] == "antonio-gracias" and path[-1]["to"] == "nvidia"
        assert all(step["sources"] == [FASTVIEW] for step in path)
    missing = api.get("/paths", params={"from": "antonio-gracias", "to": "nvidiaa"})
    assert missing.status_code == 404 and "to: no entity 'nvidiaa'" in missing.json()["detail"]
    assert api.get("/paths", params={"from": "antonio-gracias"}).json()["detail"][0]["loc"] == ["query", "to"]
    by_name = api.get("/paths", params={"from": "Antonio Gracias", "to": "https://w3id.org/aikg/id/nvidia"}).json()
    assert by_name == found
    assert api.get("/paths", params={"from": "x> ?p", "to": "nvidia"}).json()["detail"] == "from: no entity 'x> ?p'"


def test_a_filter_the_parameters_admit_but_no_entity_has_matches_nothing(api: httpx.Client) -> None:
    """``-`` fits the slug parameters' pattern; it names no entity, so nothing matches (it was a 500)."""
    supply = api.get("/supply", params={"customer": "-", "asset": "colossus"})
    assert supply.status_code == 200 and (supply.json()["deals_count"], supply.json()["capacity_count"]) == (0, 2)
    funding = api.get("/funding", params={"recipient": "-"})
    assert funding.status_code == 200 and funding.json()["count"] == 0


def test_funding_into_xai_is_three_rounds(api: httpx.Client) -> None:
    funding = api.get("/funding", params={"recipient": "xai"}).json()
    assert [r["amount_usd"] for r in funding["rounds"]] == [12_000_000_000, 5_000_000_000, 2_000_000_000]
    biggest = funding["rounds"][0]
    assert biggest["status"] == "InNegotiation" and biggest["instruments"] == ["Debt"]
    assert [l["slug"] for l in biggest["lead"]] == ["valor-equity-partners"]
    assert {a["currency"] for a in biggest["amounts"]} == {"USD", "JPY"}
    secured = funding["rounds"][1]
    assert [a["slug"] for a in secured["arrangers"]] == ["morgan-stanley"]
    assert secured["instruments"] == ["Loan", "SecuredBond"]
    assert funding["totals"]["usd"] == 19_000_000_000
    assert funding["totals"]["by_status"] == {"Completed": 7_000_000_000, "InNegotiation": 12_000_000_000}
    assert sum(funding["totals"]["by_instrument"].values()) == 19_000_000_000


def test_funding_filters(api: httpx.Client) -> None:
    equity = api.get("/funding", params={"recipient": "xai", "instrument": "Equity"}).json()
    assert [r["amount_usd"] for r in equity["rounds"]] == [2_000_000_000]
    by_spacex = api.get("/funding", params={"investor": "spacex"}).json()
    assert [r["recipient"]["slug"] for r in by_spacex["rounds"]] == ["xai"]
    bad = api.get("/funding", params={"status": "Rumoured"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "status"]
    assert api.get("/funding", params={"since": "2025-13-01"}).json()["detail"][0]["loc"] == ["query", "since"]


def test_funding_lists_a_page_of_rounds_with_the_totals_of_all(api: httpx.Client) -> None:
    everything = api.get("/funding", params={"limit": 1000}).json()
    assert everything["count"] == len(everything["rounds"]) == 3 and everything["limit"] == 1000
    page = api.get("/funding", params={"limit": 2, "offset": 1}).json()
    assert (page["count"], page["limit"], page["offset"]) == (everything["count"], 2, 1)
    assert page["rounds"] == everything["rounds"][1:3], "largest first, the same order page by page"
    assert page["totals"] == everything["totals"], "the totals count every round that matches, not the page"
    assert api.get("/funding").json()["limit"] == 100
    past = api.get("/funding", params={"offset": everything["count"]}).json()
    assert past["rounds"] == [] and past["count"] == everything["count"]
    for params, name in (({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"offset": -1}, "offset")):
        bad = api.get("/funding", params=params)
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", name]


def test_funding_leaders_by_recipient_and_by_investor(api: httpx.Client) -> None:
    raised = api.get("/funding/leaders").json()
    assert raised["by"] == "recipient" and raised["limit"] == 20
    top = raised["leaders"][0]
    assert (top["slug"], top["name"], top["total_usd"], top["rounds"]) == ("xai", "xAI", 19_000_000_000, 3)
    # Each total equals what /funding lists for that recipient.
    for leader in raised["leaders"]:
        rounds = api.get("/funding", params={"recipient": leader["slug"]}).json()
        assert leader["total_usd"] == rounds["totals"]["usd"]
        assert leader["rounds"] == sum(r["amount_usd"] is not None for r in rounds["rounds"])
    invested = {i["slug"]: i for i in api.get("/funding/leaders", params={"by": "investor", "limit": 1000}).json()["leaders"]}
    assert invested["valor-equity-partners"]["total_usd"] == sum(  # a lead investor counts as an investor
        r["amount_usd"] for r in api.get("/funding", params={"investor": "valor-equity-partners"}).json()["rounds"])
    totals = [i["total_usd"] for i in invested.values()]
    assert totals == sorted(totals, reverse=True)
    assert len(api.get("/funding/leaders", params={"limit": 1}).json()["leaders"]) == 1


@pytest.mark.parametrize(("params", "name"), [({"by": "customer"}, "by"), ({"limit": 0}, "limit"), ({"limit": "x"}, "limit")])
def test_bad_funding_leaders_parameters_are_a_422_naming_them(api: httpx.Client, params: dict, name: str) -> None:
    response = api.get("/funding/leaders", params=params)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", name]


def test_supply_and_capacity(api: httpx.Client) -> None:
    supply = api.get("/supply", params={"supplier": "nvidia"}).json()
    assert supply["deals"] and all(any(s["slug"] == "nvidia" for s in d["suppliers"]) for d in supply["deals"])
    colossus = api.get("/supply", params={"asset": "colossus"}).json()
    assert sorted(c["gpu_count"] for c in colossus["capacity"]) == [100_000, 200_000]


def test_supply_lists_a_page_of_deals_and_of_observations(api: httpx.Client) -> None:
    everything = api.get("/supply", params={"limit": 1000}).json()
    assert everything["deals_count"] == len(everything["deals"]) == 1
    assert everything["capacity_count"] == len(everything["capacity"]) == 2
    page = api.get("/supply", params={"limit": 1, "offset": 1}).json()
    assert (page["deals_count"], page["capacity_count"], page["limit"], page["offset"]) == (
        everything["deals_count"], everything["capacity_count"], 1, 1)
    assert page["deals"] == [] and page["capacity"] == everything["capacity"][1:2]
    dates = [(c["asset"]["slug"], c["date"] or "") for c in everything["capacity"]]
    assert dates == sorted(dates), "observations by asset, then date"
    assert api.get("/supply", params={"offset": -1}).status_code == 422


def test_sources_list_and_detail(api: httpx.Client) -> None:
    listed = api.get("/sources").json()
    fastview = next(s for s in listed["items"] if s["iri"] == FASTVIEW)
    assert fastview["language"] == "ja" and fastview["facts"] > 100
    detail = api.get("/sources/fastview-2025-07-xai-raises-12b").json()
    assert len(detail["events"]) >= 3 and detail["relations"]
    assert api.get("/sources/nothing-like-this").status_code == 404
    trig = api.get("/sources/fastview-2025-07-xai-raises-12b", headers={"Accept": "application/trig"})
    quads = list(ox.parse(trig.content, format=ox.RdfFormat.TRIG))
    assert len(quads) == fastview["facts"] and {q.graph_name.value for q in quads} == {FASTVIEW}


def test_every_endpoint_is_documented_with_an_example(api: httpx.Client) -> None:
    docs = api.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    # Served by the app itself: the docs work offline.
    assert "cdn" not in docs.text and "https://" not in docs.text
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', docs.text):
        assert api.get(asset).status_code == 200, asset
    spec = api.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            examples = [c for r in operation["responses"].values() for c in r.get("content", {}).values()
                        if "example" in c or "examples" in c]
            assert examples, f"{method.upper()} {path} has no example"


def test_paths_and_search_follow_an_update(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store(store=store)[0].close()
    with live_server(store, token="t0ken") as base, httpx.Client(base_url=base, timeout=30) as client:
        before = client.get("/paths", params={"from": "jensen-huang", "to": "tesla"}).json()
        update = """INSERT DATA { GRAPH <https://w3id.org/aikg/source/analyst-note> {
            id:jensen-huang aik:associateOf id:tesla } }"""
        assert client.post("/sparql", data={"update": update},
                           headers={"Authorization": "Bearer t0ken"}).status_code == 204
        after = client.get("/paths", params={"from": "jensen-huang", "to": "tesla"}).json()
        assert after["hops"] == 1 and (before["hops"] or 99) > 1
        assert after["paths"][0][0]["sources"] == ["https://w3id.org/aikg/source/analyst-note"]


def test_centrality_ranks_the_hub_first_filters_by_class_and_follows_an_update(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store(store=store)[0].close()
    with live_server(store, token="t0ken") as base, httpx.Client(base_url=base, timeout=30) as client:
        everyone = client.get("/centrality", params={"top": 1000}).json()["entities"]
        assert everyone[0]["slug"] == "xai" and abs(sum(e["score"] for e in everyone) - 1) < 1e-6
        assert [e["score"] for e in everyone] == sorted((e["score"] for e in everyone), reverse=True)
        people = client.get("/centrality", params={"types": "Person", "top": 2}).json()["entities"]
        assert [p["slug"] for p in people] == [e["slug"] for e in everyone if e["cls"] == "Person"][:2]
        wrong = client.get("/centrality", params={"types": "Persn"})
        assert wrong.status_code == 422 and "unknown class 'Persn'; known: " in wrong.json()["detail"]
        tesla = next(e for e in everyone if e["slug"] == "tesla")
        links = " ".join(f"id:{e['slug']} aik:associateOf id:tesla ." for e in everyone if e["slug"] != "tesla")
        update = f"INSERT DATA {{ GRAPH <https://w3id.org/aikg/source/analyst-note> {{ {links} }} }}"
        assert client.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer t0ken"}).status_code == 204
        first = client.get("/centrality", params={"top": 1}).json()["entities"][0]
        assert first["slug"] == "tesla" and first["links"] == len(everyone) - 1 > tesla["links"]


def test_a_name_two_entities_carry_is_a_400_listing_both_for_paths_and_the_view() -> None:
    with live_server(":memory:", token="t0ken") as base, httpx.Client(base_url=base, timeout=30) as client:
        alias = "INSERT DATA { GRAPH aik:entities { id:spacex skos:altLabel 'Musk'@en } }"
        assert client.post("/sparql", data={"update": alias}, headers={"Authorization": "Bearer t0ken"}).status_code == 204
        both = "'Musk' names 2 entities: elon-musk (Elon Musk), spacex (SpaceX); give one's slug"
        paths = client.get("/paths", params={"from": "Musk", "to": "xai"})
        assert paths.status_code == 400 and paths.json()["detail"] == f"from: {both}"
        view = client.get("/view", params={"focus": "Musk"})
        assert view.status_code == 400 and view.json()["detail"] == f"focus: {both}"
        assert client.get("/view", params={"focus": "SpaceX", "depth": 1}).status_code == 200


def test_an_in_memory_server_holds_the_bundled_graph_and_takes_updates() -> None:
    with live_server(":memory:", token="t0ken") as base, httpx.Client(base_url=base, timeout=30) as client:
        assert client.get("/funding", params={"recipient": "xai"}).json()["count"] == 3
        update = "INSERT DATA { GRAPH <urn:note> { id:xai skos:altLabel \"エックスエーアイ\"@ja } }"
        assert client.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer t0ken"}).status_code == 204
        assert client.get("/entities", params={"q": "エックスエーアイ"}).json()["items"][0]["slug"] == "xai"


NOTE = """\
source:
  slug: analyst-note-2025-08
  headline: "Analyst note: Jensen Huang and Tesla"
  publisher: fastview
  language: en
  published: 2025-08-01
relations:
  - {subject: jensen-huang, predicate: associateOf, object: tesla}
"""


def test_a_running_server_serves_a_rebuilt_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store(store=store)[0].close()
    with live_server(store) as base, httpx.Client(base_url=base, timeout=30) as client:
        assert client.get("/sources/analyst-note-2025-08").status_code == 404
        (tmp_path / "facts").mkdir()
        (tmp_path / "facts" / "note.yaml").write_text(NOTE, encoding="utf-8")
        build_store([tmp_path / "facts"], store=store)[0].close()
        assert client.get("/sources/analyst-note-2025-08").status_code == 200
        assert client.get("/paths", params={"from": "jensen-huang", "to": "tesla"}).json()["hops"] == 1
