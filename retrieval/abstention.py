"""Deciding whether the best passage answers the question, or whether to say nothing.

BM25 scores are not comparable across questions, so the rule looks at what the question
asks for and what the passage holds instead:

* coverage: the share of the question's words (weighted by how rare they are in the corpus)
  that the passage contains, directly or through a concept. A phrase that names a concept
  (e.g. "non-state armed groups") counts as one unit: when the corpus never mentions the
  concept, its words are not covered just because "state" and "armed" occur elsewhere;
* named gaps: a proper name in the question that the corpus never mentions ("United
  States", "Python") means the sources cannot be about it;
* answer type: "how many" / "how much" needs a quantity in the quote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from retrieval.analyzer import Token

_QUANTITY_QUESTION = re.compile(
    r"\bhow (many|much)\b|\bwhat (number|percentage|share)\b", re.IGNORECASE
)
_QUANTITY = re.compile(
    r"\b(?!(?:19|20)\d\d\b)\d[\d,.]*\b|\b(hundreds?|thousands?|millions?|billions?|dozens?|"
    r"per ?cent|percent|majority|half|third|quarter|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|twenty|fifty)\b|%",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QueryShape:
    """The question's words and derived tokens, as the abstention rule needs them."""

    words: list[Token]
    extra: list[Token]
    question: str

    def phrases_over(self, word: Token) -> list[Token]:
        return [e for e in self.extra if e.start <= word.start and word.end <= e.end]


def smooth_idf(doc_freq: int, corpus_size: int) -> float:
    """A positive IDF for weighting words (a word the corpus lacks weighs the most)."""
    return math.log(1 + (corpus_size - doc_freq + 0.5) / (doc_freq + 0.5))


def coverage(
    shape: QueryShape,
    passage_terms: Collection[str],
    doc_freq: Callable[[str], int],
    corpus_size: int,
) -> float:
    """Weighted share of question words that the passage covers (0 to 1)."""
    total = covered = 0.0
    for word in shape.words:
        phrases = [p for p in shape.phrases_over(word) if p.end - p.start > word.end - word.start]
        # A multi-word concept the corpus never names leaves its words uncovered, even
        # where they occur on their own ("state" of "non-state armed groups").
        unit_missing = bool(phrases) and not any(doc_freq(p.term) > 0 for p in phrases)
        weight = smooth_idf(0 if unit_missing else doc_freq(word.term), corpus_size)
        total += weight
        if not unit_missing and (
            word.term in passage_terms
            or any(p.term in passage_terms for p in shape.phrases_over(word))
        ):
            covered += weight
    return covered / total if total else 0.0


def named_gaps(shape: QueryShape, doc_freq: Callable[[str], int]) -> list[str]:
    """Proper names in the question that the corpus never mentions."""
    gaps: list[str] = []
    text = shape.question
    first_word_starts = {m.end() for m in re.finditer(r"(^|[.!?]\s+)[\"'“‘(]*", text)}
    for extra in shape.extra:
        surface = text[extra.start : extra.end]
        if extra.term.startswith("=") and doc_freq(extra.term) == 0 and _is_name(surface):
            gaps.append(surface)
    for word in shape.words:
        surface = text[word.start : word.end]
        if (
            word.start not in first_word_starts
            and surface[:1].isupper()
            and doc_freq(word.term) == 0
            and not any(doc_freq(p.term) > 0 for p in shape.phrases_over(word))
        ):
            gaps.append(surface)
    return gaps


def _is_name(surface: str) -> bool:
    words = re.findall(r"[^\W\d_][\w'’.-]*", surface)
    return bool(words) and all(w[:1].isupper() for w in words)


def lacks_asked_quantity(question: str, quote: str) -> bool:
    """A "how many" question whose quote holds no number or quantity word."""
    return bool(_QUANTITY_QUESTION.search(question)) and not _QUANTITY.search(quote)
