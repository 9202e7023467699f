"""Evidence about whether a passage can answer a question, for ranking and the decision.

Computed from the question and a passage, with no threshold of its own (the thresholds are
the decision model's, fitted on training questions):

* coverage: the share of the question's words (weighted by how rare they are in the corpus)
  that the passage contains, directly or through a concept; and the weight of the rarest
  word it lacks. A phrase that names a concept
  (e.g. "non-state armed groups") counts as one unit: when the corpus never mentions the
  concept, its words are not covered just because "state" and "armed" occur elsewhere;
* named gaps: a proper name or a named concept in the question that the corpus never
  mentions ("United States", "Python", "non-state armed groups");
* answer type: "how many" needs a count (or a share) in the quote, and the thing counted;
  "how much" or "what percentage" an amount; "when" or "what year" a time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from retrieval.analyzer import Token

# The thing counted: the two words after "how many" (an adjective may come first, "how
# many scatterable mines"), past a possessive ("how many of the CCW's protocols").
_COUNTED = r"(?:[\w-]+['’]s\s+)?(?P<{}>[a-z-]+(?:\s+[a-z-]+)?)?"
_COUNT_QUESTION = re.compile(
    r"\bhow many\s+(?:of (?:the |them |these |those )?)?"
    + _COUNTED.format("noun")
    + r"|\bnumber of\s+"
    + _COUNTED.format("noun2"),
    re.IGNORECASE,
)
_AMOUNT_QUESTION = re.compile(
    r"\bhow much\b|\bwhat (percentage|proportion|share|fraction|per ?cent)\b", re.IGNORECASE
)
_TIME_QUESTION = re.compile(
    r"^\W*when (did|was|were|is|will|does|do|has|have|had|are|can|could|would|should)\b"
    r"|\b(in )?(what|which) (year|date|month|day|decade|century)\b|\bhow long ago\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundreds?|thousands?|millions?|billions?|dozens?"
)
_COUNT = re.compile(
    rf"(?<![\d.,])(?!(?:19|20)\d\ds?\b)\d[\d,.]*(?!\s*(?:%|per ?cent|percent))\b"
    rf"|\b({_NUMBER_WORDS})\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    rf"(?<![\d.,])(?!(?:19|20)\d\ds?\b)\d[\d,.]*|%|\bper ?cent\b|\b({_NUMBER_WORDS}|half|"
    r"majority|minority|most|third|quarter)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(1[89]|20)\d\d(s)?\b|\b(january|february|march|april|may|june|july|august|"
    r"september|october|november|december|yesterday|decades?|years?|centur(y|ies)|months?|"
    r"weeks?|ago)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QueryShape:
    """The question's words and derived tokens, as coverage and named gaps need them."""

    words: list[Token]
    extra: list[Token]
    question: str

    def phrases_over(self, word: Token) -> list[Token]:
        return [e for e in self.extra if e.start <= word.start and word.end <= e.end]


def smooth_idf(doc_freq: int, corpus_size: int) -> float:
    """A positive IDF for weighting words (a word the corpus lacks weighs the most)."""
    return math.log(1 + (corpus_size - doc_freq + 0.5) / (doc_freq + 0.5))


@dataclass(frozen=True)
class CoveragePlan:
    """Per question word: its weight and the terms that cover it (the word's own term, or a
    phrase over it). Computed once per question, then applied to many passages."""

    words: tuple[tuple[float, frozenset[str]], ...]
    total: float

    def share(self, passage_terms: Collection[str]) -> float:
        """Weighted share of question words that the passage covers (0 to 1)."""
        if not self.total:
            return 0.0
        covered = sum(weight for weight, terms in self.words if not terms.isdisjoint(passage_terms))
        return covered / self.total

    def shares(
        self, holds: Callable[[str], npt.NDArray[np.bool_]], count: int
    ) -> npt.NDArray[np.float64]:
        """`share` for `count` passages at once, from `holds(term)`: which of them contain
        the term (the index's postings, so no passage needs analysing)."""
        covered = np.zeros(count)
        if not self.total:
            return covered
        held: dict[str, npt.NDArray[np.bool_]] = {}
        for weight, terms in self.words:
            has_any = np.zeros(count, dtype=bool)
            for term in terms:
                if term not in held:
                    held[term] = holds(term)
                has_any |= held[term]
            covered += weight * has_any
        return covered / self.total

    def uncovered_peak(self, holds: Callable[[str], bool]) -> float:
        """The weight of the most informative question word a passage lacks, as a share of
        the question's most informative word's weight (0: it lacks none).

        Coverage is a share, so one missing word among many barely moves it; but the word a
        question turns on is often its rarest ("how much does clearing one mine *cost*"), and
        a passage without it rarely answers."""
        if not self.words:
            return 0.0
        lacking = [weight for weight, terms in self.words if not any(map(holds, terms))]
        return max(lacking, default=0.0) / max(weight for weight, _ in self.words)


def coverage_plan(
    shape: QueryShape, doc_freq: Callable[[str], int], corpus_size: int
) -> CoveragePlan:
    words = []
    for word in shape.words:
        over = shape.phrases_over(word)
        phrases = [p for p in over if p.end - p.start > word.end - word.start]
        # A multi-word concept the corpus never names leaves its words uncovered, even
        # where they occur on their own ("state" of "non-state armed groups").
        unit_missing = bool(phrases) and not any(doc_freq(p.term) > 0 for p in phrases)
        weight = smooth_idf(0 if unit_missing else doc_freq(word.term), corpus_size)
        alternatives = (
            frozenset() if unit_missing else frozenset([word.term, *(p.term for p in over)])
        )
        words.append((weight, alternatives))
    return CoveragePlan(tuple(words), sum(weight for weight, _ in words))


def named_gaps(
    shape: QueryShape, doc_freq: Callable[[str], int], names_a_thing: Callable[[str], bool]
) -> list[str]:
    """Names (proper names, named concepts) in the question that the corpus never mentions.

    A name in a sentence that says who is asking and asks nothing ("I'm an MP in Oslo.",
    "I work for an NGO.") frames the question: it is not what the sources must mention
    (on the training questions, 46 of the 84 answerable ones that had a gap had it only
    there, against none of the 172 unanswerable ones)."""
    gaps: list[str] = []
    text = shape.question
    first_word_starts = {m.end() for m in re.finditer(r"(^|[.!?]\s+)[\"'“‘(]*", text)}
    framing = _framing_sentences(text)

    def frames(start: int) -> bool:
        return any(begin <= start < end for begin, end in framing)

    for extra in shape.extra:
        surface = text[extra.start : extra.end]
        if (
            not frames(extra.start)
            and extra.term.startswith("=")
            and doc_freq(extra.term) == 0
            and (names_a_thing(extra.term) or _is_name(surface))
        ):
            gaps.append(surface)
    for word in shape.words:
        surface = text[word.start : word.end]
        if (
            not frames(word.start)
            and word.start not in first_word_starts
            and surface[:1].isupper()
            and doc_freq(word.term) == 0
            and not any(doc_freq(p.term) > 0 for p in shape.phrases_over(word))
        ):
            gaps.append(surface)
    return gaps


_SENTENCE = re.compile(r".+?(?:[.!?]+(?=\s|$)|$)", re.DOTALL)
# First-person words; "us" only in lower case ("the US" is a name).
_FIRST_PERSON = re.compile(
    r"\b(?:[Ii]|[Ii]['’](?:m|ve|d|ll)|[Ii]m|[Mm]y|[Mm]e|[Ww]e|[Ww]e['’](?:re|ve)|[Oo]ur|us)\b"
)


def _framing_sentences(text: str) -> list[tuple[int, int]]:
    """The spans of the sentences that speak of the asker (first person) and are not the
    question: those ending with "?", or the last sentence when none does."""
    sentences = [m.span() for m in _SENTENCE.finditer(text) if m.group().strip()]
    asked = [
        (start, end) for start, end in sentences if text[start:end].rstrip(" \"'”’)").endswith("?")
    ] or sentences[-1:]
    return [
        (start, end)
        for start, end in sentences
        if (start, end) not in asked and _FIRST_PERSON.search(text[start:end])
    ]


def without_framing(text: str) -> str:
    """The question without the sentences that only say who is asking and name nothing
    ("I need it for my footnote."): what it asks about is in the rest. A framing sentence
    that names something stays ("I'm reading Harry Potter. Who wrote it?" is not about
    the sources' authors)."""
    kept, cursor = [], 0
    for start, end in _framing_sentences(text):
        if _names_something(text[start:end]):
            continue
        kept.append(text[cursor:start])
        cursor = end
    kept.append(text[cursor:])
    return " ".join(" ".join(kept).split())


_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_I = re.compile(r"I(?:['’]\w+)?")  # "I", "I'm", "I’ve"


def _names_something(sentence: str) -> bool:
    """A capitalised word past the sentence's first, other than "I" and its contractions."""
    words = _WORD.findall(sentence)[1:]
    return any(w[:1].isupper() and not _I.fullmatch(w) for w in words)


def _is_name(surface: str) -> bool:
    words = _WORD.findall(surface)
    return bool(words) and all(w[:1].isupper() for w in words)


@dataclass(frozen=True)
class AnswerTypeCheck:
    """What a quote lacks of the answer type a question asks for.

    `value_missing`: it asks for a count, an amount or a time and the quote holds none.
    `counted_missing`: it asks "how many X", the quote holds a number but does not name X
    ("90 per cent of casualties" does not say how many months a withdrawal takes; but
    "how many countries" may be answered by "164 States Parties", so this is weaker
    evidence than no number at all, and the decision weighs the two apart).
    """

    value_missing: bool
    counted_missing: bool

    @property
    def lacking(self) -> bool:
        return self.value_missing or self.counted_missing


def check_answer_type(
    question: str, quote: str, noun_found: Callable[[str], bool]
) -> AnswerTypeCheck:
    """Whether the quote holds the count, amount or time the question asks for.

    A count may be given as a share ("how many Danes" is answered by "70 per cent of
    Danes"). `noun_found` is given the words that may name the thing counted and says
    whether the quote names it.
    """
    count = _COUNT_QUESTION.search(question)
    if count:
        noun = count.group("noun") or count.group("noun2")
        if not (_COUNT.search(quote) or _AMOUNT.search(quote)):
            return AnswerTypeCheck(value_missing=True, counted_missing=False)
        return AnswerTypeCheck(False, counted_missing=noun is not None and not noun_found(noun))
    if _AMOUNT_QUESTION.search(question):
        return AnswerTypeCheck(not _AMOUNT.search(quote), False)
    if _TIME_QUESTION.search(question):
        return AnswerTypeCheck(not _TIME.search(quote), False)
    return AnswerTypeCheck(False, False)


def lacks_asked_answer_type(question: str, quote: str, noun_found: Callable[[str], bool]) -> bool:
    """A question asking for a count, an amount or a time whose quote holds none, or for
    "how many X" whose quote does not name X (see `check_answer_type`)."""
    return check_answer_type(question, quote, noun_found).lacking


_WORD_AFTER = re.compile(r"\s+([^\W\d_][\w-]*)")


def counted_words(quote: str) -> list[str]:
    """The word after each count in the quote: what it counts ("94 states signed",
    "more than thirty states parties"), for telling whether it counts what was asked."""
    words = []
    for count in _COUNT.finditer(quote):
        after = _WORD_AFTER.match(quote, count.end())
        if after:
            words.append(after.group(1))
    return words


def asks_for_quantity_or_time(question: str) -> bool:
    """Whether the question asks "how many", "how much", "what share" or "when"."""
    return any(
        pattern.search(question) for pattern in (_COUNT_QUESTION, _AMOUNT_QUESTION, _TIME_QUESTION)
    )
