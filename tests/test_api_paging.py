"""The lists of /funding and /supply, page by page, as the server's tasks compute them."""

from __future__ import annotations

import pyoxigraph as ox

import graph
from api.funding import rounds
from api.supply import supply

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
