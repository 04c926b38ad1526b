"""Bad input to ``aikg extract``: a clear message on stderr and an empty or partial fact file, never a crash."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
ARTICLE = REPO / "tests" / "articles" / "en-wire-equity-round.txt"


def extract(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graph.cli", "extract", *args, "--entities-from", str(REPO / "graph" / "data")],
                          capture_output=True, text=True, cwd=REPO)


def valid_fact_file(path: Path) -> dict:
    """The file is a fact file that `aikg validate` accepts on its own."""
    run = subprocess.run([sys.executable, "-m", "graph.cli", "validate", "--no-bundled", str(path)], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_empty_file(tmp_path):
    article, out = tmp_path / "empty.txt", tmp_path / "facts.yaml"
    article.write_bytes(b"")
    run = extract(str(article), "-o", str(out))
    assert run.returncode == 0
    assert f"aikg: {article}: the file is empty: no facts to extract" in run.stderr
    data = valid_fact_file(out)
    assert data["relations"] == [] and data["events"] == []


def test_binary_file(tmp_path):
    article, out = tmp_path / "photo.png", tmp_path / "facts.yaml"
    article.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    run = extract(str(article), "-o", str(out))
    assert run.returncode == 2
    assert f"aikg: {article}: not text: it holds NUL bytes" in run.stderr
    assert "Traceback" not in run.stderr
    data = valid_fact_file(out)
    assert data["events"] == []


def test_invalid_utf8_that_is_no_known_encoding(tmp_path):
    article = tmp_path / "mixed.txt"
    article.write_bytes("テスト".encode("utf-8") + b"\xff\xfe\x81" + "本文".encode("utf-8"))
    run = extract(str(article), "-o", str(tmp_path / "facts.yaml"))
    assert run.returncode == 2
    assert "not text: invalid UTF-8 at byte 9" in run.stderr


def test_a_shift_jis_page_is_read(tmp_path):
    article = tmp_path / "sjis.txt"
    text = (REPO / "tests" / "articles" / "ja-news-series-b.txt").read_text(encoding="utf-8")
    article.write_bytes(text.encode("cp932"))
    run = extract(str(article), "--published", "2025-03-05", "--json")
    assert run.returncode == 0, run.stderr
    assert '"recipient": "aoba-ai"' in run.stdout


def test_a_20_mb_file_is_read_in_part(tmp_path):
    article, out = tmp_path / "huge.txt", tmp_path / "facts.yaml"
    body = "\n".join(line for line in ARTICLE.read_text(encoding="utf-8").splitlines() if len(line) > 60) + "\n"
    article.write_text((body * (20_000_000 // len(body) + 1))[:20_000_000], encoding="utf-8")
    started = time.monotonic()
    run = extract(str(article), "--published", "2025-07-15", "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert "the text has 20,000,000 characters; only the first 1,000,000 were read" in run.stderr
    assert time.monotonic() - started < 120
    data = valid_fact_file(out)
    # The repeated story is told once: the same event is not proposed a thousand times.
    assert sorted(e["type"] for e in data["events"]) == ["FundingRound", "SupplyDeal"]


def test_text_with_no_facts(tmp_path):
    article, out = tmp_path / "weather.txt", tmp_path / "facts.yaml"
    article.write_text("Sunny spells\nThe weather stayed mild across the region on Tuesday, with light winds and a little rain "
                       "in the evening; forecasters expect more of the same for the rest of the week.\n", encoding="utf-8")
    run = extract(str(article), "--published", "2025-07-15", "-o", str(out))
    assert run.returncode == 0
    assert "no facts found: the fact file holds the source document only" in run.stderr
    data = valid_fact_file(out)
    assert data["source"]["headline"] == "Sunny spells"
    assert data["relations"] == [] and data["events"] == []


def test_a_page_that_is_all_chrome(tmp_path):
    article = tmp_path / "menu.txt"
    article.write_text("Home\nMenu\n• Markets\n• Tech\n12\nコメント0\n© 2025 Example\n", encoding="utf-8")
    run = extract(str(article), "--published", "2025-07-15", "--json")
    assert run.returncode == 0
    assert "no article body found" in run.stderr


@pytest.mark.parametrize("args, code, message", [
    (["--published", "last week"], 2, "--published: 'last week' is not a date"),
    (["--published", "2025-02-30"], 2, "--published: '2025-02-30' is not a calendar date"),
    (["--lang", "fr"], 2, "--lang 'fr': choose auto, ja or en"),
    (["--published", "2025-07-15", "-o", "/nonexistent-dir/facts.yaml"], 1, "/nonexistent-dir/facts.yaml: cannot write"),
])
def test_bad_options_are_named(args, code, message):
    run = extract(str(ARTICLE), *args)
    assert run.returncode == code
    assert message in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_a_missing_article(tmp_path):
    run = extract(str(tmp_path / "nothing.txt"))
    assert run.returncode == 1
    assert "nothing.txt: cannot read: No such file or directory" in run.stderr


def test_exit_codes_are_in_the_help():
    run = subprocess.run([sys.executable, "-m", "graph.cli", "extract", "--help"], capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "COLUMNS": "200"})
    text = " ".join(run.stdout.split())
    assert "Exit codes: 0 the fact file was written" in text and "2 invalid input" in text
