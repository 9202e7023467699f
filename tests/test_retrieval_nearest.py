"""Nearest units: exact on small corpora, shortlisted by a projection on large ones."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from retrieval.nearest import NearestUnits


def unit_rows(matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


def embedding_like(count: int, seed: int = 7) -> npt.NDArray[np.float32]:
    """Vectors with most of their variance in a few directions, as sentence embeddings."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(40, 384))
    mixture = rng.normal(size=(count, 40)) @ topics + 0.3 * rng.normal(size=(count, 384))
    return unit_rows(mixture)


def exact_top(
    vectors: npt.NDArray[np.float32], query: npt.NDArray[np.float32], k: int
) -> list[int]:
    scores = vectors @ query
    return sorted(range(len(vectors)), key=lambda i: (-scores[i], i))[:k]


def test_a_small_corpus_is_scanned_exactly_ties_to_the_earlier_unit() -> None:
    vectors = embedding_like(500)
    vectors[10] = vectors[3]  # a tie
    nearest = NearestUnits(vectors)
    assert not nearest.projected_scan
    query = vectors[3]
    assert nearest.top(query, 5) == exact_top(vectors, query, 5)
    assert nearest.top(query, 2) == [3, 10]


def test_a_large_corpus_shortlists_by_projection_and_finds_the_exact_top() -> None:
    vectors = embedding_like(30_000)
    nearest = NearestUnits(vectors, exact_up_to=10_000)
    assert nearest.projected_scan
    rng = np.random.default_rng(1)
    for row in rng.choice(len(vectors), size=20, replace=False):
        query = unit_rows(vectors[row : row + 1] + 0.5 * rng.normal(size=(1, 384)) / 20)[0]
        assert nearest.top(query, 50) == exact_top(vectors, query, 50)


def test_cosines_are_exact_for_the_units_asked() -> None:
    vectors = embedding_like(100)
    nearest = NearestUnits(vectors)
    query = vectors[0]
    assert np.allclose(nearest.cosines(query, [0, 5, 9]), vectors[[0, 5, 9]] @ query)


def test_the_shortlist_holds_the_best_scores_in_position_order_even_when_tied() -> None:
    from retrieval.nearest import _shortlist

    rng = np.random.default_rng(3)
    scores = rng.normal(size=50_000).astype(np.float32)
    kept = _shortlist(scores, 2_000)
    assert list(kept) == sorted(kept) and 1_000 <= len(kept) <= 4_000
    best = set(np.argsort(-scores)[:500].tolist())
    assert best <= set(kept.tolist())
    # Two blocks of tied scores: the sampled cut would let all 50,000 through, so the
    # exact partition decides.
    blocks = np.repeat(np.array([1.0, 0.0], dtype=np.float32), [100, 49_900])
    assert len(_shortlist(blocks, 2_000)) == 2_000
