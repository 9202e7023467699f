"""Which documents a metadata question is about: named by its words, or described.

"Who wrote the cluster munitions post?" names a document by words of its title; "who wrote
the piece telling the Nordic governments to stick with the ban?" describes one by what it
argues, in words no title holds; "any related post on whether mines are still useful?"
points at a document through its related reading. The words are weighed first
(`retrieval.metadata.documents_named`); failing them, in hybrid mode, the meaning of the
question is compared with each title (and, for related reading, each related entry).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from corpus.models import Document
from retrieval.analyzer import Analyzer
from retrieval.metadata import document_match_terms, documents_named, entries_for
from retrieval.semantic import SemanticIndex, Vectors


class DocumentNaming:
    """The documents' naming terms and, lazily, their naming vectors.

    `cosine` and `margin`: how close in meaning to the question a title must be, and how
    much closer than any other document's, to name its document (see `RetrievalConfig`).
    """

    def __init__(
        self,
        documents: Mapping[str, Document],
        analyzer: Analyzer,
        semantic: SemanticIndex | None,
        cosine: float,
        margin: float,
    ) -> None:
        self.documents = documents
        self.analyzer = analyzer
        self.semantic = semantic
        self.cosine = cosine
        self.margin = margin
        self.match_terms = {
            doc_id: document_match_terms(d, analyzer) for doc_id, d in documents.items()
        }
        self._field_match_terms: dict[str, dict[str, set[str]]] = {}

    def named(
        self, field: str, question: str, asked: Mapping[str, tuple[float, frozenset[str]]]
    ) -> list[str] | None:
        """The documents a question about `field` means, or None (it asks about something
        else). `asked`: its other terms with their weights, as `documents_named` takes."""
        naming = self.field_match_terms("related") if field == "related" else self.match_terms
        named = documents_named(asked, naming)
        return named if named is not None else self.meant(question, field)

    def answered_by_field(
        self, field: str, question: str, asked: Mapping[str, tuple[float, frozenset[str]]]
    ) -> list[str]:
        """The documents whose `field` may answer the question: those its other terms
        name or whose field they describe ("is it filed as analysis?"), all when there
        are none; failing that, the one it describes by meaning."""
        named = documents_named(asked, self.field_match_terms(field))
        if named is not None:
            return named
        return self.meant(question, field) or []

    def field_match_terms(self, field: str) -> dict[str, set[str]]:
        """Each document's naming terms with the terms of its `field`'s own text (its
        related entries, its categories...)."""
        terms = self._field_match_terms.get(field)
        if terms is None:
            terms = {}
            for doc_id, naming in self.match_terms.items():
                text = "\n".join(
                    e.text for e in entries_for(self.documents[doc_id]) if e.field == field
                )
                words, extra = self.analyzer.split_tokens(text)
                terms[doc_id] = naming | {t.term for t in words + extra}
            self._field_match_terms[field] = terms
        return terms

    @functools.cached_property
    def _vectors(self) -> tuple[list[str], list[bool], Vectors]:
        """What may name a document by its meaning, embedded at the first question that
        needs it (a few milliseconds a text, and only metadata questions ask): each
        document's title, and each of its related entries (marked True)."""
        assert self.semantic is not None
        owners, related, texts = [], [], []
        for doc_id, document in self.documents.items():
            for text, is_related in [
                (document.title, False),
                *((r, True) for r in document.related),
            ]:
                owners.append(doc_id)
                related.append(is_related)
                texts.append(text)
        return owners, related, self.semantic.model.embed(texts, batch_size=32)

    def meant(self, question: str, field: str) -> list[str] | None:
        """The document a metadata question describes rather than names: the one whose
        title (or, asked for related reading, related entry) is close in meaning to the
        question and clearly closer than any other document's. None without the
        semantic layer."""
        if self.semantic is None or not self.documents:
            return None
        owners, related, vectors = self._vectors
        cosines = vectors @ self.semantic.embed_question(question)
        best: dict[str, float] = {}
        for doc_id, is_related, cosine in zip(owners, related, cosines.tolist(), strict=True):
            if field == "related" or not is_related:
                best[doc_id] = max(best.get(doc_id, -1.0), cosine)
        ranked = sorted(best.items(), key=lambda item: -item[1])
        runner_up = ranked[1][1] if len(ranked) > 1 else -1.0
        doc_id, cosine = ranked[0]
        if cosine >= self.cosine and cosine - runner_up >= self.margin:
            return [doc_id]
        return None
