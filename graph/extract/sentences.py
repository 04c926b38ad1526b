"""One sentence of the article body with everything found in it: entities, money, counts, dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from graph.extract.dates import DateMention, find_dates
from graph.extract.entities import Gazetteer, Mention
from graph.extract.numbers import Count, Money, find_counts, find_money
from graph.extract.page import Page

# A date right before these words dates the report, not the fact it reports.
_REPORT_WORDS = re.compile(r"^\s*(?:\(現地時間\))?\s*(?:に|付で?|の)?\s*(?:報じ|伝え|報道|発表|明らかに)|^\s*,?\s*(?:reported|said|wrote)")


_SAID_BEFORE = re.compile(r"\b(?:said|reported|announced|wrote|disclosed|confirmed|told [\w ]{1,30}?|according to [\w ]{1,30}?)\s*(?:on\s)?$")


@dataclass
class Sentence:
    """A sentence, where it is (folded offsets), its paragraph and what it mentions."""

    index: int
    paragraph: int
    text: str
    start: int
    end: int
    mentions: list[Mention] = field(default_factory=list)
    money: list[Money] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)

    def of_class(self, *classes: str) -> list[Mention]:
        """Mentions whose class is one of ``classes`` (``Organization`` covers its subclasses)."""
        wanted = set(classes)
        if "Organization" in wanted:
            wanted |= {"Company", "InvestmentFirm", "Bank", "MediaOrganization"}
        if "Asset" in wanted:
            wanted |= {"DataCenter", "AIModel", "HardwareProduct"}
        return [m for m in self.mentions if m.class_ in wanted]

    def after(self, mention: Mention, pattern: str) -> re.Match[str] | None:
        """``pattern`` matched right after a mention (``は``, ``に``, ``を通じ``…)."""
        return re.match(pattern, self.text[mention.end:])

    def before(self, mention: Mention, pattern: str) -> re.Match[str] | None:
        """``pattern`` matched right before a mention (it must end where the mention starts)."""
        return re.search(f"(?:{pattern})$", self.text[:mention.start])

    def fact_dates(self) -> list[DateMention]:
        """Dates of the facts the sentence states: not the dates of the reports it cites."""
        return [d for d in self.dates if not self._reports(d)]

    def report_dates(self) -> list[DateMention]:
        """Dates of the reports the sentence cites (``22日(現地時間)に報じた``, ``reported on Tuesday``)."""
        return [d for d in self.dates if self._reports(d)]

    def _reports(self, d: DateMention) -> bool:
        return bool(_REPORT_WORDS.match(self.text[d.end:]) or _SAID_BEFORE.search(self.text[:d.start]))


def analyse(page: Page, gazetteer: Gazetteer, published: dt.date | None, precision: str) -> list[Sentence]:
    """Every body sentence of ``page`` with its mentions, money, counts and dates."""
    out = []
    for i, (paragraph, block) in enumerate(page.sentences()):
        s = Sentence(i, paragraph, block.text, block.start, block.end)
        s.mentions = gazetteer.find(s.text)
        s.money = find_money(s.text)
        s.counts = find_counts(s.text)
        s.dates = find_dates(s.text, published, precision)
        out.append(s)
    return out


def focus_company(sentences: list[Sentence]) -> str | None:
    """The company the article is about: the one named most often (the first on a tie).

    ``The company``, ``its``, ``同社`` and the like point to it when no name is at hand.
    """
    counts: dict[str, int] = {}
    for s in sentences:
        for m in s.mentions:
            if m.class_ == "Company":
                counts[m.slug] = counts.get(m.slug, 0) + 1
    return max(counts, key=lambda slug: counts[slug]) if counts else None  # dicts keep first-seen order on ties
