"""``aikg load`` of a big N-Quads or N-Triples file in parallel parts: the same quads as one load,
blank nodes kept whole, bad syntax named at its line in the whole file; the derivation written in bulk."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from synthetic import synthetic_file

from graph import build, bulk_load
from graph.build import derived_triples
from graph.bulk_load import LoadError, file_parts, load_files
from graph.store import open_store
from ontology import DERIVED_GRAPH, ONTOLOGY_IRI, sparql_prologue

P = "https://example.org/p"
G = "https://example.org/g"


@pytest.fixture
def split(monkeypatch):
    """Small files count as big, and three threads load them, so a test file of kilobytes is cut into parts."""
    monkeypatch.setattr(bulk_load, "SPLIT_BYTES", 1_000)
    monkeypatch.setattr(bulk_load, "BULK_THREADS", 3)
    monkeypatch.setattr(build, "BULK_THREADS", 3)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    return synthetic_file(tmp_path_factory.mktemp("rdf"), 3_000, seed=2)


def stored(location: Path) -> tuple[set[ox.Quad], set[ox.Triple]]:
    """The quads of a store but the derived ones, and the derived triples (checked against the rules).

    Quads with blank nodes are left out: the ontology's get fresh names in each new store.
    """
    store = open_store(location, read_only=True)
    try:
        derived = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(DERIVED_GRAPH)}
        assert derived == derived_triples(store)
        named = {q for q in store.quads() if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}
        return {q for q in named if q.graph_name.value != DERIVED_GRAPH}, derived
    finally:
        store.close()


def lines(count: int, middle: str = "", at: int = 0) -> str:
    text = [f"<https://example.org/s{i}> <{P}> \"{i}\" <{G}> .\n" for i in range(count)]
    if middle:
        text[at - 1] = middle
    return "".join(text)


def test_parts_start_at_line_starts_and_cover_the_file(split, synthetic):
    parts = file_parts(synthetic, 3)
    data = synthetic.read_bytes()
    assert len(parts) == 3
    assert parts[0][0] == 0 and parts[-1][1] == len(data)
    assert all(a[1] == b[0] and data[b[0] - 1:b[0]] == b"\n" for a, b in zip(parts, parts[1:]))


def test_a_split_load_holds_what_one_load_holds(split, synthetic, tmp_path, monkeypatch):
    assert len(file_parts(synthetic, 3)) == 3
    report = load_files([synthetic], store=tmp_path / "parts", replace=True)
    monkeypatch.setattr(bulk_load, "SPLIT_BYTES", 1 << 40)
    whole = load_files([synthetic], store=tmp_path / "whole", replace=True)
    assert report.quads_per_file == whole.quads_per_file and report.total == whole.total and report.derived == whole.derived
    assert stored(tmp_path / "parts") == stored(tmp_path / "whole")
    assert report.total == len(open_store(tmp_path / "parts", read_only=True))


def test_the_report_counts_what_each_file_added_and_what_the_store_holds(synthetic, tmp_path):
    few, more = tmp_path / "few.nq", tmp_path / "more.nq"
    few.write_text(lines(10), encoding="utf-8")
    more.write_text(lines(15), encoding="utf-8")  # the ten of few.nq again, and five new
    location = tmp_path / "store"
    first = load_files([synthetic, few], store=location, replace=True)
    store = open_store(location, read_only=True)
    assert first.quads_per_file[str(few)] == 10 and first.derived == store.graph_len(DERIVED_GRAPH) > 0
    assert first.total == len(store)
    store.close()
    # Onto the live store, which already holds derived edges: they are made again, not counted twice.
    second = load_files([more], store=location)
    store = open_store(location, read_only=True)
    assert second.quads_per_file == {str(more): 5} and second.derived == first.derived
    assert second.total == len(store) == first.total + 5


def test_a_file_of_more_statements_than_the_parts_would_batch_loads_whole(split, synthetic, tmp_path, monkeypatch):
    """Beyond a few engine batches a part, the engine keeps the cores busy by itself: cutting would only cost memory."""
    statements = synthetic.read_bytes().count(b"\n")
    monkeypatch.setattr(bulk_load, "BATCHES_A_PART", 1)
    monkeypatch.setattr(bulk_load, "ENGINE_BATCH", statements // 3 + 100)
    assert len(file_parts(synthetic, 3)) == 3
    monkeypatch.setattr(bulk_load, "ENGINE_BATCH", statements // 3 - 100)
    assert file_parts(synthetic, 3) == [(0, synthetic.stat().st_size)]
    report = load_files([synthetic], store=tmp_path / "store", replace=True)
    assert report.quads_per_file == {str(synthetic): statements}


def test_a_blank_node_on_both_sides_of_a_cut_stays_one_node(split, tmp_path):
    path = tmp_path / "blank.nq"
    path.write_text(f"_:b <{P}> \"first\" <{G}> .\n" + lines(200) + f"_:b <{P}> \"last\" <{G}> .\n", encoding="utf-8")
    assert len(file_parts(path, 3)) == 1, "a file with blank nodes loads whole"
    load_files([path], store=tmp_path / "store", replace=True)
    store = open_store(tmp_path / "store", read_only=True)
    (row,) = store.select(f'SELECT ?b WHERE {{ ?b <{P}> "first" , "last" . FILTER(isBlank(?b)) }}')
    assert row["b"].startswith("_:")


def test_bad_syntax_in_a_later_part_is_named_at_its_line_in_the_whole_file(split, synthetic, tmp_path):
    location = tmp_path / "store"
    load_files([synthetic], store=location, replace=True)
    before, target = stored(location), location.resolve()
    path = tmp_path / "broken.nq"
    path.write_text(lines(300, middle=f"<https://example.org/x> <{P}> \"unterminated <{G}> .\n", at=250), encoding="utf-8")
    parts = file_parts(path, 3)
    assert len(parts) == 3 and path.read_bytes()[:parts[2][0]].count(b"\n") < 249, "the bad line is in the last part"
    with pytest.raises(LoadError) as caught:
        load_files([path], store=location)
    (message,) = caught.value.errors
    assert message.startswith(f"{path}:250: ") and "line 250" in message and "unchanged" in message
    assert location.resolve() == target and stored(location) == before


def test_bad_syntax_in_the_first_part_of_a_new_store_is_named_at_its_line(split, tmp_path):
    """A new store's ontology is read in the same pass as the first part: its lines are not counted as the file's."""
    path = tmp_path / "broken.nq"
    path.write_text(lines(300, middle=f"<https://example.org/x> <{P}> \"unterminated <{G}> .\n", at=7), encoding="utf-8")
    assert len(file_parts(path, 3)) == 3
    with pytest.raises(LoadError) as caught:
        load_files([path], store=tmp_path / "store", replace=True)
    (message,) = caught.value.errors
    assert message.startswith(f"{path}:7: ") and "line 7" in message
    assert not (tmp_path / "store").exists()


def test_a_new_store_holds_the_ontology_and_counts_only_the_files_quads(split, tmp_path):
    path = tmp_path / "some.nq"
    path.write_text(lines(300), encoding="utf-8")
    assert len(file_parts(path, 3)) == 3
    report = load_files([path], store=tmp_path / "store", replace=True)
    store = open_store(tmp_path / "store", read_only=True)
    ontology = {q for q in build.ontology_quads() if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}
    held = set(store.quads(ONTOLOGY_IRI))
    assert ontology <= held and len(held) == len(build.ontology_quads())
    assert report.quads_per_file == {str(path): 300} and report.total == len(store)


def test_derived_edges_of_a_blank_node_are_about_that_node(tmp_path):
    path = tmp_path / "blank.nq"
    path.write_text(sparql_prologue().replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")
                    + "src:x { _:firm a aik:Company ; rdfs:label \"A firm\"@en . }\n", encoding="utf-8")
    path = path.rename(path.with_suffix(".trig"))
    load_files([path], store=tmp_path / "store", replace=True)
    store = open_store(tmp_path / "store", read_only=True)
    assert store.ask(sparql_prologue() + 'ASK { GRAPH aik:derived { ?n a aik:Organization } ?n rdfs:label "A firm"@en FILTER(isBlank(?n)) }')


def sorted_files(location: Path) -> int:
    """How many sorted files (RocksDB SST files) the live generation of a store holds."""
    return sum(1 for f in location.resolve().iterdir() if f.suffix == ".sst")


def test_a_compacted_load_holds_the_same_quads_in_fewer_sorted_files(split, synthetic, tmp_path):
    """Each part, the ontology and the derived edges land as sorted files of their own; ``compact`` merges
    them before the swap and changes no quad."""
    assert len(file_parts(synthetic, 3)) == 3
    plain = load_files([synthetic], store=tmp_path / "plain", replace=True)
    compacted = load_files([synthetic], store=tmp_path / "compacted", replace=True, compact=True)
    assert plain.compact_seconds is None and compacted.compact_seconds is not None and compacted.compact_seconds > 0
    assert (compacted.total, compacted.derived) == (plain.total, plain.derived)
    assert stored(tmp_path / "compacted") == stored(tmp_path / "plain")
    assert sorted_files(tmp_path / "compacted") < sorted_files(tmp_path / "plain")


def test_compact_is_refused_for_a_store_on_a_sparql_server(synthetic):
    with pytest.raises(LoadError) as caught:
        load_files([synthetic], store="sparql+http://127.0.0.1:9/sparql", compact=True)
    (message,) = caught.value.errors
    assert "--compact" in message and "nothing was sent" in message
