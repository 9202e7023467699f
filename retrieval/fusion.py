"""Fusing the lexical and the semantic scores into one ranking of passages.

A weighted sum of scores on comparable scales: BM25 divided by the question's best BM25
(so 1.0 is "the best lexical match for this question"), and cosines, which are already on
one scale across questions. The weights are measured on the training questions
(`docs/retrieval-measurements.md`); nothing here looks at a question's words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from retrieval.sparse import top_k

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FusionWeights:
    """Fitted on the training questions (a listwise logistic fit over the first four
    signals, rounded; the title's weight swept on its own afterwards, 0.1-1.0);
    `docs/retrieval-measurements.md` has the figures."""

    lexical: float = 0.25  # BM25 on the question's scale (`normalised_bm25`)
    sentence: float = 1.0  # cosine of the unit's best sentence
    passage: float = 0.3  # cosine of the whole unit (with its section title)
    coverage: float = 0.45  # idf-weighted share of the question's words the unit holds
    # The same share, of the unit's document's title: notes on two treaties repeat each
    # other's wording, and only the title says which treaty a sentence binds.
    title: float = 0.5


def normalised_bm25(
    scores: FloatArray, floor: float = 0.0, span: float | None = None
) -> FloatArray:
    """BM25 scores on the question's own scale: 0 for a passage matching no term, about 1
    for one holding every term of the question once (`LexicalIndex.scale`). Without a
    span, divided by the best score (zeros stay zeros)."""
    if span is None:
        best = float(scores.max()) if len(scores) else 0.0
        return scores / best if best > 0 else np.zeros_like(scores)
    return np.maximum(scores - floor, 0.0) / span


def fuse(
    lexical: FloatArray,
    best_sentence: FloatArray | None,
    passage: FloatArray | None,
    coverage: FloatArray | None,
    weights: FusionWeights,
    title: FloatArray | None = None,
) -> FloatArray:
    """One score per candidate. Without the semantic layer (None), BM25 alone ranks."""
    fused = weights.lexical * lexical
    if best_sentence is None:
        return fused
    fused = fused + weights.sentence * best_sentence
    if passage is not None and weights.passage:
        fused = fused + weights.passage * passage
    if coverage is not None and weights.coverage:
        fused = fused + weights.coverage * coverage
    if title is not None and weights.title:
        fused = fused + weights.title * title
    return fused


def top_positions(scores: FloatArray, k: int) -> list[int]:
    """The k best positions, best first; ties go to the earlier passage."""
    return [int(i) for i in top_k(scores, k)]
