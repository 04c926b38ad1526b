"""The load script in short form: concurrent mixed reads against a real server, no errors.

The full run (200 connections, 60 s, three rounds, seed and 1M-triple graphs) is
``python -m bench.load``; its figures are in the README. Here only correctness is checked:
every answer is a 200 or a designed 429, and every kind of read was answered.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from live_server import live_server

from bench.load import make_store, run_round


def test_concurrent_mixed_reads_get_no_errors(tmp_path: Path) -> None:
    quads = make_store(tmp_path / "store", triples=20_000)
    assert quads > 15_000  # the bundled graph and about 20,000 synthetic triples
    with live_server(tmp_path / "store", workers="2", max_per_client="8") as base:
        rounds = [asyncio.run(run_round(base, connections=40, seconds=4, seed=n)) for n in range(2)]
    for result in rounds:
        assert result.errors == 0, result.error_samples
        assert result.ok > 0 and result.too_many > 0  # 40 connections from one client pass its limit of 8
        assert {"sparql", "card", "search", "neighbours", "paths"} <= set(result.by_kind)
        assert 0 < result.p50_ms <= result.p99_ms
