"""Export rate and peak memory of the Neo4j CSV and Cypher exports on a synthetic graph.

    python -m bench.neo4j_export [--triples 1000000] [--bolt [URI]]

Rates are printed beside a baseline timed in the same run (reading every quad once), so the
ratio, not the machine, is the claim. ``--bolt`` also times a Bolt load, into URI or into a
Neo4j started from tests/neo4j/ (Java 17 and Maven).

The synthetic graph uses our vocabulary: companies, investment firms and funding rounds
(recipient, lead investor, amount, date, status), deterministic for a given size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from graph.export.neo4j_bolt import load_bolt
from graph.export.neo4j_csv import export_csv
from graph.export.neo4j_cypher import export_cypher
from graph.export.neo4j_mapping import property_graph
from graph.store import MEMORY, Store
from ontology import AIK, ID, SOURCE

XSD = "http://www.w3.org/2001/XMLSchema#"


def synthetic(triples: int) -> Store:
    """About ``triples`` quads: one source graph per 1,000 rounds, ten triples per round and per firm."""
    store = Store(ox.Store(), MEMORY)
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")

    def quads():
        rounds = triples // 10
        for i in range(rounds):
            g = ox.NamedNode(f"{SOURCE}doc-{i // 1000}")
            r, company, firm = (ox.NamedNode(f"{ID}round-{i}"), ox.NamedNode(f"{ID}company-{i % (rounds // 4 + 1)}"),
                                ox.NamedNode(f"{ID}firm-{i % (rounds // 8 + 1)}"))
            yield from (
                ox.Quad(r, a, ox.NamedNode(f"{AIK}FundingRound"), g),
                ox.Quad(r, label, ox.Literal(f"Round {i}", language="en"), g),
                ox.Quad(r, ox.NamedNode(f"{AIK}recipient"), company, g),
                ox.Quad(r, ox.NamedNode(f"{AIK}leadInvestor"), firm, g),
                ox.Quad(r, ox.NamedNode(f"{AIK}amountUSD"), ox.Literal(str(1_000_000 * (i % 997 + 1)), datatype=ox.NamedNode(XSD + "decimal")), g),
                ox.Quad(r, ox.NamedNode(f"{AIK}dateStart"), ox.Literal(f"2025-{i % 12 + 1:02d}-01", datatype=ox.NamedNode(XSD + "date")), g),
                ox.Quad(r, ox.NamedNode(f"{AIK}status"), ox.NamedNode(f"{AIK}Reported"), g),
                ox.Quad(company, a, ox.NamedNode(f"{AIK}Company"), g),
                ox.Quad(firm, a, ox.NamedNode(f"{AIK}InvestmentFirm"), g),
                ox.Quad(company, ox.NamedNode(f"{AIK}fundedBy"), firm, ox.NamedNode(f"{AIK}derived")),
            )

    store.bulk_add(quads())
    return store


def _read_all(store: Store) -> int:
    """The baseline: read every quad of the store once, as any export must."""
    return sum(1 for _ in store.quads())


def _timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _bolt_rate(store: Store, uri: str | None, user: str, password: str) -> None:
    """Load the graph into ``uri`` (or into a test Neo4j started from tests/neo4j/) and print the rate."""
    graph = property_graph(store)
    rows = len(graph.nodes) + len(graph.relationships)

    def load(target: str) -> None:
        seconds = _timed(lambda: load_bolt(graph, target, user, password))
        print(f"bolt: {rows:,} nodes and relationships ({len(store):,} quads) in {seconds:.1f} s"
              f" = {len(store) / seconds:,.0f} triples/s, {rows / seconds:,.0f} rows/s")

    if uri:
        load(uri)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "neo4j"))
    from neo4j_fixtures import start_neo4j  # the Maven-built test server; needs Java 17 and Maven

    with tempfile.TemporaryDirectory() as tmp, start_neo4j(Path(tmp) / "server") as server:
        load(server.uri)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--bolt", nargs="?", const="start", default=None, metavar="URI",
                        help="also time a Bolt load: into URI, or (no URI) into a Neo4j started from tests/neo4j/")
    parser.add_argument("--user", default="neo4j")
    parser.add_argument("--password", default="unused")
    args = parser.parse_args()
    store = synthetic(args.triples)
    n = len(store)
    baseline = min(_timed(lambda: _read_all(store)) for _ in range(3))
    print(f"baseline (read every quad once): {n:,} quads in {baseline:.2f} s = {n / baseline:,.0f} triples/s")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, write in (("csv", lambda g: export_csv(g, Path(tmp) / "csv")),
                           ("cypher", lambda g: export_cypher(g, Path(tmp) / "graph.cypher"))):
            seconds = _timed(lambda: write(property_graph(store)))
            print(f"{fmt}: {n:,} quads in {seconds:.1f} s = {n / seconds:,.0f} triples/s"
                  f" ({seconds / baseline:.1f}x the baseline read)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (whole run, incl. the in-memory store): {peak:,.0f} MB")
    if args.bolt:
        _bolt_rate(store, None if args.bolt == "start" else args.bolt, args.user, args.password)


if __name__ == "__main__":
    main()
