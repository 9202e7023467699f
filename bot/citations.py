"""How a quote says where it comes from, as plain parts that each renderer formats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote as percent_encoded
from urllib.parse import urlsplit

from corpus import Document
from retrieval.models import Hit

# Display limits, so that a citation always fits a Telegram message beside its quote
# (4,096 characters): metadata keeps the whole value, a citation shows this much of it.
MAX_TITLE = 200
MAX_NAME = 120
MAX_NAMES = 4
MAX_FIELD = 120


def clip(text: str, limit: int) -> str:
    """`text`, cut at a word before `limit` characters with an ellipsis when longer."""
    if len(text) <= limit:
        return text
    text = " ".join(text.split())
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def join_names(names: list[str]) -> str:
    """`A`, `A and B`, `A, B and C`; past MAX_NAMES, `A, B, C, D and 396 others`."""
    names = [clip(name, MAX_NAME) for name in names]
    if len(names) > MAX_NAMES:
        return ", ".join(names[:MAX_NAMES]) + f" and {len(names) - MAX_NAMES} others"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


MAX_URL = 1000
FRAGMENT_WORDS = 5  # a text fragment names the quote's first and last words, not all
_WORD = re.compile(r"\S+")


def _fragment_part(words: list[str]) -> str:
    # "-", "," and "&" separate a text directive's parts: they are encoded in the text.
    return percent_encoded(" ".join(words), safe="").replace("-", "%2D")


def text_fragment_url(url: str, quote: str) -> str:
    """`url` with a text fragment (`#:~:text=`) that makes a browser scroll to the quote
    and highlight it. Long quotes are named by their first and last words (the range form),
    so the link stays short and survives small differences in between. PDFs get none:
    browsers do not apply text fragments to them."""
    words = _WORD.findall(quote.removesuffix(" […]"))
    if not words or urlsplit(url).path.lower().endswith(".pdf"):
        return url
    if len(words) <= 2 * FRAGMENT_WORDS:
        directive = _fragment_part(words)
    else:
        directive = (
            f"{_fragment_part(words[:FRAGMENT_WORDS])},{_fragment_part(words[-FRAGMENT_WORDS:])}"
        )
    base, _, fragment = url.partition("#")
    linked = f"{base}#{fragment}:~:text={directive}" if fragment else f"{base}#:~:text={directive}"
    return linked if len(linked) <= MAX_URL else url


def _optional(text: str | None, limit: int) -> str | None:
    return clip(text, limit) if text else None


@dataclass(frozen=True)
class Citation:
    title: str
    authors: str | None
    publisher: str | None
    published: str | None
    section: str | None
    url: str | None

    @classmethod
    def of(cls, hit: Hit, document: Document | None) -> Citation:
        if document is None:  # a hit from a corpus that was reloaded meanwhile
            return cls(
                clip(hit.title, MAX_TITLE),
                None,
                None,
                None,
                _optional(hit.section, MAX_FIELD),
                None,
            )
        url = document.url if document.url and len(document.url) <= MAX_URL else None
        if url and hit.kind == "passage" and not document.source_file.lower().endswith(".pdf"):
            url = text_fragment_url(url, hit.quote)
        return cls(
            title=clip(document.title, MAX_TITLE),
            authors=join_names([a.name for a in document.authors]) or None,
            publisher=_optional(document.publisher, MAX_FIELD),
            published=document.published_text,
            section=_optional(hit.section, MAX_FIELD) if hit.kind == "passage" else None,
            url=url,
        )

    @classmethod
    def of_document(cls, document: Document) -> Citation:
        authors = join_names([a.name for a in document.authors]) or None
        url = document.url if document.url and len(document.url) <= MAX_URL else None
        return cls(
            clip(document.title, MAX_TITLE),
            authors,
            _optional(document.publisher, MAX_FIELD),
            document.published_text,
            None,
            url,
        )

    def source_line(self) -> str:
        """`Authors, "Title", Publisher, 2 April 2026` without the section."""
        parts = [p for p in (self.authors, f"“{self.title}”", self.publisher, self.published) if p]
        return ", ".join(parts)
