"""The sparse BM25 index scores exactly as rank-bm25 does, for every variant and parameter."""

from __future__ import annotations

import random

import numpy as np
import pytest

from retrieval.scoring import BM25Params, Variant
from retrieval.sparse import SparseBM25, top_k

SEEDS = range(8)


def random_corpus(rng: random.Random) -> tuple[list[list[str]], list[str]]:
    """Documents over a small vocabulary, with the awkward cases rank-bm25 treats specially:
    a term in exactly half of the documents (IDF 0 for Okapi), terms in most documents
    (negative Okapi IDF, floored by epsilon), documents of one word, and long documents."""
    n_docs = rng.choice([2, 4, 6, 10, 17])
    vocabulary = [f"w{i}" for i in range(rng.randint(3, 12))]
    docs: list[list[str]] = []
    for _ in range(n_docs):
        length = rng.choice([1, 1, 2, 5, 9, 30])
        docs.append([rng.choice(vocabulary) for _ in range(length)])
    half = rng.sample(range(n_docs), n_docs // 2)
    for i in half:
        docs[i].append("half")
    for doc in docs:
        if rng.random() < 0.8:
            doc.append("common")
    solo = next(i for i in range(n_docs) if i not in half)
    docs[solo] = [rng.choice(vocabulary)]  # a document of one word
    query = [rng.choice([*vocabulary, "half", "common"]) for _ in range(rng.randint(1, 6))]
    query += [query[0], "absent-term"]  # a repeated term and one the index has never seen
    rng.shuffle(query)
    return docs, query


def random_params(rng: random.Random, variant: Variant) -> BM25Params:
    # k1 = 0 is left out: rank-bm25 itself divides 0 by 0 there (a RuntimeWarning, NaN).
    k1 = rng.choice([0.1, 0.5, 1.2, 1.5, 2.7, rng.uniform(0.1, 3.0)])
    b = rng.choice([0.0, 0.75, 1.0, rng.uniform(0.0, 1.0)])
    delta = rng.choice([None, rng.uniform(0.1, 2.0)])
    return BM25Params(variant=variant, k1=k1, b=b, epsilon=rng.uniform(0.1, 0.5), delta=delta)


@pytest.mark.parametrize("variant", list(Variant))
@pytest.mark.parametrize("seed", SEEDS)
def test_scores_equal_rank_bm25(variant: Variant, seed: int) -> None:
    rng = random.Random(f"{variant}-{seed}")
    for _ in range(5):
        docs, query = random_corpus(rng)
        params = random_params(rng, variant)
        ours = SparseBM25.build(docs, params).scores(query)
        reference = np.asarray(params.reference_model(docs).get_scores(query), dtype=float)
        assert ours.shape == (len(docs),)
        assert np.allclose(ours, reference, rtol=1e-5, atol=1e-6), (params, docs, query)


@pytest.mark.parametrize("variant", list(Variant))
def test_term_in_exactly_half_of_the_documents(variant: Variant) -> None:
    docs = [["a", "x"], ["a"], ["b", "x"], ["b"]]
    params = BM25Params(variant=variant)
    for query in (["x"], ["a", "x"], ["x", "x"], ["zzz"], []):
        ours = SparseBM25.build(docs, params).scores(query)
        reference = params.reference_model(docs).get_scores(query)
        assert np.allclose(ours, reference, rtol=1e-5, atol=1e-6), query


@pytest.mark.parametrize("variant", list(Variant))
def test_repeated_query_terms_count_again(variant: Variant) -> None:
    docs = [["mine", "ban"], ["snow"], ["ice"], ["rain"], ["mine", "mine", "mine"]]
    index = SparseBM25.build(docs, BM25Params(variant=variant))
    once, twice = index.scores(["mine"]), index.scores(["mine", "mine"])
    assert np.allclose(twice, 2 * once)
    assert once[0] > once[1] and once[4] > once[1]


def test_boosts_scale_a_terms_contribution() -> None:
    docs = [["mine", "ban"], ["snow"], ["mine"]]
    index = SparseBM25.build(docs, BM25Params())
    assert np.allclose(
        index.scores(["mine", "snow"], [2.0, 1.0]), index.scores(["mine"] * 2 + ["snow"])
    )


def test_unknown_terms_score_nothing() -> None:
    index = SparseBM25.build([["a"], ["b"]], BM25Params(Variant.OKAPI))
    assert np.array_equal(index.scores(["zzz"]), np.zeros(2))
    assert index.term_doc_freq("zzz") == 0
    assert index.term_idf("zzz") is None
    assert index.term_doc_freq("a") == 1


def test_top_is_sorted_best_first_with_ties_by_position() -> None:
    index = SparseBM25.build([["a"], ["b"]], BM25Params())
    scores = np.array([0.5, 2.0, 0.5, 3.0, 1.0, 2.0])
    assert index.top(scores, 3).tolist() == [3, 1, 5]
    assert index.top(scores, 100).tolist() == [3, 1, 5, 4, 0, 2]
    assert index.top(scores, 0).tolist() == []


def test_top_breaks_a_tie_at_the_cut_off_by_position() -> None:
    index = SparseBM25.build([["a"], ["b"]], BM25Params())
    # Passages 0-3 tie; the two best after passage 4 must be 0 and 1 (as documented).
    assert index.top(np.array([1.0, 1.0, 1.0, 1.0, 2.0]), 3).tolist() == [4, 0, 1]


@pytest.mark.parametrize("seed", SEEDS)
def test_top_agrees_with_a_full_sort(seed: int) -> None:
    rng = random.Random(seed)
    docs, query = random_corpus(rng)
    index = SparseBM25.build(docs, BM25Params(Variant.BM25PLUS))
    scores = index.scores(query)
    for k in (1, 3, len(docs), len(docs) + 5):
        top = index.top(scores, k).tolist()
        assert len(top) == min(k, len(docs))
        assert len(set(top)) == len(top)
        best_scores = sorted(scores.tolist(), reverse=True)[:k]
        assert scores[top].tolist() == best_scores  # the k best, best first
        if k >= len(docs):
            assert top == sorted(range(len(docs)), key=lambda i: (-scores[i], i))


@pytest.mark.parametrize("seed", SEEDS)
def test_top_of_a_large_array_is_the_full_sorts_with_ties_by_position(seed: int) -> None:
    # Large enough for the sampled floor; few distinct values, so the cut-off is a tie.
    generator = np.random.default_rng(seed)
    scores = generator.integers(0, 40, 20_000).astype(np.float64)
    scores[generator.integers(0, 20_000, 30)] = 100.0
    full = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    for k in (1, 10, 30, 31, 50, 300, 5_000):
        assert top_k(scores, k).tolist() == full[:k]
    constant = np.full(20_000, 1.5)
    assert top_k(constant, 10).tolist() == list(range(10))


def test_building_an_empty_corpus_fails() -> None:
    with pytest.raises(ValueError):
        SparseBM25.build([], BM25Params())
    with pytest.raises(ValueError):
        SparseBM25.build(iter(()), BM25Params(Variant.BM25L))


def test_build_consumes_a_generator_once() -> None:
    docs = [["a", "b"], ["b"], ["c", "c"]]
    params = BM25Params(Variant.BM25L)
    index = SparseBM25.build((d for d in docs), params)
    assert index.size == 3
    assert np.allclose(
        index.scores(["c", "b"]), params.reference_model(docs).get_scores(["c", "b"])
    )


def test_holds_agrees_with_the_passages_own_terms() -> None:
    import numpy as np

    from retrieval.scoring import BM25Params as Params
    from retrieval.sparse import SparseBM25 as Index

    docs = [["mine", "ban"], ["ban"], ["treaty", "mine", "mine"], [], ["clearance"]]
    index = Index.build(docs, Params())
    positions = np.array([4, 0, 2, 3, 1, 2])
    for term in ("mine", "ban", "treaty", "clearance", "absent"):
        expected = [term in docs[p] for p in positions]
        assert index.holds(term, positions).tolist() == expected
