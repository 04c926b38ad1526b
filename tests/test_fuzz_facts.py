"""Fuzzing the fact-file loader through ``aikg validate``: any file gets a verdict, never a traceback.

A broken file exits 2 with one line a problem, each naming the file; a file that is still
valid exits 0. Inputs are the seed file with one part changed, and arbitrary text.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from graph.build import BUNDLED_DATA
from graph.cli import app
from graph.facts import FactFileError, load_fact_file

SEED = yaml.safe_load(next(BUNDLED_DATA.glob("*.yaml")).read_text(encoding="utf-8"))
runner = CliRunner()

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
    st.sampled_from(["", "xai", "2025-13-45", "Equity", "-1", "1e400", "<script>", "a\nb", "\u202eevil", "Company"]),
    st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a node in a YAML document."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


SEED_PATHS = _paths(SEED)[1:]


@st.composite
def changed_seed(draw: st.DrawFn) -> str:
    """The seed fact file with one value replaced or one key removed."""
    doc = yaml.safe_load(yaml.safe_dump(SEED, allow_unicode=True))
    path = draw(st.sampled_from(SEED_PATHS))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(VALUES)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _validate(text: str) -> tuple[int, str, Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "facts.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = runner.invoke(app, ["validate", "--no-bundled", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stderr, path


def _assert_clear_verdict(text: str) -> None:
    code, stderr, path = _validate(text)
    assert "Traceback" not in stderr
    assert code in (0, 2), stderr
    if code == 2:
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert lines and all(str(path) in line for line in lines), stderr


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changed_seed())
def test_a_changed_seed_file_loads_or_is_refused_one_line_a_problem(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "facts.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_fact_file(path)
        except FactFileError as refused:
            assert refused.errors
            for error in refused.errors:
                line = str(error)
                assert line.startswith(str(path)) and "\n" not in line and error.message, line


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changed_seed())
def test_aikg_validate_gives_a_changed_seed_file_a_clear_verdict(text: str) -> None:
    _assert_clear_verdict(text)


@settings(max_examples=100, deadline=None)
@given(st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.sampled_from(list("{}[]:-,'\"&*!|>#%@` \n\tabc01")), max_size=120),
))
def test_aikg_validate_refuses_any_text_by_name(text: str) -> None:
    _assert_clear_verdict(text)


def test_a_message_quoting_a_line_break_from_the_file_stays_on_one_line(tmp_path: Path) -> None:
    """Found by the fuzzing above: an event whose type is a line break was named in a message spread over two lines."""
    doc = yaml.safe_load(yaml.safe_dump(SEED, allow_unicode=True))
    doc["events"][0]["type"] = "\n"
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        load_fact_file(path)
    except FactFileError as refused:
        lines = [str(error) for error in refused.errors]
    else:
        raise AssertionError("an event type of a line break was accepted")
    assert any("'\\n'" in line and "events[0]" in line for line in lines), lines
    assert all("\n" not in line and line.startswith(str(path)) for line in lines), lines
