"""``aikg build``: every kind of bad input is refused with exit 2, named by file, line and field,
and the store already there answers exactly as before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.store import open_store

HEAD = 'source: {slug: %s, headline: "H", publisher: fastview, language: en, published: 2025-01-01}\n'

# (kind, file content, expected line, what stderr must say)
BAD_INPUTS: list[tuple[str, str, int, str]] = [
    ("malformed YAML", "source:\n  slug: x\n  headline: [unclosed\n", 4, "malformed YAML"),
    ("not a mapping", "- just\n- a list\n", 1, "a fact file is a mapping"),
    ("unknown class", HEAD % "s1" + "entities:\n  - {slug: acme, class: Spaceship, name: {en: Acme}}\n",
     3, "entities[0].class: Input should be 'Person'"),
    ("unknown field", HEAD % "s1" + "entities:\n  - {slug: acme, class: Company, name: {en: Acme}, ceo: bob}\n",
     3, "entities[0].ceo: Extra inputs are not permitted"),
    ("bad slug", HEAD % "s1" + "entities:\n  - {slug: Acme Corp, class: Company, name: {en: Acme}}\n",
     3, "entities[0].slug: String should match pattern"),
    ("missing English name", HEAD % "s1" + "entities:\n  - {slug: acme, class: Company, name: {ja: アクメ}}\n",
     3, "entities[0].name.en: Field required"),
    ("relation to a slug that exists nowhere", HEAD % "s1" + "relations:\n  - {subject: xai, predicate: locatedIn, object: atlantis}\n",
     3, "relations[0].object: 'atlantis' is not an entity in any fact file"),
    ("unknown relation", HEAD % "s1" + "relations:\n  - {subject: xai, predicate: flies, object: memphis}\n",
     3, "relations[0].predicate: Input should be"),
    ("duplicate slug with conflicting data", HEAD % "s1" + "entities:\n  - {slug: xai, class: Bank, name: {en: xAI}}\n",
     3, "entities[0].class: 'xai' conflicts with its definition at"),
    ("duplicate source", HEAD % "fastview-2025-07-xai-raises-12b", 1, "source.slug: source 'fastview-2025-07-xai-raises-12b' is already defined"),
    ("duplicate event id", HEAD % "s1" + "events:\n  - {id: colossus-construction, type: Construction, asset: colossus, builders: [xai], duration_days: 1, date: 2024}\n",
     3, "colossus-construction"),
    ("negative amount", HEAD % "s1" + "events:\n  - {id: r1, type: FundingRound, recipient: xai, investors: [spacex], amount_usd: -5, status: Completed}\n",
     3, "events[0].amount_usd: Input should be greater than or equal to 0"),
    ("status outside the allowed set", HEAD % "s1" + "events:\n  - {id: r1, type: FundingRound, recipient: xai, investors: [spacex], amount_usd: 5, status: Rumoured}\n",
     3, "events[0].status: Input should be 'Reported', 'InNegotiation' or 'Completed'"),
    ("round without investor", HEAD % "s1" + "events:\n  - {id: r1, type: FundingRound, recipient: xai, amount_usd: 5, status: Completed}\n",
     3, "at least one investor, lead investor or arranger"),
    ("impossible date", HEAD % "s1" + "events:\n  - {id: r1, type: FundingRound, recipient: xai, investors: [spacex], date: 2025-02-30}\n",
     3, "events[0].date"),
    ("SHACL: capacity observation that never says when", HEAD % "s1" + "events:\n  - {id: c1, type: CapacityObservation, asset: colossus, gpu_count: 5}\n",
     3, "(SHACL)"),
    ("not UTF-8", None, 0, "not UTF-8"),
]


def aikg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    location = tmp_path_factory.mktemp("build") / "store"
    run = aikg("build", "--store", str(location))
    assert run.returncode == 0, run.stderr
    return location


def snapshot(location: Path) -> tuple[str, list[str]]:
    """Where the live store points and every quad it holds, sorted."""
    store = open_store(location, read_only=True)
    try:
        return os.readlink(location), sorted(str(q) for q in store.quads())
    finally:
        store.close()


@pytest.mark.parametrize("kind, content, line, message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_refused_and_the_store_is_unchanged(tmp_path, store_dir, kind, content, line, message):
    before = snapshot(store_dir)
    bad = tmp_path / "facts" / "bad.yaml"
    bad.parent.mkdir()
    if content is None:
        bad.write_bytes(HEAD.encode() % b"s1" + b"# caf\xe9\n")
    else:
        bad.write_text(content, encoding="utf-8")

    run = aikg("build", "--store", str(store_dir), "--data", str(bad.parent))

    assert run.returncode == 2, run.stdout + run.stderr
    problems = [ln for ln in run.stderr.splitlines() if ln.startswith("aikg: ") and "bad.yaml" in ln]
    assert problems, run.stderr
    assert message in run.stderr, run.stderr
    if line:
        assert any(f"bad.yaml:{line}:" in p for p in problems), run.stderr
    assert "Traceback" not in run.stderr
    assert snapshot(store_dir) == before


def test_validate_reports_every_problem_of_every_file(tmp_path):
    (tmp_path / "a.yaml").write_text(HEAD % "s1" + "entities:\n  - {slug: acme, class: Spaceship, name: {ja: x}}\n")
    (tmp_path / "b.yaml").write_text("source: [\n")
    run = aikg("validate", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"))
    assert run.returncode == 2
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith("aikg: ") and ".yaml:" in ln]
    assert len(lines) == 3, run.stderr
    assert any("a.yaml:3: entities[0].class" in ln for ln in lines)
    assert any("a.yaml:3: entities[0].name.en" in ln for ln in lines)
    assert any("b.yaml:" in ln and "malformed YAML" in ln for ln in lines)


def test_validate_accepts_the_bundled_facts():
    run = aikg("validate")
    assert run.returncode == 0, run.stderr


def test_a_good_folder_adds_its_source_graph_and_derived_edges(tmp_path):
    (tmp_path / "facts").mkdir()
    (tmp_path / "facts" / "acme.yaml").write_text(
        'source: {slug: acme-news, headline: "Acme raises", publisher: fastview, language: en, published: 2025-08-14}\n'
        "entities:\n  - {slug: acme-ai, class: Company, name: {en: Acme AI, ja: アクメAI}, aliases: [Acme]}\n"
        "events:\n  - {id: acme-round, type: FundingRound, recipient: acme-ai, lead_investors: [valor-equity-partners],\n"
        "     amounts: [{value: 1000000000, currency: USD}], amount_usd: 1000000000, instruments: [Equity],\n"
        "     status: Completed, date: 2025-08}\n",
        encoding="utf-8",
    )
    location = tmp_path / "store"
    run = aikg("build", "--store", str(location), "--data", str(tmp_path / "facts"))
    assert run.returncode == 0, run.stderr
    assert "acme-news" in run.stdout
    store = open_store(location, read_only=True)
    assert "https://w3id.org/aikg/source/acme-news" in store.graphs()
    assert store.ask("""ASK { GRAPH <https://w3id.org/aikg/ontology#derived> {
        <https://w3id.org/aikg/id/acme-ai> <https://w3id.org/aikg/ontology#fundedBy> <https://w3id.org/aikg/id/valor-equity-partners> } }""")
    store.close()


def test_no_bundled_builds_only_the_given_folder(tmp_path):
    run = aikg("build", "--store", ":memory:", "--no-bundled", "--data", str(tmp_path))
    # An empty folder and no bundled data: nothing to build is a usage error, said plainly.
    assert run.returncode == 2
    assert "no fact files" in run.stderr.lower()


def test_rebuild_swaps_generations_and_keeps_the_previous_one(tmp_path):
    location = tmp_path / "store"
    assert aikg("build", "--store", str(location)).returncode == 0
    first = os.readlink(location)
    assert aikg("build", "--store", str(location)).returncode == 0
    second = os.readlink(location)
    assert first != second
    assert Path(location.parent / first).exists() or Path(first).exists()
