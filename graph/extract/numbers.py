"""Money and counts in Japanese and English news text, with their character spans.

Figures are kept exactly as reported (``1兆7,654億円`` is JPY 1,765,400,000,000; ``$12bn`` is
USD 12,000,000,000). Text is read after NFKC folding, so full-width digits and signs count too;
the folding keeps the length of every character we match, so spans point into the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_JA_UNITS = {"兆": Decimal(10) ** 12, "億": Decimal(10) ** 8, "万": Decimal(10) ** 4}
_EN_SCALES = {
    "trillion": Decimal(10) ** 12, "tn": Decimal(10) ** 12, "t": Decimal(10) ** 12,
    "billion": Decimal(10) ** 9, "bn": Decimal(10) ** 9, "b": Decimal(10) ** 9,
    "million": Decimal(10) ** 6, "mn": Decimal(10) ** 6, "m": Decimal(10) ** 6,
    "thousand": Decimal(10) ** 3, "k": Decimal(10) ** 3,
}
_JA_CURRENCIES = {"米ドル": "USD", "ドル": "USD", "円": "JPY", "ユーロ": "EUR", "ウォン": "KRW", "元": "CNY"}
_EN_SYMBOLS = {"$": "USD", "US$": "USD", "USD": "USD", "¥": "JPY", "JPY": "JPY", "€": "EUR", "EUR": "EUR",
               "£": "GBP", "GBP": "GBP"}
_EN_WORD_CURRENCIES = {"dollars": "USD", "dollar": "USD", "yen": "JPY", "euros": "EUR", "euro": "EUR", "pounds": "GBP",
                       "won": "KRW", "yuan": "CNY", "rupees": "INR"}

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_JA_AMOUNT = rf"(?:{_NUM}\s*[兆億万])+(?:{_NUM})?|{_NUM}"
JA_MONEY = re.compile(rf"(?P<num>{_JA_AMOUNT})\s*(?P<cur>米ドル|ドル|円|ユーロ|ウォン|元)")
EN_MONEY = re.compile(
    rf"(?P<sym>US\$|\$|¥|€|£|\b(?:USD|JPY|EUR|GBP)\s?)(?P<num>{_NUM})"
    r"(?:\s?(?P<scale>trillion|billion|million|thousand|tn|bn|mn|[TBMK])\b)?",
    re.IGNORECASE,
)
EN_WORD_MONEY = re.compile(
    rf"\b(?P<num>{_NUM})\s?(?P<scale>trillion|billion|million)?\s(?P<cur>dollars?|yen|euros?|pounds|won|yuan|rupees)\b", re.IGNORECASE
)
# Counts of things: GPUs, chips, servers, days. Japanese counters: 個 台 基 枚; 日 only as a duration.
JA_COUNT = re.compile(rf"(?P<num>{_JA_AMOUNT})\s*(?P<unit>個|台|基|枚|日(?=間|で|後|以内|足らず|余り))")
EN_COUNT = re.compile(
    rf"\b(?P<num>{_NUM})(?:\s?(?P<scale>million|thousand|k)\b)?\s?(?:(?:more|additional|new|Nvidia|NVIDIA|AMD|H100|H200|B200|GB200|Blackwell|Hopper)\s)*"
    r"(?P<unit>GPUs?|chips?|accelerators?|servers?|days?)\b",
)
_EN_UNITS = {"gpu": "gpu", "chip": "chip", "accelerator": "gpu", "server": "server", "day": "day"}
_JA_COUNT_UNITS = {"個": "item", "台": "item", "基": "item", "枚": "item", "日": "day"}


@dataclass(frozen=True)
class Money:
    """A sum of money as reported: value, ISO 4217 currency, where it is in the text."""

    value: Decimal
    currency: str
    start: int
    end: int
    approximate: bool = False


@dataclass(frozen=True)
class Count:
    """A number of things (``item``, ``gpu``, ``chip``, ``server``) or of days, where it is in the text."""

    value: int
    unit: str
    start: int
    end: int


def parse_japanese_number(text: str) -> Decimal:
    """``1兆7,654億`` → 1765400000000; ``7,339億2,544万`` → 733925440000; ``10万`` → 100000."""
    text = text.replace(",", "").replace(" ", "")
    total = Decimal(0)
    for num, unit in re.findall(r"(\d+(?:\.\d+)?)([兆億万]?)", text):
        total += Decimal(num) * _JA_UNITS.get(unit, Decimal(1))
    return total


def find_money(text: str) -> list[Money]:
    """Every sum of money in ``text`` (Japanese or English), in order of position."""
    found: list[Money] = []
    for m in JA_MONEY.finditer(text):
        found.append(Money(_whole(parse_japanese_number(m["num"])), _JA_CURRENCIES[m["cur"]], m.start(), m.end(),
                           _approximate(text, m.start())))
    for m in EN_MONEY.finditer(text):
        if _overlaps(found, m.start(), m.end()):
            continue
        symbol = m["sym"].strip().upper() if m["sym"].strip().isalpha() else m["sym"].strip()
        scale = _EN_SCALES[m["scale"].lower()] if m["scale"] else Decimal(1)
        value = _number(m["num"]) * scale
        found.append(Money(_whole(value), _EN_SYMBOLS[symbol], m.start(), m.end(), _approximate(text, m.start())))
    for m in EN_WORD_MONEY.finditer(text):
        if _overlaps(found, m.start(), m.end()):
            continue
        scale = _EN_SCALES[m["scale"].lower()] if m["scale"] else Decimal(1)
        found.append(Money(_whole(_number(m["num"]) * scale), _EN_WORD_CURRENCIES[m["cur"].lower()], m.start(), m.end(),
                           _approximate(text, m.start())))
    return sorted(found, key=lambda x: x.start)


def find_counts(text: str) -> list[Count]:
    """Every count of things or days in ``text``, in order of position (money is not a count)."""
    money = find_money(text)
    found: list[Count] = []
    for m in JA_COUNT.finditer(text):
        if not _overlaps(money, m.start(), m.end()):
            found.append(Count(int(parse_japanese_number(m["num"])), _JA_COUNT_UNITS[m["unit"]], m.start(), m.end()))
    for m in EN_COUNT.finditer(text):
        if _overlaps(money, m.start(), m.end()):
            continue
        scale = _EN_SCALES[m["scale"].lower()] if m["scale"] else Decimal(1)
        unit = _EN_UNITS[m["unit"].lower().rstrip("s")]
        found.append(Count(int(_number(m["num"]) * scale), unit, m.start(), m.end()))
    return sorted(found, key=lambda x: x.start)


def _number(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # the pattern only admits digits, commas and one point
        raise ValueError(f"not a number: {text!r}") from None


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _approximate(text: str, start: int) -> bool:
    before = text[max(0, start - 8):start]
    return bool(re.search(r"(約|およそ|about|around|roughly|nearly|some|approximately)\s*[(（]?\s*$", before, re.IGNORECASE))


def _overlaps(spans: list, start: int, end: int) -> bool:
    return any(s.start < end and start < s.end for s in spans)
