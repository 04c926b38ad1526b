"""Numbers, money and dates as the extractor reads them: one row per way news text writes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from graph.extract.dates import find_dates, resolve_one
from graph.extract.numbers import find_counts, find_money, parse_japanese_number

MONEY = [
    ("120億ドル", [(12_000_000_000, "USD")]),
    ("約1兆7,654億円", [(1_765_400_000_000, "JPY")]),
    ("7,339億2,544万円", [(733_925_440_000, "JPY")]),
    ("50億ドル(約7,339億2,544万円)", [(5_000_000_000, "USD"), (733_925_440_000, "JPY")]),
    ("1.7兆円超", [(1_700_000_000_000, "JPY")]),
    ("１２０億ドル", [(12_000_000_000, "USD")]),  # full-width digits
    ("$12 billion", [(12_000_000_000, "USD")]),
    ("$12bn", [(12_000_000_000, "USD")]),
    ("USD 5B", [(5_000_000_000, "USD")]),
    ("US$1.5 billion", [(1_500_000_000, "USD")]),
    ("$500 million", [(500_000_000, "USD")]),
    ("¥250 billion", [(250_000_000_000, "JPY")]),
    ("€2bn", [(2_000_000_000, "EUR")]),
    ("400 million dollars", [(400_000_000, "USD")]),
    ("100,000 GPUs", []),
]


@pytest.mark.parametrize("text, expected", MONEY, ids=[t for t, _ in MONEY])
def test_money_as_reported(text, expected):
    assert [(int(m.value), m.currency) for m in find_money(text)] == expected


def test_money_spans_point_into_the_text():
    text = "xAI raised $12bn and ¥1.8 trillion."
    assert [text[m.start:m.end] for m in find_money(text)] == ["$12bn", "¥1.8 trillion"]


def test_approximate_conversions_are_marked():
    found = find_money("20億ドル(約2,935億7,017万円)")
    assert [m.approximate for m in found] == [False, True]


COUNTS = [
    ("10万個", [(100_000, "item")]),
    ("GPUの数を20万個に倍増", [(200_000, "item")]),
    ("僅か122日で建設", [(122, "day")]),
    ("92日後には", [(92, "day")]),
    ("22日(現地時間)", []),  # a day of the month, not a duration
    ("100,000 GPUs", [(100_000, "gpu")]),
    ("200,000 Nvidia H100 GPUs", [(200_000, "gpu")]),
    ("50k chips", [(50_000, "chip")]),
    ("in 122 days", [(122, "day")]),
    ("$12 billion", []),
]


@pytest.mark.parametrize("text, expected", COUNTS, ids=[t for t, _ in COUNTS])
def test_counts(text, expected):
    assert [(c.value, c.unit) for c in find_counts(text)] == expected


@pytest.mark.parametrize("text, value", [("1兆7,654億", 1_765_400_000_000), ("10万", 100_000), ("2,935億7,017万", 293_570_170_000)])
def test_japanese_number(text, value):
    assert parse_japanese_number(text) == Decimal(value)


PUBLISHED = dt.date(2025, 7, 23)  # a Wednesday
DATES = [
    ("22日(現地時間)に報じた", "2025-07-22"),
    ("12日に伝えた", "2025-07-12"),
    ("28日に発表", "2025-06-28"),  # later than the publication day: last month's
    ("先月末に", "2025-06"),
    ("今月", "2025-07"),
    ("昨年下半期に", "2024-H2"),
    ("今年中に", "2025"),
    ("昨年", "2024"),
    ("2024年第3四半期", "2024-Q3"),
    ("2025年3月5日", "2025-03-05"),
    ("3月", "2025-03"),
    ("this year", "2025"),
    ("earlier this year", "2025"),
    ("last month", "2025-06"),
    ("at the end of last month", "2025-06"),
    ("on Tuesday", "2025-07-22"),
    ("on Monday", "2025-07-21"),
    ("yesterday", "2025-07-22"),
    ("July 22, 2025", "2025-07-22"),
    ("22 July 2025", "2025-07-22"),
    ("on July 9", "2025-07-09"),
    ("in March", "2025-03"),
    ("March 2024", "2024-03"),
    ("in the second half of 2024", "2024-H2"),
    ("the first half of this year", "2025-H1"),
    ("H2 2024", "2024-H2"),
    ("Q3 2025", "2025-Q3"),
    ("since 2023", "2023"),
]


@pytest.mark.parametrize("text, value", DATES, ids=[t for t, _ in DATES])
def test_dates_resolved_against_publication(text, value):
    assert resolve_one(text, PUBLISHED) == value


def test_precision_follows_what_is_known_of_the_publication_date():
    # Published "2025-07" (month only): a day of the month resolves, a weekday cannot.
    assert resolve_one("22日(現地時間)に", PUBLISHED, "month") == "2025-07-22"
    assert resolve_one("on Tuesday", PUBLISHED, "month") is None
    assert resolve_one("last month", PUBLISHED, "year") is None
    assert resolve_one("this year", None) is None
    assert resolve_one("July 22, 2025", None) == "2025-07-22"


def test_date_spans_point_into_the_text():
    text = "WSJは12日に伝えた。昨年下半期に建設。"
    assert [text[d.start:d.end] for d in find_dates(text, PUBLISHED)] == ["12日", "昨年下半期"]
