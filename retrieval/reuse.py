"""What a rebuild takes from the index it replaces, when only some files changed.

A reload after one file of a large corpus changed used to load, analyse and split every
passage again (over a minute at 100,000 passages). What a passage gives the index (its
terms and their counts) and the semantic layer (its sentence spans) is a function of its
text alone, for the same code and settings, which the cache's build key vouches for. So
a passage whose text the previous index holds lends its terms and spans; only the
others are analysed. The BM25 weights are computed again for every passage, since the
idf of a term and the mean passage length move with any change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corpus.models import Corpus
from retrieval.analyzer import Analyzer
from retrieval.sparse import SparseBM25
from retrieval.spelling import SpellingCorrector
from retrieval.units import SearchUnit, SentenceSpans, units_for

Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class PreviousIndex:
    """The corpus an index was built from, the index, its passages' sentence spans when
    it kept them, and its speller."""

    corpus: Corpus
    index: SparseBM25
    sentences: SentenceSpans | None = None
    speller: SpellingCorrector | None = None


def kept_positions(
    units: Sequence[SearchUnit], previous: Sequence[SearchUnit]
) -> npt.NDArray[np.int64]:
    """For each unit, the position of a previous unit that indexes the same text (each
    previous unit lent once), or -1."""
    by_text: dict[str, list[int]] = {}
    for position in range(len(previous) - 1, -1, -1):  # popped from the end: first first
        by_text.setdefault(previous[position].index_text, []).append(position)
    kept = np.full(len(units), -1, dtype=np.int64)
    for position, unit in enumerate(units):
        candidates = by_text.get(unit.index_text)
        if candidates:
            kept[position] = candidates.pop()
    return kept


def reused_index(
    units: Sequence[SearchUnit], previous: PreviousIndex, analyzer: Analyzer
) -> tuple[SparseBM25, int]:
    """The BM25 index of `units`, analysing only the units the previous index does not
    hold: (index, how many units were analysed)."""
    old_units = units_for(previous.corpus)
    if previous.index.size != len(old_units):
        raise ValueError("the previous index does not match its corpus")
    kept = kept_positions(units, old_units)
    fresh = {int(i): analyzer.analyze(units[int(i)].index_text) for i in np.flatnonzero(kept < 0)}
    return previous.index.rebuilt(kept, fresh), len(fresh)


def reused_sentences(corpus: Corpus, previous: PreviousIndex) -> list[Spans | None] | None:
    """The sentence spans of each passage whose text a previous passage had (None for
    the others, found when first needed), or None when the previous index kept none."""
    if previous.sentences is None or len(previous.sentences) != len(previous.corpus.passages):
        return None
    by_text = {p.text: s for p, s in zip(previous.corpus.passages, previous.sentences, strict=True)}
    return [by_text.get(passage.text) for passage in corpus.passages]


def reused_speller(
    corpus: Corpus, previous: PreviousIndex, analyzer: Analyzer
) -> SpellingCorrector | None:
    """The speller of `corpus` from the previous one: the words of the passages and
    titles that went, out; of those that came, in (the vocabulary's words, the third
    source, are the same on both sides). None without a previous speller."""
    if previous.speller is None:
        return None
    old, new = _texts(previous.corpus), _texts(corpus)
    return previous.speller.updated(_words(old - new, analyzer), _words(new - old, analyzer))


def _texts(corpus: Corpus) -> Counter[str]:
    return Counter(p.text for p in corpus.passages) + Counter(d.title for d in corpus.documents)


def _words(texts: Counter[str], analyzer: Analyzer) -> Iterator[str]:
    for text, count in texts.items():
        for _ in range(count):
            yield from analyzer.words(text)
