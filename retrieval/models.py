"""What retrieval hands to its callers: hits with their quote, and the answer to a question."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Span = tuple[int, int]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Hit(_Frozen):
    """One passage (or metadata field) that answers, with the sentence(s) to show from it.

    `quote == text[quote_start:quote_start + len(quote)]`, and `highlights` are spans in
    `quote` of the words that matched the question.
    """

    kind: Literal["passage", "metadata"] = "passage"
    doc_id: str
    title: str
    section: str | None
    passage_id: str
    score: float
    quote: str
    text: str
    quote_start: int = Field(ge=0)
    highlights: tuple[Span, ...] = ()


class Correction(_Frozen):
    """A question word that the index does not know, and the known word searched instead."""

    written: str
    searched: str


class Answer(_Frozen):
    """The outcome of a question: hits when the sources answer it, otherwise why not."""

    question: str
    answered: bool
    hits: tuple[Hit, ...] = ()
    corrections: tuple[Correction, ...] = ()
    reason: Literal["answered", "no_terms", "not_covered"] = "answered"
    coverage: float = 0.0
    why: str | None = None  # for logs and evaluation: the decision and its evidence
