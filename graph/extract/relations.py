"""Plain relations stated in one sentence: CEO and founder roles, associates, places, operators,
developers, purchases and praise. Each rule is a pattern around two typed mentions; a rule that
is not sure stays silent (precision first).
"""

from __future__ import annotations

import re

from graph.extract.entities import Mention
from graph.extract.findings import Findings
from graph.extract.sentences import Sentence

ORGS = ("Company", "InvestmentFirm", "Bank")
CEO_JA = r"\s*(?:CEO|最高経営責任者|社長)"
CEO_EN = r"(?:CEO|chief executive(?: officer)?)"
HONORIFIC = r"(?:CEO|氏|会長|社長|最高経営責任者)?"


def read_relations(sentences: list[Sentence], found: Findings, focus: str | None = None) -> None:
    """Apply every relation rule to every sentence; ``focus`` is the company ``its`` and ``同社`` point to."""
    for s in sentences:
        _roles(s, found, focus)
        _places(s, found, focus)
        _operators_and_developers(s, found, focus)
        _procurement(s, found, focus)
    _praise(sentences, found)


def _between(s: Sentence, a: Mention, b: Mention) -> str:
    return s.text[a.end:b.start] if a.end <= b.start else ""


def _roles(s: Sentence, found: Findings, focus: str | None) -> None:
    people = s.of_class("Person")
    orgs = s.of_class(*ORGS)
    for p in people:
        if focus and s.before(p, r"同社の") and s.after(p, CEO_JA):
            found.relate(p.slug, "ceoOf", focus, s, 0.7)  # 同社の高橋誠社長
        for o in orgs:
            gap = _between(s, o, p)
            # ORGのPERSON CEO / ORG CEO PERSON / ORG's chief executive PERSON
            role = re.fullmatch(rf"(?:'s|’s)?\s((?:co-)?founder|{CEO_EN})(?:\s(?:and|&)\s((?:co-)?founder|{CEO_EN}))?,?\s", gap)
            if role:  # "Acme's founder and chief executive, Jo Doe"
                for title in filter(None, role.groups()):
                    found.relate(p.slug, "founderOf" if "founder" in title else "ceoOf", o.slug, s, 0.9)
            if (gap.strip() in ("の", "」の") and s.after(p, CEO_JA)) or re.fullmatch(rf"(?:'s)?\s{CEO_EN}\s", gap) \
                    or re.fullmatch(r"(?:株式会社)?\([^)]*(?:代表取締役(?:社長)?(?:CEO)?|CEO|社長)\s*[:：]\s*", gap):
                found.relate(p.slug, "ceoOf", o.slug, s, 0.9)
            if re.fullmatch(r"(?:'s)?\s(?:co-)?founder\s", gap) or re.fullmatch(r",\s(?:which was\s)?(?:co-)?founded by\s", gap):
                found.relate(p.slug, "founderOf", o.slug, s, 0.9)
            gap = _between(s, p, o)
            if re.fullmatch(rf",\s(?:the\s)?(?:{CEO_EN}|president and {CEO_EN})\sof\s", gap) or re.fullmatch(rf",\s?(?:the\s)?{CEO_EN} of\s", gap):
                found.relate(p.slug, "ceoOf", o.slug, s, 0.9)
            # PERSONのAIスタートアップ「ORG」 / PERSON氏の投資会社「ORG」 / PERSONの別会社である「ORG」
            if re.fullmatch(rf"{HONORIFIC}の[^、。「」]{{0,12}}「", gap) or re.fullmatch(r"\s?(?:'s|’s)\s(?:[\w-]+\s){0,2}(?:startup|start-up|company|firm|venture|lab)\s", gap):
                found.relate(p.slug, "founderOf", o.slug, s, 0.8)
            if re.fullmatch(r",\s(?:who\s)?(?:co-)?founded\s|,\s(?:the\s)?(?:co-)?founder of\s|\s(?:co-)?founded\s", gap) \
                    or re.fullmatch(rf"{HONORIFIC}が(?:創業|設立|創設)した\s*「?", gap):
                found.relate(p.slug, "founderOf", o.slug, s, 0.9)
        if len(orgs) == 1 and orgs[0].end <= p.start and re.search(r"\b(?:was|were) (?:co-)?founded (?:in \d{4} )?by\s(?:[^.]*?(?:,\s|\sand\s))?$", s.text[orgs[0].end:p.start]):
            found.relate(p.slug, "founderOf", orgs[0].slug, s, 0.8)  # "Acme was co-founded in 2020 by Jo Doe and Al Roe"
        if len(orgs) == 1 and orgs[0].end <= p.start and s.before(p, r"\b(?:its|the company's) (?:co-)?founder,?\s"):
            found.relate(p.slug, "founderOf", orgs[0].slug, s, 0.7)  # "Acme is controlled by its founder, Jo Doe"
        if len(orgs) == 1 and orgs[0].end <= p.start and s.after(p, r",\s(?:its|the company's)\s(?:CEO|chief executive(?: officer)?)\b"):
            found.relate(p.slug, "ceoOf", orgs[0].slug, s, 0.7)  # "… by Jo Doe, its chief executive"
        if len(orgs) == 1 and orgs[0].end <= p.start and s.after(p, r"(?:,\s(?:who|which)\s(?:also\s)?|\s)(?:co-)?founded the (?:company|startup|firm)"):
            found.relate(p.slug, "founderOf", orgs[0].slug, s, 0.7)  # "Acme chief executive Jo Doe founded the company"
        for q in people:
            gap = _between(s, q, p)
            if re.fullmatch(rf"{HONORIFIC}と(?:深い|近い|親しい|密接な)関係にある", gap) or re.fullmatch(rf"{HONORIFIC}の(?:側近|盟友|友人)(?:である|の)?", gap):
                found.relate(p.slug, "associateOf", q.slug, s, 0.8)
            gap = _between(s, p, q)
            if re.fullmatch(r",\s(?:a|an|the)\s(?:[\w-]+\s){0,2}(?:associate|ally|friend|confidant|adviser|advisor) of\s", gap):
                found.relate(p.slug, "associateOf", q.slug, s, 0.8)


def _places(s: Sentence, found: Findings, focus: str | None) -> None:
    places = s.of_class("Place")
    for p in places:  # "The Paris-based company"
        if focus and re.match(r"-based (?:company|startup|firm|group)\b", s.text[p.end:]) and not s.of_class("Company"):
            found.relate(focus, "locatedIn", p.slug, s, 0.7)
    for a, b in zip(places, places[1:]):
        gap = _between(s, a, b)
        if gap == "":  # テネシー州メンフィス: the second is in the first
            found.relate(b.slug, "locatedIn", a.slug, s, 0.9)
        elif gap in (", ",):  # Memphis, Tennessee
            found.relate(a.slug, "locatedIn", b.slug, s, 0.9)
    for o in s.of_class(*ORGS):  # "Acme, a cloud provider based in Austin"
        for p in reversed(places):  # the innermost place first: 東京都千代田区 → 千代田区
            if p.start > o.end and re.fullmatch(r"(?:,\s(?:an?\s)?[^,.]{0,50}?)?\s?(?:based|headquartered) in\s|(?:本社|本拠)を置く?|(?:株式会社)?\((?:本社|本店)[:：]\s*(?:[^、)]*?[都道府県])?", s.text[o.end:p.start]):
                found.relate(o.slug, "locatedIn", p.slug, s, 0.8)
                break
    for dc in s.of_class("DataCenter"):
        named_as = [p for p in places if re.fullmatch(r"\s(?:campus|data center|data centre|site|facility),\s(?:known as|called|dubbed|named)\s", s.text[p.end:dc.start])]
        if named_as:  # "its Lyon campus, known as Rhône"
            found.relate(dc.slug, "locatedIn", named_as[0].slug, s, 0.8)
            continue
        before = [p for p in places if p.end <= dc.start and re.search(r"^(?:において|に|で|の)[、,]?", s.text[p.end:])]
        after = [p for p in places if p.start >= dc.end and re.search(r"\b(?:in|near|at|outside)\s$", s.text[dc.end:p.start][-8:])]
        # the innermost place: the last of a run like テネシー州メンフィス, the first of "Memphis, Tennessee"
        place = before[-1] if before else after[0] if after else None
        if place is not None:
            found.relate(dc.slug, "locatedIn", place.slug, s, 0.8)


def _operators_and_developers(s: Sentence, found: Findings, focus: str | None) -> None:
    if focus and re.match(r"Its\s", s.text) and not s.of_class(*ORGS):
        for dc in s.of_class("DataCenter")[:1]:
            found.relate(dc.slug, "operator", focus, s, 0.6)  # "Its Lyon campus, known as Rhône, …"
    for o in s.of_class(*ORGS):
        if s.after(o, r"」?\s*(?:は|が)") and re.search(r"開設|運営|稼働させ", s.text):
            for dc in [d for d in s.of_class("DataCenter") if d.start > o.end][:1]:
                found.relate(dc.slug, "operator", o.slug, s, 0.7)  # ソラリスは…「…データセンター」を開設
        for a in s.of_class("DataCenter", "AIModel"):
            relation = "operator" if a.class_ == "DataCenter" else "developer"
            gap = _between(s, o, a)
            if re.fullmatch(r"(?:'s|’s)\s(?:[\w-]+\s){0,3}|\s(?:[\w-]+\s){0,3}its\s|,\s(?:the\s)?(?:developer|maker|creator|operator|owner) of (?:the\s)?|」?の(?:AI)?(?:チャットボット|モデル|データセンター|スーパーコンピューター)「", gap):
                found.relate(a.slug, relation, o.slug, s, 0.8)
            gap = _between(s, a, o)
            if re.fullmatch(r"(?:\s(?:data center|supercomputer|cluster|model|chatbot))?,\s(?:which is\s)?(?:operated|run|owned|developed|built|made) by\s", gap):
                found.relate(a.slug, relation, o.slug, s, 0.8)


def _procurement(s: Sentence, found: Findings, focus: str | None) -> None:
    if not re.search(r"購入|買い|調達して|buy|buying|bought|purchas|ordered|stockpil", s.text):
        return
    if focus and not s.of_class("Company") and re.search(r"\bto (?:buy|purchase)\b", s.text):
        for h in s.of_class("HardwareProduct")[:1]:
            found.relate(focus, "procures", h.slug, s, 0.6)  # "… and used part of it to buy 30,000 Nvidia GPUs"
    for o in s.of_class(*ORGS):
        for h in s.of_class("HardwareProduct"):
            if o.end <= h.start and (s.after(o, r"」?\s*(?:が|は)") or re.match(
                    r"(?:,\s[^,;]{1,60},)?\s(?:is\s|has\s|had\s|will\s|also\s)?(?:agreed to\s|plans to\s)?(?:buying|bought|buys|buy|purchas|ordered)", s.text[o.end:])):
                tail = s.text[h.end:h.end + 12]
                if re.search(r"を購入|を買|を大量|購入", tail) or re.search(r"(?:buy|bought|purchas|order)", s.text[o.end:h.start]):
                    found.relate(o.slug, "procures", h.slug, s, 0.8)
                    return


def _praise(sentences: list[Sentence], found: Findings) -> None:
    """``PERSONは「…」と称賛した``: the people named in the quote, and the asset ``それ`` points back to."""
    last_asset: str | None = None
    for s in sentences:
        built = [m for m in s.of_class("DataCenter") if re.search(r"建設|構築|built|construct", s.text)]
        praising = re.search(r"称賛|絶賛|賞賛|praised|hailed|lauded", s.text)
        if praising:
            speakers = [p for p in s.of_class("Person") if s.after(p, rf"{HONORIFIC}\s*(?:は|が)") or re.match(r"\s(?:praised|hailed|lauded)", s.text[p.end:])]
            if speakers:
                speaker = speakers[0]
                quoted = _quoted_spans(s.text)
                for m in s.mentions:
                    if m.slug != speaker.slug and m.class_ in ("Person", "DataCenter") and any(a <= m.start < b for a, b in quoted):
                        found.relate(speaker.slug, "praised", m.slug, s, 0.7)
                if last_asset and any(s.text[a:a + 2] == "それ" or s.text[a:a + 3].lower() == "it " for a, _ in quoted):
                    found.relate(speaker.slug, "praised", last_asset, s, 0.6)
                for m in s.mentions:  # "praised Colossus" outside quotes
                    if m.class_ in ("Person", "DataCenter") and m.slug != speaker.slug and re.search(r"(?:praised|hailed|lauded)\s(?:the\s)?$", s.text[:m.start]):
                        found.relate(speaker.slug, "praised", m.slug, s, 0.8)
        if built:
            last_asset = built[0].slug


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start() + 1, m.end() - 1) for m in re.finditer(r"「[^」]*」|“[^”]*”|\"[^\"]*\"", text)]
