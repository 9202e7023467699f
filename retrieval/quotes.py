"""Choosing the sentence(s) of a passage to quote, and the words in them to mark."""

from __future__ import annotations

from collections.abc import Callable, Collection

from corpus.sentences import sentence_spans
from retrieval.analyzer import Analyzer
from retrieval.models import Span

MIN_QUOTE_WORDS = 12


def merge_spans(spans: list[Span]) -> tuple[Span, ...]:
    """Sorted, non-overlapping spans; touching ones are merged."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def matched_spans(analyzer: Analyzer, text: str, query_terms: Collection[str]) -> tuple[Span, ...]:
    """Spans of the words (or phrases, for concepts) in `text` whose terms are in the query."""
    return merge_spans([(t.start, t.end) for t in analyzer.tokens(text) if t.term in query_terms])


def select_quote(
    analyzer: Analyzer, text: str, query_terms: Collection[str], weight: Callable[[str], float]
) -> Span:
    """The best sentence of `text` for the query, with a neighbour when it adds matches or
    when the sentence alone is too short to stand as a quote."""
    sentences = sentence_spans(text)
    if len(sentences) <= 1:
        return sentences[0] if sentences else (0, len(text))

    def gain(span: Span, already: set[str]) -> float:
        terms = {t for t in analyzer.analyze(text[span[0] : span[1]]) if t in query_terms}
        return sum(weight(t) for t in terms - already)

    def terms_of(span: Span) -> set[str]:
        return {t for t in analyzer.analyze(text[span[0] : span[1]]) if t in query_terms}

    scores = [gain(span, set()) for span in sentences]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    chosen = terms_of(sentences[best])
    first = last = best
    neighbours = [i for i in (best + 1, best - 1) if 0 <= i < len(sentences)]
    extension = max(neighbours, key=lambda i: (gain(sentences[i], chosen), i == best + 1))
    short = len(text[sentences[best][0] : sentences[best][1]].split()) < MIN_QUOTE_WORDS
    if gain(sentences[extension], chosen) > 0 or short:
        first, last = min(best, extension), max(best, extension)
    return sentences[first][0], sentences[last][1]
