"""How a quote says where it comes from, as plain parts that each renderer formats."""

from __future__ import annotations

from dataclasses import dataclass

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
        return cls(
            title=clip(document.title, MAX_TITLE),
            authors=join_names([a.name for a in document.authors]) or None,
            publisher=_optional(document.publisher, MAX_FIELD),
            published=document.published_text,
            section=_optional(hit.section, MAX_FIELD) if hit.kind == "passage" else None,
            url=document.url if document.url and len(document.url) <= 1000 else None,
        )

    @classmethod
    def of_document(cls, document: Document) -> Citation:
        authors = join_names([a.name for a in document.authors]) or None
        url = document.url if document.url and len(document.url) <= 1000 else None
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
