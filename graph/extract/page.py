"""The article body of a news page saved as text: headline, byline, credit and paragraphs.

Pages copied from a browser carry site menus, share buttons, rankings, related headlines,
comment counters and footers around the story. The body is the run of prose paragraphs;
everything after the first end-of-article marker (comments, rankings, "related") is left out,
and list items, bare numbers and short lines without sentence punctuation never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A line that starts one of these blocks ends the article once its body has begun.
END_MARKERS = re.compile(
    r"^(?:コメント\s*\d*|\[.*\]\s*ランキング|ランキング|こんな記事も読まれています|おすすめニュース|話題|関連記事|関連ニュース"
    r"|人気記事|Related(?: articles| stories| news)?|Read more|More from|Most read|Most popular|Recommended|Comments?\s*\(?\d*\)?"
    r"|Trending|Advertisement|Share this article|Sign up|Subscribe)\b",
    re.IGNORECASE,
)
# Lines that are never prose: navigation, counters, bullets, addresses.
NOISE = re.compile(
    r"スキップ|メインメニュー|メインコンテンツ|Skip to|^\s*(?:[•·*\-–]|\d+\s*$)|^\S+@\S+$|^(?:Home|Menu|Search|Log ?in|Share|Tweet|Print)\b"
    r"|フォトニュース|All rights reserved|©|Copyright|\s[>›»|]\s",
    re.IGNORECASE,
)
CREDIT = re.compile(r"^(?:引用|出典|ソース|Source|Via|Credit)\s*[:：]\s*(?P<who>.+)$", re.IGNORECASE)
BYLINE_EN = re.compile(r"^By\s+(?P<who>[A-Z][\w.'-]+(?:\s[A-Z][\w.'-]+){0,3})\b")
BYLINE_JA = re.compile(r"^(?P<who>[\u4e00-\u9fff\u3040-\u30ff]{2,8})(?:\s+\S{1,8})?\s*(?:記者)?$")
SENTENCE_END_JA = "。!?"
_ABBREVIATIONS = re.compile(r"\b(?:Inc|Corp|Co|Ltd|Mr|Ms|Mrs|Dr|Jr|Sr|St|No|U\.S|U\.K|vs|approx|est)\.$")


@dataclass(frozen=True)
class Block:
    """A stretch of the (folded) text and where it starts and ends."""

    text: str
    start: int
    end: int


@dataclass
class Page:
    """What the page holds besides chrome: headline, author, credited sources, the body's paragraphs."""

    headline: Block | None = None
    author: str | None = None
    credits: list[Block] = field(default_factory=list)
    paragraphs: list[Block] = field(default_factory=list)

    def sentences(self) -> list[tuple[int, Block]]:
        """Every sentence of the body with the index of its paragraph."""
        return [(i, s) for i, p in enumerate(self.paragraphs) for s in split_sentences(p)]


def read_page(text: str) -> Page:
    """Find the headline, byline, credits and body paragraphs of a page (``text`` already NFKC-folded)."""
    page = Page()
    body_started = False
    for line in _lines(text):
        s = line.text
        if body_started and END_MARKERS.match(s):
            break
        if credit := CREDIT.match(s):
            who = credit["who"].strip()
            start = line.start + credit.start("who")
            page.credits.append(Block(who, start, start + len(who)))
            continue
        if NOISE.search(s):
            continue
        if _is_prose(s):
            body_started = True
            page.paragraphs.append(line)
            continue
        if body_started:
            continue  # a caption or a subheading inside the body: not prose, not chrome
        if page.author is None and (by := BYLINE_EN.match(s) or BYLINE_JA.match(s)):
            if page.headline is not None:
                page.author = by["who"]
                continue
        if page.headline is None and len(s) >= 12:
            page.headline = line
    return page


def split_sentences(paragraph: Block) -> list[Block]:
    """Sentences of a paragraph: Japanese at 。!? outside quotes, English at . ! ? before a capital."""
    text, base = paragraph.text, paragraph.start
    out: list[Block] = []
    start = depth = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c in "「『“(":
            depth += 1
        elif c in "」』”)" and depth:
            depth -= 1
        end = None
        if c in SENTENCE_END_JA and depth == 0:
            end = i + 1
        elif c in ".!?" and depth == 0 and (i + 1 == len(text) or text[i + 1] in " \"'”’"):
            rest = text[i + 1:].lstrip(" \"'”’")
            if (not rest or rest[0].isupper() or rest[0].isdigit() or rest[0] in "“\"") and not _ABBREVIATIONS.search(text[start:i + 1]):
                end = i + 1
                while end < len(text) and text[end] in "\"'”’":
                    end += 1
        if end is not None:
            _add(out, text, start, end, base)
            start, i = end, end
            continue
        i += 1
    _add(out, text, start, len(text), base)
    return out


def _add(out: list[Block], text: str, start: int, end: int, base: int) -> None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    if piece:
        out.append(Block(piece, base + start + lead, base + start + lead + len(piece)))


def _lines(text: str) -> list[Block]:
    lines = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            lines.append(Block(stripped, offset + lead, offset + lead + len(stripped)))
        offset += len(raw)
    return lines


def _is_prose(line: str) -> bool:
    """A paragraph of the story: long enough and ending like a sentence."""
    japanese = bool(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", line))
    if japanese:
        return len(line) >= 12 and line.rstrip("」』)")[-1:] in SENTENCE_END_JA
    return len(line) >= 60 and line.rstrip("\"'”’)")[-1:] in ".!?" and len(line.split()) >= 10
