"""Check that a page loads nothing from the network: no src, href, url() or @import that leaves the file."""

from __future__ import annotations

import re

# A reference the browser would follow by itself: an attribute, a CSS url() or @import, or a JS import/fetch,
# pointing at an http(s) or protocol-relative address.
_REFERENCE = re.compile(
    r"""(?:\b(?:src|href|srcset|action|poster|data|background)\s*=\s*["']?\s*"""
    r"""|url\(\s*["']?\s*|@import\s+["']?\s*|\bimport\s*\(\s*["']|\bfetch\s*\(\s*["'])"""
    r"""((?:https?:|ftp:|wss?:)?//[^"'\s)>]+)""",
    re.IGNORECASE,
)


def external_urls(html: str) -> list[str]:
    """Every external address the page would load (empty for a page that works offline)."""
    return sorted({m.group(1) for m in _REFERENCE.finditer(html)})
