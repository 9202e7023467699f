"""Cutting a document into passages that quote well in a chat reply.

A passage is one or more whole paragraphs of one section, or whole sentences of a paragraph
too long to quote at once: never part of a sentence, never across a heading.
"""

from __future__ import annotations

import hashlib
import math

from corpus.models import Document, Passage
from corpus.sentences import sentence_spans

MIN_WORDS = 40
MAX_WORDS = 150

Span = tuple[int, int]


def _words(text: str, span: Span) -> int:
    return len(text[span[0] : span[1]].split())


def _paragraph_units(text: str, start: int, end: int) -> list[list[Span]]:
    """The sentences of text[start:end], grouped by paragraph."""
    paragraphs: list[list[Span]] = []
    previous_end = None
    for span in sentence_spans(text, start, end):
        if previous_end is None or "\n\n" in text[previous_end : span[0]]:
            paragraphs.append([])
        paragraphs[-1].append(span)
        previous_end = span[1]
    return paragraphs


def _split_long(text: str, sentences: list[Span]) -> list[Span]:
    """Whole sentences of an over-long paragraph in pieces of about equal length."""
    total = sum(_words(text, s) for s in sentences)
    pieces = math.ceil(total / MAX_WORDS)
    target = total / pieces
    out: list[Span] = []
    current: list[Span] = []
    count = 0
    for sentence in sentences:
        words = _words(text, sentence)
        if current and (count + words > MAX_WORDS or count >= target):
            out.append((current[0][0], current[-1][1]))
            current, count = [], 0
        current.append(sentence)
        count += words
    if current:
        out.append((current[0][0], current[-1][1]))
    return out


def _merge_short(text: str, units: list[Span]) -> list[Span]:
    """Short units join a neighbour of the same section while the result stays quotable."""
    merged: list[Span] = []
    for unit in units:
        if (
            merged
            and (_words(text, merged[-1]) < MIN_WORDS or _words(text, unit) < MIN_WORDS)
            and _words(text, (merged[-1][0], unit[1])) <= MAX_WORDS
        ):
            merged[-1] = (merged[-1][0], unit[1])
        else:
            merged.append(unit)
    return merged


def section_spans(document: Document) -> list[tuple[str | None, int, int]]:
    """(section title, body start, body end) in reading order, with the untitled opening."""
    spans: list[tuple[str | None, int, int]] = []
    first = document.sections[0].start if document.sections else len(document.text)
    if document.text[:first].strip():
        spans.append((None, 0, first))
    for section in document.sections:
        body_start = section.start + len(section.title)
        spans.append((section.title, body_start, section.end))
    return spans


def passage_id(doc_id: str, text: str, taken: set[str]) -> str:
    """`doc-id:hash-of-text`; the hash keeps ids stable when other passages change."""
    base = f"{doc_id}:{hashlib.sha1(text.encode('utf-8')).hexdigest()[:10]}"
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def chunk_document(document: Document) -> list[Passage]:
    """The document's passages in reading order, each a verbatim slice of its text."""
    text = document.text
    passages: list[Passage] = []
    taken: set[str] = set()
    for title, start, end in section_spans(document):
        units: list[Span] = []
        for paragraph in _paragraph_units(text, start, end):
            if _words(text, (paragraph[0][0], paragraph[-1][1])) > MAX_WORDS:
                units.extend(_split_long(text, paragraph))
            else:
                units.append((paragraph[0][0], paragraph[-1][1]))
        for unit_start, unit_end in _merge_short(text, units):
            passage_text = text[unit_start:unit_end]
            passages.append(
                Passage(
                    id=passage_id(document.id, passage_text, taken),
                    doc_id=document.id,
                    section=title,
                    text=passage_text,
                    start=unit_start,
                    end=unit_end,
                    position=len(passages),
                )
            )
    return passages
