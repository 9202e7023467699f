"""BM25 variants as small pure functions, with rank-bm25 as the reference for every formula.

Each variant in `rank_bm25` scores a passage as a sum over query terms of a weight that only
depends on the term and the passage. `term_weights` computes that weight for the passages
that contain the term; `absent_weight` is what the variant gives a passage that does not
(zero for Okapi and BM25L, `idf * delta` for BM25+). The IDF tables come from rank-bm25's
own `_calc_idf`, so its choices (Okapi's epsilon floor for negative IDFs, for instance) are
kept exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import rank_bm25

FloatArray = npt.NDArray[np.float64]


class Variant(StrEnum):
    OKAPI = "okapi"
    BM25L = "bm25l"
    BM25PLUS = "bm25plus"


_RANK_BM25_CLASSES: dict[Variant, Any] = {
    Variant.OKAPI: rank_bm25.BM25Okapi,
    Variant.BM25L: rank_bm25.BM25L,
    Variant.BM25PLUS: rank_bm25.BM25Plus,
}


@dataclass(frozen=True)
class BM25Params:
    """A variant and its parameters; the defaults are rank-bm25's own."""

    variant: Variant = Variant.OKAPI
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25  # Okapi only
    delta: float | None = None  # BM25L (default 0.5) and BM25+ (default 1.0)

    @property
    def effective_delta(self) -> float:
        if self.delta is not None:
            return self.delta
        return 0.5 if self.variant is Variant.BM25L else 1.0

    def reference_model(self, tokenized_corpus: list[list[str]]) -> Any:
        """The rank-bm25 object these parameters describe (for tests and comparisons)."""
        cls = _RANK_BM25_CLASSES[self.variant]
        if self.variant is Variant.OKAPI:
            return cls(tokenized_corpus, k1=self.k1, b=self.b, epsilon=self.epsilon)
        return cls(tokenized_corpus, k1=self.k1, b=self.b, delta=self.effective_delta)


def idf_table(
    params: BM25Params, document_frequency: dict[str, int], corpus_size: int
) -> dict[str, float]:
    """IDF per term, computed by rank-bm25's `_calc_idf` on our document frequencies.

    The model object is created without its constructor (which would re-count the whole
    corpus in Python); only the attributes `_calc_idf` reads are set.
    """
    cls = _RANK_BM25_CLASSES[params.variant]
    model = cls.__new__(cls)
    model.corpus_size = corpus_size
    model.idf = {}
    model.k1, model.b = params.k1, params.b
    model.epsilon, model.delta = params.epsilon, params.effective_delta
    model._calc_idf(document_frequency)
    idf: dict[str, float] = model.idf
    return idf


def _length_norm(doc_len: FloatArray, avgdl: float, b: float) -> FloatArray:
    return np.asarray(1 - b + b * doc_len / avgdl, dtype=np.float64)


def okapi_weights(
    tf: FloatArray, doc_len: FloatArray, avgdl: float, idf: FloatArray, params: BM25Params
) -> FloatArray:
    """Robertson-Sparck Jones BM25 as in rank_bm25.BM25Okapi.get_scores:
    idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))."""
    k1 = params.k1
    return idf * (tf * (k1 + 1) / (tf + k1 * _length_norm(doc_len, avgdl, params.b)))


def bm25l_weights(
    tf: FloatArray, doc_len: FloatArray, avgdl: float, idf: FloatArray, params: BM25Params
) -> FloatArray:
    """Lv & Zhai's BM25L as in rank_bm25.BM25L.get_scores (which also multiplies by tf):
    idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta), ctd = tf / norm."""
    k1, delta = params.k1, params.effective_delta
    ctd = tf / _length_norm(doc_len, avgdl, params.b)
    return idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)


def bm25plus_weights(
    tf: FloatArray, doc_len: FloatArray, avgdl: float, idf: FloatArray, params: BM25Params
) -> FloatArray:
    """Lv & Zhai's BM25+ as in rank_bm25.BM25Plus.get_scores, without the `idf * delta`
    that every passage gets (see `absent_weight`):
    idf * tf * (k1 + 1) / (k1 * norm + tf)."""
    k1 = params.k1
    return idf * (tf * (k1 + 1)) / (k1 * _length_norm(doc_len, avgdl, params.b) + tf)


def term_weights(
    tf: FloatArray, doc_len: FloatArray, avgdl: float, idf: FloatArray, params: BM25Params
) -> FloatArray:
    """The selector: weights of (term, passage) pairs where the term occurs."""
    functions = {
        Variant.OKAPI: okapi_weights,
        Variant.BM25L: bm25l_weights,
        Variant.BM25PLUS: bm25plus_weights,
    }
    return functions[params.variant](tf, doc_len, avgdl, idf, params)


def absent_weight(idf: FloatArray, params: BM25Params) -> FloatArray:
    """What each term adds to every passage, containing it or not (BM25+'s delta)."""
    if params.variant is Variant.BM25PLUS:
        return idf * params.effective_delta
    return np.zeros_like(idf)
