"""The test Neo4j itself: reachable over Bolt, empty for every test, and cypher-shell runs scripts."""

from neo4j_fixtures import run_cypher_shell


def test_each_test_starts_from_an_empty_database(neo4j_db) -> None:
    neo4j_db.execute_query("CREATE CONSTRAINT t_k IF NOT EXISTS FOR (n:T) REQUIRE n.k IS UNIQUE")
    neo4j_db.execute_query("CREATE (:T {k: 1})")
    from neo4j_fixtures import wipe

    wipe(neo4j_db)
    assert neo4j_db.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"] == 0
    assert neo4j_db.execute_query("SHOW CONSTRAINTS").records == []


def test_cypher_shell_runs_a_script_with_semicolons_in_strings(neo4j_server, neo4j_db, tmp_path) -> None:
    script = tmp_path / "t.cypher"
    script.write_text('CREATE (:T {s: "a;b // c"});\n// a comment;\nMATCH (n:T) RETURN n.s;\n', encoding="utf-8")
    done = run_cypher_shell(neo4j_server.uri, script)
    assert done.returncode == 0, done.stderr
    assert neo4j_db.execute_query("MATCH (n:T) RETURN n.s AS s").records[0]["s"] == "a;b // c"
