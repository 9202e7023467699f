"""Which question words to correct, and into what.

A word is corrected only when it is misspelt, not when the corpus happens not to use it:
it must be unknown to the index, to the domain vocabulary and to a well-kept English word
list. That list is symspellpy's frequency dictionary (82,765 words: the intersection of
SCOWL and Google Books n-grams, so it holds real words and not common misspellings; 1.3 MB,
MIT). wordfreq's lists are broader but a 57 MB install; pyspellchecker's are drawn from
subtitles and keep frequent misspellings as words. "cause" is English, so it is never made
into "case"; "interoprability" is not, and becomes "interoperability".

An all-capital word the corpus never uses is not misspelt but abbreviated: it is searched
as the corpus's name with those initials ("APII" as "Amended Protocol II", see
`retrieval.acronyms`), when there is one.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from retrieval.acronyms import CorpusAcronyms, acronym_key
from retrieval.analyzer import Analyzer, fold
from retrieval.models import Correction
from retrieval.spelling import SpellingCorrector

log = logging.getLogger(__name__)

_DICTIONARY = "frequency_dictionary_en_82_765.txt"


@functools.cache
def english_words() -> frozenset[str]:
    """The English word list (folded), or an empty set, logged, if it cannot be read."""
    spec = importlib.util.find_spec("symspellpy")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / _DICTIONARY
        if path.is_file():
            with path.open(encoding="utf-8") as lines:
                return frozenset(fold(line.split(" ", 1)[0]) for line in lines if line.strip())
    log.warning("no English word list (symspellpy is not installed): spelling is stricter")
    return frozenset()


@dataclass(frozen=True)
class CorrectedQuestion:
    text: str
    corrections: tuple[Correction, ...]


class QuestionCorrector:
    """Replaces misspelt words of a question by the nearest word the corpus uses."""

    def __init__(
        self,
        analyzer: Analyzer,
        corpus_words: Callable[[], Iterable[str]],
        is_known: Callable[[str], bool],
        protected: Iterable[str] = (),
        english: frozenset[str] | None = None,
        speller: SpellingCorrector | None = None,
        corpus_texts: Callable[[], Iterable[str]] = tuple,
    ) -> None:
        self._analyzer = analyzer
        self._corpus_words = corpus_words
        self._corpus_texts = corpus_texts
        if speller is not None:
            self.__dict__["speller"] = speller  # the cached_property's value
        self._is_known = is_known  # a word whose stem the index holds
        # Vocabulary words are valid as written, and valid targets: "Ottowa" becomes
        # "Ottawa" (of "Ottawa Convention") though a passage may only say "APMBC".
        self._protected = frozenset(fold(w) for w in protected)
        self._english = english_words() if english is None else english

    def is_valid(self, word: str) -> bool:
        """A word that needs no correction: known to the index, the vocabulary or English."""
        folded = fold(word)
        return (
            self._analyzer.is_stopword(word)
            or self._is_known(word)
            or folded in self._protected
            or folded in self._english
            or not folded.isalpha()
        )

    @functools.cached_property
    def speller(self) -> SpellingCorrector:
        """Built at the first misspelt word: reading every passage's words takes seconds on
        a large corpus, and most questions need no correction."""
        return SpellingCorrector(self._corpus_words())

    @functools.cached_property
    def acronyms(self) -> CorpusAcronyms:
        """Built at the first unknown acronym, like the speller."""
        return CorpusAcronyms(self._corpus_texts())

    def _is_target(self, word: str) -> bool:
        return self._is_known(word) or fold(word) in self._protected

    def correct(self, question: str) -> CorrectedQuestion:
        replacements: dict[str, str] = {}
        for position, word in enumerate(self._analyzer.words(question)):
            if word in replacements or self.is_valid(word):
                continue
            name = self.acronyms.expand(word) if acronym_key(word) else None
            if name:
                replacements[word] = name
                continue
            better = self.speller.correct(
                word, self._is_target, proper_name=position > 0 and word[:1].isupper()
            )
            if better:
                replacements[word] = better
        text = question
        for written, searched in replacements.items():
            text = re.sub(rf"(?<!\w){re.escape(written)}(?!\w)", searched, text)
        corrections = tuple(Correction(written=w, searched=s) for w, s in replacements.items())
        return CorrectedQuestion(text, corrections)
