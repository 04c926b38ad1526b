"""NFKC folding that remembers where each folded character came from.

Full-width letters and digits (``ｘＡＩ``, ``１２０``), half-width katakana (``ｺﾛｯｻｽ``) and
full-width punctuation become their plain forms, so one pattern reads them all; evidence spans
are mapped back to the input, so a reviewer finds the sentence exactly where it was.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_COMBINING_KANA = "\u3099\u309a\uff9e\uff9f"  # voiced / semi-voiced marks that join the previous kana


@dataclass(frozen=True)
class Folded:
    """The folded text and, for each of its characters, the offset of its source in the input."""

    text: str
    origin: tuple[int, ...]
    input_length: int

    def span_in_input(self, start: int, end: int) -> tuple[int, int]:
        """The input span ``[start, end)`` of the folded span ``[start, end)``."""
        if start >= len(self.text):
            return self.input_length, self.input_length
        first = self.origin[start]
        last = self.origin[end] if end < len(self.text) else self.input_length
        return first, max(first, last)


def fold(text: str) -> Folded:
    """NFKC-fold ``text`` chunk by chunk (a character and the marks that join it), keeping the offset map."""
    out: list[str] = []
    origin: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and (text[j] in _COMBINING_KANA or unicodedata.combining(text[j])):
            j += 1
        piece = unicodedata.normalize("NFKC", text[i:j])
        out.append(piece)
        origin.extend([i] * len(piece))
        i = j
    return Folded("".join(out), tuple(origin), len(text))
