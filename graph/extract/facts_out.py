"""The findings as a fact file: the format of the curated files plus review fields.

Every relation, event and new entity carries ``confidence`` and ``evidence`` (the sentence and
its character span in the article as given); entities the graph does not know are marked
``new: true``. The fact-file models accept these fields and the build ignores them, so a
reviewed file builds as it is.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import yaml
from pydantic import ValidationError

from graph.extract.findings import Draft, Findings
from graph.extract.folding import Folded
from graph.extract.page import Block
from graph.extract.sentences import Sentence
from graph.facts import Entity, FactFile

EVENT_FIELDS = {
    "FundingRound": ("recipient", "lead_investors", "investors", "arrangers", "amounts", "amount_usd", "instruments",
                     "status", "date", "purpose", "for_assets", "reported_by"),
    "SupplyDeal": ("suppliers", "customers", "product", "quantity", "for_assets", "status", "date", "reported_by"),
    "CapacityObservation": ("asset", "gpu_count", "product", "date", "phase", "status", "reported_by"),
    "Construction": ("asset", "builders", "duration_days", "status", "date", "reported_by"),
    "CashBurnForecast": ("spender", "amounts", "amount_usd", "status", "date", "reported_by"),
}
NEW_ENTITY_CONFIDENCE = 0.7
"""A new entity is proposed from what the text calls it (``投資会社「…」``, ``CEO Jane Doe``): often right, worth a look."""
HEADER = """\
# Candidate facts extracted by `aikg extract` from {name}. Review before building:
# delete what is wrong, fix what is close; `confidence` and `evidence` (the sentence and its
# character span in the input) are review aids that `aikg build` accepts and ignores;
# entities marked `new: true` are not in the graph yet: check their slug and class.
"""


def fact_file_data(
    *,
    found: Findings,
    entities: dict[str, Entity],
    new_slugs: dict[str, Block | None],
    source: dict[str, Any],
    folded: Folded,
    original: str,
    warnings: list[str],
) -> dict[str, Any]:
    """The fact file as plain data; items the fact-file models refuse are dropped with a warning."""
    cites = [{"slug": r.slug, "title": _report_title(r, entities), "publisher": r.publisher,
              **({"published": r.date} if r.date else {})} for r in found.reports]
    relations = [{"subject": r.subject, "predicate": r.predicate, "object": r.object, "confidence": r.confidence,
                  "evidence": evidence(r.sentence, folded, original)} for r in found.relations]
    events = _events(found.events, folded, original)
    data: dict[str, Any] = {"source": {**source, "cites": cites}, "entities": [], "relations": relations, "events": events}
    used = _referenced(data)
    for slug in used:
        entity = entities[slug]
        item = entity.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)
        item["class"] = entity.class_
        if slug in new_slugs:
            item["new"] = True
            if new_slugs[slug] is not None:  # where the text named it, and what it called it
                item["confidence"] = NEW_ENTITY_CONFIDENCE
                item["evidence"] = evidence(new_slugs[slug], folded, original)
        data["entities"].append(item)
    return _valid(data, warnings)


def dump(data: dict[str, Any], name: str) -> str:
    """The fact file as YAML, with a header that tells the reviewer what to do."""
    return HEADER.format(name=name) + yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True, width=1000)


def evidence(sentence: Sentence | Block, folded: Folded, original: str) -> dict[str, Any]:
    """The supporting sentence as written in the input, and its span there."""
    start, end = folded.span_in_input(sentence.start, sentence.end)
    return {"sentence": original[start:end], "start": start, "end": end}


def source_slug(publisher: str, published: str, text: str) -> str:
    """A stable slug for the article: publisher, date and a short digest of the text."""
    return f"{publisher}-{published.lower()}-{hashlib.sha1(text.encode('utf-8', 'replace')).hexdigest()[:8]}"


def _events(drafts: list[Draft], folded: Folded, original: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    ids: set[str] = set()
    seen: list[tuple[str, dict[str, Any]]] = []
    for d in drafts:
        f = d.fields
        if (d.type, f) in seen:
            continue  # the same event told twice (a page that repeats itself): once, with its first sentence
        seen.append((d.type, f))
        main = f.get("recipient") or f.get("asset") or f.get("spender") or (f.get("suppliers") or ["event"])[0]
        kind = {"FundingRound": "funding", "SupplyDeal": "supply", "CapacityObservation": "gpus",
                "Construction": "construction", "CashBurnForecast": "cash-burn"}[d.type]
        base = "-".join(p for p in (main, kind, (f.get("date") or "").lower(), _short(f)) if p)
        event_id, n = base, 2
        while event_id in ids:
            event_id, n = f"{base}-{n}", n + 1
        ids.add(event_id)
        item: dict[str, Any] = {"id": event_id, "type": d.type}
        for key in EVENT_FIELDS[d.type]:
            if f.get(key) not in (None, [], ""):
                item[key] = f[key]
        item["confidence"] = d.confidence
        item["evidence"] = evidence(d.sentence, folded, original)
        out.append(item)
    return out


def _short(fields: dict[str, Any]) -> str:
    usd = fields.get("amount_usd")
    if usd:
        return f"usd-{int(usd) // 1_000_000_000}b" if usd >= 1_000_000_000 else f"usd-{int(usd) // 1_000_000}m"
    if fields.get("gpu_count"):
        return str(fields["gpu_count"])
    return ""


def _report_title(report, entities: dict[str, Entity]) -> str:
    who = entities[report.publisher].name.en if report.publisher in entities else report.publisher
    if report.credit:
        return f"{who}, credited by the page as its source"
    return f"{who} report of {report.date}, cited by the article" if report.date else f"{who} report cited by the article"


def _referenced(data: dict[str, Any]) -> list[str]:
    slugs: list[str] = [data["source"]["publisher"]]
    slugs += [c["publisher"] for c in data["source"]["cites"]]
    for r in data["relations"]:
        slugs += [r["subject"], r["object"]]
    for e in data["events"]:
        for key in ("recipient", "asset", "spender", "product"):
            if e.get(key):
                slugs.append(e[key])
        for key in ("lead_investors", "investors", "arrangers", "for_assets", "suppliers", "customers", "builders"):
            slugs += e.get(key, [])
    return list(dict.fromkeys(slugs))


def _valid(data: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """Drop the relations and events the fact-file models refuse, naming each; the rest stays."""
    for _ in range(len(data["events"]) + len(data["relations"]) + 1):
        try:
            FactFile.model_validate(_plain(data))
            return data
        except ValidationError as exc:
            loc = exc.errors()[0]["loc"]
            if len(loc) >= 2 and loc[0] in ("events", "relations") and isinstance(loc[1], int):
                dropped = data[loc[0]].pop(loc[1])
                warnings.append(f"left out {loc[0]}[{loc[1]}] ({dropped.get('id') or dropped.get('predicate')}): {exc.errors()[0]['msg']}")
                continue
            raise
    return data


def _plain(value: Any) -> Any:
    """Decimals as ints (or strings when fractional) so YAML and JSON carry them exactly."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
