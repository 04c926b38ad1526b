"""Events told across sentences: funding rounds, supply deals, GPU counts, construction, cash burn,
and the reports the article cites for them.

A funding round is keyed by its USD amount: a later sentence with the same figure, or one that
points back to it (``今回の資金調達``, ``the round``), adds its investors, arranger, purpose or
status to the same event. Inferences that follow from the events (who operates a data center
that a round pays for, who supplies the GPUs counted in it) are made at the end, marked with a
lower confidence.
"""

from __future__ import annotations

import re

from graph.extract.entities import Gazetteer, Mention
from graph.extract.findings import Draft, Findings
from graph.extract.numbers import Count, Money
from graph.extract.sentences import Sentence

ORGS = ("Company", "InvestmentFirm", "Bank")

FUNDING = re.compile(
    r"調達|出資|投資を(?:行|実施)|融資|増資|資金を(?:提供|拠出)|(?:社債|債券)[^。]{0,20}発行"
    r"|\b(?:rais(?:e|ed|es|ing)|secur(?:ed|es|ing)|closed|funding|financing|invest(?:ed|s|ing|ment)?|pumped|poured|stake|lent|loan(?:ed|s)?|borrow(?:ed|ing)?|bonds?|notes|debt|credit facility)\b",
    re.IGNORECASE,
)
POINTS_BACK = re.compile(r"今回の.{0,12}(?:資金調達|投資|調達|資金)|調達した資金|同ラウンド|^(?:資金|融資|同融資|調達資金)は|\bthe (?:round|raise|financing|deal|debt|loan|funding)\b|\bthe (?:money|funds|proceeds|cash)\b", re.IGNORECASE)
ONGOING = re.compile(r"調達している|調達を目指|交渉|協議|検討|計画|is raising|is seeking|seeking to raise|in talks|in discussions|negotiat|plans to raise|aims to raise|would raise|is looking to", re.IGNORECASE)
DONE = re.compile(r"すでに|既に|完了|行った|実施した|調達した|受けた|した。|いたしました|しました|\b(?:raised|has raised|closed|secured|completed|invested|has invested|lent|borrowed|sold|issued|received|signed|agreed|shipped|delivered|supplied|bought|purchased|took out|obtained|won|pumped|poured)\b", re.IGNORECASE)
FUTURE = re.compile(r"(?:受ける|行う|実施する|調達する|発行する|借り入れる|出資する|投資する|融資する)(?:と|こと|予定|方針|計画)|\bwill (?:raise|receive|borrow|issue|sell|take out)\b")
INSTRUMENTS = [
    (re.compile(r"担保付き?(?:債券|社債)|secured (?:bonds?|notes?)", re.IGNORECASE), "SecuredBond"),
    (re.compile(r"融資|ローン|借り?入れ?|\bloans?\b|credit facility|\blent\b|\bborrow", re.IGNORECASE), "Loan"),
    (re.compile(r"(?<!担保付)(?<!担保付き)(?:社債|債券)|(?<!secured )\b(?:bonds?|notes)\b|\bdebt\b|債務|デット", re.IGNORECASE), "Debt"),
    (re.compile(r"株式|出資|増資|シリーズ[A-Z]|\bequity\b|\bstake\b|Series [A-Z]\b", re.IGNORECASE), "Equity"),
]
MEDIA_SAYS_JA = r"[」)]?\s*(?:が|は|も)[^。]{0,60}?(?:報じ|伝え|報道)"
MEDIA_SAYS_EN = r"\s(?:reported|said|wrote|reports)"


def read_events(sentences: list[Sentence], found: Findings, gazetteer: Gazetteer, published: str | None,
                published_month: str | None, focus: str | None = None) -> None:
    """Assemble the events of the article from its sentences, then add what follows from them.

    ``published`` dates a GPU count the text gives no date or phase for (it held when the article
    appeared); ``published_month`` dates a raise still under way; ``focus`` is the company ``the company``
    and ``同社`` point to.
    """
    reader = _Reader(found, gazetteer, published, published_month, focus)
    for s in sentences:
        reader.read(s)
    reader.finish()


class _Reader:
    def __init__(self, found: Findings, gazetteer: Gazetteer, published: str | None, published_month: str | None,
                 focus: str | None = None) -> None:
        self.found = found
        self.focus = focus
        self.published = published
        self.gazetteer = gazetteer
        self.published_month = published_month
        self.current: Draft | None = None  # the round the article is about (its first)
        self.last: Draft | None = None  # the event the previous sentences spoke of
        self.last_age = 0  # sentences since it was last touched
        self.last_report = None
        self.last_datacenter: Mention | None = None
        self.constructions: dict[str, Draft] = {}
        self.previous: Sentence | None = None
        self._funded_assets: list[tuple[str, Draft, Sentence]] = []  # (data center, round, sentence that says so)
        self._trained: list[tuple[str, Draft, Sentence]] = []  # (model, round, sentence): a round's data center trains the model

    # -- one sentence --------------------------------------------------------------------------

    def read(self, s: Sentence) -> None:
        touched = None
        reports = self._reports(s)
        touched = self._funding(s, reports) or touched
        touched = self._cash_burn(s, reports) or touched
        touched = self._construction(s) or touched
        touched = self._capacity(s) or touched
        touched = self._supply(s) or touched
        if touched is None and self.last is not None and self.previous is not None:
            self._continuation(s, self.last)
        # The event stays the topic for two more sentences that name no other (関係者が明らかにした。主幹事は…).
        self.last_age = 0 if touched is not None else self.last_age + 1
        self.last = touched or (self.last if self.last_age <= 2 else None)
        for dc in s.of_class("DataCenter"):  # "NL-2は2027年に完成予定", "due to be completed in 2027": when a build ends
            built = self.constructions.get(dc.slug)
            if built and "date" not in built.fields and s.fact_dates() and re.search(r"完成|竣工|開業|completed|finished|open", s.text):
                built.fields["date"] = s.fact_dates()[0].value
        if s.of_class("DataCenter"):
            self.last_datacenter = s.of_class("DataCenter")[-1]
        self.previous = s

    def _reports(self, s: Sentence) -> list:
        """The reports a sentence attributes its facts to (``WSJが22日に報じた``, ``according to Reuters``)."""
        out = []
        for m in s.of_class("MediaOrganization"):
            says = s.after(m, MEDIA_SAYS_JA) or s.after(m, MEDIA_SAYS_EN) or s.after(m, r"[」)]?\s*(?:によると|によれば|の報道)") \
                or s.before(m, r"according to (?:the\s)?|reported by (?:the\s)?")
            if says:
                dates = [d for d in s.report_dates() if d.start >= m.start - 40]
                report = self.found.report(m.slug, dates[0].value if dates else None, s)
                if report not in out:
                    out.append(report)
        if not out and re.search(r"同報|報道によると|報道によれば|the report|the newspaper|the paper", s.text) and self.last_report:
            out.append(self.last_report)
        if out:
            self.last_report = out[0]
        return out

    def _funding(self, s: Sentence, reports: list) -> Draft | None:
        points_back = POINTS_BACK.search(s.text)
        if not (FUNDING.search(s.text) or (points_back and self.current)) or re.search(r"現金を使い|burn", s.text):
            return None
        money = _amounts(s.money)
        if not money and not (points_back and self.current):
            return None
        usd = next((m.value for m in money if m.currency == "USD"), None)
        draft = None
        if usd is not None:
            draft = next((e for e in self.found.events if e.type == "FundingRound" and e.usd == usd), None)
        elif points_back:
            draft = self.current
        if draft is None and not money:
            return None
        if draft is None:
            draft = Draft("FundingRound", s, 0.8)
            draft.set("amount_usd", usd)
            for m in money:
                draft.add("amounts", {"value": m.value, "currency": m.currency})
            self.found.events.append(draft)
            self.current = self.current or draft
        elif usd is not None:
            for m in money:
                if m.currency not in {a["currency"] for a in draft.fields.get("amounts", [])}:
                    draft.add("amounts", {"value": m.value, "currency": m.currency})
        self._funding_roles(s, draft)
        self._instruments_and_status(s, draft)
        self._purpose(s, draft)
        facts = s.fact_dates()
        if facts:
            draft.set("date", facts[0].value)
        elif draft.fields.get("status") == "InNegotiation" and "date" not in draft.fields:
            report_dates = [r.date for r in reports if r.date]
            draft.set("date", report_dates[0][:7] if report_dates else self.published_month)
        elif not reports and s.report_dates() and money:
            draft.set("date", s.report_dates()[0].value)  # "Acme said on Monday it had raised": dated by its own announcement
        for r in reports:
            draft.add("reported_by", r.slug)
        return draft

    def _funding_roles(self, s: Sentence, draft: Draft) -> None:
        orgs = [o for o in s.of_class(*ORGS) if not _modifies_person(s, o)]
        raise_verb = r"(?:\s(?:has|have|had|is|was|will|would|also|has also))?\s(?:raised|raising|raise|secured|closed|seeking|sought|borrowed|sold|issued|received|landed|obtained|took out|is in talks|in talks|plans to raise|aims to raise)"
        invest_verb = r"(?:,\s(?:which|who))?(?:\s(?:has|have|had|will|would|also|has also))?\s(?:invested|invests|investing|invest|put|pumped|poured|lent|loaned|provided|committed|agreed to (?:invest|lend))"
        for o in orgs:
            if s.after(o, r"」?\s*(?:が|も|は)?\s*(?:が|の)?主導|」?\s*を(?:リード|主幹事)(?:投資家)?として") \
                    or re.match(r"\s(?:is expected to|will|would|is set to|agreed to|is to|is poised to)\slead\b", s.text[o.end:]) or s.before(o, r"led by (?:the\s)?|\bled by\s[^.;]*?(?:,\s|\sand\s)(?:the\s)?"):
                draft.add("lead_investors", o.slug)
            elif s.after(o, r"」?\s*(?:を通じ|を通して|経由|が(?:主幹事|アレンジ))") or s.before(o, r"(?:arranged|underwritten) by (?:the\s)?|\bthrough (?:the\s)?(?:investment bank\s|bank\s)?|\bvia (?:the\s)?") \
                    or re.match(r"\s(?:arranged|is arranging|acted as (?:the\s)?arranger|led the (?:bond|debt|loan) sale)", s.text[o.end:]):
                draft.add("arrangers", o.slug)
            elif s.after(o, r"」?\s*(?:から|より)[^。、]{0,30}?(?:融資|借り?入)") or s.before(o, r"(?:loan|credit facility|financing|debt) (?:from|with) (?:the\s)?|\bborrow(?:ed|s|ing)?\b[^.;]{0,50}?\bfrom (?:the\s)?"):
                draft.add("investors", o.slug)
                draft.add("instruments", "Loan")
            elif s.after(o, r"」?\s*(?:も|が)\s*(?:出資|投資)") and draft.fields.get("recipient") != o.slug:
                draft.add("investors", o.slug)  # "エヌビディアも出資した"
            elif (s.after(o, r"」?\s*(?:も|が|は)") and any(t.start > o.end and _invested_in(s, t) for t in orgs)) or re.match(invest_verb, s.text[o.end:]):
                draft.add("investors", o.slug)
            elif s.before(o, r"(?:participation from|investors (?:include|included|including)|backed by|joined by|alongside|as well as|investors such as)\s(?:the\s)?|(?:participation from|investors (?:include|included|including)|joined by)\s[^.;]*?(?:,\s|\sand\s)(?:the\s)?"):
                draft.add("investors", o.slug)
            elif re.match(r"\s(?:is|was|has been)\s(?:backed|funded|financed)\sby", s.text[o.end:]) or s.before(o, r"\b(?:lent|loaned|gave|granted)\s"):
                draft.set("recipient", o.slug)
            elif _invested_in(s, o) or s.before(o, r"\b(?:in|into|to)\s(?:the\s)?(?:AI\s)?(?:startup\s|company\s)?"):
                draft.set("recipient", o.slug)
            elif s.after(o, r"」?\s*(?:株式会社)?\s*(?:\([^)]*\))?\s*(?:は|が)(?:すでに|既に)?") or re.match(raise_verb, s.text[o.end:]) \
                    or re.match(r",\s[^,;]{1,60},?" + raise_verb, s.text[o.end:]):
                draft.set("recipient", o.slug)
        pairs = [(a, b) for a, b in zip(orgs, orgs[1:]) if re.fullmatch(r",\s|\s?(?:and|&|と|や|、)\s?|,\s(?:and\s)?", s.text[a.end:b.start])]
        for a, b in [*reversed(pairs), *[(b, a) for a, b in pairs]]:  # "Nvidia and SpaceX invested", "a loan from A and B"
            for key in ("lead_investors", "investors", "arrangers"):
                if b.slug in draft.fields.get(key, []) and a.slug not in _roles_of(draft) and a.slug != draft.fields.get("recipient"):
                    draft.add(key, a.slug)
        anaphora = re.search(r"(?:^|,\s)(?:The|the)\s(?:[\w-]+\s)?(?:company|startup|firm|group)\s(?:has\s|had\s|also\s)*"
                             r"(?:sold|raised|took|borrowed|issued|secured|closed|received|signed|agreed)\b|^同社|\b(?:into|in) the (?:company|startup|firm)\b", s.text)
        if "recipient" not in draft.fields and anaphora:  # "The company also took out a loan", "… into the company"
            draft.set("recipient", (self.current.fields.get("recipient") if self.current else None) or self.focus)
        if "recipient" not in draft.fields and re.search(r"調達|rais|secur|borrow", s.text):
            free = [o for o in orgs if o.slug not in _roles_of(draft)]
            if len(free) == 1:
                draft.set("recipient", free[0].slug)

    def _instruments_and_status(self, s: Sentence, draft: Draft) -> None:
        for pattern, instrument in INSTRUMENTS:
            if pattern.search(s.text):
                if instrument == "Debt" and "SecuredBond" in draft.fields.get("instruments", []):
                    continue
                draft.add("instruments", instrument)
        if draft.fields.get("investors") and not draft.fields.get("instruments") and re.search(r"投資|invest", s.text):
            draft.add("instruments", "Equity")
        if ONGOING.search(s.text) and not re.search(r"すでに|既に", s.text):
            draft.fields["status"] = "InNegotiation"
        elif FUTURE.search(s.text):
            draft.set("status", "Reported")  # agreed, not yet done: "融資を受けると発表", "will borrow"
        elif DONE.search(s.text) and draft.fields.get("status") != "InNegotiation":
            draft.set("status", "Completed")

    def _purpose(self, s: Sentence, draft: Draft) -> None:
        if not re.search(r"目的|ため|投入|充て|充当|使途|資金で|to (?:build|fund|buy|pay|finance|expand)|for (?:the\s)?(?:construction|building|purchase)|will (?:go|be used)|spend|(?:use|used) the|\b(?:will|would) (?:fund|finance|pay for|go (?:to|toward))\b", s.text):
            return
        en: list[str] = []
        ja: list[str] = []
        for h in s.of_class("HardwareProduct"):
            if re.search(r"購入|買|buy|purchas", s.text[h.end:h.end + 20] + s.text[max(0, h.start - 12):h.start]):
                en.append(f"buying {self.gazetteer.entities[h.slug].name.en}")
                ja.append(f"{self.gazetteer.entities[h.slug].name.ja or h.surface}の購入")
        models = [m for m in s.of_class("AIModel") if re.search(r"訓練|学習|運用|train|run", s.text)]
        datacenter = re.search(r"データセンター|data cent(?:er|re)", s.text)
        if models and datacenter:
            name = self.gazetteer.entities[models[0].slug].name.en
            verbs = [v for v, p in (("train", r"訓練|学習|train"), ("run", r"運用|run")) if re.search(p, s.text)]
            en.append(f"a new data center to {' and '.join(verbs)} {name}")
            ja.append(f"{models[0].surface}の{'・'.join({'train': '訓練', 'run': '運用'}[v] for v in verbs)}用の新データセンター建設")
            self._trained.append((models[0].slug, draft, s))
        elif datacenter and re.search(r"建設|構築|build|construct", s.text):
            en.append("data-center construction")
            ja.append("データセンター建設")
        for dc in s.of_class("DataCenter"):
            if re.search(r"建設資金|充て|充当|拡張|工事|for|build|construct|expand|spend|fund|finance|建設", s.text):
                draft.add("for_assets", dc.slug)
                self._funded_assets.append((dc.slug, draft, s))
        if en:
            old = draft.fields.get("purpose") or {"en": "", "ja": ""}
            en_parts = [p for p in old["en"].split("; ") if p] + [p for p in en if p not in old["en"].split("; ")]
            ja_parts = [p for p in old["ja"].split("、") if p] + [p for p in ja if p not in old["ja"].split("、")]
            draft.fields["purpose"] = {"en": "; ".join(en_parts), "ja": "、".join(ja_parts)}

    def _cash_burn(self, s: Sentence, reports: list) -> Draft | None:
        if not re.search(r"現金を使い切|資金を使い果た|燃焼|burn(?:s|ed|ing)? through|burn(?:s|ed|ing)?\s|cash burn", s.text):
            return None
        money = _amounts(s.money)
        spenders = [o for o in s.of_class(*ORGS) if s.after(o, r"」?\s*(?:が|は)") or re.match(r"\s(?:is expected to|expects to|will|could|would|is set to)?\s?burn", s.text[o.end:])]
        if not money or not spenders:
            return None
        draft = Draft("CashBurnForecast", s, 0.8, {"spender": spenders[0].slug})
        draft.set("amount_usd", next((m.value for m in money if m.currency == "USD"), None))
        for m in money:
            draft.add("amounts", {"value": m.value, "currency": m.currency})
        if s.fact_dates():
            draft.set("date", s.fact_dates()[0].value)
        for r in reports:
            draft.add("reported_by", r.slug)
        self.found.events.append(draft)
        return draft

    def _construction(self, s: Sentence) -> Draft | None:
        planned = re.search(r"「[^」]+」を(?:建設|構築)する|を建設中|\b(?:will build|is building|plans to build)\b", s.text)
        if not planned and not re.search(r"建設した|構築した|完成させた|建設され|\b(?:built|constructed|completed|stood up|erected)\b", s.text):
            return None
        dcs = s.of_class("DataCenter")
        if not dcs:
            return None
        dc = dcs[0]
        builders = [b for b in s.of_class("Person", *ORGS) if b.start < dc.start and (s.after(b, r"(?:CEO|氏)?\s*(?:は|が)") or re.match(r"(?:\s(?:has|had))?\s(?:built|constructed|completed|stood up)", s.text[b.end:]))]
        if not builders:
            builders = [b for b in s.of_class("Person", *ORGS) if re.search(r"\bby\s$", s.text[:b.start])]
        if not builders and re.search(rf"{re.escape(dc.surface)}(?:\s(?:data center|site))?\s(?:was|were|had been)\s(?:built|constructed|completed)", s.text):
            operator = next((r.object for r in self.found.relations if r.subject == dc.slug and r.predicate == "operator"), None)
            if operator:  # "the Prairie data center was built in 140 days": by whoever runs it
                builders = [Mention(operator, self.gazetteer.entities[operator].class_, dc.start, dc.end, dc.surface)]
        if not builders:
            return None
        draft = Draft("Construction", s, 0.8 if not planned else 0.7,
                      {"asset": dc.slug, "builders": [b.slug for b in builders], "status": "Reported" if planned else "Completed"})
        days = [c for c in s.counts if c.unit == "day" and not re.search(r"(?:under|less than|nearly|about|around|over|more than|約)\s*$", s.text[:c.start])]
        if days:
            draft.set("duration_days", days[0].value)
        if s.fact_dates():
            draft.set("date", s.fact_dates()[0].value)
        self.constructions[dc.slug] = draft
        self.found.events.append(draft)
        return draft

    def _capacity(self, s: Sentence) -> Draft | None:
        gpu_words = re.search(r"GPU|チップ|chips?|accelerators?", s.text)
        counts = [c for c in s.counts if c.unit in ("item", "gpu", "chip")]
        if not gpu_words or not counts:
            return None
        for m in re.finditer(r"\b(?:up from|down from|reach|to)\s(\d{1,3}(?:,\d{3})+)\b(?!\s?(?:GPUs?|chips?|days?|%))", s.text):  # "12,000 GPUs, up from 4,000"
            if any(c.end <= m.start() and c.unit in ("gpu", "chip") for c in counts):
                counts.append(Count(int(m.group(1).replace(",", "")), "gpu", m.start(1), m.end(1)))
        counts.sort(key=lambda c: c.start)
        capacity_verb = re.search(r"搭載|稼働|導入|GPUの数|倍増|増強|\b(?:hous|hold|held|runs|ran|running|operates|equipped|expand|doubl|grew|grow|reach|packed|contain)\w*"
                                  r"|\b(?:to|will|would) have\b|\bcame online\b|\bwent live\b|\bswitched on\b", s.text)
        has_count = any(re.match(r"(?:\s(?:now|then|already|initially))?\s(?:has|had|have|with|runs|ran)\s", s.text[d.end:]) for d in s.of_class("DataCenter")) \
            or re.search(r"\b(?:the|its) (?:site|facility|center|centre|campus|cluster)(?:\snow)? (?:has|had|holds|held|houses|housed)\b", s.text)
        if not capacity_verb and not has_count:
            return None
        dcs = s.of_class("DataCenter") or ([self.last_datacenter] if self.last_datacenter and self.previous and self.previous.of_class("DataCenter") else [])
        if not dcs:
            return None
        dc = dcs[0]
        product = next((h.slug for h in s.of_class("HardwareProduct")), None)
        last = None
        previous_end = 0
        for c in counts:
            window = max(previous_end, c.start - 30)  # only the words that belong to this count
            before = s.text[window:c.start]
            previous_end = c.end
            draft = Draft("CapacityObservation", s, 0.8, {"asset": dc.slug, "gpu_count": c.value})
            draft.capability = bool(re.search(r"できる|可能|最大|\bup to\b|\bcan (?:hold|house|run)\b|\bcapable of\b", s.text))
            draft.set("product", product)
            dates = [d for d in s.fact_dates() if window <= d.start and d.end <= c.start]
            later = re.search(r"(\d+)\s*日後|(\d+)\s*days? later", before)
            if later:
                n = later.group(1) or later.group(2)
                doubled = re.search(r"倍増|doubl", s.text[c.start:c.end + 12] + before)
                draft.fields["phase"] = {"en": f"{n} days later" + (" (doubled)" if doubled else ""),
                                         "ja": f"{n}日後" + ("(倍増)" if doubled else "")}
            elif re.search(r"当初|initially|at first|at opening|at launch", before + s.text[c.end:c.end + 12]):
                draft.fields["phase"] = {"en": "at opening", "ja": "当初"}
                built = self.constructions.get(dc.slug)
                if built and built.fields.get("date"):
                    draft.set("date", built.fields["date"])
            if not dates:  # "will reach 150,000 GPUs this year": the date right after the count
                dates = [d for d in s.fact_dates() if c.end <= d.start <= c.end + 40 and not re.search(r"[、,。]", s.text[c.end:d.start])]
                dates = dates[:1]
            if not dates and re.search(r"現在|currently|\bnow\b", before):
                draft.set("date", self.published)  # "現在は約3,000基": as of the article
            if not dates and len(counts) == 1 and len(s.fact_dates()) == 1 and "date" not in draft.fields:
                dates = s.fact_dates()  # one count, one date: "in the first quarter of 2024, the site had 25,000 GPUs"
            if dates and not later:
                draft.set("date", dates[-1].value)
            if "date" not in draft.fields and "phase" not in draft.fields:
                draft.set("date", self.published)  # "currently houses 40,000 GPUs": as of the article
            self.found.events.append(draft)
            last = draft
        return last

    def _supply(self, s: Sentence) -> Draft | None:
        if not re.search(r"供給|納入|出荷|から購入|supply|supplies|supplied|deliver|ship|sell|sold|bought|buy|order|purchas", s.text, re.IGNORECASE):
            return None
        counts = [c for c in s.counts if c.unit in ("item", "gpu", "chip")]
        orgs = [o for o in s.of_class(*ORGS) if not _modifies_person(s, o)]
        buy = r"(?:bought|buys|ordered|orders|purchased|purchases|(?:will|agreed to|plans to|is to|has agreed to|would) (?:buy|purchase|order))"
        supplier: str | None = None
        customer: str | None = None
        for o in orgs:
            if re.match(r"(?:\s(?:has|had|will|would|also|agreed to|is to))?\s(?:supply|supplies|supplied|deliver|delivers|delivered|ship|ships|shipped|sell|sells|sold)", s.text[o.end:]) \
                    or s.before(o, r"\bfrom (?:the\s)?(?:chipmaker\s)?") or s.after(o, r"」?\s*(?:が|は)[^。]{0,40}(?:を|に)[^。]{0,30}(?:供給|納入|出荷)") or s.after(o, r"」?\s*から[^。]{0,30}(?:購入|調達)"):
                supplier = supplier or o.slug
            elif s.before(o, r"\bto (?:the\s)?") or re.match(rf"(?:,\s[^,;]{{1,60}},)?(?:\s(?:has|had|will|would|also))?\s{buy}", s.text[o.end:]) \
                    or s.after(o, r"」?\s*(?:に|へ)[^。]{0,30}(?:供給|納入|出荷)") or s.after(o, r"」?\s*(?:は|が)[^。]{0,40}から"):
                customer = customer or o.slug
        product_maker = next((self._maker_of(h.slug) for h in s.of_class("HardwareProduct") if self._maker_of(h.slug)), None)
        if customer is None and self.focus and not s.of_class("Company") and re.search(r"\bto (?:buy|purchase)\b", s.text):
            customer = self.focus  # "… and used part of it to buy 30,000 Nvidia GPUs"
        if supplier is None and customer is not None and product_maker and re.search(r"bought|buys|\bbuy\b|ordered|purchased|購入", s.text):
            supplier = product_maker  # "Acme bought 100,000 Nvidia GPUs": from their maker
        if supplier is None and re.search(r"\bthe (?:chipmaker|company|firm|group|supplier)(?:\s(?:has|had|will|would|also))?\s(?:supply|supplies|supplied|deliver\w*|ship\w*|sold|sell\w*)", s.text):
            supplier = next((o.slug for o in s.of_class("Company") if o.slug != customer), None)  # "Nvidia CEO …, the chipmaker shipped"
        if not supplier or not customer or supplier == customer:
            return None
        draft = Draft("SupplyDeal", s, 0.8, {"suppliers": [supplier], "customers": [customer]})
        product = next((h.slug for h in s.of_class("HardwareProduct")), None)
        draft.set("product", product)
        if counts:
            draft.set("quantity", counts[0].value)
        for dc in s.of_class("DataCenter"):
            draft.add("for_assets", dc.slug)
        if s.fact_dates():
            draft.set("date", s.fact_dates()[0].value)
        elif s.report_dates() and not s.of_class("MediaOrganization"):
            draft.set("date", s.report_dates()[0].value)  # "Acme has agreed to buy …, the company said on Tuesday"
        draft.fields["status"] = "InNegotiation" if ONGOING.search(s.text) else "Completed" if DONE.search(s.text) else "Reported"
        self.found.events.append(draft)
        return draft

    def _continuation(self, s: Sentence, draft: Draft) -> None:
        """A sentence that goes on about the previous one's event (``…交渉が難航する可能性もある``)."""
        if draft.type != "FundingRound":
            return
        for o in s.of_class(*ORGS):  # 主幹事は野村證券が務める / "Morgan Stanley is arranging the sale"
            if s.before(o, r"主幹事は\s*") or s.after(o, r"」?\s*(?:が|は)主幹事") or re.match(r"\s(?:is|will be|was) (?:arranging|the arranger|leading the (?:sale|offering))", s.text[o.end:]):
                draft.add("arrangers", o.slug)
        if s.of_class(*ORGS):
            return
        if re.search(r"融資|返済|債務|repay|debt|loan", s.text) and not draft.fields.get("instruments"):
            draft.add("instruments", "Debt")
        if ONGOING.search(s.text):
            draft.fields["status"] = "InNegotiation"

    # -- what follows from the events ----------------------------------------------------------

    def finish(self) -> None:
        events = self.found.events
        rounds = [e for e in events if e.type == "FundingRound"]
        for e in rounds:  # "debt … the loan", "bonds … secured bonds": the precise kind of debt stands
            if {"SecuredBond", "Loan"} & set(e.fields.get("instruments", [])) and "Debt" in e.fields["instruments"]:
                e.fields["instruments"].remove("Debt")
        recipients = [e.fields["recipient"] for e in rounds if e.fields.get("recipient")]
        focus = max(set(recipients), key=recipients.count) if recipients else None
        operators: dict[str, str] = {}
        for asset, e, s in self._funded_assets:  # a round that pays for a data center: the recipient runs it
            if e.fields.get("recipient"):
                operators.setdefault(asset, e.fields["recipient"])
                self.found.relate(asset, "operator", e.fields["recipient"], s, 0.6)
        for e in events:  # a data center built by a person for the company the article is about
            if e.type == "Construction":
                if focus and not any(self._is_org(b) for b in e.fields["builders"]):
                    e.fields["builders"] = [focus, *e.fields["builders"]]
                company = next((b for b in e.fields["builders"] if self._is_org(b)), None)
                if company:
                    operators.setdefault(e.fields["asset"], company)
                    self.found.relate(e.fields["asset"], "operator", company, e.sentence, 0.6)
        for model, draft, s in self._trained:
            for asset in draft.fields.get("for_assets", []):
                self.found.relate(model, "trainedOn", asset, s, 0.6)
            if draft.fields.get("recipient"):
                self.found.relate(model, "developer", draft.fields["recipient"], s, 0.6)
        self._supply_from_capacity(events, operators)

    def _supply_from_capacity(self, events: list[Draft], operators: dict[str, str]) -> None:
        """GPUs of a maker counted in a data center: the maker supplied them to its operator."""
        by_asset: dict[tuple[str, str], list[Draft]] = {}
        for e in events:
            if e.type == "CapacityObservation" and e.fields.get("product") and not e.capability:  # room for GPUs is not a delivery
                by_asset.setdefault((e.fields["asset"], e.fields["product"]), []).append(e)
        for (asset, product), seen in by_asset.items():
            maker = self._maker_of(product)
            customer = operators.get(asset)
            if not maker or not customer:
                continue
            if any(e.type == "SupplyDeal" and asset in e.fields.get("for_assets", []) for e in events):
                continue
            draft = Draft("SupplyDeal", seen[0].sentence, 0.6, {
                "suppliers": [maker], "customers": [customer], "product": product,
                "quantity": max(e.fields["gpu_count"] for e in seen), "for_assets": [asset], "status": "Completed"})
            dated = [e.fields["date"] for e in seen if e.fields.get("date")]
            if dated:
                draft.fields["date"] = dated[0]
            events.append(draft)

    def _maker_of(self, product: str) -> str | None:
        entity = self.gazetteer.entities.get(product)
        if entity is None:
            return None
        for other in self.gazetteer.entities.values():
            if other.class_ in ORGS and other.slug != product:
                if entity.name.en.startswith(other.name.en + " ") or (entity.name.ja and other.name.ja and entity.name.ja.startswith(other.name.ja)):
                    return other.slug
        return None

    def _is_org(self, slug: str) -> bool:
        e = self.gazetteer.entities.get(slug)
        return e is not None and e.class_ in ORGS


def _amounts(money: list[Money]) -> list[Money]:
    """The figures of a sentence's first sum: the amount and its conversions in brackets."""
    if not money:
        return []
    out = [money[0]]
    for m in money[1:]:
        if m.approximate and m.currency not in {x.currency for x in out} and m.start - out[-1].end <= 4:
            out.append(m)
        else:
            break
    return out


def _modifies_person(s: Sentence, org: Mention) -> bool:
    """``テスラのイーロン・マスクCEO``, ``Nvidia CEO Jensen Huang``: the organisation names a person's role."""
    return any(
        p.start >= org.end and re.fullmatch(r"」?の|(?:'s)?\s(?:CEO|chief executive|founder|co-founder|chairman)\s", s.text[org.end:p.start])
        for p in s.of_class("Person")
    )


def _invested_in(s: Sentence, org: Mention) -> bool:
    """``xAIに20億ドルの投資を行った``: the organisation money goes into."""
    return bool(s.after(org, r"」?\s*(?:に|へ)[^。、]{0,40}(?:投資|出資|融資)(?:を|し|する)"))


def _roles_of(draft: Draft) -> set[str]:
    return {*draft.fields.get("investors", []), *draft.fields.get("lead_investors", []), *draft.fields.get("arrangers", [])}
