"""What the extractor has found so far: candidate relations, events and cited reports, each with evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from graph.extract.sentences import Sentence


@dataclass
class RelationFact:
    """A plain relation (``ceoOf``, ``locatedIn``…) and the sentence that states it."""

    subject: str
    predicate: str
    object: str
    sentence: Sentence
    confidence: float


@dataclass
class Report:
    """A report the article relays: who published it, when (if the article says), where it is first cited."""

    publisher: str
    date: str | None
    sentence: Sentence | None
    credit: bool = False  # credited as the page's source ("引用:", "Source:") rather than cited for a fact

    @property
    def slug(self) -> str:
        return f"{self.publisher}-{self.date.lower()}" if self.date else f"{self.publisher}-report"


@dataclass
class Draft:
    """An event being assembled from one or more sentences (fields as in a fact file)."""

    type: str
    sentence: Sentence
    confidence: float
    fields: dict = field(default_factory=dict)
    capability: bool = False  # a count of GPUs a site can hold, not of GPUs it has

    @property
    def usd(self) -> Decimal | None:
        return self.fields.get("amount_usd")

    def add(self, key: str, *values: object) -> None:
        """Append values to a list field, once each."""
        items = self.fields.setdefault(key, [])
        for v in values:
            if v not in items:
                items.append(v)

    def set(self, key: str, value: object) -> None:
        """Set a field unless it already has a value."""
        if value is not None and self.fields.get(key) in (None, [], ""):
            self.fields[key] = value


@dataclass
class Findings:
    """Everything read from one article, in the order it was found."""

    relations: list[RelationFact] = field(default_factory=list)
    events: list[Draft] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)

    def relate(self, subject: str, predicate: str, obj: str, sentence: Sentence, confidence: float) -> None:
        """Record a relation once (the first sentence that states it is its evidence)."""
        if subject == obj:
            return
        if any((r.subject, r.predicate, r.object) == (subject, predicate, obj) for r in self.relations):
            return
        self.relations.append(RelationFact(subject, predicate, obj, sentence, confidence))

    def report(self, publisher: str, date: str | None, sentence: Sentence | None, credit: bool = False) -> Report:
        """The cited report of ``publisher`` on ``date``; without a date, that publisher's first report."""
        for r in self.reports:
            if r.publisher == publisher and (r.date == date or date is None):
                return r
        r = Report(publisher, date, sentence, credit)
        self.reports.append(r)
        return r
