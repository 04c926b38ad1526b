"""Fact files: one YAML file per source document, read into pydantic models with precise errors.

Every problem is reported as ``file:line: field.path: rule broken``, so a person can go
straight to the line. See the README section "Fact files" for the format.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG, description="lower-case, hyphenated: `xai`, `elon-musk`")]

ENTITY_CLASSES = (
    "Person", "Organization", "Company", "InvestmentFirm", "Bank", "MediaOrganization",
    "Asset", "DataCenter", "AIModel", "HardwareProduct", "Place",
)
RELATIONS = (
    "ceoOf", "founderOf", "associateOf", "operator", "locatedIn", "developer", "trainedOn",
    "procures", "praised",
)
INSTRUMENTS = ("Equity", "Debt", "SecuredBond", "Loan")
STATUSES = ("Reported", "InNegotiation", "Completed")

_DATE = re.compile(r"^(\d{4})(?:-(?:(\d{2})(?:-(\d{2}))?|H([12])|Q([1-4])))?$")


class FactModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Names(FactModel):
    """A name in English and, where known, Japanese."""

    en: str = Field(min_length=1)
    ja: str | None = Field(default=None, min_length=1)


class Texts(FactModel):
    """A short text in English and/or Japanese."""

    en: str | None = None
    ja: str | None = None


class FuzzyDate(FactModel):
    """A date as precise as the source allows: day, month, quarter, half or year."""

    text: str
    start: dt.date
    end: dt.date

    @property
    def precision(self) -> str:
        m = _DATE.match(self.text)
        assert m
        if m.group(3):
            return "day"
        if m.group(2):
            return "month"
        return "quarter" if m.group(5) else "half" if m.group(4) else "year"

    @classmethod
    def parse(cls, value: Any) -> "FuzzyDate":
        if isinstance(value, FuzzyDate):
            return value
        if isinstance(value, dict):
            return cls(**value)
        text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
        m = _DATE.match(text)
        if not m:
            raise ValueError(
                f"{text!r} is not a date: write YYYY-MM-DD, YYYY-MM, YYYY, YYYY-H1/H2 or YYYY-Q1..Q4"
            )
        year, month, day, half, quarter = m.groups()
        y = int(year)
        if day:
            try:
                d = dt.date(y, int(month), int(day))
            except ValueError as exc:
                raise ValueError(f"{text!r} is not a calendar date ({exc})") from None
            return cls(text=text, start=d, end=d)
        if month:
            first, last = int(month), int(month)
        elif half:
            first, last = (1, 6) if half == "1" else (7, 12)
        elif quarter:
            first = 3 * int(quarter) - 2
            last = first + 2
        else:
            first, last = 1, 12
        if not 1 <= first <= 12:
            raise ValueError(f"{text!r}: month must be 01..12")
        end = dt.date(y + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1)
        return cls(text=text, start=dt.date(y, first, 1), end=end)


DateField = Annotated[FuzzyDate, Field(description="YYYY-MM-DD, YYYY-MM, YYYY, YYYY-H1/H2, YYYY-Q1..Q4")]


def _date(value: Any) -> Any:
    return None if value is None else FuzzyDate.parse(value)


class Money(FactModel):
    """A figure exactly as reported, with its ISO 4217 currency."""

    value: Decimal = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class CitedSource(FactModel):
    """A report the document relays (e.g. a newspaper story it cites)."""

    slug: Slug
    title: str = Field(min_length=1, description="the headline if known, else a short description")
    headline_known: bool = False
    publisher: Slug | None = None
    published: DateField | None = None
    url: str | None = None

    _d = field_validator("published", mode="before")(_date)


class Source(FactModel):
    """The document every fact in the file comes from."""

    slug: Slug
    headline: str = Field(min_length=1)
    publisher: Slug
    author: str | None = None
    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")
    published: DateField
    url: str | None = None
    cites: list[CitedSource] = []

    _d = field_validator("published", mode="before")(_date)


class Evidence(FactModel):
    """Where an extracted fact was read: the sentence and its character span in the article given."""

    sentence: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Reviewed(FactModel):
    """Review fields written by ``aikg extract``: accepted as they are, and never turned into quads."""

    confidence: float | None = Field(default=None, ge=0, le=1, description="how sure the extractor was (review aid)")
    evidence: Evidence | None = Field(default=None, description="the supporting sentence (review aid)")


class Entity(Reviewed):
    """A person, organisation, asset or place."""

    slug: Slug
    class_: Literal[ENTITY_CLASSES] = Field(alias="class")  # type: ignore[valid-type]
    name: Names
    aliases: list[str] = []
    wikidata: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")
    description: Texts | None = None
    new: bool = Field(default=False, description="proposed by `aikg extract`: not yet in the graph (review aid)")


class Relation(Reviewed):
    """A plain relation between two entities, reported by the file's source."""

    subject: Slug
    predicate: Literal[RELATIONS]  # type: ignore[valid-type]
    object: Slug


class EventBase(Reviewed):
    id: Slug
    date: DateField | None = None
    status: Literal[STATUSES] = "Reported"  # type: ignore[valid-type]
    reported_by: list[Slug] = Field(default=[], description="slugs of cited sources this fact is attributed to")
    note: Texts | None = None

    _d = field_validator("date", mode="before")(_date)


class FundingRound(EventBase):
    type: Literal["FundingRound"]
    recipient: Slug
    investors: list[Slug] = []
    lead_investors: list[Slug] = []
    arrangers: list[Slug] = []
    amounts: list[Money] = []
    amount_usd: Decimal | None = Field(default=None, ge=0)
    instruments: list[Literal[INSTRUMENTS]] = []  # type: ignore[valid-type]
    purpose: Texts | None = None
    for_assets: list[Slug] = []

    @model_validator(mode="after")
    def _someone_provides_money(self) -> "FundingRound":
        if not (self.investors or self.lead_investors or self.arrangers):
            raise ValueError("a funding round needs at least one investor, lead investor or arranger")
        return self


class SupplyDeal(EventBase):
    type: Literal["SupplyDeal"]
    suppliers: list[Slug] = Field(min_length=1)
    customers: list[Slug] = Field(min_length=1)
    product: Slug | None = None
    quantity: int | None = Field(default=None, ge=1)
    for_assets: list[Slug] = []


class CapacityObservation(EventBase):
    type: Literal["CapacityObservation"]
    asset: Slug
    gpu_count: int = Field(gt=0)
    product: Slug | None = None
    phase: Texts | None = None


class Construction(EventBase):
    type: Literal["Construction"]
    asset: Slug
    builders: list[Slug] = Field(min_length=1)
    duration_days: int | None = Field(default=None, ge=1)


class CashBurnForecast(EventBase):
    type: Literal["CashBurnForecast"]
    spender: Slug
    amounts: list[Money] = []
    amount_usd: Decimal | None = Field(default=None, ge=0)


Event = Annotated[
    Union[FundingRound, SupplyDeal, CapacityObservation, Construction, CashBurnForecast],
    Field(discriminator="type"),
]


class FactFile(FactModel):
    """One source document and everything it reports."""

    source: Source
    entities: list[Entity] = []
    relations: list[Relation] = []
    events: list[Event] = []


_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
"""The characters str.splitlines breaks at."""


@dataclass(frozen=True)
class FactError:
    """One problem in a fact file: where it is and which rule it breaks."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        # A message may quote the file's own text (a bad tag "\n"): its line breaks are shown escaped, one line a problem.
        message = "".join(repr(c)[1:-1] if c in _LINE_BREAKS else c for c in self.message)
        return f"{where}: {self.field}: {message}" if self.field else f"{where}: {message}"


@dataclass(frozen=True)
class LoadedFile:
    """A valid fact file and the YAML node tree it came from (to name lines in later errors)."""

    path: Path
    facts: FactFile
    root: yaml.Node

    def line_of(self, loc: tuple[str | int, ...]) -> int | None:
        return _line_of(self.root, loc)


class FactFileError(Exception):
    """Raised with every problem found; ``errors`` holds them one per line."""

    def __init__(self, errors: list[FactError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class FactLoader(yaml.SafeLoader):
    """YAML's safe loader, leaving dates as text: :class:`FuzzyDate` reads them and names a bad one."""


FactLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_fact_file(path: str | Path, content: bytes | None = None) -> LoadedFile:
    """Read and validate one fact file; raise :class:`FactFileError` naming each problem.

    ``content``: the file's bytes, when it is not on disk (a request body); ``path`` then only names it in errors.
    """
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes() if content is None else content
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # line ends as a text-mode read gives them
    except UnicodeDecodeError as exc:
        raise FactFileError([FactError(name, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from exc
    except OSError as exc:
        raise FactFileError([FactError(name, None, "", f"cannot read: {exc.strerror}")]) from exc
    try:
        root = yaml.compose(text, Loader=FactLoader)
        data = yaml.load(text, Loader=FactLoader)  # noqa: S506 - FactLoader is a SafeLoader
    except yaml.reader.ReaderError as exc:  # a control character: the reader names no line, so count it
        line = text.count("\n", 0, exc.position) + 1
        problem = f"character #x{exc.character:04x} is not allowed in YAML" if isinstance(exc.character, int) else exc.reason
        raise FactFileError([FactError(name, line, "", f"malformed YAML: {problem}")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = " ".join((getattr(exc, "problem", None) or str(exc)).split())  # one line a problem
        raise FactFileError(
            [FactError(name, mark.line + 1 if mark else None, "", f"malformed YAML: {problem}")]
        ) from exc
    if not isinstance(data, dict):
        raise FactFileError([FactError(name, 1, "", "a fact file is a mapping with `source`, `entities`, `relations`, `events`")])
    try:
        facts = FactFile.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = _strip_union_tags(err["loc"])
            errors.append(FactError(name, _line_of(root, loc), field_path(loc), err["msg"]))
        raise FactFileError(errors) from exc
    loaded = LoadedFile(path, facts, root)
    problems = _check_within_file(loaded)
    if problems:
        raise FactFileError(problems)
    return loaded


def fact_files(folder: str | Path) -> list[Path]:
    """The fact files in a folder (``*.yaml`` and ``*.yml``, sorted), or the file itself."""
    folder = Path(folder)
    if folder.is_file():
        return [folder]
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def referenced_slugs(facts: FactFile) -> list[tuple[tuple[str | int, ...], str]]:
    """Every entity slug the file refers to, with the field path that refers to it."""
    refs: list[tuple[tuple[str | int, ...], str]] = [(("source", "publisher"), facts.source.publisher)]
    for i, cited in enumerate(facts.source.cites):
        if cited.publisher:
            refs.append((("source", "cites", i, "publisher"), cited.publisher))
    for i, rel in enumerate(facts.relations):
        refs += [(("relations", i, "subject"), rel.subject), (("relations", i, "object"), rel.object)]
    for i, event in enumerate(facts.events):
        for field, value in event:
            if field in ("id", "type", "status", "reported_by", "instruments", "date", "amounts", "confidence", "evidence",
                         "amount_usd", "purpose", "note", "phase", "gpu_count", "quantity", "duration_days"):
                continue
            if isinstance(value, str):
                refs.append((("events", i, field), value))
            elif isinstance(value, list):
                refs += [(("events", i, field, j), v) for j, v in enumerate(value) if isinstance(v, str)]
    return refs


def _check_within_file(loaded: LoadedFile) -> list[FactError]:
    facts, name = loaded.facts, str(loaded.path)
    errors: list[FactError] = []

    def err(loc: tuple[str | int, ...], message: str) -> None:
        errors.append(FactError(name, loaded.line_of(loc), field_path(loc), message))

    seen: dict[str, tuple[str | int, ...]] = {}
    for i, entity in enumerate(facts.entities):
        if entity.slug in seen:
            err(("entities", i, "slug"), f"slug {entity.slug!r} is declared twice in this file")
        seen[entity.slug] = ("entities", i)
    cited = {c.slug for c in facts.source.cites}
    ids: set[str] = set()
    for i, event in enumerate(facts.events):
        if event.id in ids or event.id in seen:
            err(("events", i, "id"), f"id {event.id!r} is used twice in this file")
        ids.add(event.id)
        for j, slug in enumerate(event.reported_by):
            if slug not in cited:
                err(("events", i, "reported_by", j), f"{slug!r} is not one of the sources listed in source.cites")
    return errors


def _strip_union_tags(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic puts the discriminator tag (e.g. "FundingRound") into the path of a union member.
    tags = {"FundingRound", "SupplyDeal", "CapacityObservation", "Construction", "CashBurnForecast"}
    return tuple(p for p in loc if p not in tags)


def field_path(loc: tuple[str | int, ...]) -> str:
    """A field path as people write it: ``events[0].recipient``."""
    out = ""
    for part in loc:
        if not isinstance(part, int) and not str(part).isidentifier():
            part = json.dumps(str(part), ensure_ascii=False)  # an odd key ("", "a\nb") stays on one line, visible
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(node: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the YAML node at a field path, or of its nearest existing parent."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            key = "class" if part == "class_" else part
            child = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line
