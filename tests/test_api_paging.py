"""The lists of /funding, /supply and /sources, page by page, as the server's tasks compute them."""

from __future__ import annotations

import pyoxigraph as ox

import graph
from graph.funding_rounds import rounds
from graph.supply_deals import supply

AIK = "https://w3id.org/aikg/ontology#"
ID = "https://w3id.org/aikg/id/"


def test_an_observation_of_no_named_asset_is_still_listed_first_and_pages_do_not_overlap() -> None:
    kg = graph.open_graph(":memory:")
    g = ox.NamedNode("https://w3id.org/aikg/source/paging-test")
    kg.add([ox.Quad(ox.NamedNode(ID + "unplaced-gpus"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    ox.NamedNode(AIK + "CapacityObservation"), g),
            ox.Quad(ox.NamedNode(ID + "unplaced-gpus"), ox.NamedNode(AIK + "gpuCount"), ox.Literal("5000", datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer")), g)])
    everything = supply(kg, None, None, None)
    assert everything["capacity_count"] == len(everything["capacity"]) == 3
    assert everything["capacity"][0]["id"] == "unplaced-gpus" and everything["capacity"][0]["asset"] is None
    pages = [supply(kg, None, None, None, 1, offset)["capacity"] for offset in range(3)]
    assert [page[0]["id"] for page in pages] == [c["id"] for c in everything["capacity"]]
    colossus = supply(kg, None, None, "colossus")
    assert colossus["capacity_count"] == 2 and all(c["asset"]["slug"] == "colossus" for c in colossus["capacity"])


def test_rounds_page_by_page_are_the_rounds_all_at_once() -> None:
    kg = graph.open_graph(":memory:")
    everything = rounds(kg)
    assert everything["limit"] is None and everything["count"] == len(everything["rounds"])
    paged = [r for offset in range(everything["count"]) for r in rounds(kg, limit=1, offset=offset)["rounds"]]
    assert paged == everything["rounds"]
    assert rounds(kg, limit=1)["totals"] == everything["totals"]


def test_sources_page_by_page_are_every_document_in_order_each_as_its_own_page_describes_it() -> None:
    from api.sources import document, documents

    kg = graph.open_graph(":memory:")
    everything = documents(kg, 1000, 0)
    slugs = [d["slug"] for d in everything["items"]]
    assert everything["total"] == len(slugs) == 4 and slugs == sorted(slugs)
    paged = [d for offset in range(0, 5, 2) for d in documents(kg, 2, offset)["items"]]
    assert paged == everything["items"]
    facts = document(kg, "fastview-2025-07-xai-raises-12b")
    assert {k: facts[k] for k in everything["items"][0]} == next(d for d in everything["items"] if d["slug"] == facts["slug"])
    assert facts["facts"] == len(list(kg.quads("https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b"))) > 100
    assert [d["facts"] for d in everything["items"] if d["slug"].startswith("wsj")] == [0, 0], "a document only cited holds no graph"
