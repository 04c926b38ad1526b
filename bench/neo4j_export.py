"""Export rate and peak memory of the Neo4j CSV and Cypher exports on a synthetic graph.

    python -m bench.neo4j_export [--triples 1000000]

The synthetic graph uses our vocabulary: companies, investment firms and funding rounds
(recipient, lead investor, amount, date, status), deterministic for a given size.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    args = parser.parse_args()
    store = synthetic(args.triples)
    n = len(store)
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, write in (("csv", lambda g: export_csv(g, Path(tmp) / "csv")),
                           ("cypher", lambda g: export_cypher(g, Path(tmp) / "graph.cypher"))):
            start = time.perf_counter()
            write(property_graph(store))
            seconds = time.perf_counter() - start
            print(f"{fmt}: {n:,} quads in {seconds:.1f} s = {n / seconds:,.0f} triples/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (whole run, incl. the in-memory store): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
