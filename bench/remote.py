"""The embedded store beside SPARQL servers (Virtuoso, Fuseki), through the same store interface, in one process.

    python -m bench.remote [--triples 100000] [--repeat 30] [--servers virtuoso fuseki]
                           [--endpoint sparql+http://HOST:PORT/sparql] [--json FILE]

Builds the bundled graph plus a synthetic graph of about ``--triples`` triples, loads the same
quads into an embedded Oxigraph store on disk and into each server, then times a point lookup,
a funding aggregate and an entity card on every store in turn. The servers are throwaway ones
started on loopback as the tests start them (``--servers``: Virtuoso needs
``virtuoso-opensource``, Fuseki Java and Maven), or the one server at ``--endpoint``, whose
graphs are replaced: point it only at a server you use for aikg. Prints a Markdown table;
ratios are the claim.
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


NAMES = {"virtuoso": "Virtuoso", "fuseki": "Fuseki", "server": "the server"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000, help="Synthetic triples beside the bundled graph.")
    parser.add_argument("--repeat", type=int, default=30, help="Timed runs per operation and store.")
    parser.add_argument("--servers", nargs="+", choices=["virtuoso", "fuseki"], default=["virtuoso", "fuseki"],
                        help="Throwaway servers to start and measure (default: both).")
    parser.add_argument("--endpoint", help="sparql+http://... of a server to use instead of starting any (reported as 'server').")
    parser.add_argument("--json", type=Path, help="Also write the results as JSON here.")
    args = parser.parse_args()

    quads = list(build_store(store=":memory:")[0].quads()) + list(synthetic(args.triples).quads())
    results: list[dict[str, object]] = []
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="aikg-bench-remote-")))
        if args.endpoint:
            endpoints = {"server": args.endpoint}
        else:
            from tests.sparql_servers import running

            endpoints = {kind: stack.enter_context(running(kind, folder / kind)).location for kind in args.servers}
        stores: dict[str, Store] = {"embedded": Store(ox.Store(str(folder / "embedded")), folder / "embedded")}
        for kind, endpoint in endpoints.items():
            stores[kind] = open_store(endpoint)
            stores[kind].replace_all([])  # type: ignore[attr-defined]  # an empty server, whatever an earlier run left
        loads = {}
        for name, store in stores.items():
            started = time.perf_counter()
            store.bulk_add(quads)
            store.flush()
            loads[name] = len(quads) / (time.perf_counter() - started)
            assert len(store) == len(set(quads)), (name, len(store), len(set(quads)))
        print(f"{len(quads):,} quads; load: " + ", ".join(f"{NAMES.get(n, n)} {r:,.0f}/s" for n, r in loads.items())
              + " (servers through graph store POSTs, or SPARQL Update batches without one, over HTTP)")
        servers = [name for name in stores if name != "embedded"]
        for op, work in operations(args.triples // 10).items():
            random.seed(1)
            times = {name: timed(lambda s=store: work(s), args.repeat) for name, store in stores.items()}
            medians = {name: statistics.median(t) for name, t in times.items()}
            for name, t in times.items():
                results.append({"system": name, "op": op, "median_ms": round(medians[name], 3),
                                "p99_ms": round(sorted(t)[max(0, int(len(t) * 0.99) - 1)], 3)})
            for name in servers:
                results.append({"system": f"ratio {name}/embedded", "op": op,
                                "median_ms": round(medians[name] / medians["embedded"], 2)})
        for name in servers:
            stores[name].replace_all([])  # type: ignore[attr-defined]
            stores[name].close()
    print("\n| operation | embedded median ms | " + " | ".join(f"{NAMES[n]} median ms | {NAMES[n]} / embedded" for n in servers)
          + " |\n|---|---:|" + "---:|---:|" * len(servers))
    for op in operations(1):
        row = {r["system"]: r["median_ms"] for r in results if r["op"] == op}
        print(f"| {op} | {row['embedded']:.2f} | "
              + " | ".join(f"{row[n]:.2f} | {row[f'ratio {n}/embedded']:.1f}x" for n in servers) + " |")
    if args.json:
        args.json.write_text(json.dumps({
            "triples": len(quads), "machine": f"{platform.machine()}, {platform.python_implementation()} "
            f"{platform.python_version()}, {os.cpu_count()} cores",
            "load_per_s": {k: round(v) for k, v in loads.items()}, "results": results,
        }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
