"""How a quote says where it comes from, as plain parts that each renderer formats."""

from __future__ import annotations

from dataclasses import dataclass

from corpus import Document
from retrieval.models import Hit


def join_names(names: list[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


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
            return cls(hit.title, None, None, None, hit.section, None)
        return cls(
            title=document.title,
            authors=join_names([a.name for a in document.authors]) or None,
            publisher=document.publisher,
            published=document.published_text,
            section=hit.section if hit.kind == "passage" else None,
            url=document.url,
        )

    @classmethod
    def of_document(cls, document: Document) -> Citation:
        authors = join_names([a.name for a in document.authors]) or None
        return cls(
            document.title, authors, document.publisher, document.published_text, None, document.url
        )

    def source_line(self) -> str:
        """`Authors, "Title", Publisher, 2 April 2026` without the section."""
        parts = [p for p in (self.authors, f"“{self.title}”", self.publisher, self.published) if p]
        return ", ".join(parts)
