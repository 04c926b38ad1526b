"""Page cleaning and entity matching: the article body out of a messy page, names found in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.extract.entities import Gazetteer, known_from_fact_files, new_entity, propose_new, slugify
from graph.extract.folding import fold
from graph.extract.page import read_page

SEED_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seed"
BUNDLED = Path(__file__).resolve().parents[1] / "graph" / "data"


def seed_page() -> str:
    pages = sorted(p for p in SEED_DIR.glob("*") if p.is_file())
    assert pages, f"the seed article is expected in {SEED_DIR}"
    return pages[0].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(known_from_fact_files([BUNDLED]))


def test_seed_page_body_leaves_out_menus_rankings_comments_and_footers():
    page = read_page(fold(seed_page()).text)
    body = "\n".join(p.text for p in page.paragraphs)
    assert "120億ドル" in body and "コロッサス2" in body and "20万個" in body
    for chrome in ("スキップ", "ランキング", "iPad", "プリウス", "フォトニュース", "コメント0", "@"):
        assert chrome not in body, chrome
    assert len(page.paragraphs) == 8
    assert "イーロン・マスク" in page.headline.text
    assert page.author == "望月博樹"
    assert [c.text for c in page.credits] == ["datacenter magazin"]


def test_english_page_chrome_is_dropped():
    text = (
        "Skip to content\nHome\nMenu\nAcme AI lands a big loan for its new cluster\nBy Jane Writer\n"
        "Acme AI said on Tuesday it had borrowed $2 billion from a group of banks to build a new data center.\n"
        "• Most read: a story about phones\nRelated articles\n"
        "This paragraph comes after the end of the article and must not be read as part of it at all.\n"
        "© 2025 Example News. All rights reserved.\n"
    )
    page = read_page(text)
    assert page.headline.text == "Acme AI lands a big loan for its new cluster"
    assert page.author == "Jane Writer"
    assert [p.text[:13] for p in page.paragraphs] == ["Acme AI said "]


def test_sentence_spans_point_into_the_input():
    raw = "見出しになる長さの行がここにあります\n本文の最初の文はここにあります、テスト用の長い文にしておきます。二つ目の文「引用。中の句点」で終わらない。\n"
    folded = fold(raw)
    sentences = [s for _, s in read_page(folded.text).sentences()]
    assert len(sentences) == 2
    for s in sentences:
        start, end = folded.span_in_input(s.start, s.end)
        assert raw[start:end] == s.text


MATCHES = [
    ("エヌビディアのGPU", ["nvidia-gpu"]),
    ("エヌヴィディア", ["nvidia"]),                  # katakana variant
    ("NVIDIA and Nvidia", ["nvidia", "nvidia"]),     # case
    ("ｘＡＩ", ["xai"]),                              # full-width, folded
    ("ｺﾛｯｻｽ", ["colossus"]),                          # half-width katakana, folded
    ("the Colossu site", ["colossus"]),               # an alias (the seed page's spelling)
    ("Colosus 2", ["colossus-2"]),                     # a misspelling
    ("Nvdia", ["nvidia"]),
    ("バロー・エクイティ・パートナーズ", ["valor-equity-partners"]),
    ("バローエクイティパートナーズ", ["valor-equity-partners"]),  # no middle dots
    ("テネシー州メンフィス", ["tennessee", "memphis"]),
    ("The Wall Street Journal (WSJ)", ["wall-street-journal", "wall-street-journal"]),
    ("マスクメロン", []),                              # a word that only contains a name
    ("Muskrat", []),
]


@pytest.mark.parametrize("text, slugs", MATCHES, ids=[t for t, _ in MATCHES])
def test_known_entities_matched(gazetteer, text, slugs):
    assert [m.slug for m in gazetteer.find(fold(text).text)] == slugs


def test_misspellings_carry_a_lower_score(gazetteer):
    (m,) = gazetteer.find("Nvdia")
    assert 0.85 <= m.score < 1


PROPOSALS = [
    ("投資会社「サクラ・キャピタル」が主導した", ("サクラ・キャピタル", "InvestmentFirm")),
    ("銀行「みずほ銀行」を通じて", ("みずほ銀行", "Bank")),
    ("ダリオ・アモデイCEOは述べた", ("ダリオ・アモデイ", "Person")),
    ("said CEO Jane Doe on Monday", ("Jane Doe", "Person")),
    ("Jane Doe, the company's chief executive, said", ("Jane Doe", "Person")),
    ("led by Harbor Peak Capital", ("Harbor Peak Capital", "InvestmentFirm")),
    ("the cloud provider Lumen Cloud", ("Lumen Cloud", "Company")),
]


@pytest.mark.parametrize("text, expected", PROPOSALS, ids=[t for t, _ in PROPOSALS])
def test_unknown_people_and_organisations_are_proposed(gazetteer, text, expected):
    folded = fold(text).text
    proposals = propose_new(folded, gazetteer.find(folded))
    assert [(name, cls) for name, cls, _, _ in proposals] == [expected]


def test_a_known_name_is_never_proposed_as_new(gazetteer):
    text = "投資会社「バロー・エクイティ・パートナーズ」が主導"
    assert propose_new(text, gazetteer.find(text)) == []


def test_new_entities_get_a_slug_even_from_japanese():
    e = new_entity("サクラ・キャピタル", "InvestmentFirm")
    assert (e.slug, e.name.en, e.name.ja) == ("sakura-kyapitaru", "Sakura Kyapitaru", "サクラ・キャピタル")
    assert slugify("Harbor Peak Capital") == "harbor-peak-capital"


def test_a_large_dictionary_finds_the_same_names_quickly(gazetteer):
    """A store with tens of thousands of entities: names are tried only when a piece of them is in the text."""
    import time

    from graph.facts import Entity

    many = [Entity.model_validate({"slug": f"firm-{i}", "class": "Company", "name": {"en": f"Firm Number {i}", "ja": f"ファーム{i}"}})
            for i in range(20_000)]
    big = Gazetteer([*gazetteer.entities.values(), *many])
    text = fold(seed_page()).text
    started = time.monotonic()
    found = big.find(text)
    assert time.monotonic() - started < 20
    assert [m.slug for m in found] == [m.slug for m in gazetteer.find(text)]
    assert [m.slug for m in big.find("Firm Number 12345 and ファーム7")] == ["firm-12345", "firm-7"]
