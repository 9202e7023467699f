"""Choosing the sentence(s) of a passage to quote, and the words in them to mark.

A passage is analysed once (its sentences with their terms) and the analysis is reused by
every question that retrieves it: choosing a quote then costs set operations, not text
analysis. The words to mark are found in the quote itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from corpus.sentences import sentence_spans
from retrieval.analyzer import Analyzer, Token
from retrieval.models import Span

MIN_QUOTE_WORDS = 12


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    terms: frozenset[str]
    words: int


@dataclass(frozen=True)
class AnalysedPassage:
    sentences: tuple[Sentence, ...]


def analyse_passage(
    analyzer: Analyzer, text: str, spans: Sequence[tuple[int, int]] | None = None
) -> AnalysedPassage:
    """Sentences with their terms, for choosing a quote. Done for the few passages a
    question shows, the first time each is shown, with the analyzer's fast path (terms
    without spans): the words to mark are found in the quote alone (`matched_spans`), and
    whether a passage holds a term is the index's to say (`SparseBM25.holds`)."""
    sentences = []
    for start, end in spans or sentence_spans(text) or [(0, len(text))]:
        piece = text[start:end]
        sentences.append(
            Sentence(start, end, frozenset(analyzer.analyze(piece)), len(piece.split()))
        )
    return AnalysedPassage(tuple(sentences))


def merge_spans(spans: list[Span]) -> tuple[Span, ...]:
    """Sorted, non-overlapping spans; touching ones are merged."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def marked(tokens: Iterable[Token], query_terms: Collection[str]) -> tuple[Span, ...]:
    """Spans of the tokens (words, or phrases for concepts) whose terms are in the query."""
    return merge_spans([(t.start, t.end) for t in tokens if t.term in query_terms])


def matched_spans(analyzer: Analyzer, text: str, query_terms: Collection[str]) -> tuple[Span, ...]:
    """`marked` for the tokens of `text`."""
    return marked(analyzer.tokens(text), query_terms)


def select_quote(
    passage: AnalysedPassage, query_terms: Collection[str], weight: Callable[[str], float]
) -> Span:
    """The best sentence for the query, with a neighbour when it adds matches or when the
    sentence alone is too short to stand as a quote."""
    sentences = passage.sentences
    if len(sentences) == 1:
        return sentences[0].start, sentences[0].end

    wanted = set(query_terms)
    weights: dict[str, float] = {}  # each term's weight looked up once, not per sentence

    def gain(sentence: Sentence, already: frozenset[str]) -> float:
        # fsum: a set's order changes with the process's hash seed, and a plain sum of
        # floats with the order, so two sentences tied in words could trade places
        # between runs of the same question.
        matched = (sentence.terms & wanted) - already
        for term in matched:
            if term not in weights:
                weights[term] = weight(term)
        return math.fsum(weights[term] for term in matched)

    best = max(range(len(sentences)), key=lambda i: (gain(sentences[i], frozenset()), -i))
    chosen = sentences[best].terms & wanted
    neighbours = [i for i in (best + 1, best - 1) if 0 <= i < len(sentences)]
    extension = max(neighbours, key=lambda i: (gain(sentences[i], chosen), i == best + 1))
    first = last = best
    if gain(sentences[extension], chosen) > 0 or sentences[best].words < MIN_QUOTE_WORDS:
        first, last = min(best, extension), max(best, extension)
    return sentences[first].start, sentences[last].end


def select_quote_by_meaning(
    passage: AnalysedPassage,
    cosines: Sequence[float],
    query_terms: Collection[str],
    weight: Callable[[str], float],
    *,
    lexical_weight: float,
    neighbour_margin: float,
) -> Span:
    """The sentence closest to the question in meaning and words, with a neighbour when
    the neighbour is nearly as close, adds matched words, or the sentence alone is too
    short to stand as a quote. `cosines` are the passage's sentences' cosines, in order."""
    sentences = passage.sentences
    if len(sentences) == 1 or len(cosines) != len(sentences):
        return select_quote(passage, query_terms, weight)
    wanted = set(query_terms)
    gains = [math.fsum(weight(t) for t in s.terms & wanted) for s in sentences]  # as above
    most = max(gains) or 1.0
    scores = [c + lexical_weight * g / most for c, g in zip(cosines, gains, strict=True)]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    neighbours = [i for i in (best + 1, best - 1) if 0 <= i < len(sentences)]
    extension = max(neighbours, key=lambda i: (scores[i], i == best + 1))
    chosen = sentences[best].terms & wanted
    adds_words = bool((sentences[extension].terms & wanted) - chosen)
    close = scores[extension] >= scores[best] - neighbour_margin
    first = last = best
    if close or adds_words or sentences[best].words < MIN_QUOTE_WORDS:
        first, last = min(best, extension), max(best, extension)
    return sentences[first].start, sentences[last].end
