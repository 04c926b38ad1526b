"""The embedded store beside a SPARQL server (Virtuoso), through the same store interface, in one process.

    python -m bench.remote [--triples 100000] [--repeat 30] [--endpoint sparql+http://HOST:PORT/sparql] [--json FILE]

Builds the bundled graph plus a synthetic graph of about ``--triples`` triples, loads the same
quads into an embedded Oxigraph store on disk and into the server (``--endpoint``; without it
a throwaway Virtuoso is started on loopback, which needs ``virtuoso-opensource``), then times a
point lookup, a funding aggregate and an entity card on both. The server's graphs are replaced:
point it only at a server you use for aikg. Prints a Markdown table; ratios are the claim.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import pyoxigraph as ox

from bench.neo4j_export import synthetic
from graph.build import build_store
from graph.cards import entity_card
from graph.store import Store, open_store
from ontology import ID, sparql_prologue

TOTALS = ("SELECT ?recipient (SUM(?usd) AS ?total) WHERE { ?round aik:recipient ?recipient ; aik:amountUSD ?usd } "
          "GROUP BY ?recipient ORDER BY DESC(?total) LIMIT 20")


def operations(rounds: int) -> dict[str, Callable[[Store], object]]:
    """The timed reads, each a function of the store."""
    prologue = sparql_prologue()

    def point_lookup(store: Store) -> object:
        i = random.randrange(max(rounds, 1))
        return store.select(prologue + f"SELECT ?label WHERE {{ <{ID}round-{i}> rdfs:label ?label }}")

    return {
        "point lookup": point_lookup,
        "funding aggregate": lambda store: store.select(prologue + TOTALS),
        "entity card": lambda store: entity_card(store, "xai"),
    }


def timed(work: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` runs, after one warm-up run."""
    work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000, help="Synthetic triples beside the bundled graph.")
    parser.add_argument("--repeat", type=int, default=30, help="Timed runs per operation and store.")
    parser.add_argument("--endpoint", help="sparql+http://... of a server to use; default: start a throwaway Virtuoso.")
    parser.add_argument("--json", type=Path, help="Also write the results as JSON here.")
    args = parser.parse_args()

    quads = list(build_store(store=":memory:")[0].quads()) + list(synthetic(args.triples).quads())
    results: list[dict[str, object]] = []
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="aikg-bench-remote-")))
        endpoint = args.endpoint
        if endpoint is None:
            from tests.virtuoso import running_virtuoso

            endpoint = stack.enter_context(running_virtuoso(folder / "virtuoso")).location
        embedded = Store(ox.Store(str(folder / "embedded")), folder / "embedded")
        remote = open_store(endpoint)
        remote.replace_all([])  # type: ignore[attr-defined]  # an empty server, whatever an earlier run left
        loads = {}
        for name, store in (("embedded", embedded), ("virtuoso", remote)):
            started = time.perf_counter()
            store.bulk_add(quads)
            store.flush()
            loads[name] = len(quads) / (time.perf_counter() - started)
        assert len(remote) == len(embedded) == len(set(quads)), (len(remote), len(embedded))
        print(f"{len(quads):,} quads; load: embedded {loads['embedded']:,.0f}/s, Virtuoso {loads['virtuoso']:,.0f}/s "
              f"({'graph store POSTs' if remote.graphs_url else 'SPARQL Update batches'} over HTTP; "  # type: ignore[attr-defined]
              f"Virtuoso takes {loads['embedded'] / loads['virtuoso']:.2f}x the embedded time)")
        for op, work in operations(args.triples // 10).items():
            random.seed(1)
            times = {name: timed(lambda s=store: work(s), args.repeat) for name, store in (("embedded", embedded), ("virtuoso", remote))}
            medians = {name: statistics.median(t) for name, t in times.items()}
            for name, t in times.items():
                results.append({"system": name, "op": op, "median_ms": round(medians[name], 3),
                                "p99_ms": round(sorted(t)[max(0, int(len(t) * 0.99) - 1)], 3)})
            results.append({"system": "ratio virtuoso/embedded", "op": op,
                            "median_ms": round(medians["virtuoso"] / medians["embedded"], 2)})
        remote.replace_all([])  # type: ignore[attr-defined]
        remote.close()
    print(f"\n| operation | embedded median ms | Virtuoso median ms | Virtuoso / embedded |\n|---|---:|---:|---:|")
    for op in operations(1):
        row = {r["system"]: r["median_ms"] for r in results if r["op"] == op}
        print(f"| {op} | {row['embedded']:.2f} | {row['virtuoso']:.2f} | {row['ratio virtuoso/embedded']:.1f}x |")
    if args.json:
        args.json.write_text(json.dumps({
            "triples": len(quads), "machine": f"{platform.machine()}, {platform.python_implementation()} "
            f"{platform.python_version()}, {os.cpu_count()} cores",
            "load_per_s": {k: round(v) for k, v in loads.items()}, "results": results,
        }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
