"""The retriever: from a question to cited quotes, or to an honest "the sources do not say".

Steps, each in its own module: spelling correction (`spelling`), analysis (`analyzer`),
metadata questions (`metadata`), BM25 over passages (`sparse`, `scoring`), the decision to
answer (`abstention`) and the quote with its marked words (`quotes`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from corpus.models import Corpus, Document, Passage
from retrieval.abstention import (
    QueryShape,
    coverage_plan,
    is_on_topic,
    lacks_asked_answer_type,
    named_gaps,
    smooth_idf,
)
from retrieval.analyzer import Analyzer, Token, fold
from retrieval.definitions import asked_definition
from retrieval.metadata import (
    FIELD_LABELS,
    MetadataEntry,
    author_frame,
    author_terms,
    detect_metadata_question,
    document_match_terms,
    entries_for,
    metadata_field_words,
)
from retrieval.models import Answer, Correction, Hit
from retrieval.quotes import (
    AnalysedPassage,
    analyse_passage,
    marked_in,
    matched_spans,
    select_quote,
)
from retrieval.scoring import BM25Params, Variant
from retrieval.sparse import SparseBM25
from retrieval.spelling import SpellingCorrector

MAX_QUESTION_CHARS = 1000
ANALYSIS_CACHE_SIZE = 20_000


@dataclass(frozen=True)
class RetrievalConfig:
    """Tunables, chosen by measurement on the sample questions (see `ihlbot eval`)."""

    params: BM25Params = field(default_factory=lambda: BM25Params(Variant.BM25PLUS, k1=1.5, b=0.5))
    index_section_titles: bool = True
    min_coverage: float = 0.28
    relative_floor: float = 0.15  # hits below this share of the top score are not shown
    max_hits: int = 10
    coverage_power: float = 2.0
    sentence_weight: float = 1.0
    full_coverage: float = 0.9


class Retriever:
    """A searchable corpus. Build it off the event loop: indexing is CPU work."""

    def __init__(
        self,
        corpus: Corpus,
        config: RetrievalConfig | None = None,
        analyzer: Analyzer | None = None,
        index: SparseBM25 | None = None,
    ) -> None:
        self.corpus = corpus
        self.config = config or RetrievalConfig()
        self.analyzer = analyzer or Analyzer()
        self.passages: tuple[Passage, ...] = corpus.passages
        self.documents: dict[str, Document] = {d.id: d for d in corpus.documents}
        if not self.passages:
            raise ValueError("the corpus has no passages to index")
        if index is not None and index.size != len(self.passages):
            raise ValueError("the given index does not match the corpus")
        self.index = index or SparseBM25.build(
            (self.analyzer.analyze(self._index_text(p)) for p in self.passages),
            self.config.params,
        )
        self.metadata: dict[str, list[MetadataEntry]] = {
            d.id: entries_for(d) for d in corpus.documents
        }
        self._speller = SpellingCorrector(self._speller_words())
        self._author_terms = author_terms(list(corpus.documents), self.analyzer)
        self._topic_anchors = self._anchors()
        self._never_corrected = self._vocabulary_words()
        self._vocabulary_names = self._names_in_vocabulary()
        # One-word vocabulary terms ("handled"); words of phrases ("take effect") are too
        # ordinary to correct into.
        self._vocabulary_terms = frozenset(
            fold(term)
            for concept in self.analyzer.vocabulary.concepts
            for term in concept.terms
            if len(self.analyzer.words(term)) == 1
        )
        # Passages that questions retrieve are analysed once; bounded for large corpora.
        self._analysed = functools.lru_cache(maxsize=ANALYSIS_CACHE_SIZE)(self._analyse)

    def _analyse(self, position: int) -> AnalysedPassage:
        passage = self.passages[position]
        return analyse_passage(self.analyzer, passage.text, self._index_text(passage))

    def _index_text(self, passage: Passage) -> str:
        if self.config.index_section_titles and passage.section:
            return f"{passage.section}\n{passage.text}"
        return passage.text

    def _speller_words(self) -> list[str]:
        words: list[str] = []
        for passage in self.passages:
            words.extend(self.analyzer.words(passage.text))
        for document in self.corpus.documents:
            words.extend(self.analyzer.words(document.title))
        for concept in self.analyzer.vocabulary.concepts:
            for term in concept.terms:
                words.extend(self.analyzer.words(term))
        return words

    # -- questions ---------------------------------------------------------------------

    def _known(self, word: str) -> bool:
        return self.analyzer.stem(word) in self.index.term_ids

    def _correctable_into(self, word: str) -> bool:
        """A correction must lead somewhere: a word the index knows, a one-word vocabulary
        term whose concept the index knows ("handled" for =manage, the corpus's "managed"),
        or a vocabulary name whose phrase may be there ("Ottawa" of "Ottawa Convention").
        Not a vocabulary word that leads nowhere: "count" must not become "court"."""
        if self._known(word) or fold(word) in self._vocabulary_names:
            return True
        return fold(word) in self._vocabulary_terms and any(
            term in self.index.term_ids for term in self.analyzer.analyze(word)
        )

    def _names_in_vocabulary(self) -> frozenset[str]:
        """Words the vocabulary only ever writes capitalised ("Ottawa", not "Court")."""
        upper: set[str] = set()
        lower: set[str] = set()
        for concept in self.analyzer.vocabulary.concepts:
            for term in concept.terms:
                for word in self.analyzer.words(term):
                    (upper if word[:1].isupper() else lower).add(fold(word))
        return frozenset(upper - lower)

    def _vocabulary_words(self) -> frozenset[str]:
        """Words the domain vocabulary knows; they are never "corrected" into corpus words
        ("filed" is not a misspelt "field")."""
        vocabulary = self.analyzer.vocabulary
        words: set[str] = set()
        for block in (
            vocabulary.stopwords,
            vocabulary.document_words,
            vocabulary.metadata_filler,
            vocabulary.topic_words,
        ):
            words.update(block)
        for concept in vocabulary.concepts:
            for term in concept.terms:
                words.update(self.analyzer.words(term))
        words.update(metadata_field_words(self.analyzer))
        return frozenset(fold(w) for w in words)

    def correct(self, question: str) -> tuple[str, list[Correction]]:
        """The question with unknown words replaced by their nearest corpus words."""
        corrections: list[Correction] = []
        replacements: dict[str, str] = {}
        for position, word in enumerate(self.analyzer.words(question)):
            if (
                word in replacements
                or self.analyzer.is_stopword(word)
                or self._known(word)
                or fold(word) in self._never_corrected
            ):
                continue
            better = self._speller.correct(
                word, self._correctable_into, proper_name=position > 0 and word[:1].isupper()
            )
            if better:
                replacements[word] = better
                corrections.append(Correction(written=word, searched=better))
        for written, searched in replacements.items():
            question = re.sub(rf"(?<!\w){re.escape(written)}(?!\w)", searched, question)
        return question, corrections

    def search(self, question: str, k: int = 3, offset: int = 0) -> Answer:
        """The best `k` hits after the first `offset`, or an answer saying why there are none."""
        asked = question
        question = unicodedata.normalize("NFC", " ".join(question.split())[:MAX_QUESTION_CHARS])
        corrected, corrections = self.correct(question)
        words, extra = self.analyzer.split_tokens(corrected)
        speaker = author_frame(corrected, self._author_terms, self.analyzer)
        if speaker:
            words = [w for w in words if not (speaker[0] <= w.start and w.end <= speaker[1])]
            extra = [e for e in extra if not (speaker[0] <= e.start and e.end <= speaker[1])]
        defined = asked_definition(corrected)
        if defined:
            words = [w for w in words if not defined.is_frame_word(w.start, w.end)]
            extra.append(Token(self.analyzer.definition_token(defined.term), *defined.term_span))
        terms = [t.term for t in words + extra]
        if not words and not extra:
            return Answer(
                question=asked, answered=False, reason="no_terms", corrections=tuple(corrections)
            )
        metadata_hits = self._metadata_hits(corrected, set(terms))
        if metadata_hits is not None:
            return Answer(
                question=asked,
                answered=True,
                corrections=tuple(corrections),
                hits=tuple(metadata_hits[offset : offset + k]),
                coverage=1.0,
            )

        scores = self.index.scores(terms)
        shape = QueryShape(words, extra, corrected)
        ranked = self._rerank(shape, scores)
        best, best_score, share = ranked[0]
        query_terms = self._marked_terms(words, extra)
        top_hit = self._hit(best, best_score, query_terms)
        why = self._abstains(shape, share, top_hit)
        if why:
            return Answer(
                question=asked,
                answered=False,
                reason="not_covered",
                why=why,
                corrections=tuple(corrections),
                coverage=share,
            )
        floor = best_score * self.config.relative_floor
        kept = [(p, s) for p, s, _ in ranked if s > 0 and s >= floor]
        hits = [self._hit(p, s, query_terms) for p, s in kept[offset : offset + k]]
        return Answer(
            question=asked,
            answered=True,
            hits=tuple(hits),
            corrections=tuple(corrections),
            coverage=share,
        )

    def _abstains(self, shape: QueryShape, share: float, top_hit: Hit) -> str | None:
        """Why the sources do not answer, or None when they do (see `retrieval.abstention`):
        low coverage, a name the sources never mention, no word of the bot's subject, or a
        quote without the kind of answer the question asks for."""
        if share < self.config.min_coverage:
            return f"coverage {share:.2f}"
        gaps = named_gaps(shape, self._doc_freq, self._names_a_thing)
        if gaps:
            return "never mentioned: " + ", ".join(gaps)
        # A question wholly answered by one passage is on the sources' topic, whatever its
        # words ("Lebanon accession").
        if share < self.config.full_coverage and not is_on_topic(shape, self._topic_anchors):
            return "off-topic"
        quote_terms = set(self.analyzer.analyze(top_hit.quote))

        def noun_found(noun: str) -> bool:
            words, extra = self.analyzer.split_tokens(noun)
            return any(t.term in quote_terms for t in words + extra)

        if lacks_asked_answer_type(shape.question, top_hit.quote, noun_found):
            return "no answer of the asked kind"
        return None

    def _marked_terms(self, words: list[Token], extra: list[Token]) -> set[str]:
        """Terms whose matches are marked in quotes: the question's own words and the
        named things it mentions ("Ottawa Convention" marks "APMBC"), not synonyms or what a
        word merely implies ("Estonia" does not mark "Lithuania" as a Baltic state)."""
        named = {e.term for e in extra if self._names_a_thing(e.term) and not e.broader}
        return {w.term for w in words} | named

    def _names_a_thing(self, token: str) -> bool:
        concept = self.analyzer.vocabulary.concept(token)
        return concept is not None and concept.names_a_thing

    def _anchors(self) -> frozenset[str]:
        """Terms of the bot's subject: the vocabulary's topic words and topical concepts,
        and the words of every document's section titles, tags and categories (what a
        document is about; not its title, whose words may be about anything)."""
        vocabulary = self.analyzer.vocabulary
        texts = [" ".join(vocabulary.topic_words)]
        for document in self.corpus.documents:
            texts += [*document.tags, *document.categories]
            texts += [section.title for section in document.sections]
        anchors = {t for text in texts for t in self.analyzer.analyze(text)}
        anchors |= {c.token for c in vocabulary.concepts if c.topical}
        return frozenset(anchors)

    def _rerank(self, shape: QueryShape, scores: Any) -> list[tuple[int, float, float]]:
        """The BM25 candidates, as (position, score, coverage), reordered by score scaled by
        coverage: a passage that answers every part of the question beats one that repeats a
        single part, and one sentence that answers it all beats the same words scattered."""
        out = []
        candidates = [int(i) for i in self.index.top(scores, self.config.max_hits)]
        top_score = float(scores[candidates[0]]) or 1.0
        plan = coverage_plan(shape, self._doc_freq, self.index.size)
        for i in candidates:
            analysed = self._analysed(i)
            share = plan.share(analysed.terms)
            sentence_share = max(plan.share(sentence.terms) for sentence in analysed.sentences)
            combined = (
                float(scores[i])
                / top_score
                * share**self.config.coverage_power
                * (1 + self.config.sentence_weight * sentence_share)
            )
            out.append((i, combined * top_score, share))
        out.sort(key=lambda item: -item[1])
        return out

    def _doc_freq(self, term: str) -> int:
        return self.index.term_doc_freq(term)

    def _weight(self, term: str) -> float:
        return smooth_idf(self._doc_freq(term), self.index.size)

    def _hit(
        self, position: int, score: float, query_terms: set[str], *, whole: bool = False
    ) -> Hit:
        passage = self.passages[position]
        analysed = self._analysed(position)
        if whole:
            start, end = 0, len(passage.text)
        else:
            start, end = select_quote(analysed, query_terms, self._weight)
        return Hit(
            doc_id=passage.doc_id,
            title=self.documents[passage.doc_id].title,
            section=passage.section,
            passage_id=passage.id,
            score=round(score, 4),
            quote=passage.text[start:end],
            text=passage.text,
            quote_start=start,
            highlights=marked_in(analysed, (start, end), query_terms),
        )

    # -- metadata ----------------------------------------------------------------------

    def _metadata_hits(self, question: str, query_terms: set[str]) -> list[Hit] | None:
        asked = detect_metadata_question(question, self.analyzer, self.analyzer.vocabulary)
        if asked is None:
            return None
        documents = list(self.corpus.documents)
        if asked.other_terms:
            named = [
                d for d in documents if asked.other_terms <= document_match_terms(d, self.analyzer)
            ]
            if not named:
                return None  # it asks about something besides the document: search passages
            documents = named
        hits = []
        for document in documents:
            if asked.field == "summary":
                hits.extend(self._summary_hits(document, query_terms))
                continue
            for entry in self.metadata[document.id]:
                if entry.field == asked.field:
                    hits.append(self._metadata_hit(document, entry, query_terms))
        return hits or None

    def _summary_hits(self, document: Document, query_terms: set[str]) -> list[Hit]:
        """A document's gist is its opening: the standfirst of an article, the abstract of
        a report; the passages before its first section heading."""
        own = [i for i, p in enumerate(self.passages) if p.doc_id == document.id]
        opening = [i for i in own if self.passages[i].section is None] or own[:1]
        return [self._hit(i, 1.0, query_terms, whole=True) for i in opening[:2]]

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
