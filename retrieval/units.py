"""What questions are matched against: every passage, and every metadata field of a document.

A question about the document itself ("who's the author from the Swedish Red Cross?", "is
there more to read on this blog?") is answered by its metadata, whatever words it uses:
each field is a unit beside the passages, ranked by the same lexical and semantic scores,
and quoted as it is. The field's description (what it is, in plain words) is indexed and
embedded with it, so that the meaning of a question about authors or related reading
finds it; the description is never quoted.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from corpus.models import Corpus, Document, Passage
from corpus.sentences import sentence_spans
from retrieval.metadata import FIELD_LABELS, MetadataEntry, entries_for

# What each metadata field is, as a reader would put it.
FIELD_DESCRIPTIONS = {
    "authors": "The authors who wrote this post, with their positions",
    "date": "The date this post was published",
    "publisher": "The blog or website that published this post",
    "tags": "The tags (keywords) of this post",
    "categories": "The categories this post is filed under",
    "related": "See also: other posts to read on the same subject",
    "reading_time": "How long this post takes to read",
}
# The title is asked for by name ("what is it called?", see `retrieval.metadata`); as a
# unit it would be close to every question and quote nothing new.
_NOT_UNITS = frozenset({"title"})


SENTENCE_TEXTS_VERSION = 1  # of how `SearchUnit` makes `embed_text` and `sentence_embed_texts`

SentenceSpans = tuple[tuple[tuple[int, int], ...], ...]  # per passage, in corpus order


@dataclass(frozen=True)
class SearchUnit:
    """A passage or a metadata field: the text quoted, and what is indexed and embedded."""

    kind: Literal["passage", "metadata"]
    doc_id: str
    unit_id: str
    section: str | None
    text: str  # what is quoted
    # What BM25 indexes and what the unit's own embedding sees are a head (a section
    # title, a field's description) before `text`: kept apart, and joined only when
    # indexing or embedding, which a start from the cache does neither of.
    index_head: str
    embed_head: str
    given_sentences: tuple[tuple[int, int], ...] | None = None  # None: found in `text`
    sentence_context: str = ""  # embedded before each sentence (a field's description)

    def __post_init__(self) -> None:
        if self.given_sentences is not None:  # set now: a cached_property's first read
            # costs more than the attribute (0.4 s over 110,000 units read from the cache)
            object.__setattr__(self, "sentences", self.given_sentences)

    @property
    def index_text(self) -> str:
        return self.index_head + self.text

    @property
    def embed_text(self) -> str:
        return self.embed_head + self.text

    @functools.cached_property
    def sentences(self) -> tuple[tuple[int, int], ...]:
        """Spans in `text` that can be quoted alone. Found when first needed: splitting
        100,000 passages into sentences takes seconds, and a question needs a few."""
        if self.given_sentences is not None:
            return self.given_sentences
        return tuple(passage_sentence_spans(self.text))

    def sentence_embed_texts(self) -> list[str]:
        """What the model sees of each sentence. The embedding store finds a start's
        vectors by a digest of what makes these texts (see `retrieval.semantic`), not of
        the texts themselves: a change here or in `embed_text` must bump
        SENTENCE_TEXTS_VERSION."""
        return [f"{self.sentence_context}{self.text[a:b]}" for a, b in self.sentences]


def passage_sentence_spans(text: str) -> list[tuple[int, int]]:
    return sentence_spans(text) or [(0, len(text))]


def passage_unit(
    passage: Passage, sentences: tuple[tuple[int, int], ...] | None = None
) -> SearchUnit:
    return SearchUnit(
        kind="passage",
        doc_id=passage.doc_id,
        unit_id=passage.id,
        section=passage.section,
        text=passage.text,
        index_head=f"{passage.section}\n" if passage.section else "",
        embed_head=f"{passage.section}. " if passage.section else "",
        given_sentences=sentences,
    )


def metadata_unit(document: Document, entry: MetadataEntry) -> SearchUnit:
    description = FIELD_DESCRIPTIONS.get(entry.field, FIELD_LABELS.get(entry.field, entry.field))
    lines, offset = [], 0
    for line in entry.text.split("\n"):
        if line.strip():
            lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    return SearchUnit(
        kind="metadata",
        doc_id=document.id,
        unit_id=entry.entry_id,
        section=FIELD_LABELS.get(entry.field, entry.field),
        text=entry.text,
        index_head=f"{description}\n",
        embed_head=f"{description}: ",
        given_sentences=tuple(lines) or ((0, len(entry.text)),),
        sentence_context=f"{description}: ",
    )


def passage_sentences(units: Sequence[SearchUnit]) -> SentenceSpans | None:
    """The passages' sentence spans, if every one has been found already (so that saving
    them costs nothing); None otherwise."""
    passages = [u for u in units if u.kind == "passage"]
    if not all(u.given_sentences is not None or "sentences" in u.__dict__ for u in passages):
        return None
    return tuple(u.sentences for u in passages)


def metadata_unit_count(corpus: Corpus) -> int:
    return sum(
        1
        for document in corpus.documents
        for entry in entries_for(document)
        if entry.field not in _NOT_UNITS
    )


def units_for(
    corpus: Corpus, sentences: Sequence[tuple[tuple[int, int], ...] | None] | None = None
) -> tuple[SearchUnit, ...]:
    """Passages first, in corpus order (position i is passage i), then metadata fields.
    `sentences`, when given (by the index cache), are the passages' sentence spans (None
    for a passage whose spans are to be found): at 100,000 passages, splitting them again
    took half of a hybrid start."""
    if sentences is not None and len(sentences) != len(corpus.passages):
        raise ValueError("sentence spans for another corpus")
    spans: Sequence[tuple[tuple[int, int], ...] | None] = sentences or [None] * len(corpus.passages)
    units = [passage_unit(p, s) for p, s in zip(corpus.passages, spans, strict=True)]
    for document in corpus.documents:
        units.extend(
            metadata_unit(document, entry)
            for entry in entries_for(document)
            if entry.field not in _NOT_UNITS
        )
    return tuple(units)
