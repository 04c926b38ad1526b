"""``extract_article``: article text in, a candidate fact file (plain data) and warnings out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from graph.extract import facts_out
from graph.extract.dates import find_dates
from graph.extract.entities import Gazetteer, known_from_fact_files, new_entity, propose_new, slugify
from graph.extract.events import read_events
from graph.extract.findings import Findings
from graph.extract.folding import fold
from graph.extract.page import Block, read_page
from graph.extract.relations import read_relations
from graph.extract.sentences import analyse, focus_company
from graph.facts import Entity, FuzzyDate

MAX_CHARS = 1_000_000
"""Longest text read; past it the rest is left out with a warning (a news article is far shorter)."""
LANGUAGES = ("auto", "ja", "en")


@dataclass
class Extraction:
    """The candidate fact file (plain data, valid against the fact-file models) and what the reader should know."""

    facts: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def yaml(self, name: str = "the article") -> str:
        return facts_out.dump(self.facts, name)

    @property
    def counts(self) -> dict[str, int]:
        return {"entities": len(self.facts["entities"]), "new": sum(1 for e in self.facts["entities"] if e.get("new")),
                "relations": len(self.facts["relations"]), "events": len(self.facts["events"])}


def extract_article(
    text: str,
    *,
    lang: str = "auto",
    published: str | None = None,
    title: str | None = None,
    publisher: str | None = None,
    url: str | None = None,
    known: list[Entity] | None = None,
    step: Callable[[str], None] | None = None,
) -> Extraction:
    """Read an article (a page saved as text) and propose its facts, each with its evidence.

    ``published`` (YYYY-MM-DD, YYYY-MM or YYYY) anchors relative dates; ``known`` are the graph's
    entities (the bundled fact files when None). Raises ValueError only for a bad option value.
    """
    step = step or (lambda _: None)
    title = " ".join((title or "").split()) or None
    publisher = " ".join((publisher or "").split()) or None
    url = (url or "").strip() or None
    if lang not in LANGUAGES:
        raise ValueError(f"--lang {lang!r}: choose auto, ja or en")
    pub = FuzzyDate.parse(published) if published else None  # ValueError names the rule
    warnings: list[str] = []
    if len(text) > MAX_CHARS:
        warnings.append(f"the text has {len(text):,} characters; only the first {MAX_CHARS:,} were read")
        text = text[:MAX_CHARS]
    step("clean the page")
    folded = fold(text)
    page = read_page(folded.text)
    if not page.paragraphs:
        warnings.append("no article body found: no paragraph of prose (sentences ending in 。 . ! ?)")
    language = _language(folded.text) if lang == "auto" else lang
    if pub is None:
        pub = _date_on_page(folded.text)
        if pub is None:
            warnings.append("no publication date given (--published) or found on the page: relative dates are left out")
    anchor = pub.start if pub else None
    precision = pub.precision if pub else "day"
    step("match entities")
    gazetteer = Gazetteer(known if known is not None else known_from_fact_files([_bundled()]))
    new_slugs = _propose(page, folded.text, gazetteer)
    step("read relations and events")
    sentences = analyse(page, gazetteer, anchor, precision if precision in ("day", "month", "year") else "year")
    found = Findings()
    for credit in page.credits:
        mentions = gazetteer.find(credit.text)
        media = [m for m in mentions if m.class_ == "MediaOrganization"]
        if media:
            found.report(media[0].slug, None, None, credit=True)
    focus = focus_company(sentences)
    read_relations(sentences, found, focus)
    read_events(sentences, found, gazetteer, pub.text if pub else None,
                pub.text[:7] if pub and precision in ("day", "month") else None, focus)
    publisher_slug = _publisher(publisher, gazetteer, folded.text, new_slugs)
    source = {
        "slug": facts_out.source_slug(publisher_slug, pub.text if pub else "undated", text),
        "headline": title or (page.headline.text if page.headline else None) or _first_words(page) or "untitled article",
        "publisher": publisher_slug,
        **({"author": page.author} if page.author else {}),
        "language": language,
        "published": pub.text if pub else dt.date.today().isoformat(),
        **({"url": url} if url else {}),
    }
    step("write the fact file")
    facts = facts_out.fact_file_data(found=found, entities=gazetteer.entities, new_slugs=new_slugs, source=source,
                                     folded=folded, original=text, warnings=warnings)
    if not facts["relations"] and not facts["events"]:
        warnings.append("no facts found: the fact file holds the source document only")
    return Extraction(facts, warnings)


def _propose(page, text: str, gazetteer: Gazetteer) -> dict[str, Block | None]:
    """Add the new people and organisations the text names to ``gazetteer``; return their slugs and where each was named."""
    new: dict[str, Block | None] = {}
    for _, sentence in page.sentences():
        for name, class_, _, _ in propose_new(sentence.text, gazetteer.find(sentence.text)):
            entity = new_entity(name, class_)
            slug, n = entity.slug, 2
            while slug in gazetteer.entities:
                slug, n = f"{entity.slug}-{n}", n + 1
            gazetteer.add(entity.model_copy(update={"slug": slug}))
            new[slug] = sentence
    return new


def _publisher(given: str | None, gazetteer: Gazetteer, text: str, new: dict[str, Block | None]) -> str:
    """The publisher's slug: as given (a known slug or name), else a known outlet named in the page's addresses."""
    if given:
        slug = slugify(given) or "unknown-publisher"
        for e in gazetteer.entities.values():
            if e.slug == slug or e.name.en.lower() == given.lower():
                return e.slug
        gazetteer.add(Entity.model_validate({"slug": slug, "class": "MediaOrganization", "name": {"en": given}}))
        new[slug] = None
        return slug
    domains = " ".join(re.findall(r"[\w.-]+\.(?:com|jp|net|org|co\.jp|co\.uk|news)\b", text.lower()))
    for e in gazetteer.entities.values():
        if e.class_ == "MediaOrganization" and len(e.name.en) >= 4 and e.name.en.lower().replace(" ", "") in domains:
            return e.slug
    gazetteer.add(Entity.model_validate({"slug": "unknown-publisher", "class": "MediaOrganization", "name": {"en": "Unknown publisher"}}))
    new["unknown-publisher"] = None
    return "unknown-publisher"


def _language(text: str) -> str:
    japanese = len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "ja" if japanese * 3 >= latin and japanese > 0 else "en"


def _date_on_page(text: str) -> FuzzyDate | None:
    """A full date printed near the top of the page (a dateline), used when none is given."""
    for d in find_dates(text[:3000], None):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.value):
            return FuzzyDate.parse(d.value)
    return None


def _first_words(page) -> str | None:
    return page.paragraphs[0].text[:80] if page.paragraphs else None


def _bundled() -> Path:
    from graph.build import BUNDLED_DATA

    return BUNDLED_DATA
