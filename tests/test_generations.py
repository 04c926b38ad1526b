"""Generations as a server's readers see them: a compaction swaps in a generation with the very
quads of the old one, so what the readers made from the old one (the projection, the cards)
stays theirs; a load's or a build's new generation is a new graph, and they start afresh."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from synthetic import synthetic_file

from api.workers import WorkerPool, _reopen, store_cache
from graph import analysis
from graph.build import build_store
from graph.bulk_load import load_files
from graph.compaction import compact_live
from graph.store import SAME_CONTENT, content_origin, open_store


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    build_store(store=path)[0].close()
    return path


def test_a_compaction_keeps_what_readers_made_a_load_does_not(store: Path, tmp_path: Path) -> None:
    reader, opened_as = _reopen(str(store), None, None, writes=(0, 0))
    assert opened_as == (str(store.resolve()), 0, 0)
    projection = store_cache(reader)["projection"] = analysis.project(reader)
    assert projection.number_of_edges() > 0

    compact_live(store)
    compacted, compacted_as = _reopen(str(store), reader, opened_as, writes=(0, 0))
    assert compacted_as[0] == str(store.resolve()) != opened_as[0], "the new generation is open"
    assert store_cache(compacted)["projection"] is projection, "the same quads: the projection is kept"
    assert len(compacted) == len(reader)

    after_write, _ = _reopen(str(store), reader, opened_as, writes=(1, 1))
    assert "projection" not in store_cache(after_write), "a write came in between: made afresh"
    written_outside, _ = _reopen(str(store), reader, opened_as, writes=(0, 1))
    assert "projection" not in store_cache(written_outside), "another process wrote in between: made afresh"

    load_files([synthetic_file(tmp_path, 2_000, seed=5)], store=store)
    loaded, _ = _reopen(str(store), compacted, compacted_as, writes=(0, 0))
    assert "projection" not in store_cache(loaded), "a load's generation is a new graph"
    assert len(loaded) > len(compacted)


def test_the_server_s_version_stays_through_compactions_and_moves_with_a_load(store: Path, tmp_path: Path) -> None:
    pool = WorkerPool(store)  # not started: its version is read from the store's link alone
    first = pool.version()
    compact_live(store)
    compact_live(store)  # a run: each new generation names the first of it, which outlives the ones between
    assert pool.version() == first
    marker = store.resolve() / SAME_CONTENT
    assert marker.read_text(encoding="utf-8").strip() == Path(first[0]).name
    writer = open_store(store)  # a program writing in place, not through the server
    writer.update('INSERT DATA { GRAPH <https://w3id.org/aikg/source/t> { <https://w3id.org/aikg/id/xai> '
                  '<http://www.w3.org/2000/01/rdf-schema#comment> "written in place" } }')
    writer.close()
    written = pool.version()
    assert written != first, "a write in place by another process moves it"
    compact_live(store)
    assert pool.version() == written
    load_files([synthetic_file(tmp_path, 2_000, seed=6)], store=store)
    assert pool.version() != written
    assert not (store.resolve() / SAME_CONTENT).exists(), "a load's generation claims no earlier content"


def test_the_origin_of_a_chain_survives_the_removal_of_its_first_generation(store: Path) -> None:
    first = str(store.resolve())
    compact_live(store)
    second = str(store.resolve())
    assert content_origin(second) == first == content_origin(first)
    shutil.rmtree(first)  # what a later swap does to generations before the previous one
    assert content_origin(second) == first, "the name is kept, not read"
    reader = open_store(store, read_only=True)
    assert reader.generation == second
    reader.close()
