"""The side-by-side benchmark in short form: every system, every operation, figures in the JSON and the table."""

from __future__ import annotations

import json
import subprocess
import sys

from live_server import REPO, free_port

from bench.compare import GRAPH_OPS, QUERY_OPS


def test_short_benchmark_writes_every_system_and_operation(tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--triples", "10000", "--json", str(out), "--seconds", "0.3", "--port", str(free_port())],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    doc = json.loads(out.read_text())
    assert abs(doc["triples"] - 10_000) <= 1_000
    assert doc["machine"]["cores"] >= 1 and doc["machine"]["pyoxigraph"]
    by_system: dict[str, dict[str, dict]] = {}
    for r in doc["results"]:
        assert set(r) >= {"system", "op", "median_ms", "p99_ms", "per_s", "peak_rss_mb"}
        by_system.setdefault(r["system"], {})[r["op"]] = r
    assert set(by_system) == {"rdflib", "pyoxigraph", "aikg-store", "aikg-http"}
    for system, ops in by_system.items():
        for op in ("load", *QUERY_OPS, *GRAPH_OPS):
            if system == "aikg-http" and op == "load":
                continue
            r = ops[op]
            assert r["median_ms"] > 0 and r["per_s"] is None or r["per_s"] > 0, (system, op, r)
            assert r["peak_rss_mb"] > 10, (system, op)
            if op != "load":
                assert r["p99_ms"] >= r["median_ms"] > 0, (system, op, r)
    for concurrency in (1, 8, 32):
        r = by_system["aikg-http"][f"entity card @ concurrency {concurrency}"]
        assert r["per_s"] > 0 and r["p99_ms"] >= r["median_ms"] > 0
    for op in QUERY_OPS:  # the raw engine, run in turn with the store interface: the ratio's own baseline
        assert by_system["aikg-store"][op]["raw_engine_ms"] > 0, op
        assert f"aikg store within 1.3x of raw pyoxigraph, {op}: " in run.stdout
    load = by_system["aikg-store"]["load"]  # three loads, each in turn with the raw engine's bulk load of the file
    assert load["raw_engine_ms"] > 0 and load["p99_ms"] >= load["median_ms"] and "median of 3 runs" in load["note"]
    assert "the raw engine's bulk load run in turn" in run.stdout and doc["machine"]["bulk_load_allocator"]
    compact = by_system["aikg-store"]["compact after load"]  # on a copy as loaded and on the store compacted, in turn
    assert compact["median_ms"] > 0 and compact["note"].count(" ms (") == 3 and "as loaded -> compacted" in compact["note"]
    assert by_system["aikg-store"]["ingest one fact file"]["median_ms"] > 0
    update = by_system["aikg-store"]["SPARQL update of one round"]
    assert update["median_ms"] > 0 and "derived triples of the nodes it names brought in step" in update["note"]
    assert "from the whole store: " in update["note"]
    assert "projection extended" in update["note"]
    correction = by_system["aikg-store"]["SPARQL update correcting one round"]
    assert correction["median_ms"] > 0 and "nodes it names read again into the networkx projection" in correction["note"]
    aggregate = by_system["rdflib"]["funding aggregate"]  # run in turn with aikg's funding leaders: the speed-up's baseline
    assert aggregate["in_turn_ms"] > 0 and aggregate["aikg_leaders_in_turn_ms"] > 0
    assert aggregate["same_answer"] is True and "the same 20 totals" in run.stdout  # on the same facts, the same leaders
    assert "funding leaders" in aggregate["note"] and "faster than rdflib's funding aggregate, the two run in turn" in run.stdout
    for system in ("aikg-store", "aikg-http"):
        assert by_system[system]["funding leaders"]["p99_ms"] >= by_system[system]["funding leaders"]["median_ms"] > 0
    table = out.with_suffix(".md").read_text()
    assert "| aikg-http | entity card @ concurrency 8 |" in table and "funding aggregate >= 20x faster than rdflib" in table
    assert "the two run in turn" in run.stdout


def test_leaders_are_compared_up_to_the_order_of_ties_at_the_cut():
    from bench.compare import same_leaders

    a = [("x", 9.0, 2), ("y", 5.0, 1), ("z", 5.0, 1)]
    assert same_leaders(a, a) and same_leaders(a, [("x", 9.0, 2), ("z", 5.0, 1), ("w", 5.0, 1)])
    assert not same_leaders(a, [("w", 9.0, 2), ("y", 5.0, 1), ("z", 5.0, 1)])  # another entity above the cut
    assert not same_leaders(a, [("x", 9.5, 2), ("y", 5.0, 1), ("z", 5.0, 1)])  # another total
    assert not same_leaders(a, a[:2])
