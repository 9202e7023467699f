"""The data that leaves the corpus package: documents, passages and loading problems.

Every model is frozen: a passage handed to the index or the bot is a citation, and a
citation that can change after the fact is not one.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Author(_Frozen):
    """A person (or body) credited with a document, with their role when the source gives it."""

    name: str
    role: str | None = None

    def display(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class Section(_Frozen):
    """A titled part of a document's clean text, from its heading to the next heading."""

    title: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Document(_Frozen):
    """A source document after extraction and cleaning.

    `text` is the clean text that every passage is a slice of; headings are paragraphs of
    their own in it, and paragraphs are separated by a blank line.
    """

    id: str
    title: str
    authors: tuple[Author, ...] = ()
    published: dt.date | None = None
    publisher: str | None = None
    url: str | None = None
    source_file: str
    text: str
    sections: tuple[Section, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    reading_time: str | None = None
    content_sha256: str
    # The metadata sidecar read with the file (None: none was read), so that a reload can
    # tell an unchanged document, whose passages it keeps, from one to load again.
    sidecar_sha256: str | None = None

    @property
    def published_text(self) -> str | None:
        """`2 April 2026`: unambiguous for readers on either side of the Atlantic."""
        return f"{self.published.day} {self.published:%B %Y}" if self.published else None

    def section_at(self, offset: int) -> Section | None:
        """The section whose span holds `offset`, or None before the first heading."""
        found: Section | None = None
        for section in self.sections:
            if section.start <= offset:
                found = section
            else:
                break
        return found


class Passage(_Frozen):
    """A quotable piece of a document: whole sentences of one section.

    `text == document.text[start:end]` always holds, so a quote can be traced to its place.
    """

    id: str
    doc_id: str
    section: str | None
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    position: int = Field(ge=0)

    @model_validator(mode="after")
    def _span_matches_text(self) -> Passage:
        if self.end - self.start != len(self.text):
            raise ValueError("passage span length differs from its text length")
        return self

    @property
    def word_count(self) -> int:
        return len(self.text.split())


class LoadProblem(_Frozen):
    """A file that could not be (fully) used, and why, in words a corpus editor can act on."""

    file: str
    reason: str
    skipped: bool = True


class Corpus(_Frozen):
    """What loading a folder gives: the documents, their passages, and per-file problems."""

    documents: tuple[Document, ...] = ()
    passages: tuple[Passage, ...] = ()
    problems: tuple[LoadProblem, ...] = ()

    @model_validator(mode="after")
    def _passages_are_their_documents_words(self) -> Corpus:
        """Every passage is its document's text between its offsets: checked wherever a
        corpus is built, from files or from a cache, so no other text can be quoted."""
        texts = {d.id: d.text for d in self.documents}
        for passage in self.passages:
            text = texts.get(passage.doc_id)
            if text is None or text[passage.start : passage.end] != passage.text:
                raise ValueError(f"passage {passage.id} is not its document's text")
        return self

    def document(self, doc_id: str) -> Document:
        for document in self.documents:
            if document.id == doc_id:
                return document
        raise KeyError(doc_id)

    def passages_of(self, doc_id: str) -> list[Passage]:
        return [p for p in self.passages if p.doc_id == doc_id]
