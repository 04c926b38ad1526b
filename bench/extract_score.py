"""How well ``aikg extract`` reads the articles with a gold list of facts: precision and recall.

A fact is compared as a tuple (subject, relation, object, amount, date): a fact file is flattened
into such tuples (a funding round gives one per investor, arranger, instrument, figure and so on),
and the tuples the extractor gives are matched exactly against the gold ones.

Run ``python -m bench.extract_score`` from the repository root; the tests use the same code.
The seed page is read from ``../shared/seed/`` beside the checkout; the repository never holds it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "tests" / "articles"

Fact = tuple[Any, str, Any, Any, Any]


@dataclass(frozen=True)
class Case:
    """One article with its gold facts and the options it is extracted with."""

    name: str
    article: Path
    gold: frozenset[Fact]
    options: dict[str, Any]

    def text(self) -> str:
        return self.article.read_text(encoding="utf-8")


@dataclass
class Score:
    """Precision and recall of one extraction against its gold facts."""

    name: str
    matched: set[Fact] = field(default_factory=set)
    missing: set[Fact] = field(default_factory=set)
    extra: set[Fact] = field(default_factory=set)

    @property
    def precision(self) -> float:
        found = len(self.matched) + len(self.extra)
        return len(self.matched) / found if found else 1.0

    @property
    def recall(self) -> float:
        gold = len(self.matched) + len(self.missing)
        return len(self.matched) / gold if gold else 1.0


def fact_tuples(data: dict[str, Any]) -> set[Fact]:
    """The comparable facts of a fact file (as plain data): relations, event roles, figures, citations."""
    facts: set[Fact] = set()
    cited = {c["slug"]: c for c in data.get("source", {}).get("cites", [])}
    for c in cited.values():
        facts.add(("article", "cites", c.get("publisher"), None, _text(c.get("published"))))
    for r in data.get("relations", []):
        facts.add((r["subject"], r["predicate"], r["object"], None, None))
    for e in data.get("events", []):
        date = _text(e.get("date"))
        kind = e["type"]
        if kind in ("FundingRound", "CashBurnForecast"):
            main = e.get("recipient") or e.get("spender")
            amount = _number(e.get("amount_usd") if e.get("amount_usd") is not None else (e.get("amounts") or [{}])[0].get("value"))
            for role, key in (("leadInvestor", "lead_investors"), ("investor", "investors"), ("arranger", "arrangers")):
                for who in e.get(key, []):
                    facts.add((who, role, main, amount, date))
            if kind == "CashBurnForecast":
                facts.add((main, "cashBurn", None, amount, date))
            for instrument in e.get("instruments", []):
                facts.add((main, "instrument", instrument, amount, date))
            if kind == "FundingRound":
                facts.add((main, "status", e.get("status", "Reported"), amount, date))
            for asset in e.get("for_assets", []):
                facts.add((main, "forAsset", asset, amount, date))
            for money in e.get("amounts", []):
                if money["currency"] != "USD":
                    facts.add((main, "amount", money["currency"], _number(money["value"]), date))
            for slug in e.get("reported_by", []):
                c = cited.get(slug, {})
                facts.add((main, "reportedBy", c.get("publisher"), amount, _text(c.get("published"))))
        elif kind == "SupplyDeal":
            quantity = e.get("quantity")
            for supplier in e.get("suppliers", []):
                for customer in e.get("customers", []):
                    facts.add((supplier, "supplies", customer, quantity, date))
                if e.get("product"):
                    facts.add((supplier, "product", e["product"], quantity, date))
                for asset in e.get("for_assets", []):
                    facts.add((supplier, "forAsset", asset, quantity, date))
        elif kind == "CapacityObservation":
            facts.add((e["asset"], "gpuCount", e.get("product"), e["gpu_count"], date))
        elif kind == "Construction":
            for builder in e.get("builders", []):
                facts.add((builder, "builder", e["asset"], e.get("duration_days"), date))
    return facts


def score(name: str, predicted: set[Fact], gold: set[Fact] | frozenset[Fact]) -> Score:
    """Compare predicted facts with gold facts, exactly."""
    return Score(name, predicted & gold, set(gold) - predicted, predicted - set(gold))


def load_cases(folder: Path = ARTICLES) -> list[Case]:
    """Every ``*.gold.yaml`` in ``folder``: the article it names (or ``NAME.txt`` beside it) and its gold facts."""
    cases = []
    for path in sorted(folder.glob("*.gold.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = path.name.removesuffix(".gold.yaml")
        article = (ROOT / spec["article"]) if spec.get("article") else path.with_name(f"{name}.txt")
        if article.is_dir():
            files = sorted(p for p in article.iterdir() if p.is_file())
            if not files:
                raise FileNotFoundError(f"{article}: no article here")
            article = files[0]
        gold = frozenset(tuple(_norm(v) for v in fact) for fact in spec["facts"])
        options = {k: str(spec[k]) for k in ("lang", "published", "publisher", "title") if spec.get(k) is not None}
        cases.append(Case(name, article, gold, options))
    return cases


def run_case(case: Case) -> tuple[Score, dict[str, Any]]:
    """Extract one article and score it; also return the extracted fact file."""
    from graph.extract.extractor import extract_article

    extraction = extract_article(case.text(), **case.options)
    return score(case.name, fact_tuples(extraction.facts), case.gold), extraction.facts


def main(argv: list[str] | None = None) -> int:
    """Print precision and recall per article and overall, then for the held-out articles; ``-v`` lists misses."""
    verbose = "-v" in (argv if argv is not None else sys.argv[1:])
    print(f"{'article':<28} {'gold':>5} {'found':>6} {'precision':>10} {'recall':>7}")
    _report(load_cases(), "all (micro-averaged)", verbose)
    held_out = load_cases(ARTICLES / "held-out")
    if held_out:
        print("held out: written after the rules were frozen, never tuned on")
        _report(held_out, "all held out", verbose)
    return 0


def _report(cases: list[Case], title: str, verbose: bool) -> Score:
    total = Score(title)
    for case in cases:
        s, _ = run_case(case)
        total.matched |= {(case.name, *f) for f in s.matched}
        total.missing |= {(case.name, *f) for f in s.missing}
        total.extra |= {(case.name, *f) for f in s.extra}
        print(f"{case.name:<28} {len(case.gold):>5} {len(s.matched) + len(s.extra):>6} {s.precision:>10.3f} {s.recall:>7.3f}")
        if verbose:
            for f in sorted(s.missing, key=str):
                print(f"    missing {f}")
            for f in sorted(s.extra, key=str):
                print(f"    extra   {f}")
    print(f"{title:<28} {len(total.matched) + len(total.missing):>5} {len(total.matched) + len(total.extra):>6} "
          f"{total.precision:>10.3f} {total.recall:>7.3f}")
    return total


_SKIPPED = ("rdfs:label", "rdfs:comment", "skos:altLabel", "prov:wasDerivedFrom", "aik:reportedBy", "aik:purpose",
            "aik:phase", "aik:monetaryAmount", "aik:wikidataId", "aik:dateStart", "aik:dateEnd")


def graph_facts(store) -> set[str]:  # type: ignore[no-untyped-def]
    """What a built graph says about entities, one line per triple, with each event named by what it is
    (type, amount, count, date) rather than by its id, so two graphs of the same article compare."""
    from ontology import PREFIXES, sparql_prologue

    def short(term: str) -> str:
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
            if term.startswith(str(ns)):
                return f"{prefix}:{term[len(str(ns)):]}"
        return term

    rows = store.select(sparql_prologue() + """
        SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?s), STR(id:)) && !CONTAINS(STR(?s), "#")) }""")
    events: dict[str, list[str]] = {}
    for row in store.select(sparql_prologue() + """
        SELECT ?e ?type ?value WHERE { GRAPH ?g { ?e a ?type ; aik:status ?status .
          OPTIONAL { ?e aik:amountUSD|aik:gpuCount|aik:quantity|aik:durationDays ?v }
          OPTIONAL { ?e aik:date ?d } BIND(CONCAT(COALESCE(STR(?v), ""), " ", COALESCE(STR(?d), "")) AS ?value) } }"""):
        events.setdefault(str(row["e"]), [short(str(row["type"]))]).append(str(row["value"]).strip())

    def name(term: Any) -> str:
        text = str(term)
        if text in events:
            kind, *values = events[text]
            return f"[{kind} {' '.join(sorted(set(v for v in values if v)))}]"
        return short(text)

    lines = set()
    for row in rows:
        p = short(str(row["p"]))
        if p in _SKIPPED:
            continue
        lines.add(f"{name(row['s'])} {p} {name(row['o'])}")
    return lines


def graph_diff(curated, extracted) -> tuple[set[str], set[str]]:  # type: ignore[no-untyped-def]
    """Lines only the curated graph has, and lines only the extracted graph has."""
    a, b = graph_facts(curated), graph_facts(extracted)
    return a - b, b - a


def _number(value: Any) -> Any:
    if value is None:
        return None
    return int(value) if float(value) == int(float(value)) else float(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return _number(value)
    return str(value)


if __name__ == "__main__":
    raise SystemExit(main())
