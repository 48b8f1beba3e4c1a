"""Latin words on a Chinese page: what a reader of Chinese would have to decode.

Text inside ``lang="en"`` (the language switch) and ``translate="no"``
(words people typed, quoted as written) is left out: it is not the portal
speaking. What is left may hold only the allow-list.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# QR, and the model-validation terms AUC, KS, PSI and ROC, which Chinese credit-risk
# practice writes as is (ROC 曲线, KS 值)
ALLOWED = frozenset({"QR", "AUC", "KS", "PSI", "ROC"})
_SKIPPED = ("script", "style", "title", "svg")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "input", "meta", "link", "img", "hr", "col", "source"):
            return
        found = dict(attrs)
        hidden = (
            tag in _SKIPPED
            or found.get("lang") == "en"
            or found.get("translate") == "no"
            or (bool(self.stack) and self.stack[-1][1])
        )
        self.stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)


def latin_words(html: str) -> list[str]:
    """Latin words a Chinese reader would see on the page, beyond the allow-list."""
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED})
