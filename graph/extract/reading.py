"""Article bytes to text: UTF-8 or the Japanese legacy encodings; binary data is refused by name."""

from __future__ import annotations

ENCODINGS = ("utf-8-sig", "cp932", "euc_jp")
"""Tried in order: UTF-8 (with or without a byte-order mark), then Shift_JIS (Windows) and EUC-JP pages."""


class NotText(ValueError):
    """The data is not text in any encoding we read (an image, a PDF, an archive)."""


def decode_article(data: bytes) -> str:
    """The text of an article file; raise :class:`NotText` saying why it is not text."""
    if b"\x00" in data[:65536]:
        raise NotText("not text: it holds NUL bytes (a binary file such as an image, PDF or archive)")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotText(f"not text: invalid UTF-8 at byte {exc.start}, and not Shift_JIS or EUC-JP either") from None
    raise NotText("not text")  # unreachable: UTF-8 was tried first
