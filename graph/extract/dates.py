"""Dates in news text, absolute and relative, resolved against the publication date.

Each mention becomes a fact-file date as precise as the text allows: ``2025-07-22`` for
``22日(現地時間)`` or ``on Tuesday``, ``2025-06`` for ``先月末`` or ``last month``, ``2024-H2`` for
``昨年下半期``, ``2025`` for ``this year``. A relative date needs the publication date to the same
precision (a weekday needs the day); without it the mention is left out rather than guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}

_MONTH = r"(?P<month_name>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_YEAR_WORD = {"今年": 0, "本年": 0, "年内": 0, "昨年": -1, "去年": -1, "前年": -1, "来年": 1, "this year": 0, "last year": -1,
              "next year": 1, "earlier this year": 0, "later this year": 0}
_HALF = {"上半期": 1, "前半": 1, "下半期": 2, "後半": 2, "first half": 1, "second half": 2}

# Ordered: longer, more precise forms first; a span already taken is not matched again.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd_ja", re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日")),
    ("ym_half_ja", re.compile(r"(?P<y>\d{4})年(?:の)?(?P<half>上半期|下半期|前半|後半)")),
    ("yq_ja", re.compile(r"(?P<y>\d{4})年(?:の)?第(?P<q>[1-4])四半期")),
    ("ym_ja", re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月")),
    ("md_ja", re.compile(r"(?<![\d年])(?P<m>\d{1,2})月(?P<d>\d{1,2})日")),
    ("rel_year_month_ja", re.compile(r"(?P<rel>今年|本年|昨年|去年|前年|来年)(?P<m>\d{1,2})月")),
    ("rel_half_ja", re.compile(r"(?P<rel>今年|本年|昨年|去年|前年|来年)(?:の)?(?P<half>上半期|下半期|前半|後半)")),
    ("rel_month_end_ja", re.compile(r"(?P<rel>先月|今月|来月)(?P<part>末|初め|初旬|中旬|下旬)?")),
    ("rel_year_ja", re.compile(r"(?P<rel>今年|本年|昨年|去年|前年|来年|年内)")),
    ("y_ja", re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})年(?!\d|度)")),
    ("m_ja", re.compile(r"(?<![\d年])(?P<m>\d{1,2})月(?!\d|日)")),
    ("d_ja", re.compile(r"(?<![\d月./,])(?P<d>\d{1,2})日(?=\s*[(（]現地時間|\s*に|\s*付|\s*、|\s*の報道|\s*夜|\s*朝)")),
    ("mdy_en", re.compile(rf"\b{_MONTH}\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s(?P<y>\d{{4}})\b")),
    ("dmy_en", re.compile(rf"\b(?P<d>\d{{1,2}})\s{_MONTH}\s(?P<y>\d{{4}})\b")),
    ("md_en", re.compile(rf"\b(?:on\s)?{_MONTH}\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s\d{{4}})")),
    ("my_en", re.compile(rf"\b{_MONTH}\s(?P<y>\d{{4}})\b")),
    ("half_en", re.compile(r"\b(?:the\s)?(?P<half>first half|second half)\sof\s(?:(?P<y>\d{4})|(?P<rel>this year|last year|next year))", re.I)),
    ("hq_en", re.compile(r"\b(?:(?P<hq>[HQ][1-4])\s(?P<y>\d{4})|(?P<y2>\d{4})-?(?P<hq2>[HQ][1-4]))\b")),
    ("q_en", re.compile(r"\b(?:the\s)?(?P<q>first|second|third|fourth)\squarter(?:\sof\s(?P<y>\d{4}))?", re.I)),
    ("rel_month_en", re.compile(r"\b(?:(?:at\s)?the\s(?P<part>end|start|beginning)\sof\s)?(?P<rel>last month|this month|next month)\b", re.I)),
    ("rel_year_en", re.compile(r"\b(?P<rel>earlier this year|later this year|this year|last year|next year)\b", re.I)),
    ("in_month_en", re.compile(rf"\bin\s{_MONTH}(?!\s\d)")),
    ("weekday_en", re.compile(r"\b(?:on\s|last\s)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("rel_day_en", re.compile(r"\b(?P<rel>yesterday|today)\b", re.I)),
    ("y_en", re.compile(r"\b(?:in|since|by|during|of)\s(?P<y>(?:19|20)\d{2})\b")),
]


@dataclass(frozen=True)
class DateMention:
    """A date found in the text: the fact-file form (``2025-07-22``, ``2024-H2``), where it is, what it said."""

    value: str
    start: int
    end: int
    text: str


def find_dates(text: str, published: dt.date | None, published_precision: str = "day") -> list[DateMention]:
    """Every date mention in ``text``, resolved against ``published`` (``published_precision``: day, month or year)."""
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            value = _resolve(kind, m, published, published_precision)
            if value is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(DateMention(value, m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda d: d.start)


def resolve_one(expression: str, published: dt.date | None, published_precision: str = "day") -> str | None:
    """The fact-file date of one expression (``先月末``, ``last month``), or None if it is not a date we read."""
    found = find_dates(expression, published, published_precision)
    return found[0].value if found else None


def _resolve(kind: str, m: re.Match[str], pub: dt.date | None, precision: str) -> str | None:
    g = m.groupdict()
    know_year = pub is not None
    know_month = know_year and precision in ("day", "month")
    know_day = know_year and precision == "day"
    if kind in ("ymd_ja", "mdy_en", "dmy_en"):
        month = int(g["m"]) if g.get("m") else MONTHS[g["month_name"].lower().rstrip(".")]
        return _day(int(g["y"]), month, int(g["d"]))
    if kind in ("ym_ja", "my_en"):
        month = int(g["m"]) if g.get("m") else MONTHS[g["month_name"].lower().rstrip(".")]
        return f"{int(g['y']):04d}-{month:02d}" if 1 <= month <= 12 else None
    if kind == "ym_half_ja":
        return f"{g['y']}-H{_HALF[g['half']]}"
    if kind == "yq_ja":
        return f"{g['y']}-Q{g['q']}"
    if kind == "y_ja" or kind == "y_en":
        return g["y"]
    if kind in ("md_ja", "md_en"):
        if not know_year:
            return None
        month = int(g["m"]) if g.get("m") else MONTHS[g["month_name"].lower().rstrip(".")]
        year = pub.year - (1 if know_month and month > pub.month else 0)  # a month after publication is last year's
        return _day(year, month, int(g["d"]))
    if kind == "m_ja" or kind == "in_month_en":
        if not know_year:
            return None
        month = int(g["m"]) if g.get("m") else MONTHS[g["month_name"].lower().rstrip(".")]
        if not 1 <= month <= 12:
            return None
        year = pub.year - (1 if know_month and month > pub.month else 0)
        return f"{year:04d}-{month:02d}"
    if kind == "d_ja":
        if not know_month:
            return None
        day = int(g["d"])
        year, month = pub.year, pub.month
        if know_day and day > pub.day:  # "the 28th" in a page of the 3rd: last month's
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return _day(year, month, day)
    if kind == "rel_year_month_ja":
        month = int(g["m"])
        return f"{pub.year + _YEAR_WORD[g['rel']]:04d}-{month:02d}" if know_year and 1 <= month <= 12 else None
    if kind == "rel_half_ja":
        return f"{pub.year + _YEAR_WORD[g['rel']]}-H{_HALF[g['half']]}" if know_year else None
    if kind == "half_en":
        if g.get("y"):
            return f"{g['y']}-H{_HALF[g['half'].lower()]}"
        return f"{pub.year + _YEAR_WORD[g['rel'].lower()]}-H{_HALF[g['half'].lower()]}" if know_year else None
    if kind == "hq_en":
        hq, year = (g["hq"], g["y"]) if g.get("hq") else (g["hq2"], g["y2"])
        if hq[0] == "H" and hq[1] not in "12":
            return None
        return f"{year}-{hq}"
    if kind == "q_en":
        q = ["first", "second", "third", "fourth"].index(g["q"].lower()) + 1
        if g.get("y"):
            return f"{g['y']}-Q{q}"
        return f"{pub.year}-Q{q}" if know_year else None
    if kind in ("rel_month_end_ja", "rel_month_en"):
        if not know_month:
            return None
        rel = g["rel"].lower()
        shift = -1 if rel in ("先月", "last month") else 1 if rel in ("来月", "next month") else 0
        total = pub.year * 12 + pub.month - 1 + shift
        return f"{total // 12:04d}-{total % 12 + 1:02d}"
    if kind in ("rel_year_ja", "rel_year_en"):
        return str(pub.year + _YEAR_WORD[g["rel"].lower()]) if know_year else None
    if kind == "weekday_en":
        if not know_day:
            return None
        back = (pub.weekday() - WEEKDAYS[g["wd"].lower()]) % 7  # news says "on Tuesday" of the past week
        if m.group(0).lower().startswith("last") and back == 0:
            back = 7
        return (pub - dt.timedelta(days=back)).isoformat()
    if kind == "rel_day_en":
        if not know_day:
            return None
        return (pub - dt.timedelta(days=1 if g["rel"].lower() == "yesterday" else 0)).isoformat()
    return None


def _day(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None
