"""BM25 as a term-major sparse matrix: a query is the sum of a few precomputed rows.

Scoring passage by passage in Python (what rank-bm25 does) costs O(passages) Python work per
query term; here every (term, passage) weight is computed once at indexing, so a query costs
numpy work proportional to the postings of its terms.
"""

from __future__ import annotations

import functools
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.scoring import BM25Params, absent_weight, idf_table, term_weights


@dataclass(frozen=True)
class SparseBM25:
    """Postings of each term: passage numbers and their precomputed BM25 weights."""

    params: BM25Params
    term_ids: dict[str, int]
    indptr: npt.NDArray[np.int64]  # postings of term t: [indptr[t], indptr[t + 1])
    postings: npt.NDArray[np.int32]  # passage numbers
    weights: npt.NDArray[np.float32]
    absent: npt.NDArray[np.float64]  # per term: added to every passage (BM25+ only)
    doc_freq: npt.NDArray[np.int32]
    idf: npt.NDArray[np.float64]
    doc_len: npt.NDArray[np.int32]
    tf: npt.NDArray[np.uint32]  # each posting's term count: what `rebuilt` keeps

    @property
    def size(self) -> int:
        return len(self.doc_len)

    @functools.cached_property
    def rarest_idf(self) -> float:
        """The largest idf of any term (1.0 for an empty vocabulary): read once, not at
        every question, since it scans the whole vocabulary."""
        return float(self.idf.max()) if len(self.idf) else 1.0

    @classmethod
    def build(cls, tokenized: Iterable[Sequence[str]], params: BM25Params) -> SparseBM25:
        """Index passages given as term lists; the iterable is consumed once."""
        vocabulary: defaultdict[str, int] = defaultdict()
        vocabulary.default_factory = vocabulary.__len__
        flat = array("i")
        lengths = array("i")
        for terms in tokenized:
            lengths.append(len(terms))
            flat.extend(map(vocabulary.__getitem__, terms))
        term_ids = dict(vocabulary)
        n_docs = len(lengths)
        if n_docs == 0:
            raise ValueError("cannot index an empty corpus")
        doc_len = np.frombuffer(lengths, dtype=np.int32).copy()
        term_of = np.frombuffer(flat, dtype=np.int32)
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), doc_len)
        pairs = term_of.astype(np.int64) * n_docs + doc_of
        del doc_of
        pairs, tf = np.unique(pairs, return_counts=True)
        pair_terms = (pairs // n_docs).astype(np.int32)
        postings = (pairs % n_docs).astype(np.int32)
        del pairs
        return cls._from_postings(params, list(term_ids), pair_terms, postings, tf, doc_len)

    @classmethod
    def _from_postings(
        cls,
        params: BM25Params,
        names: list[str],
        pair_terms: npt.NDArray[np.int32],
        postings: npt.NDArray[np.int32],
        tf: npt.NDArray[np.integer[Any]],
        doc_len: npt.NDArray[np.int32],
    ) -> SparseBM25:
        """The index from its (term, passage, count) triples, sorted by term then passage;
        every term of `names` has at least one."""
        n_docs, n_terms = len(doc_len), len(names)
        doc_freq = np.bincount(pair_terms, minlength=n_terms).astype(np.int32)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(doc_freq, out=indptr[1:])
        avgdl = float(doc_len.sum()) / n_docs
        idf_by_term = idf_table(params, dict(zip(names, doc_freq.tolist(), strict=True)), n_docs)
        idf = np.array([idf_by_term[name] for name in names], dtype=np.float64)
        weights = term_weights(
            tf.astype(np.float64),
            doc_len[postings].astype(np.float64),
            avgdl,
            idf[pair_terms],
            params,
        ).astype(np.float32)
        return cls(
            params=params,
            term_ids={name: i for i, name in enumerate(names)},
            indptr=indptr,
            postings=postings,
            weights=weights,
            absent=absent_weight(idf, params),
            doc_freq=doc_freq,
            idf=idf,
            doc_len=doc_len,
            tf=tf.astype(np.uint32),
        )

    def rebuilt(
        self, kept: npt.NDArray[np.int64], fresh: Mapping[int, Sequence[str]]
    ) -> SparseBM25:
        """The index of a new list of passages, where passage i is this index's passage
        `kept[i]` (the same text, so the same terms) when that is >= 0, and otherwise the
        term list `fresh[i]`. Only the fresh passages are analysed; the weights are all
        computed again, since every idf and the mean length may have moved. The result is
        what `build` gives for the new list, up to the numbering of the terms (with
        rank-bm25's Okapi variant, whose idf floor averages over the terms, up to the
        order of that float sum). A passage may be kept once only."""
        n_docs = len(kept)
        if n_docs == 0:
            raise ValueError("cannot index an empty corpus")
        new_of_old = np.full(self.size, -1, dtype=np.int64)
        reused = np.flatnonzero(kept >= 0)
        new_of_old[kept[reused]] = reused
        if len(np.unique(kept[reused])) != len(reused):
            raise ValueError("a passage of the index is kept twice")
        old_terms = np.repeat(np.arange(len(self.doc_freq), dtype=np.int64), self.doc_freq)
        moved = new_of_old[self.postings]
        take = moved >= 0
        # Each posting as one sortable key, term-major: term * passages + passage.
        kept_keys = old_terms[take] * n_docs + moved[take]
        kept_tf = self.tf[take].astype(np.int64)
        del old_terms, moved, take
        names = sorted(self.term_ids, key=self.term_ids.__getitem__)
        vocabulary = {name: i for i, name in enumerate(names)}
        doc_len = np.zeros(n_docs, dtype=np.int32)
        doc_len[reused] = self.doc_len[kept[reused]]
        flat, docs = array("q"), array("q")
        for position, terms in fresh.items():
            if kept[position] >= 0:
                raise ValueError(f"passage {position} is both kept and fresh")
            doc_len[position] = len(terms)
            for term in terms:
                flat.append(vocabulary.setdefault(term, len(vocabulary)))
            docs.extend([position] * len(terms))
        names = list(vocabulary)
        fresh_keys, fresh_tf = np.unique(
            np.frombuffer(flat, dtype=np.int64) * n_docs + np.frombuffer(docs, dtype=np.int64),
            return_counts=True,
        )
        if len(kept_keys) < 2 or bool(np.all(kept_keys[1:] > kept_keys[:-1])):
            # The kept passages are in their old order (the usual case): the kept keys
            # are sorted already, and the few fresh ones are merged in, not sorted in.
            at = np.searchsorted(kept_keys, fresh_keys)
            keys, tf = np.insert(kept_keys, at, fresh_keys), np.insert(kept_tf, at, fresh_tf)
        else:
            keys = np.concatenate([kept_keys, fresh_keys])
            order = np.argsort(keys, kind="stable")
            keys, tf = keys[order], np.concatenate([kept_tf, fresh_tf])[order]
        terms_of, docs_of = np.divmod(keys, n_docs)
        present = np.bincount(terms_of, minlength=len(names)) > 0  # drop vanished terms
        renumbered = np.cumsum(present) - 1
        return SparseBM25._from_postings(
            self.params,
            [names[i] for i in np.flatnonzero(present).tolist()],
            renumbered[terms_of].astype(np.int32),
            docs_of.astype(np.int32),
            tf,
            doc_len,
        )

    def scores(
        self, terms: Sequence[str], boosts: Sequence[float] | None = None
    ) -> npt.NDArray[np.float64]:
        """Scores of every passage for the query terms (repeats count, as in rank-bm25).

        `boosts` scales each query term's contribution (1.0 when omitted).
        """
        rows: list[npt.NDArray[np.int32]] = []
        values: list[npt.NDArray[Any]] = []
        constant = 0.0
        for position, term in enumerate(terms):
            term_id = self.term_ids.get(term)
            if term_id is None:
                continue
            boost = 1.0 if boosts is None else boosts[position]
            start, end = self.indptr[term_id], self.indptr[term_id + 1]
            rows.append(self.postings[start:end])
            chunk = self.weights[start:end]
            values.append(chunk if boost == 1.0 else chunk * boost)
            constant += float(self.absent[term_id]) * boost
        if not rows:
            return np.full(self.size, constant)
        # Concatenated straight into numpy's own index and float types: given int32 rows
        # and float32 weights, bincount casts both itself, 20-30% slower at 100,000
        # passages (numpy 2.4); the sums are the same, it adds in float64 either way.
        scores: npt.NDArray[np.float64] = np.bincount(
            np.concatenate(rows, dtype=np.intp),
            weights=np.concatenate(values, dtype=np.float64),
            minlength=self.size,
        ).astype(np.float64, copy=False)  # (float64 already: the cast is for the type checker)
        if constant:
            scores += constant
        return scores

    def top(self, scores: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
        """Passage numbers of the k best scores, best first (ties: lower number first)."""
        return top_k(scores, k)

    def holds(self, term: str, positions: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        """Whether each passage in `positions` contains `term` (its postings are sorted, so
        this costs a binary search a passage, whatever the corpus's size)."""
        term_id = self.term_ids.get(term)
        if term_id is None:
            return np.zeros(len(positions), dtype=bool)
        found = self.postings[self.indptr[term_id] : self.indptr[term_id + 1]]
        # In the postings' own type: numpy would otherwise copy the postings to int64 first.
        positions = positions.astype(found.dtype, copy=False)
        at = np.searchsorted(found, positions)
        inside = at < len(found)
        result: npt.NDArray[np.bool_] = np.zeros(len(positions), dtype=bool)
        result[inside] = found[at[inside]] == positions[inside]
        return result

    def contains(self, term: str, position: int) -> bool:
        """Whether passage `position` contains `term` (one binary search)."""
        return bool(self.holds(term, np.array([position], dtype=np.intp))[0])

    def term_idf(self, term: str) -> float | None:
        term_id = self.term_ids.get(term)
        return None if term_id is None else float(self.idf[term_id])

    def term_doc_freq(self, term: str) -> int:
        term_id = self.term_ids.get(term)
        return 0 if term_id is None else int(self.doc_freq[term_id])


SAMPLE_STRIDE = 16  # top_k's sample: every 16th score


def top_k(scores: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
    """Positions of the k best scores, best first (ties: lower position first).

    Over a large array, the k-th best of every 16th score is a floor the k best cannot be
    below, so only the scores above it are ranked: one comparison pass instead of a
    partition of the whole array (at 100,000 passages, most of `top_k`'s time).
    """
    k = min(k, len(scores))
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    sample = scores[::SAMPLE_STRIDE]
    if len(sample) > 4 * k:
        floor = np.partition(sample, len(sample) - k)[len(sample) - k]
        pool = np.flatnonzero(scores > floor)
        if len(pool) < k:  # the k-th best is the floor itself: its ties count too
            pool = np.flatnonzero(scores >= floor)
        return pool[_exact_top_k(scores[pool], k)]
    return _exact_top_k(scores, k)


def _exact_top_k(scores: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
    if k < len(scores):
        candidates = np.argpartition(-scores, k - 1)[:k]
        kth = scores[candidates].min()
        # argpartition cuts a tie at the k-th place arbitrarily: take the tied passages
        # with the lowest numbers instead.
        above = np.flatnonzero(scores > kth)
        tied = np.flatnonzero(scores == kth)[: k - len(above)]
        candidates = np.concatenate([above, tied])
    else:
        candidates = np.arange(len(scores))
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order]
