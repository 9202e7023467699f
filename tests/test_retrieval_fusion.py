"""Fusion: BM25 normalised per question, cosines and coverage added with fixed weights."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.fusion import FusionWeights, fuse, normalised_bm25, top_positions


def test_bm25_is_put_on_the_questions_own_scale() -> None:
    # Without a scale: divided by the best score.
    assert normalised_bm25(np.array([2.0, 8.0, 0.0])).tolist() == [0.25, 1.0, 0.0]
    assert normalised_bm25(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    assert normalised_bm25(np.zeros(0)).tolist() == []
    # With one: the floor every passage gets is taken off, then divided by the span.
    scaled = normalised_bm25(np.array([1.0, 3.0, 5.0]), floor=1.0, span=4.0)
    assert scaled.tolist() == [0.0, 0.5, 1.0]


def test_a_passage_close_in_meaning_beats_one_that_only_shares_words() -> None:
    lexical = np.array([1.0, 0.3])  # passage 0 repeats the question's words
    sentence = np.array([0.20, 0.80])  # passage 1 says what the question asks
    fused = fuse(lexical, sentence, None, None, FusionWeights(lexical=0.25, sentence=1.0))
    assert top_positions(fused, 2) == [1, 0]


def test_exact_terms_decide_between_passages_equally_close_in_meaning() -> None:
    lexical = np.array([0.2, 1.0])  # "Article 5" appears in passage 1 only
    sentence = np.array([0.6, 0.6])
    fused = fuse(lexical, sentence, None, None, FusionWeights())
    assert top_positions(fused, 1) == [1]


def test_each_weight_scales_its_own_signal() -> None:
    lexical, sentence = np.array([4.0, 2.0]), np.array([0.5, 0.1])
    passage, coverage = np.array([0.3, 0.9]), np.array([1.0, 0.5])
    weights = FusionWeights(lexical=0.5, sentence=2.0, passage=0.25, coverage=0.1)
    expected = 0.5 * lexical + 2.0 * sentence + 0.25 * passage + 0.1 * coverage
    assert fuse(lexical, sentence, passage, coverage, weights) == pytest.approx(expected)


def test_without_the_semantic_layer_bm25_alone_ranks() -> None:
    lexical = np.array([1.0, 3.0, 2.0])
    fused = fuse(lexical, None, None, np.array([1.0, 0.0, 0.0]), FusionWeights())
    assert top_positions(fused, 3) == [1, 2, 0]


def test_ties_go_to_the_earlier_passage() -> None:
    assert top_positions(np.array([0.5, 0.7, 0.7, 0.5]), 3) == [1, 2, 0]
    assert top_positions(np.array([1.0]), 5) == [0]
    assert top_positions(np.array([1.0, 2.0]), 0) == []
