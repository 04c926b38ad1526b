"""A synthetic AI-infrastructure graph in the aikg vocabulary, written as N-Quads, for scale tests and benchmarks.

The shape is the one a build makes from fact files (see :mod:`graph.quads`): entities in
graph ``aik:entities``; one named graph per source document holding the document, its plain
relations and its events, each event with ``prov:wasDerivedFrom``, a label, a status and a
date with its bounds. The world is fictional but skewed like the real one: a few hyperscalers
and chipmakers take part in a large share of all deals, a long tail of start-ups raise most
rounds, investors' portfolios follow a power law, debt comes arranged by banks, figures are
reported in several currencies, and data centers are observed again and again as they grow.

Output is deterministic for a given size and seed, and written as it is made, so memory
stays flat whatever the size. The derived shortcut edges are not written: loading derives them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import IO

from ontology import AIK, ID, PROV, SCHEMA, SOURCE

XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
_DERIVED_FROM = f"<{PROV}wasDerivedFrom>"
_ENTITIES = f"<{AIK}entities>"

HYPERSCALERS = (
    ("stratus-cloud", "Stratus Cloud", "ストラタス・クラウド"),
    ("nimbus-compute", "Nimbus Compute", "ニンバス・コンピュート"),
    ("cirrus-systems", "Cirrus Systems", "シーラス・システムズ"),
    ("meridian-cloud", "Meridian Cloud", None),
    ("halcyon-data", "Halcyon Data", None),
    ("borealis-web-services", "Borealis Web Services", None),
)
"""The hubs that buy most of the GPUs and run most of the data centers."""

CHIPMAKERS = (
    ("voltaic-semiconductor", "Voltaic Semiconductor", "ボルタイク・セミコンダクター", ("VX-100", "VX-200", "VX-300")),
    ("quanta-silicon", "Quanta Silicon", None, ("QS-8", "QS-9")),
    ("ferro-devices", "Ferro Devices", None, ("Ferro F1", "Ferro F2")),
    ("tessera-foundry", "Tessera Foundry", None, ("Tessera T4",)),
    ("lumen-accelerators", "Lumen Accelerators", None, ("Lumen L7",)),
)
"""Suppliers of accelerators and their products; the first sells most of them."""

CURRENCIES = (("USD", 1.0, 0.72), ("EUR", 0.92, 0.09), ("JPY", 147.0, 0.07), ("GBP", 0.79, 0.05),
              ("CNY", 7.2, 0.03), ("KRW", 1340.0, 0.02), ("CAD", 1.36, 0.02))
"""Reporting currencies: code, units per US dollar, share of rounds."""

_STARTUP_FIRST = ("Aero", "Blue", "Cobalt", "Delta", "Ember", "Flux", "Giga", "Helio", "Ion", "Juno", "Kestrel",
                  "Lattice", "Mosaic", "Nova", "Orbit", "Prism", "Quill", "Rune", "Sable", "Tensor", "Umbra",
                  "Vertex", "Wren", "Xeno", "Yarrow", "Zephyr", "Argon", "Basalt", "Cinder", "Dune")
_STARTUP_SECOND = ("mind", "forge", "scale", "path", "wave", "grid", "core", "spark", "loop", "field", "gate",
                   "stack", "works", "mesh", "shift", "light", "frame", "sense", "bit", "flow")
_STARTUP_KIND = ("AI", "Labs", "Robotics", "Compute", "Intelligence", "Systems", "Cloud", "Research", "Dynamics", "Networks")
_FIRM_FIRST = ("Granite", "Harbor", "Summit", "Redwood", "Lighthouse", "Pioneer", "Sequoia Ridge", "Northstar",
               "Beacon", "Foundry", "Keystone", "Atlas", "Crescent", "Evergreen", "Falcon", "Ironwood")
_FIRM_KIND = ("Capital", "Ventures", "Partners", "Growth", "Equity", "Investments")
_BANK_FIRST = ("Ashford", "Brightwater", "Carrington", "Dunmore", "Elmstead", "Fairhaven", "Glenrock", "Hollis",
               "Kingsley", "Lowell", "Montague", "Pemberton")
_BANK_KIND = ("Bank", "Securities", "Financial", "Banking Group")
_GIVEN = ("Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kira", "Liam", "Maya",
          "Noah", "Olga", "Priya", "Quinn", "Rafael", "Sara", "Tomas", "Uma", "Victor", "Wei", "Yara", "Zoe")
_FAMILY = ("Abe", "Brandt", "Costa", "Diallo", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kowalski",
           "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quintero", "Rossi", "Sato", "Tanaka", "Usman",
           "Varga", "Weber", "Xu", "Yilmaz", "Zhang")
_PLACES = ("Ashby", "Brookhaven", "Cedar Falls", "Dorset Plains", "Eastmoor", "Fernvale", "Granton", "Highmere",
           "Ironbridge", "Juniper Flats", "Kelso", "Lakemont", "Millbrook", "Northgate", "Oakridge", "Pinecrest",
           "Quarry Bay", "Riverton", "Stonehill", "Thornbury", "Upton", "Valemont", "Westfield", "Yellowmarsh")
_MEDIA = ("The Compute Ledger", "Silicon Dispatch", "Data Center Weekly", "AI Capital Review", "The Infrastructure Post",
          "GPU Market Watch", "Tokyo Tech Journal", "Cloud Finance Daily", "The Fabless Times", "Venture Wire",
          "Power & Racks", "Model Economy")
_JA_PUBLISHERS = {"Tokyo Tech Journal"}


def slugify(name: str) -> str:
    """``Sequoia Ridge Capital 2`` → ``sequoia-ridge-capital-2``, ``VX-100`` → ``vx-100``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _mixed(i: int, *parts: tuple[str, ...]) -> str:
    """The ``i``-th combination of the word lists, with a number once the combinations run out."""
    words, rest = [], i
    for part in parts:
        words.append(part[rest % len(part)])
        rest //= len(part)
    return " ".join(words) + (f" {rest + 1}" if rest else "")


@dataclass(frozen=True)
class Sizes:
    """How many entities of each kind a graph of ``triples`` triples holds."""

    startups: int
    investors: int
    banks: int
    people: int
    datacenters: int

    @classmethod
    def for_triples(cls, triples: int) -> "Sizes":
        return cls(
            startups=max(40, triples // 90),
            investors=max(15, triples // 900),
            banks=max(4, min(80, triples // 8000)),
            people=max(40, triples // 120),
            datacenters=max(12, triples // 1500),
        )


class _Zipf:
    """Draw indexes 0..n-1 with weight 1/(rank+1)^s: a few very popular, a long tail."""

    def __init__(self, n: int, s: float) -> None:
        self.cumulative = list(accumulate(1.0 / (k + 1) ** s for k in range(n)))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cumulative, rng.random() * self.total)


class World:
    """The entities of one synthetic graph: names and slugs computed from indexes, so nothing large is held."""

    def __init__(self, sizes: Sizes) -> None:
        self.sizes = sizes

    def startup(self, i: int) -> tuple[str, str]:
        name = _mixed(i, _STARTUP_FIRST, _STARTUP_SECOND, _STARTUP_KIND)
        first, rest = name.split(" ", 1)
        name = first + rest  # "Aero" + "mind AI" → "Aeromind AI"
        return slugify(name), name

    def investor(self, i: int) -> tuple[str, str]:
        name = _mixed(i, _FIRM_FIRST, _FIRM_KIND)
        return slugify(name), name

    def bank(self, i: int) -> tuple[str, str]:
        name = _mixed(i, _BANK_FIRST, _BANK_KIND)
        return slugify(name), name

    def person(self, i: int) -> tuple[str, str]:
        name = _mixed(i, _GIVEN, _FAMILY)
        return slugify(name), name

    def place(self, i: int) -> tuple[str, str]:
        return slugify(_PLACES[i]), _PLACES[i]

    def datacenter(self, i: int) -> tuple[str, str]:
        place = _PLACES[self.datacenter_place(i)]
        operator = self.datacenter_operator(i)[1]
        name = f"{operator} {place} campus {i + 1}"
        return slugify(name), name

    def datacenter_place(self, i: int) -> int:
        return (i * 7 + 3) % len(_PLACES)

    def datacenter_operator(self, i: int) -> tuple[str, str]:
        """Hyperscalers run most data centers; every fifth belongs to a start-up (a neocloud)."""
        if i % 5 == 4:
            return self.startup(i // 5 % self.sizes.startups)
        slug, name, _ = HYPERSCALERS[i % len(HYPERSCALERS)]
        return slug, name

    def model(self, i: int) -> tuple[str, str]:
        slug, name = self.startup(i)
        return f"{slug}-model", f"{name} Model"

    def media(self, i: int) -> tuple[str, str]:
        return slugify(_MEDIA[i]), _MEDIA[i]


def write_nquads(output: IO[str], triples: int, seed: int = 0, progress: Callable[[int], None] | None = None) -> int:
    """Write a synthetic graph of about ``triples`` triples (within a document's worth) to ``output``; return the count."""
    written = 0
    for chunk in generate(triples, seed):
        output.write(chunk)
        written += chunk.count("\n")
        if progress:
            progress(written)
    return written


def generate(triples: int, seed: int = 0) -> Iterator[str]:
    """The N-Quads text of the graph, a block of lines at a time: the entities, then one block per source document."""
    rng = random.Random(seed)
    sizes = Sizes.for_triples(triples)
    world = World(sizes)
    block, count = _entities_block(world, rng)
    yield block
    documents = _Documents(world, rng, sizes, triples)
    while count < triples:
        block, lines = documents.next()
        count += lines
        yield block


def _iri(base: object, slug: str) -> str:
    return f"<{base}{slug}>"


def _lit(text: str, lang: str | None = None) -> str:
    return f'"{text}"@{lang}' if lang else f'"{text}"'


def _typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def _entities_block(world: World, rng: random.Random) -> tuple[str, int]:
    lines: list[str] = []

    def entity(slug: str, name: str, cls: str, ja: str | None = None, aliases: tuple[str, ...] = ()) -> None:
        s = _iri(ID, slug)
        lines.append(f"{s} {_TYPE} <{AIK}{cls}> {_ENTITIES} .\n")
        lines.append(f"{s} {_LABEL} {_lit(name, 'en')} {_ENTITIES} .\n")
        if ja:
            lines.append(f"{s} {_LABEL} {_lit(ja, 'ja')} {_ENTITIES} .\n")
        for alias in aliases:
            lines.append(f"{s} {_ALT} {_lit(alias, 'ja' if not alias.isascii() else 'en')} {_ENTITIES} .\n")

    for slug, name, ja in HYPERSCALERS:
        entity(slug, name, "Company", ja, (name.split()[0],) + ((ja.split("・")[0],) if ja else ()))
    for slug, name, ja, products in CHIPMAKERS:
        entity(slug, name, "Company", ja, (name.split()[0],))
        for product in products:
            entity(slugify(product), product, "HardwareProduct")
    sizes = world.sizes
    for i in range(sizes.startups):
        slug, name = world.startup(i)
        entity(slug, name, "Company", aliases=(name.split()[0],) if rng.random() < 0.2 else ())
        if i % 4 == 0:
            model_slug, model_name = world.model(i)
            entity(model_slug, model_name, "AIModel")
    for i in range(sizes.investors):
        entity(*world.investor(i), "InvestmentFirm")
    for i in range(sizes.banks):
        entity(*world.bank(i), "Bank")
    for i in range(sizes.people):
        entity(*world.person(i), "Person")
    for i in range(len(_PLACES)):
        entity(*world.place(i), "Place")
    for i in range(sizes.datacenters):
        entity(*world.datacenter(i), "DataCenter")
    for i in range(len(_MEDIA)):
        entity(*world.media(i), "MediaOrganization")
    return "".join(lines), len(lines)


class _Documents:
    """Source documents in date order, each with a few events and plain relations."""

    START = dt.date(2021, 1, 1)
    SPAN_DAYS = (dt.date(2025, 12, 31) - START).days

    def __init__(self, world: World, rng: random.Random, sizes: Sizes, triples: int) -> None:
        self.world, self.rng, self.sizes = world, rng, sizes
        self.expected = max(1, triples // 75)  # documents expected, to spread their dates over five years
        self.index = 0
        self.startups = _Zipf(sizes.startups, 0.9)
        self.investors = _Zipf(sizes.investors, 1.1)
        self.banks = _Zipf(sizes.banks, 1.0)
        self.hyperscalers = _Zipf(len(HYPERSCALERS), 1.0)
        self.chipmakers = _Zipf(len(CHIPMAKERS), 2.0)
        self.datacenters = _Zipf(sizes.datacenters, 0.6)
        self.currency_cumulative = list(accumulate(share for _, _, share in CURRENCIES))
        self.kinds = ("FundingRound",) * 10 + ("SupplyDeal",) * 4 + ("CapacityObservation",) * 4 + ("Construction",)

    def next(self) -> tuple[str, int]:
        """The next document's lines and their count."""
        rng, world = self.rng, self.world
        i = self.index
        self.index += 1
        published = self.START + dt.timedelta(days=min(self.SPAN_DAYS, i * self.SPAN_DAYS // self.expected + rng.randint(0, 20)))
        media_slug, media_name = world.media(rng.randrange(len(_MEDIA)))
        language = "ja" if media_name in _JA_PUBLISHERS else "en"
        doc_slug = f"{media_slug}-{published.isoformat()}-{i}"
        g = _iri(SOURCE, doc_slug)
        self.lines: list[str] = []
        self.g = g
        self.events: list[tuple[str, str]] = []  # what the headline mentions
        for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 5))):
            self._event(rng.choice(self.kinds), published, f"{doc_slug}-e")
        self._profiles(i)
        headline = self._headline(media_name, language)
        header = [
            f"{g} {_TYPE} <{AIK}SourceDocument> {g} .\n",
            f"{g} {_LABEL} {_lit(headline, language)} {g} .\n",
            f"{g} <{SCHEMA}headline> {_lit(headline, language)} {g} .\n",
            f"{g} <{SCHEMA}publisher> {_iri(ID, media_slug)} {g} .\n",
            f"{g} <{SCHEMA}inLanguage> {_lit(language)} {g} .\n",
            f"{g} <{SCHEMA}datePublished> {_typed(published.isoformat(), 'date')} {g} .\n",
            f"{g} <{SCHEMA}url> <https://news.example/{media_slug}/{i}> {g} .\n",
        ]
        if rng.random() < 0.5:
            header.append(f"{g} <{SCHEMA}author> {_lit(world.person(rng.randrange(self.sizes.people))[1])} {g} .\n")
        lines = header + self.lines
        return "".join(lines), len(lines)

    def _headline(self, media: str, language: str) -> str:
        what = self.events[0][1] if self.events else "AI infrastructure news"
        more = f" and {len(self.events) - 1} more" if len(self.events) > 1 else ""
        return f"{what}{more} ({media})" if language == "en" else f"{what}{more}(報道)"

    # -- events --------------------------------------------------------------------------------

    def _event(self, kind: str, published: dt.date, prefix: str) -> None:
        rng = self.rng
        event_id = f"{prefix}{len(self.events) + 1}"
        when = published - dt.timedelta(days=rng.randint(0, 90))
        date_text, date_literal, start, end = _fuzzy(when, rng)
        e = _iri(ID, event_id)
        g = self.g
        add = self.lines.append
        add(f"{e} {_TYPE} <{AIK}{kind}> {g} .\n")
        add(f"{e} {_DERIVED_FROM} {g} {g} .\n")
        status = rng.choices(("Completed", "Reported", "InNegotiation"), (0.65, 0.25, 0.10))[0]
        add(f"{e} <{AIK}status> <{AIK}{status}> {g} .\n")
        add(f"{e} <{AIK}date> {date_literal} {g} .\n")
        add(f"{e} <{AIK}dateStart> {_typed(start.isoformat(), 'date')} {g} .\n")
        add(f"{e} <{AIK}dateEnd> {_typed(end.isoformat(), 'date')} {g} .\n")
        label = getattr(self, f"_{kind}")(e, when)
        add(f"{e} {_LABEL} {_lit(f'{label} ({date_text})', 'en')} {g} .\n")
        self.events.append((event_id, label))

    def _link(self, e: str, prop: str, slug: str) -> None:
        self.lines.append(f"{e} <{AIK}{prop}> {_iri(ID, slug)} {self.g} .\n")

    def _term(self, e: str, prop: str, term: str) -> None:
        self.lines.append(f"{e} <{AIK}{prop}> <{AIK}{term}> {self.g} .\n")

    def _FundingRound(self, e: str, when: dt.date) -> str:
        rng, world = self.rng, self.world
        kind = rng.random()
        if kind < 0.12:
            recipient, name, _ = HYPERSCALERS[self.hyperscalers.draw(rng)]
            usd = _round_figure(rng.lognormvariate(22.5, 1.0))  # billions
        elif kind < 0.16:
            recipient, name = CHIPMAKERS[self.chipmakers.draw(rng)][:2]
            usd = _round_figure(rng.lognormvariate(21.5, 1.0))
        else:
            recipient, name = world.startup(self.startups.draw(rng))
            usd = _round_figure(rng.lognormvariate(17.5, 1.6))  # millions to billions
        self._link(e, "recipient", recipient)
        debt = rng.random() < 0.3
        if debt:
            for instrument in sorted(set(rng.choices(("Debt", "Loan", "SecuredBond"), k=rng.choice((1, 1, 2))))):
                self._term(e, "instrument", instrument)
            for b in sorted({self.banks.draw(rng) for _ in range(rng.choice((1, 1, 2)))}):
                self._link(e, "arranger", world.bank(b)[0])
            lenders = rng.choice((0, 0, 1, 2))
        else:
            self._term(e, "instrument", "Equity")
            lenders = rng.choice((1, 1, 2, 2, 3, 4))
        backers = sorted({self.investors.draw(rng) for _ in range(lenders)})
        if not debt and rng.random() < 0.1:  # a hyperscaler's strategic stake
            self._link(e, "investor", HYPERSCALERS[self.hyperscalers.draw(rng)][0])
        for n, b in enumerate(backers):
            self._link(e, "leadInvestor" if n == 0 and not debt else "investor", world.investor(b)[0])
        self.lines.append(f"{e} <{AIK}amountUSD> {_typed(usd, 'decimal')} {self.g} .\n")
        code, rate = CURRENCIES[bisect.bisect_left(self.currency_cumulative, rng.random() * self.currency_cumulative[-1])][:2]
        if code == "USD" or rng.random() < 0.5:  # a figure in another currency often comes with its dollar value
            self._money(e, "USD", usd)
        if code != "USD":
            self._money(e, code, _round_figure(usd * rate))
        if rng.random() < 0.2:
            purpose = "GPU purchases and data-center construction" if debt else "research and hiring"
            self.lines.append(f"{e} <{AIK}purpose> {_lit(purpose, 'en')} {self.g} .\n")
        return f"{name} funding round, USD {usd:,}"

    def _money(self, e: str, currency: str, value: int) -> None:
        node = f"{e[:-1]}#amount-{currency.lower()}>"
        g = self.g
        self.lines += [
            f"{e} <{AIK}monetaryAmount> {node} {g} .\n",
            f"{node} {_TYPE} <{SCHEMA}MonetaryAmount> {g} .\n",
            f"{node} <{SCHEMA}value> {_typed(value, 'decimal')} {g} .\n",
            f"{node} <{SCHEMA}currency> {_lit(currency)} {g} .\n",
        ]

    def _SupplyDeal(self, e: str, when: dt.date) -> str:
        rng, world = self.rng, self.world
        supplier, supplier_name, _, products = CHIPMAKERS[self.chipmakers.draw(rng)]
        product = rng.choice(products)
        if rng.random() < 0.55:
            customer, customer_name, _ = HYPERSCALERS[self.hyperscalers.draw(rng)]
            quantity = rng.choice((10, 20, 25, 50, 100, 200)) * 1000
        else:
            customer, customer_name = world.startup(self.startups.draw(rng))
            quantity = rng.choice((256, 512, 1024, 2048, 4096, 8192, 16384))
        self._link(e, "supplier", supplier)
        self._link(e, "customer", customer)
        self._link(e, "product", slugify(product))
        self.lines.append(f"{e} <{AIK}quantity> {_typed(quantity, 'integer')} {self.g} .\n")
        if rng.random() < 0.5:
            self._link(e, "forAsset", world.datacenter(self.datacenters.draw(rng))[0])
        return f"{supplier_name} {product} for {customer_name}"

    def _CapacityObservation(self, e: str, when: dt.date) -> str:
        rng, world = self.rng, self.world
        d = self.datacenters.draw(rng)
        slug, name = world.datacenter(d)
        # Every campus grows over time: its count depends on the date, so later observations are larger.
        months = (when.year - 2020) * 12 + when.month
        gpus = (2_000 + d % 17 * 1_000) * months // 6 * (4 if d % len(HYPERSCALERS) < 3 else 1)
        self._link(e, "asset", slug)
        self.lines.append(f"{e} <{AIK}gpuCount> {_typed(gpus, 'integer')} {self.g} .\n")
        self._link(e, "product", slugify(CHIPMAKERS[self.chipmakers.draw(rng)][3][0]))
        return f"{name}: {gpus:,} GPUs"

    def _Construction(self, e: str, when: dt.date) -> str:
        rng, world = self.rng, self.world
        d = self.datacenters.draw(rng)
        slug, name = world.datacenter(d)
        self._link(e, "asset", slug)
        self._link(e, "builder", world.datacenter_operator(d)[0])
        days = rng.randint(90, 720)
        self.lines.append(f"{e} <{AIK}durationDays> {_typed(days, 'integer')} {self.g} .\n")
        return f"Construction of {name} in {days} days"

    # -- plain relations -----------------------------------------------------------------------

    def _profiles(self, i: int) -> None:
        """The first documents also say who runs each start-up and where each data center stands."""
        world, sizes, g = self.world, self.sizes, self.g

        def rel(s: str, p: str, o: str) -> None:
            self.lines.append(f"{_iri(ID, s)} <{AIK}{p}> {_iri(ID, o)} {g} .\n")

        if i < sizes.startups:
            startup = world.startup(i)[0]
            rel(world.person(i % sizes.people)[0], "ceoOf", startup)
            rel(world.person((i * 3 + 1) % sizes.people)[0], "founderOf", startup)
            if i % 4 == 0:
                rel(world.model(i)[0], "developer", startup)
        if i < sizes.datacenters:
            dc = world.datacenter(i)[0]
            rel(dc, "operator", world.datacenter_operator(i)[0])
            rel(dc, "locatedIn", world.place(world.datacenter_place(i))[0])
            if i % 4 == 0 and i // 5 % 4 == 0 and i % 5 == 4:
                rel(world.model(i // 5)[0], "trainedOn", dc)
        if i < sizes.people and i % 3 == 0:
            rel(world.person(i)[0], "associateOf", world.person((i + 7) % sizes.people)[0])
        if i < sizes.investors:
            rel(world.person((i * 5 + 2) % sizes.people)[0], "founderOf", world.investor(i)[0])


def _fuzzy(when: dt.date, rng: random.Random) -> tuple[str, str, dt.date, dt.date]:
    """A date as precise as a report gives it: its text, its literal, and its first and last day."""
    r = rng.random()
    if r < 0.3:
        text = when.isoformat()
        return text, _typed(text, "date"), when, when
    if r < 0.9:
        text = f"{when.year}-{when.month:02d}"
        start = when.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return text, _typed(text, "gYearMonth"), start, end
    quarter = (when.month - 1) // 3 + 1
    start = dt.date(when.year, 3 * quarter - 2, 1)
    end = (dt.date(when.year + (quarter == 4), (3 * quarter) % 12 + 1, 1)) - dt.timedelta(days=1)
    text = f"{when.year}-Q{quarter}"
    return text, _lit(text), start, end


def _round_figure(value: float) -> int:
    """A figure as reports give it: three significant digits, at least a hundred thousand."""
    value = max(100_000.0, value)
    digits = len(str(int(value))) - 3
    return int(round(value / 10**digits) * 10**digits)
