"""The retriever: from a question to cited quotes, or to an honest "the sources do not say".

`search` is a short pipeline; each step lives in its own module:

1. `correction`: misspelt words (unknown to the corpus and to English) are corrected;
2. `metadata` and `naming`: a question about a document itself (authors, date, tags) is
   answered from the metadata of the document it names or describes;
3. `lexical`: BM25 over passages (rank-bm25's formula) and coverage of the question;
4. `semantic`: cosines of the question to every passage and to candidate sentences;
5. `fusion`: one ranking from both;
6. `decision`: a calibrated model decides whether the best hit answers at all;
7. `quotes`: the sentence(s) of each hit to show, and the words to mark.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from corpus.models import Corpus, Document, Passage
from retrieval.analyzer import Analyzer
from retrieval.correction import CorrectedQuestion, QuestionCorrector
from retrieval.decision import DecisionModels, Evidence, load_decision_models
from retrieval.evidence import (
    QueryShape,
    asks_for_quantity_or_time,
    check_answer_type,
    counted_words,
    lacks_asked_answer_type,
    named_gaps,
    smooth_idf,
    without_framing,
)
from retrieval.fusion import FloatArray, FusionWeights, fuse, normalised_bm25, top_positions
from retrieval.lexical import LexicalIndex, LexicalQuery
from retrieval.metadata import (
    FIELD_LABELS,
    MetadataEntry,
    MetadataQuestion,
    common_stems,
    detect_metadata_question,
    entries_for,
    field_stems,
    metadata_field_words,
)
from retrieval.models import Answer, Hit
from retrieval.naming import DocumentNaming
from retrieval.quotes import marked, matched_spans, select_quote, select_quote_by_meaning
from retrieval.scoring import BM25Params, Variant
from retrieval.semantic import SemanticIndex, Vectors
from retrieval.sparse import SparseBM25
from retrieval.spelling import SpellingCorrector
from retrieval.units import SearchUnit, units_for

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
# Fields that say who made a document and when, not what it is about.
IDENTITY_FIELDS = frozenset({"authors", "date", "publisher"})
WORD_VECTOR_CACHE_SIZE = 4096  # words of "how many" questions and of the counts quoted
# Characters that change nothing a reader sees but split words: zero-width joiners and
# spaces, soft hyphens, bidirectional marks, the byte-order mark.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class RetrievalConfig:
    """Tunables, measured on the training questions and chosen on the dev questions."""

    params: BM25Params = field(default_factory=lambda: BM25Params(Variant.BM25PLUS, k1=1.5, b=0.5))
    fusion: FusionWeights = field(default_factory=FusionWeights)
    candidates: int = 50  # per side: the best lexical and the best semantic passages
    max_hits: int = 10
    relative_floor: float = 0.5  # hits whose fused score is below this share of the best
    # Matched words beside the sentence cosine when choosing the quote. 0.6 suited the
    # untuned model; the fine-tuned one picks the answering sentence better alone
    # (cross-fitted training questions, quote hit@1: 0.710 at 0.6, 0.758 at 0; dev: 0.773,
    # 0.853). Matched words still add a neighbouring sentence.
    quote_lexical_weight: float = 0.0
    quote_neighbour_margin: float = 0.3
    # "How many X": a quote counting a word this close in meaning to X counts X (a round
    # value between "countries"/"states", 0.66, and "countries"/"years", 0.22).
    counted_similarity: float = 0.5
    # A metadata question whose words name no document ("who wrote the piece telling the
    # Nordic governments to stick with the ban?") names the one whose title is this close
    # in meaning, and this much closer than any other's (training questions: every
    # metadata question above 0.35 asked about that document, and no content question
    # reached it; the runner-up margin keeps two notes on one treaty apart).
    title_naming_cosine: float = 0.35
    title_naming_margin: float = 0.05
    # A metadata field's fused score when the question's words point at another document
    # or at none (`Retriever._discount_unasked_fields`). Training files: 0.75 answered 14
    # unanswerable questions with a field instead of 33, ranked 3 more right first and
    # lost none; 0.5 and 0 lost an off-topic abstention on dev, 0.75 changed no dev item.
    # Hybrid mode only: in lexical mode it lost 2 dev items.
    unasked_field_weight: float = 0.75


def normalise_question(question: str) -> str:
    """NFC, no invisible or control characters, single spaces, bounded length."""
    question = _CONTROL.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", question)))
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


@dataclass(frozen=True)
class Ranking:
    """Candidate passages in fused order, with what the decision and quotes need."""

    positions: list[int]
    fused: dict[int, float]
    sentence_cosines: dict[int, list[float]]  # per candidate: its sentences' cosines
    passage_cosines: dict[int, float]
    centroid: float = 0.0  # cosine of the question to what the sources are about
    background: float = 0.0  # cosine of the question to the nearest off-subject question


@dataclass(frozen=True)
class Assessment:
    """A question after correction, analysis and ranking, before the decision to answer."""

    question: str
    corrected: CorrectedQuestion
    query: LexicalQuery | None = None  # None: no searchable word
    metadata_hits: list[Hit] | None = None  # a question about a document itself
    ranking: Ranking | None = None
    evidence: Evidence | None = None
    top_hit: Hit | None = None  # the best hit, as the evidence read it (and as shown)


class Retriever:
    """A searchable corpus. Build it off the event loop: indexing is CPU work."""

    def __init__(
        self,
        corpus: Corpus,
        config: RetrievalConfig | None = None,
        analyzer: Analyzer | None = None,
        index: SparseBM25 | None = None,
        semantic: SemanticIndex | None = None,
        decision: DecisionModels | None = None,
        speller: SpellingCorrector | None = None,
        units: tuple[SearchUnit, ...] | None = None,
    ) -> None:
        self.corpus = corpus
        self.config = config or RetrievalConfig()
        self.analyzer = analyzer or Analyzer()
        self.passages: tuple[Passage, ...] = corpus.passages
        self.documents: dict[str, Document] = {d.id: d for d in corpus.documents}
        if not self.passages:
            raise ValueError("the corpus has no passages to index")
        self._passages_by_id = {p.id: p for p in self.passages}
        self.units: tuple[SearchUnit, ...] = units if units is not None else units_for(corpus)
        if semantic is not None and semantic.size != len(self.units):
            raise ValueError("the semantic index does not match the corpus")
        self.lexical = LexicalIndex(self.units, self.analyzer, self.config.params, index)
        self.semantic = semantic
        self.decision = (decision or load_decision_models()).for_mode(semantic is not None)
        self.metadata: dict[str, list[MetadataEntry]] = {
            d.id: entries_for(d) for d in corpus.documents
        }
        self._word_vectors: dict[str, Vectors] = {}
        self._metadata_positions = np.array(
            [i for i, unit in enumerate(self.units) if unit.kind == "metadata"], dtype=np.intp
        )
        self.naming = DocumentNaming(
            self.documents,
            self.analyzer,
            semantic,
            self.config.title_naming_cosine,
            self.config.title_naming_margin,
        )
        self._title_terms = {d.id: set(self.analyzer.analyze(d.title)) for d in corpus.documents}
        self._names = frozenset(
            c.token for c in self.analyzer.vocabulary.concepts if c.names_a_thing
        )
        self.corrector = QuestionCorrector(
            self.analyzer,
            self._corpus_words,
            lambda word: self.lexical.knows(self.analyzer.stem(word)),
            protected=self._vocabulary_words(),
            speller=speller,
            corpus_texts=self._corpus_texts,
        )

    @property
    def index(self) -> SparseBM25:
        return self.lexical.index

    def _corpus_words(self) -> list[str]:
        words: list[str] = []
        for passage in self.passages:
            words.extend(self.analyzer.words(passage.text))
        for document in self.corpus.documents:
            words.extend(self.analyzer.words(document.title))
        for concept in self.analyzer.vocabulary.concepts:
            for term in concept.terms:
                words.extend(self.analyzer.words(term))
        return words

    def _corpus_texts(self) -> list[str]:
        return [p.text for p in self.passages] + [d.title for d in self.corpus.documents]

    def _vocabulary_words(self) -> set[str]:
        vocabulary = self.analyzer.vocabulary
        words = set(vocabulary.document_words | vocabulary.metadata_filler)
        for concept in vocabulary.concepts:
            for term in concept.terms:
                words.update(self.analyzer.words(term))
        return words | metadata_field_words(self.analyzer)

    # -- the pipeline --------------------------------------------------------------------

    def search(self, question: str, k: int = 3, offset: int = 0) -> Answer:
        """The best `k` hits after the first `offset`, or an answer saying why there are none."""
        if k < 1 or offset < 0:
            raise ValueError("k must be at least 1 and offset at least 0")
        assessed = self.assess(question)
        asked, corrected = question, assessed.corrected
        if assessed.query is None:
            return Answer(question=asked, answered=False, reason="no_terms")
        if assessed.metadata_hits is not None:
            return Answer(
                question=asked,
                answered=True,
                corrections=corrected.corrections,
                hits=tuple(assessed.metadata_hits[offset : offset + k]),
                coverage=1.0,
            )
        ranking, evidence = assessed.ranking, assessed.evidence
        assert ranking is not None and evidence is not None
        corrections = corrected.corrections
        if corrections and self._same_answer(assessed.question, ranking, k + offset):
            corrections = ()  # the correction changed nothing the reader would see
        if not self.decision.answers(evidence):
            return Answer(
                question=asked,
                answered=False,
                reason="not_covered",
                why=f"{self.decision.explain(evidence)} {evidence.as_dict()}",
                corrections=corrections,
                coverage=evidence.coverage,
            )
        marked = assessed.query.marked_terms(self._names)
        best = ranking.positions[0]
        floor = ranking.fused[best] * self.config.relative_floor
        kept = [p for p in ranking.positions if ranking.fused[p] >= floor]
        if self.units[best].kind == "passage":
            # A question about the text is answered by the text: a metadata field that
            # ranks below a passage (the authors' line, the tags) would only be noise.
            kept = [p for p in kept if self.units[p].kind == "passage"]
        # Quotes are cut (and their passages analysed) only for the hits shown; the best
        # one was cut already, for the evidence.
        built = (
            assessed.top_hit
            if p == best and assessed.top_hit is not None
            else self._hit(p, ranking, marked)
            for p in kept
        )
        shown = (hit for hit in _distinct(built) if self._is_verbatim(hit))
        hits = list(itertools.islice(shown, offset, offset + k))
        return Answer(
            question=asked,
            answered=True,
            hits=tuple(hits),
            corrections=corrections,
            coverage=evidence.coverage,
        )

    def assess(self, question: str) -> Assessment:
        """Every step before the decision: what the question becomes, and the evidence."""
        normalised = normalise_question(question)
        corrected = self.corrector.correct(normalised)
        query = self.lexical.query(corrected.text)
        if not query.words and not query.extra:
            return Assessment(normalised, corrected)
        # What the asker says of themselves ("I need it for my footnote") names nothing.
        asking = without_framing(corrected.text)
        asked = detect_metadata_question(asking, self.analyzer, self.analyzer.vocabulary)
        if asked is not None:
            other = self._other_terms(asking, asked.other_terms)
            named = self.naming.named(asked.field, asking, other)  # by words, or by meaning
            metadata_hits = self._metadata_hits(asked, named, set(query.terms))
            if metadata_hits:
                return Assessment(normalised, corrected, query, metadata_hits=metadata_hits)
        # A question about the authors or date of something that is none of the documents
        # ("who wrote harry potter?") is not answered by their authors or date: passages.
        # (Related posts and tags are about subjects, and may be what it asks about.)
        identity = asked is not None and asked.field in IDENTITY_FIELDS
        ranking = self._rank(query, corrected.text, passages_only=identity)
        top_hit = self._hit(ranking.positions[0], ranking, query.marked_terms(self._names))
        evidence = self.evidence(query, ranking, top_hit)
        return Assessment(
            normalised, corrected, query, ranking=ranking, evidence=evidence, top_hit=top_hit
        )

    def _rank(self, query: LexicalQuery, text: str, passages_only: bool = False) -> Ranking:
        """Fuse BM25 with cosines over the candidates of either side (with
        `passages_only`, metadata fields are not candidates)."""
        lexical = self.lexical.scores(query)
        if passages_only and len(self._metadata_positions):
            lexical = lexical.copy()
            lexical[self._metadata_positions] = -np.inf
        size = len(self.units)
        candidates = self.config.candidates
        if self.semantic is None:
            positions = top_positions(lexical, min(self.config.max_hits, size))
            if passages_only:
                positions = [p for p in positions if self.units[p].kind == "passage"]
            fused = fuse(normalised_bm25(lexical[positions]), None, None, None, self.config.fusion)
            return Ranking(
                positions,
                {p: float(s) for p, s in zip(positions, fused, strict=True)},
                {},
                {},
            )
        vector = self.semantic.embed_question(text)
        by_words = top_positions(lexical, candidates)
        pool = sorted(set(by_words) | set(self.semantic.nearest_units(vector, candidates)))
        if passages_only:
            pool = [p for p in pool if self.units[p].kind == "passage"]
        pool_cosines = self.semantic.unit_cosines(vector, pool)
        passage_cosines = dict(zip(pool, pool_cosines.tolist(), strict=True))
        sentence_cosines = {p: self.semantic.sentence_scores(p, vector) for p in pool}
        best_sentence = np.array([max(sentence_cosines[p]) for p in pool])
        # The pool holds the best BM25 passage, so BM25 is normalised by the corpus's best.
        coverage = np.array(self.lexical.coverage(query, pool))
        floor, span = self.lexical.scale(query)
        fused = fuse(
            normalised_bm25(lexical[pool], floor, span),
            best_sentence,
            pool_cosines,
            coverage,
            self.config.fusion,
            self._title_shares(query, pool),
        )
        if not passages_only:
            fused = self._discount_unasked_fields(pool, fused, text)
        order = top_positions(fused, min(self.config.max_hits, len(pool)))
        positions = self._answer_type_first(query, [pool[i] for i in order])
        return Ranking(
            positions,
            {pool[i]: float(fused[i]) for i in order},
            {p: sentence_cosines[p] for p in positions},
            {p: passage_cosines[p] for p in positions},
            centroid=self.semantic.topicality(vector),
            background=self.semantic.background_similarity(vector),
        )

    def _discount_unasked_fields(
        self, pool: list[int], fused: FloatArray, question: str
    ) -> FloatArray:
        """The fused scores, those (positive) of metadata fields the question does not
        ask about scaled by `RetrievalConfig.unasked_field_weight`.

        A field answers a question about its document. "How long does it take to clear a
        minefield?" is close in meaning to "how long this post takes to read", and "on
        what date does Finland's withdrawal take effect?" to the date of publication; but
        their other words (clear, minefield; Finland, withdrawal, effect) name no
        document, which is how `detect_metadata_question` tells a content question from a
        metadata one. Only words the sources use count: an unknown or misspelt word
        ("whos the finish red cross guy on the author list") says nothing either way. A
        weight rather than a veto: a question about the document that uses other words
        for its field ("in which categories has the blog placed this post?") still finds
        the field when the field's score is well ahead."""
        fields = [i for i, p in enumerate(pool) if self.units[p].kind == "metadata"]
        if not fields:
            return fused
        asking = without_framing(question)
        words = (w for w in self.analyzer.words(asking) if not self.analyzer.is_stopword(w))
        stems = {stem for stem in map(self.analyzer.stem, words) if self.lexical.knows(stem)}
        stems -= common_stems(self.analyzer, self.analyzer.vocabulary)
        answering: dict[str, list[str]] = {}  # per field, the documents asked about
        discounted = fused.copy()
        for i in fields:
            unit = self.units[pool[i]]
            field = unit.unit_id.rsplit(":", 1)[-1]
            if field not in answering:
                other = frozenset(stems - field_stems(self.analyzer, field))
                answering[field] = self.naming.answered_by_field(
                    field, asking, self._other_terms(asking, other)
                )
            if discounted[i] > 0 and unit.doc_id not in answering[field]:
                discounted[i] *= self.config.unasked_field_weight
        return discounted

    def _title_shares(self, query: LexicalQuery, pool: list[int]) -> FloatArray | None:
        """For each candidate, how much of the question its document's title holds
        ("under the mine ban convention": the note titled with the Anti-Personnel Mine
        Ban Convention). A field of its own, not words added to the passage: added, they
        counted as coverage, which is evidence for the decision, and dev refusals rose."""
        if not self.config.fusion.title:
            return None
        doc_ids = sorted({self.units[p].doc_id for p in pool})
        titles = [self._title_terms[doc_id] for doc_id in doc_ids]
        shares = dict(zip(doc_ids, self.lexical.shares_of(query, titles), strict=True))
        return np.array([shares[self.units[p].doc_id] for p in pool])

    def _answer_type_first(self, query: LexicalQuery, positions: list[int]) -> list[int]:
        """For "how many", "how much" and "when": the candidates that hold a count, an
        amount or a time come first, each group in fused order (a passage without any
        number cannot say how many). A count of something alike counts what was asked
        (`_counts_alike`), here as in the evidence."""
        if not asks_for_quantity_or_time(query.text):
            return positions

        index = self.lexical.index

        def lacks(position: int) -> bool:
            text = self.units[position].text
            return lacks_asked_answer_type(
                query.text,
                text,
                lambda noun: (
                    self._mentions_counted(noun, lambda t: index.contains(t, position))
                    or self._counts_alike(noun, text)
                ),
            )

        missing = {p: lacks(p) for p in positions}
        return sorted(positions, key=lambda p: missing[p])

    def _mentions_counted(self, words: str, holds: Callable[[str], bool]) -> bool:
        """Whether a text (`holds`: it contains an index term) names the thing a "how many"
        question counts, given the words that may name it ("smart mines"): its most specific
        term the corpus knows must be there ("smart", not just "mines"). A concept counts as
        one term; words the corpus never uses cannot be checked and are passed over."""
        words_, extra = self.analyzer.split_tokens(words)
        known = [t.term for t in extra + words_ if self.lexical.doc_freq(t.term) > 0]
        if not known:
            return True
        return holds(min(known, key=self.lexical.doc_freq))

    def _counts_alike(self, words: str, quote: str) -> bool:
        """Whether the quote counts something close in meaning to what a "how many"
        question counts ("how many countries" and "94 states signed": cosine 0.66 with
        the shipped model; "countries" and "ten years": 0.22). Without the semantic layer
        only the words themselves can say (`_mentions_counted`)."""
        if self.semantic is None:
            return False
        asked = [w for w in self.analyzer.words(words) if not self.analyzer.is_stopword(w)]
        counted = counted_words(quote)
        if not asked or not counted:
            return False
        similarity = (
            np.array([self._word_vector(w) for w in asked])
            @ np.array([self._word_vector(w) for w in counted]).T
        )
        return bool(similarity.max() >= self.config.counted_similarity)

    def _word_vector(self, word: str) -> Vectors:
        key = word.casefold()
        vector = self._word_vectors.get(key)
        if vector is None:
            assert self.semantic is not None
            if len(self._word_vectors) >= WORD_VECTOR_CACHE_SIZE:
                self._word_vectors.clear()
            vector = self._word_vectors[key] = self.semantic.embed_question(key)
        return vector

    def evidence(self, query: LexicalQuery, ranking: Ranking, top_hit: Hit) -> Evidence:
        """What the decision weighs, for the best hit (see `retrieval.decision`)."""
        best = ranking.positions[0]
        coverage = self.lexical.coverage(query, [best])[0]
        gaps = named_gaps(query.shape, self.lexical.doc_freq, self._names.__contains__)
        quote_terms = set(self.analyzer.analyze(top_hit.quote))
        answer_type = check_answer_type(
            query.text,
            top_hit.quote,
            lambda noun: (
                self._mentions_counted(noun, quote_terms.__contains__)
                or self._counts_alike(noun, top_hit.quote)
            ),
        )
        cosines = ranking.sentence_cosines.get(best)
        return Evidence(
            semantic=max(cosines) if cosines else 0.0,
            semantic_passage=ranking.passage_cosines.get(best, 0.0),
            coverage=coverage,
            uncovered_peak=self.lexical.uncovered_peak(query, best),
            known=self.lexical.known_share(query),
            named_gap=1.0 if gaps else 0.0,
            answer_type_missing=1.0 if answer_type.value_missing else 0.0,
            counted_missing=1.0 if answer_type.counted_missing else 0.0,
            centroid=ranking.centroid,
            metadata=1.0 if self.units[best].kind == "metadata" else 0.0,
            background=ranking.background,
        )

    def _is_verbatim(self, hit: Hit) -> bool:
        """The invariant every quote keeps: its words are its source's words, at its place.
        (The corpus model checks passages against documents when it is built; this checks
        what is about to be shown.)"""
        document = self.documents.get(hit.doc_id)
        if document is None:
            ok = False
        elif hit.kind == "metadata":
            ok = any(e.text == hit.quote for e in self.metadata.get(hit.doc_id, ()))
        else:
            passage = self._passages_by_id.get(hit.passage_id)
            ok = (
                passage is not None
                and hit.quote in hit.text
                and document.text[passage.start : passage.end] == hit.text
            )
        if not ok:
            log.error("dropped a hit whose quote is not in its source: %s", hit.passage_id)
        return ok

    def _same_answer(self, question: str, ranking: Ranking, k: int) -> bool:
        """Whether the question as written would have shown the same passages."""
        as_written = self.lexical.query(question)
        if not as_written.words and not as_written.extra:
            return False
        return self._rank(as_written, question).positions[:k] == ranking.positions[:k]

    def _hit(self, position: int, ranking: Ranking, query_terms: set[str]) -> Hit:
        analysed = self.lexical.analysed(position)
        cosines = ranking.sentence_cosines.get(position)
        if cosines is not None:
            start, end = select_quote_by_meaning(
                analysed,
                cosines,
                query_terms,
                self.lexical.weight,
                lexical_weight=self.config.quote_lexical_weight,
                neighbour_margin=self.config.quote_neighbour_margin,
            )
        else:
            start, end = select_quote(analysed, query_terms, self.lexical.weight)
        return self._passage_hit(position, ranking.fused[position], (start, end), query_terms)

    def _passage_hit(
        self, position: int, score: float, span: tuple[int, int], query_terms: set[str]
    ) -> Hit:
        unit = self.units[position]
        start, end = (0, len(unit.text)) if unit.kind == "metadata" else span
        quote = unit.text[start:end]
        return Hit(
            kind=unit.kind,
            doc_id=unit.doc_id,
            title=self.documents[unit.doc_id].title,
            section=unit.section,
            passage_id=unit.unit_id,
            score=round(score, 4),
            quote=quote,
            text=unit.text,
            quote_start=start,
            highlights=marked(self.lexical.quote_tokens(position, start, end), query_terms),
        )

    # -- metadata ----------------------------------------------------------------------

    def _metadata_hits(
        self, asked: MetadataQuestion, named: list[str] | None, query_terms: set[str]
    ) -> list[Hit]:
        """The asked field of each named document (none: it asks about something besides
        the documents, or they lack the field)."""
        if named is None:
            return []
        documents = [self.documents[doc_id] for doc_id in named]
        hits = []
        for document in documents:
            if asked.field == "summary":
                hits.extend(self._summary_hits(document, query_terms))
                continue
            for entry in self.metadata[document.id]:
                if entry.field == asked.field:
                    hits.append(self._metadata_hit(document, entry, query_terms))
        return hits

    def _other_terms(
        self, question: str, other_terms: frozenset[str]
    ) -> dict[str, tuple[float, frozenset[str]]]:
        """Each of a metadata question's other terms: its weight (how rare it is in the
        passages), and the terms that stand for it (itself, and the concepts whose phrase
        it is part of: "APMBC", "Ottawa treaty")."""
        shape = QueryShape(*self.analyzer.split_tokens(question), question)
        alternatives = {term: {term} for term in other_terms}
        for word in shape.words:
            if word.term in alternatives:
                alternatives[word.term] |= {t.term for t in shape.phrases_over(word)}
        size = self.lexical.index.size
        return {
            term: (smooth_idf(self.lexical.doc_freq(term), size), frozenset(alt))
            for term, alt in alternatives.items()
        }

    def _summary_hits(self, document: Document, query_terms: set[str]) -> list[Hit]:
        """A document's gist is its opening: the standfirst of an article, the abstract of
        a report; the passages before its first section heading."""
        own = [i for i, p in enumerate(self.passages) if p.doc_id == document.id]
        opening = [i for i in own if self.passages[i].section is None] or own[:1]
        return [
            self._passage_hit(i, 1.0, (0, len(self.passages[i].text)), query_terms)
            for i in opening[:2]
        ]

    def _metadata_hit(self, document: Document, entry: MetadataEntry, query_terms: set[str]) -> Hit:
        return Hit(
            kind="metadata",
            doc_id=document.id,
            title=document.title,
            section=FIELD_LABELS.get(entry.field, entry.field),
            passage_id=entry.entry_id,
            score=1.0,
            quote=entry.text,
            text=entry.text,
            quote_start=0,
            highlights=matched_spans(self.analyzer, entry.text, query_terms),
        )


def _distinct(hits: Iterable[Hit]) -> Iterator[Hit]:
    """Hits whose quote differs from every earlier one (two copies of a file, one quote)."""
    seen: set[str] = set()
    for hit in hits:
        key = " ".join(hit.quote.split())
        if key not in seen:
            seen.add(key)
            yield hit
