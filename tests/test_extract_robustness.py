"""Whatever text comes in, the extractor gives a valid fact file and never raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.extract.extractor import extract_article
from graph.facts import FactFile

# Pieces news text is made of, and pieces that break naive parsers, shuffled together.
PIECES = st.sampled_from([
    "xAI", "エヌビディア", "Nvidia", "Colossus 2", "コロッサス", "SpaceX", "Morgan Stanley", "Acme Capital", "投資会社「テスト」",
    "CEO Jane Doe", "は", "が", "に", "を通じ", "が主導", "led by", "raised", "invested", "in talks", "調達した", "融資",
    "$12bn", "120億ドル", "(約1兆7,654億円)", "10万個", "100,000 GPUs", "122日で", "22日(現地時間)に報じた", "先月末",
    "on Tuesday", "last month", "昨年下半期", "the second half of 2024", "。", ". ", "\n", "「", "」", "(", ")", ",", "、",
    "data center", "データセンター「X」", "in Austin, Texas", "according to Reuters", "0", "99999999999999999999億円",
    "\x00", "\ufeff", "\u202e", "ｘＡＩ", "ｺﾛｯｻｽ", "é", "\ud7ff", " " * 5,
])


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=60), st.sampled_from([None, "2025-07-23", "2025-07", "2025"]))
def test_any_text_gives_a_valid_fact_file(pieces, published):
    extraction = extract_article("".join(pieces), published=published)
    FactFile.model_validate(extraction.facts)
    assert extraction.yaml()
