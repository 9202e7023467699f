"""The lexical half of retrieval: the question's words, BM25 scores, and how much of the
question a passage covers.

BM25 keeps what embeddings blur: exact terms, names, numbers and article references. The
coverage share (the idf-weighted part of the question's words a passage contains) is one
piece of evidence for the decision to answer.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from retrieval.analyzer import Analyzer, Token
from retrieval.definitions import asked_definition
from retrieval.evidence import CoveragePlan, QueryShape, coverage_plan, smooth_idf
from retrieval.quotes import AnalysedPassage, analyse_passage
from retrieval.scoring import BM25Params
from retrieval.sparse import SparseBM25
from retrieval.units import SearchUnit

ANALYSIS_CACHE_SIZE = 20_000
MAX_QUERY_TERMS = 64  # a pasted page must not cost a page of postings


@dataclass(frozen=True)
class LexicalQuery:
    """A question as the lexical side sees it."""

    words: list[Token]
    extra: list[Token]  # concepts, expansions, references, the definition asked for
    text: str

    @property
    def terms(self) -> list[str]:
        return [t.term for t in self.words + self.extra]

    @property
    def shape(self) -> QueryShape:
        return QueryShape(self.words, self.extra, self.text)

    def marked_terms(self, names_a_thing: frozenset[str]) -> set[str]:
        """Terms whose matches are marked in quotes: the question's own words and the
        named things it mentions, not what a word merely implies ("Estonia" does not mark
        "Lithuania" as a Baltic state)."""
        named = {e.term for e in self.extra if e.term in names_a_thing and not e.broader}
        return {w.term for w in self.words} | named


class LexicalIndex:
    """BM25 over search units (rank-bm25's formula, precomputed), and per-unit analysis."""

    def __init__(
        self,
        units: Sequence[SearchUnit],
        analyzer: Analyzer,
        params: BM25Params,
        index: SparseBM25 | None = None,
    ) -> None:
        self.units = units
        self.analyzer = analyzer
        if index is not None and index.size != len(units):
            raise ValueError("the given index does not match the corpus")
        self.index = index or SparseBM25.build(
            (analyzer.analyze(u.index_text) for u in units), params
        )
        # Passages that questions retrieve are analysed once; bounded for large corpora.
        self.analysed = functools.lru_cache(maxsize=ANALYSIS_CACHE_SIZE)(self._analyse)
        # The terms of a quote, with their spans, for marking the question's words in it:
        # only what is shown is tokenised, once per quote.
        self.quote_tokens = functools.lru_cache(maxsize=ANALYSIS_CACHE_SIZE)(self._quote_tokens)
        # The last question's coverage plan: ranking and evidence ask for it several times.
        self._last_plan: tuple[LexicalQuery, CoveragePlan] | None = None

    def _quote_tokens(self, position: int, start: int, end: int) -> tuple[Token, ...]:
        return tuple(self.analyzer.tokens(self.units[position].text[start:end]))

    def _analyse(self, position: int) -> AnalysedPassage:
        unit = self.units[position]
        return analyse_passage(self.analyzer, unit.text, unit.sentences)

    def query(self, question: str) -> LexicalQuery:
        words, extra = self.analyzer.split_tokens(question)
        defined = asked_definition(question)
        if defined:
            words = [w for w in words if not defined.is_frame_word(w.start, w.end)]
            extra.append(Token(self.analyzer.definition_token(defined.term), *defined.term_span))
        return LexicalQuery(_bounded(words), _bounded(extra), question)

    def scores(self, query: LexicalQuery) -> npt.NDArray[np.float64]:
        if not query.terms:
            return np.zeros(self.index.size)
        return self.index.scores(query.terms)

    def scale(self, query: LexicalQuery) -> tuple[float, float]:
        """(floor, span) of this question's BM25 scores: what every passage gets (BM25+'s
        delta for absent terms) and what a passage holding each term once, at average
        length, adds to it. A term the corpus lacks counts as the rarest term, matched by
        none, so a question of mostly unknown words scores low everywhere."""
        index = self.index
        rarest = index.rarest_idf
        floor = span = 0.0
        for term in dict.fromkeys(query.terms):  # in order: the same sums every run
            term_id = index.term_ids.get(term)
            if term_id is None:
                span += rarest
            else:
                floor += float(index.absent[term_id])
                span += float(index.idf[term_id])
        return floor, span or 1.0

    def doc_freq(self, term: str) -> int:
        return self.index.term_doc_freq(term)

    def weight(self, term: str) -> float:
        return smooth_idf(self.doc_freq(term), self.index.size)

    def knows(self, term: str) -> bool:
        return term in self.index.term_ids

    def plan(self, query: LexicalQuery) -> CoveragePlan:
        """The question's coverage plan (its words' weights and alternatives), built once
        for the question being answered."""
        last = self._last_plan  # read once: another thread may replace it meanwhile
        if last is not None and last[0] is query:
            return last[1]
        plan = coverage_plan(query.shape, self.doc_freq, self.index.size)
        self._last_plan = (query, plan)
        return plan

    def coverage(self, query: LexicalQuery, positions: Sequence[int]) -> list[float]:
        """For each passage, the idf-weighted share of the question's words it contains."""
        plan = self.plan(query)
        wanted = np.asarray(positions, dtype=np.intp)
        shares = plan.shares(lambda term: self.index.holds(term, wanted), len(wanted))
        return [float(x) for x in shares]

    def shares_of(self, query: LexicalQuery, texts: Sequence[set[str]]) -> list[float]:
        """For each bag of terms, the idf-weighted share of the question's words it holds."""
        plan = self.plan(query)
        return [plan.share(terms) for terms in texts]

    def known_share(self, query: LexicalQuery) -> float:
        """The idf-weighted share of the question's words that the corpus holds, itself or
        through a concept over it ("Ottawa treaty" where the sources say "APMBC")."""
        plan = self.plan(query)
        held = {term for _, terms in plan.words for term in terms if self.doc_freq(term) > 0}
        return plan.share(held)

    def uncovered_peak(self, query: LexicalQuery, position: int) -> float:
        """See `CoveragePlan.uncovered_peak`."""
        plan = self.plan(query)
        return plan.uncovered_peak(lambda term: self.index.contains(term, position))


def _bounded(tokens: list[Token]) -> list[Token]:
    """The first occurrence of each term, at most MAX_QUERY_TERMS of them."""
    seen: set[str] = set()
    kept: list[Token] = []
    for token in tokens:
        if token.term not in seen and len(kept) < MAX_QUERY_TERMS:
            seen.add(token.term)
            kept.append(token)
    return kept
