"""Who and what an article mentions: the graph's own entities by name or alias, and new ones proposed.

Known names are matched in both languages, tolerant of width (the text is NFKC-folded first),
katakana variants (``ヴィ``/``ビ``, a long mark or a middle dot more or less) and small
misspellings (``Colossu``, ``Nvdia``: rapidfuzz similarity on unmatched proper nouns).
People and organisations that the graph does not know are proposed with a slug and a class,
marked ``new`` for the reviewer, when the text says what they are (``投資会社「…」``, ``CEO Jane Doe``,
``… Capital``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from graph.facts import ENTITY_CLASSES, Entity, Names, load_fact_file

KATAKANA = "ァ-ヺー"
_VARIANTS = {"バ": "(?:バ|ヴァ)", "ビ": "(?:ビ|ヴィ)", "ブ": "(?:ブ|ヴ)", "ベ": "(?:ベ|ヴェ)", "ボ": "(?:ボ|ヴォ)"}
_CANONICAL = [("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴ", "ブ")]
FUZZY_LATIN = 88.0
FUZZY_KANA = 85.0


@dataclass(frozen=True)
class Mention:
    """An entity named in the text: its slug and class, where, how it was written, how sure the match is."""

    slug: str
    class_: str
    start: int
    end: int
    surface: str
    score: float = 1.0
    new: bool = False


class Gazetteer:
    """The names and aliases of known entities, matched in text; new entities join as they are proposed."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: dict[str, Entity] = {}
        self._forms: list[tuple[str, str, str]] = []  # (name or alias, slug, its loose form, which the text must hold)
        self._latin_forms: dict[str, str] = {}
        self._kana_forms: dict[str, str] = {}
        for entity in entities:
            self.add(entity)

    def add(self, entity: Entity) -> None:
        """Make ``entity`` known: its names and aliases are matched from now on."""
        if entity.slug in self.entities:
            return
        self.entities[entity.slug] = entity
        for form in names_of(entity):
            self._forms.append((form, entity.slug, _loose(form)))  # the pattern cannot match unless this is in the loose text
            if re.fullmatch(r"[A-Za-z][A-Za-z0-9 .&'-]{3,}", form):
                self._latin_forms[form] = entity.slug
            elif re.fullmatch(f"[{KATAKANA}・]{{4,}}", form):
                self._kana_forms[canonical_kana(form)] = entity.slug

    def find(self, text: str) -> list[Mention]:
        """Every known entity in ``text``: exact (tolerant) matches first, then close misspellings; no overlaps."""
        candidates: list[Mention] = []
        loose = _loose(text)
        for form, slug, piece in self._forms:
            if piece not in loose:  # a substring test first: with thousands of names, most never occur
                continue
            for m in tolerant_pattern(form).finditer(text):
                candidates.append(Mention(slug, self.entities[slug].class_, m.start(), m.end(), m.group(0)))
        chosen = _non_overlapping(candidates)
        chosen += [m for m in self._fuzzy(text) if not any(_overlap(m, c) for c in chosen)]
        return sorted(chosen, key=lambda m: m.start)

    def _fuzzy(self, text: str) -> list[Mention]:
        found = []
        for m in re.finditer(r"(?<![A-Za-z0-9])[A-Z][A-Za-z0-9]{4,}(?:\s[A-Z0-9][A-Za-z0-9]*)?", text):
            found += self._closest(m.group(0), m.start(), self._latin_forms, FUZZY_LATIN)
        for m in re.finditer(f"[{KATAKANA}・]{{4,}}", text):
            found += self._closest(m.group(0), m.start(), self._kana_forms, FUZZY_KANA, canonical_kana)
        return _non_overlapping(found)

    def _closest(self, word: str, start: int, forms: dict[str, str], cutoff: float, key=lambda s: s) -> list[Mention]:
        # Compare whole words only: "Colossu" is close to "Colossus"; "Colossus 2" is not "Colossus".
        choices = {form: key(form) for form in forms if abs(len(form) - len(word)) <= 2}
        best = process.extractOne(key(word), choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is None:
            return []
        slug = forms[best[2]]
        return [Mention(slug, self.entities[slug].class_, start, start + len(word), word, round(best[1] / 100, 2))]


def names_of(entity: Entity) -> list[str]:
    """The English and Japanese names and the aliases of an entity."""
    return [n for n in (entity.name.en, entity.name.ja, *entity.aliases) if n]


def canonical_kana(text: str) -> str:
    """Katakana with variant spellings merged: ``ヴィ`` → ``ビ``; long marks and middle dots dropped."""
    for variant, plain in _CANONICAL:
        text = text.replace(variant, plain)
    return re.sub(r"[ー・=\s]", "", text)


@functools.lru_cache(maxsize=65536)
def tolerant_pattern(form: str) -> re.Pattern[str]:
    """A regular expression for a name that also accepts its katakana variants, case and spacing."""
    form = canonical_kana(form) if re.fullmatch(f"[{KATAKANA}・=\\s]+", form) else form
    parts: list[str] = []
    for ch in form:
        if ch in _VARIANTS:
            parts.append(_VARIANTS[ch])
        elif re.fullmatch(f"[{KATAKANA}]", ch):
            parts.append(re.escape(ch))
        elif ch == " ":
            parts.append(r"[\s・-]?")
        else:
            parts.append(re.escape(ch))
        if re.fullmatch(f"[{KATAKANA}]", ch):
            parts.append("ー?[・=]?")  # a long mark or a middle dot more or less
    body = "".join(parts)
    if re.fullmatch(f"[{KATAKANA}・=]+", form):
        body = body.removesuffix("ー?[・=]?") + "ー?"
    before = r"(?<![A-Za-z0-9])" if form[:1].isascii() and form[:1].isalnum() else (f"(?<![{KATAKANA}])" if re.match(f"[{KATAKANA}]", form) else "")
    after = r"(?![A-Za-z0-9])" if form[-1:].isascii() and form[-1:].isalnum() else (f"(?![{KATAKANA}])" if re.search(f"[{KATAKANA}]$", form) else "")
    flags = re.IGNORECASE if len(form) > 4 else 0
    return re.compile(before + body + after, flags)


def known_from_fact_files(paths: Iterable[str | Path]) -> list[Entity]:
    """The entities declared in fact files (the curated seed file when no store is given)."""
    from graph.facts import fact_files

    seen: dict[str, Entity] = {}
    for path in paths:
        for file in fact_files(path):
            for entity in load_fact_file(file).facts.entities:
                seen.setdefault(entity.slug, entity)
    return list(seen.values())


def known_from_store(store) -> list[Entity]:  # type: ignore[no-untyped-def]
    """The entities of a built store: class, names, aliases, Wikidata ID and description from graph ``aik:entities``."""
    from ontology import sparql_prologue

    rows = store.select(sparql_prologue() + """
        SELECT ?e ?class ?p ?value ?lang WHERE { GRAPH aik:entities {
          ?e a ?c . BIND(STRAFTER(STR(?c), STR(aik:)) AS ?class)
          ?e ?p ?value FILTER(?p IN (rdfs:label, skos:altLabel, rdfs:comment, aik:wikidataId)) BIND(LANG(?value) AS ?lang) } }""")
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        slug = str(row["e"]).rsplit("/", 1)[-1]
        item = found.setdefault(slug, {"slug": slug, "class": row["class"], "name": {}, "aliases": []})
        prop, value, lang = str(row["p"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1], str(row["value"]), row["lang"] or "en"
        if prop == "label" and lang in ("en", "ja"):
            item["name"][lang] = value
        elif prop == "altLabel" and value not in item["aliases"]:
            item["aliases"].append(value)
        elif prop == "comment" and lang in ("en", "ja"):
            item.setdefault("description", {})[lang] = value
        elif prop == "wikidataId":
            item["wikidata"] = value
    entities = []
    for item in found.values():
        if item["name"].get("en") and item["class"] in ENTITY_CLASSES:
            item["aliases"].sort()
            entities.append(Entity.model_validate(item))
    return entities


# -- new entities --------------------------------------------------------------------------------

# Japanese: a class noun right before 「NAME」 says what NAME is.
JA_CUES = [
    (re.compile(r"(?:投資会社|投資ファンド|ファンド|ベンチャーキャピタル|投資企業|資産運用会社)\s*「(?P<name>[^」]{2,40})」"), "InvestmentFirm"),
    (re.compile(r"(?:投資銀行|銀行|証券会社|金融機関)\s*「(?P<name>[^」]{2,40})」"), "Bank"),
    (re.compile(r"(?:スタートアップ|企業|会社|別会社である|メーカー|大手|社)\s*「(?P<name>[^」]{2,40})」"), "Company"),
    (re.compile(r"データセンター\s*「(?P<name>[^」(]{2,40})"), "DataCenter"),
    (re.compile(r"(?:チャットボット|AIモデル|言語モデル)\s*「(?P<name>[^」]{2,40})」"), "AIModel"),
    (re.compile(f"(?P<name>[{KATAKANA}]{{2,}}(?:・[{KATAKANA}]{{2,}})+)\\s*(?:氏|CEO|最高経営責任者|会長|社長|創業者)"), "Person"),
    (re.compile(r"(?P<name>[A-Z][A-Za-z0-9&.]*(?:\s[A-Z][A-Za-z0-9&.]*){0,3})\s*(?:社|CEO)"), "Company"),
    (re.compile(f"(?:米|英|独|仏|中国|韓国|台湾)(?P<name>[{KATAKANA}]{{3,}}|[A-Z][A-Za-z0-9]+)(?=は|が|の|、|も|と|に)"), "Company"),
    (re.compile(f"(?P<name>[{KATAKANA}]{{2,}}(?:通信|新聞)?)(?:によると|によれば|が報じ|は報じ)"), "MediaOrganization"),
    (re.compile(r"(?:の|、)(?P<name>[\u4e00-\u9fff]{2,5}?)(?<!副)(?:CEO|社長|会長|最高経営責任者)"), "Person"),
    (re.compile(r"(?<![\u4e00-\u9fff])(?P<name>[\u4e00-\u9fff]{1,4}[市県])(?=に|で|の)"), "Place"),
    (re.compile(r"株式会社(?P<name>[\u30a0-\u30ff\u4e00-\u9fffA-Za-z0-9]{2,20}?)(?=\(|は|が|の|、)"), "Company"),
    (re.compile(r"(?P<name>[\u30a0-\u30ff\u4e00-\u9fffA-Za-z0-9]{2,20}?)株式会社"), "Company"),
    (re.compile(r"(?:代表取締役(?:社長)?(?:CEO)?|CEO|社長)\s*[:：]\s*(?P<name>[\u4e00-\u9fff]{2,5})"), "Person"),
    (re.compile(f"(?P<name>[{KATAKANA}]{{2,}}(?:グループ|キャピタル|パートナーズ|ベンチャーズ|ファンド|インベストメント))"), "InvestmentFirm"),
    (re.compile(r"(?:手がける|運営する|展開する|開発する|手掛ける)\s*「(?P<name>[^」]{2,30})」"), "Company"),
    (re.compile(r"(?P<name>(?:(?![はがをにのでともへ])[\u3040-\u30ff\u4e00-\u9fff]){2,8}(?:銀行|証券|證券))(?=から|が|は|の|と|、|や)"), "Bank"),
    (re.compile(f"(?:事業者|企業|会社|大手|新興|スタートアップ)の(?P<name>[{KATAKANA}]{{2,}}|[A-Z][A-Za-z0-9]+|[\u4e00-\u9fff]{{2,6}})(?=が|は|、)"), "Company"),
    (re.compile(r"「(?P<name>[^」]{1,30})」を(?:建設|開設|構築)"), "DataCenter"),
    (re.compile(r"「(?P<name>[^」]{1,30}データセンター)」"), "DataCenter"),
]
_UPPER = "A-ZÀ-ÖØ-Þ"  # capitals, with the accented ones of European names (Société Générale, Rhône)
_LOWER = "a-zß-öø-ÿ"
_NAME = rf"[{_UPPER}][{_UPPER}{_LOWER}'.-]+(?:\s[{_UPPER}][{_UPPER}{_LOWER}'.-]+){{1,2}}"
_ORG = rf"[{_UPPER}][{_UPPER}{_LOWER}0-9&.'-]*(?:\s(?:&\s)?[{_UPPER}][{_UPPER}{_LOWER}0-9&.'-]*){{0,4}}"
EN_CUES = [
    (re.compile(rf"\b(?:[Ii]ts|the|The)\s(?P<name>[{_UPPER}][{_LOWER}]+)\s(?:campus|data center|data centre|site|facility),\s(?:known as|called|dubbed|named)\s"), "Place"),
    (re.compile(rf"\b(?:campus|data center|data centre|site|facility),\s(?:known as|called|dubbed|named)\s(?P<name>{_ORG})"), "DataCenter"),
    (re.compile(rf"\b(?P<name>[{_UPPER}][{_LOWER}]+(?:\s[{_UPPER}][{_LOWER}]+)?)-based\b"), "Place"),
    (re.compile(rf"\b(?:CEO|[Cc]hief [Ee]xecutive|[Ff]ounder)(?:\s(?:and|&)\s(?:CEO|[Cc]hief [Ee]xecutive|[Ff]ounder|[Cc]o-founder))?,\s(?P<name>{_NAME})"), "Person"),
    (re.compile(rf"\b(?:CEO|[Cc]hief [Ee]xecutive(?: [Oo]fficer)?|[Ff]ounder|[Cc]o-founder|[Pp]resident|[Cc]hairman|[Cc]hairwoman)\s(?P<name>{_NAME})"), "Person"),
    (re.compile(rf"(?P<name>{_NAME}),\s(?:the\s)?(?:[\w'’-]+\s){{0,2}}(?:CEO|chief executive|founder|co-founder|president|chairman)\b"), "Person"),
    (re.compile(rf"\b(?:investment firm|private equity firm|venture firm|venture capital firm|asset manager|fund|investor)\s(?P<name>{_ORG})"), "InvestmentFirm"),
    (re.compile(rf"(?P<name>{_ORG}\s(?:Capital|Partners|Ventures|Investments|Management|Holdings))\b"), "InvestmentFirm"),
    (re.compile(rf"\b(?:investment bank|bank|lender)\s(?P<name>{_ORG})"), "Bank"),
    (re.compile(rf"(?P<name>{_ORG}\s(?:Bank|Securities|& Co\.))"), "Bank"),
    (re.compile(rf"\b(?:startup|start-up|chipmaker|cloud provider|company|firm|operator|maker)\s(?P<name>{_ORG})"), "Company"),
    (re.compile(rf"(?P<name>{_ORG}\s(?:Inc\.|Corp\.|Ltd\.|Technologies|Systems|Labs|Cloud|Compute|AI))(?![A-Za-z])"), "Company"),
    (re.compile(rf"\b(?:data center|data centre|supercomputer|cluster)\s(?:called\s|named\s|dubbed\s)?(?P<name>{_ORG})"), "DataCenter"),
    (re.compile(rf"\b(?:model|chatbot)\s(?:called\s|named\s)?(?P<name>{_ORG})"), "AIModel"),
    (re.compile(rf"(?P<name>{_ORG})\s(?:language model|AI model|chatbot)\b"), "AIModel"),
    (re.compile(rf"\b(?:its|the)\s(?P<name>{_ORG})\s(?:data center|data centre|campus|supercomputer)\b"), "DataCenter"),
    (re.compile(rf"\baccording to (?:the\s)?(?P<name>{_ORG})"), "MediaOrganization"),
    (re.compile(rf"(?P<name>{_ORG})\sreported\b"), "MediaOrganization"),
    (re.compile(rf"\b(?:arranged|underwritten) by (?P<name>{_ORG})"), "Bank"),
    (re.compile(rf"\b(?:led by|participation from) (?P<name>{_ORG})"), "InvestmentFirm"),
    (re.compile(rf"(?P<name>{_ORG})\s(?:lent|loaned|invested)\b"), "Company"),
    (re.compile(rf"\binvestors (?:including|include|included|such as) (?P<name>{_ORG})"), "InvestmentFirm"),
    (re.compile(rf"\b(?:loan|credit facility|financing) (?:from|with) (?P<name>{_ORG})"), "Bank"),
    (re.compile(rf"\b(?:loan|credit facility|financing) (?:from|with) {_ORG} and (?P<name>{_ORG})"), "Bank"),
    (re.compile(rf"(?P<name>{_ORG})\s(?:pumped|poured)\b"), "InvestmentFirm"),
    (re.compile(rf"(?P<name>{_ORG}),\sthe\s(?:[\w-]+\s){{0,2}}(?:lender|bank)\b"), "Bank"),
    (re.compile(rf"(?P<name>{_ORG})\s(?:has\s|had\s)?(?:secured|raised|closed|borrowed|took out|landed)\b"), "Company"),
    (re.compile(rf"(?:'s|’s)\s(?P<name>{_ORG})\s(?:data center|data centre|campus|supercomputer)\b"), "DataCenter"),
    (re.compile(rf"\b(?:co-)?founded (?:in \d{{4}} )?by (?P<name>{_NAME})"), "Person"),
    (re.compile(rf"\b(?:co-)?founded (?:in \d{{4}} )?by {_NAME}(?:,[^,]*,)? and (?P<name>{_NAME})"), "Person"),
]
# Two places side by side: テキサス州オースティン (city in state), "in Austin, Texas".
PLACE_PAIRS = [
    re.compile(r"(?P<outer>[\u4e00-\u9fff]{1,3}[都道府県])(?P<inner>[\u4e00-\u9fff]{1,4}[市区町村])"),
    re.compile(f"(?P<outer>[{KATAKANA}]{{2,}}州)(?P<inner>[{KATAKANA}]{{2,}})"),
    re.compile(r"\b(?:in|based in|near|outside)\s(?P<inner>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?),\s(?P<outer>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\b"),
]
_NOT_NAMES = {"投資銀行", "中央銀行", "商業銀行", "地方銀行", "The", "This", "That", "It", "Its", "A", "An", "In", "On", "But", "And", "Monday", "Tuesday", "Wednesday",
              "Thursday", "Friday", "Saturday", "Sunday", "AI", "GPU", "GPUs", "CEO", "US", "U.S."}


def propose_new(text: str, known: list[Mention]) -> list[tuple[str, str, int, int]]:
    """Names of people and organisations the graph does not know, with the class the text gives them.

    Returns ``(name, class, start, end)``; names overlapping a known mention are left out.
    """
    out: list[tuple[str, str, int, int]] = []
    for pattern in PLACE_PAIRS:
        for m in pattern.finditer(text):
            for group in ("inner", "outer"):
                start, end = m.span(group)
                if not any(k.start < end and start < k.end for k in known) and m[group] not in _NOT_NAMES:
                    out.append((m[group], "Place", start, end))
    for patterns in (JA_CUES, EN_CUES):
        for pattern, class_ in patterns:
            for m in pattern.finditer(text):
                name = m["name"].strip(" .,")
                start = m.start("name")
                end = start + len(name)
                leading = r"(?:Its|its|A|a|An|When|While|After|Before|As|But|And|In|On|At|By|For|If|This|That)"
                if class_ != "MediaOrganization":  # "The Information" is the outlet's name; "The startup Acme" is not
                    leading = leading.replace("(?:", "(?:The|the|", 1)
                name = re.sub(rf"^(?:{leading}\s)+", "", name)
                start = end - len(name)
                if not name or name in _NOT_NAMES or (name.split()[0] in _NOT_NAMES and class_ != "MediaOrganization"):
                    continue
                if any(k.start < end and start < k.end and not (start <= k.start and k.end <= end and (start, end) != (k.start, k.end))
                       for k in known):
                    continue  # a known name, or part of one; a longer name around a known one (ソラリス堺データセンター) is new
                if any(o[2] < end and start < o[3] for o in out):
                    continue
                out.append((name, class_, start, end))
    return out


def new_entity(name: str, class_: str) -> Entity:
    """An entity proposal for a name the graph does not know: slug and English name romanised if needed."""
    japanese = bool(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", name))
    english = romanise(name) if japanese else name
    return Entity.model_validate({"slug": slugify(english) or "unnamed", "class": class_,
                                  "name": Names(en=english, ja=name if japanese else None).model_dump(exclude_none=True)})


def romanise(name: str) -> str:
    """Hepburn romanisation of a Japanese name, title-cased per word (``アントニオ・グラシアス`` → ``Antonio Gurashiasu``)."""
    import pykakasi

    words: list[str] = []
    for run in re.findall(r"[A-Za-z0-9][A-Za-z0-9.&'-]*|[^A-Za-z0-9\s・=]+", name):
        if run[0].isascii():
            words.append(run)  # Latin letters and digits stay as written: アオバAI → Aoba AI
        else:
            words += [item["hepburn"].capitalize() for item in pykakasi.kakasi().convert(run) if item["hepburn"].strip()]
    return " ".join(w for w in words if w)


def slugify(name: str) -> str:
    """A fact-file slug: lower-case ASCII words joined by hyphens (accents dropped: Société → societe)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", plain.lower()))


def _loose(text: str) -> str:
    """Text folded as loosely as any name pattern matches it: case, katakana variants, spaces and marks gone."""
    return re.sub(r"[\s・=ー\-]", "", canonical_kana(text.casefold()))


def _overlap(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


def _non_overlapping(candidates: list[Mention]) -> list[Mention]:
    chosen: list[Mention] = []
    for c in sorted(candidates, key=lambda m: (-(m.end - m.start), -m.score, m.start)):
        if not any(_overlap(c, o) for o in chosen):
            chosen.append(c)
    return chosen
