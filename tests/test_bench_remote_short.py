"""bench/remote.py in short form: it starts its own Virtuoso and Fuseki, loads every store alike and reports every operation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.live_server import REPO


def test_the_remote_benchmark_reports_each_operation_on_every_store(tmp_path: Path) -> None:
    out = tmp_path / "remote.json"
    run = subprocess.run([sys.executable, "-m", "bench.remote", "--triples", "2000", "--repeat", "3", "--json", str(out)],
                         capture_output=True, text=True, cwd=REPO, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "| point lookup |" in run.stdout and "| entity card |" in run.stdout
    report = json.loads(out.read_text())
    assert report["triples"] > 2000 and set(report["load_per_s"]) == {"embedded", "virtuoso", "fuseki"}
    found = {(r["system"], r["op"]) for r in report["results"]}
    for op in ("point lookup", "funding aggregate", "entity card"):
        assert {("embedded", op), ("virtuoso", op), ("ratio virtuoso/embedded", op),
                ("fuseki", op), ("ratio fuseki/embedded", op)} <= found
    assert all(r["median_ms"] > 0 for r in report["results"])
