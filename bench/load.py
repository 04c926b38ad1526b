"""Load: many concurrent connections of mixed reads against a real server, in rounds.

    python -m bench.load [--triples 0 1000000] [--connections 200] [--duration 60] [--rounds 3]

For each size in ``--triples``, builds the bundled graph (plus a synthetic graph of about
that many triples in our vocabulary; 0 for the bundled graph alone) into a temporary store, serves it with ``aikg serve`` under the
default limits, and drives ``--connections`` concurrent connections of mixed reads: SPARQL
queries, entity cards, search, neighbours, paths, and the graph view when the service has
one. A client told 429 waits its ``Retry-After``, as a polite client does; those answers are
counted apart. Reports per round: answers, errors, throughput, p50/p99 latency, and the
server's memory (all its processes) after the round.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import psutil

SLUGS = ["xai", "elon-musk", "antonio-gracias", "nvidia", "spacex", "colossus", "valor-equity-partners", "memphis"]
FUNDING = ("SELECT ?round ?usd WHERE { ?round a aik:FundingRound ; aik:recipient id:xai ; aik:amountUSD ?usd } "
           "ORDER BY DESC(?usd) LIMIT 50")
TOTALS = ("SELECT ?recipient (SUM(?usd) AS ?total) WHERE { ?round aik:recipient ?recipient ; aik:amountUSD ?usd } "
          "GROUP BY ?recipient ORDER BY DESC(?total) LIMIT 20")


@dataclass
class Round:
    """What one round measured."""

    connections: int
    seconds: float
    ok: int = 0
    too_many: int = 0
    errors: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    ok_per_second: float = 0.0
    server_rss_mb: float = 0.0


def requests_for(base: str, spec: dict) -> list[tuple[str, str, dict]]:
    """The mix of reads as (kind, path, params); the view joins in when the OpenAPI document has it."""
    mix = [
        ("sparql", "/sparql", {"query": FUNDING}),
        ("sparql", "/sparql", {"query": TOTALS}),
        ("sparql", "/sparql", {"query": 'SELECT ?s WHERE { ?s rdfs:label ?n FILTER(CONTAINS(LCASE(STR(?n)), "colossus")) }'}),
        *[("card", f"/entities/{slug}", {}) for slug in SLUGS],
        ("search", "/entities", {"q": "valor"}),
        ("neighbours", "/entities/xai/neighbors", {"depth": "2"}),
        ("paths", "/paths", {"from": "antonio-gracias", "to": "nvidia"}),
        ("paths", "/paths", {"from": "jensen-huang", "to": "xai"}),
    ]
    if "/view" in spec.get("paths", {}):
        mix += [("view", "/view", {"focus": "xai"}), ("view", "/view", {"focus": "elon-musk"})]
    return mix


async def run_round(base: str, connections: int, seconds: float, seed: int = 0) -> Round:
    """Drive ``connections`` concurrent clients for ``seconds``; return what they saw."""
    async with httpx.AsyncClient(base_url=base, timeout=120,
                                 limits=httpx.Limits(max_connections=connections,
                                                     max_keepalive_connections=connections)) as client:
        spec = (await client.get("/openapi.json")).json()
        mix = requests_for(base, spec)
        result = Round(connections, seconds)
        latencies: list[float] = []
        kinds: Counter[str] = Counter()
        stop = time.monotonic() + seconds

        async def one_client(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.monotonic() < stop:
                kind, path, params = rng.choice(mix)
                started = time.monotonic()
                try:
                    answer = await client.get(path, params=params)
                except httpx.HTTPError as exc:
                    result.errors += 1
                    result.error_samples.append(f"{kind} {path}: {type(exc).__name__}: {exc}"[:300])
                    continue
                if answer.status_code == 429:
                    result.too_many += 1
                    await asyncio.sleep(float(answer.headers.get("retry-after", "1")))
                elif answer.status_code == 200:
                    result.ok += 1
                    kinds[kind] += 1
                    latencies.append(time.monotonic() - started)
                else:
                    result.errors += 1
                    result.error_samples.append(f"{kind} {path} {params}: {answer.status_code} {answer.text[:200]}")

        began = time.monotonic()
        await asyncio.gather(*(one_client(n) for n in range(connections)))
        elapsed = time.monotonic() - began
    result.by_kind = dict(kinds)
    result.error_samples = result.error_samples[:5]
    if latencies:
        result.p50_ms = round(statistics.median(latencies) * 1000, 1)
        result.p99_ms = round(statistics.quantiles(latencies, n=100)[98] * 1000, 1) if len(latencies) > 1 else result.p50_ms
    result.ok_per_second = round(result.ok / elapsed, 1)
    return result


def server_rss_mb(pid: int) -> float:
    """Resident memory of a server and its query workers, in MB."""
    root = psutil.Process(pid)
    return round(sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20, 1)


def make_store(path: Path, triples: int) -> int:
    """The bundled graph, plus a synthetic graph of about ``triples`` triples; returns the quad count."""
    from graph.build import build_store

    store = build_store(store=path)[0]
    if triples:
        from bench.neo4j_export import synthetic

        store.bulk_add(synthetic(triples).quads())
        store.flush()
    count = len(store)
    store.close()
    return count


def serve(store: Path, port: int, extra: tuple[str, ...] = ()) -> subprocess.Popen:
    """``aikg serve`` on ``store`` with the default limits; waits until it answers."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from graph.cli import main; main()", "serve", "--store", str(store), "--port", str(port), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k != "AIKG_TOKEN"},
    )
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"aikg serve exited with {process.returncode}")
        time.sleep(0.5)
    raise RuntimeError("aikg serve did not answer within 5 minutes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[0, 1_000_000],
                        help="sizes of the synthetic graph added to the bundled one, one run each")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    for triples in args.triples:
        with tempfile.TemporaryDirectory() as folder:
            store = Path(folder) / "store"
            quads = make_store(store, triples)
            process = serve(store, args.port)
            try:
                rss_start = server_rss_mb(process.pid)
                print(json.dumps({"quads": quads, "connections": args.connections, "seconds": args.duration,
                                  "server_rss_mb_at_start": rss_start}), flush=True)
                for n in range(args.rounds):
                    result = asyncio.run(run_round(f"http://127.0.0.1:{args.port}", args.connections, args.duration, n))
                    time.sleep(2)  # let the last answers settle before reading memory
                    result.server_rss_mb = server_rss_mb(process.pid)
                    print(json.dumps({"round": n + 1, **asdict(result)}), flush=True)
            finally:
                process.terminate()
                process.wait(30)


if __name__ == "__main__":
    main()
