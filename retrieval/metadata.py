"""Questions about a document itself (who wrote it, when, where it appeared, its tags).

Such questions are answered from the document's metadata, quoted and cited like a passage.
A question counts as one when it matches a metadata intent of the vocabulary and, apart
from the intent's own words and words that only point at "this post", asks about nothing
else (or only names the document, e.g. by words of its title or an author's name).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from corpus.models import Document
from retrieval.analyzer import Analyzer
from retrieval.vocabulary import Vocabulary

FIELD_LABELS = {
    "authors": "Authors",
    "date": "Published",
    "publisher": "Published by",
    "tags": "Tags",
    "categories": "Categories",
    "related": "See also",
    "title": "Title",
    "summary": "Summary",
    "reading_time": "Reading time",
}
# Words a question about a field uses besides the intent's question word; they do not make
# it a question about something else.
_FIELD_WORDS = {
    "authors": "author authors co-author co-authors coauthor coauthors wrote written write "
    "writes writer writers byline signed penned behind names name list position role job "
    "post title function hold holds speak speaks speaking represent represents lead leads "
    "head heads organisation organization work works among",
    "date": "date dated published publish publication posted released come came out appear "
    "appeared day year month old recent put",
    "publisher": "blog website web site outlet journal publication publisher published "
    "publish newspaper magazine source posted appear appeared from put puts ran run runs "
    "carried carries",
    "tags": "tags tag tagged keywords keyword topics subjects themes filed",
    "categories": "category categories categorised categorized filed under",
    "related": "see also related similar further more other recommended reading articles "
    "posts pieces sources links read next else earlier previous older",
    "title": "title headline called name",
    "reading_time": "read reading long take takes minutes minute time length lengthy short quick",
    "summary": "gist summary summarise summarize nutshell overview short brief main point "
    "points argument arguments message messages idea ideas claim claims thesis key "
    "takeaway takeaways argue say says conclude conclusion about tldr tl dr",
}


def metadata_field_words(analyzer: Analyzer) -> set[str]:
    """Every word that metadata questions use for their fields."""
    return {w for text in _FIELD_WORDS.values() for w in analyzer.words(text)}


@dataclass(frozen=True)
class MetadataEntry:
    doc_id: str
    field: str
    text: str

    @property
    def entry_id(self) -> str:
        return f"{self.doc_id}:meta:{self.field}"


def entries_for(document: Document) -> list[MetadataEntry]:
    """The document's metadata fields as quotable text, one entry per field it has."""
    values = {
        "authors": "; ".join(author.display() for author in document.authors),
        "date": document.published_text or "",
        "publisher": document.publisher or "",
        "tags": ", ".join(document.tags),
        "categories": ", ".join(document.categories),
        "related": "\n".join(document.related),
        "title": document.title,
        "reading_time": document.reading_time or "",
    }
    return [MetadataEntry(document.id, name, text) for name, text in values.items() if text]


@dataclass(frozen=True)
class MetadataQuestion:
    field: str
    # Terms of the question beyond the intent: they may name the document meant.
    other_terms: frozenset[str]


def common_stems(analyzer: Analyzer, vocabulary: Vocabulary) -> frozenset[str]:
    """The stems of the vocabulary's document and filler words ("post", "this", "listed"),
    which point at a document without saying anything about it."""
    return _common_stems(analyzer, vocabulary.document_words | vocabulary.metadata_filler)


@functools.lru_cache(maxsize=8)
def _common_stems(analyzer: Analyzer, words: frozenset[str]) -> frozenset[str]:
    """The same for every question, so stemmed once (it was a tenth of a lexical
    question's time at 100,000 passages)."""
    return frozenset(analyzer.stem(w) for w in words)


@functools.lru_cache(maxsize=64)
def field_stems(analyzer: Analyzer, field: str) -> frozenset[str]:
    """The stems of the words a question about `field` uses for it."""
    return frozenset(analyzer.stem(w) for w in analyzer.words(_FIELD_WORDS.get(field, "")))


def detect_metadata_question(
    question: str, analyzer: Analyzer, vocabulary: Vocabulary
) -> MetadataQuestion | None:
    """The metadata field the question asks for, if it asks for one.

    When several fields' patterns match, the one that leaves fewest other words wins
    ("What tags is the article filed under?" is about tags, not categories).
    """
    words = {analyzer.stem(w) for w in analyzer.words(question) if not analyzer.is_stopword(w)}
    common = common_stems(analyzer, vocabulary)
    found: list[MetadataQuestion] = []
    for intent in vocabulary.intents:
        if intent.matches(question):
            own = field_stems(analyzer, intent.field)
            found.append(MetadataQuestion(intent.field, frozenset(words - own - common)))
    return min(found, key=lambda q: len(q.other_terms)) if found else None


def document_match_terms(document: Document, analyzer: Analyzer) -> set[str]:
    """Terms by which a question may name a document: title, authors, roles, publisher,
    and the concepts these name ("APMBC" names "... the Anti-Personnel Mine Ban
    Convention")."""
    names = " ".join(
        [
            document.title,
            document.publisher or "",
            *(a.name for a in document.authors),
            *(a.role or "" for a in document.authors),
        ]
    )
    words, extra = analyzer.split_tokens(names)  # a word token's term is its stem
    return {t.term for t in words + extra}


def documents_named(
    asked: Mapping[str, tuple[float, frozenset[str]]],
    match_terms: Mapping[str, set[str]],
) -> list[str] | None:
    """The documents a metadata question names by its other words, or None if it names
    none (it asks about something else, and passages answer it).

    `asked` maps each of the question's other terms to its weight (how rare it is in the
    passages) and the terms that stand for it (itself and the concepts it is part of);
    `match_terms` maps a document id to its `document_match_terms`. Every document that
    holds all of them is named; failing that, the one document that holds most of their
    weight, if that is more than half ("the Red Cross article about the Nordic countries":
    no title says "countries", one says the rest). A word found in no title counts against
    every document, so "when was the pasta recipe published?" names none. (Counting the
    words instead of weighing them took content questions for metadata ones: 4 more
    training and dev questions lost their passage at rank 1.)
    """
    if not asked:
        return list(match_terms)
    # fsum: `asked` comes in a set's order, which changes with the hash seed.
    total = math.fsum(weight for weight, _ in asked.values())

    def held(terms: set[str]) -> float:
        return math.fsum(weight for weight, alt in asked.values() if not alt.isdisjoint(terms))

    shares = {doc_id: held(terms) / total for doc_id, terms in match_terms.items()}
    whole = [doc_id for doc_id, share in shares.items() if share >= 1.0 - 1e-9]
    if whole:
        return whole
    ranked = sorted(shares.values(), reverse=True)
    best = ranked[0] if ranked else 0.0
    if best > 0.5 and (len(ranked) == 1 or ranked[1] < best):
        return [doc_id for doc_id, share in shares.items() if share == best]
    return None
