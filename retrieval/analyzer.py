"""Text analysis shared by passages and questions: the same words must become the same terms.

Steps: Unicode normalisation and case folding (accents folded, so "naïve" finds "naive"),
words split at hyphens and punctuation, stop words dropped, English Snowball stemming, then
tokens added for domain concepts ("Ottawa Convention" also yields `=apmbc`), one-way
expansions ("landmine" also yields `mine`) and legal references ("Article 5" also yields
`article#5`). Numbers and roman numerals are kept as terms.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

import Stemmer

from retrieval.definitions import DEFINE_PREFIX, definition_spans
from retrieval.vocabulary import Vocabulary, load_vocabulary

# A letter or digit with any combining marks after it, so that decomposed text ("a" + U+0308)
# is matched in place and token spans index the text as given, composed or not.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_CHAR = rf"[^\W_][{_MARKS}]*"
_WORD = re.compile(rf"(?:{_CHAR})+(?:['’](?:{_CHAR})+)*")
_TRANSLITERATE = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "đ": "d",
        "ł": "l",
        "þ": "th",
        "ı": "i",
        "’": "'",
        "ð": "d",
    }
)
_POSSESSIVE = re.compile(r"'s?$")
_ACRONYM_PLURAL = re.compile(r"^[A-Z][A-Z0-9]+s$")
_CACHE_LIMIT = 500_000  # surface words remembered
_DECADE = re.compile(r"^(\d{2,4})s$")
_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_REFERENCE_LABELS = {
    "article": "article",
    "art": "article",
    "arts": "article",
    "articles": "article",
    "protocol": "protocol",
    "protocols": "protocol",
    "rule": "rule",
    "rules": "rule",
    "annex": "annex",
    "paragraph": "paragraph",
    "para": "paragraph",
    "section": "section",
    "chapter": "chapter",
    "resolution": "resolution",
    "principle": "principle",
}
REFERENCE_SEPARATOR = "#"


class Token(NamedTuple):
    """A term and where in the analysed text it came from (for highlighting)."""

    term: str
    start: int
    end: int
    # Added by a one-way expansion ("Estonia" implies the Baltic states): it matches, but
    # is not what the text says, so it is not marked in quotes.
    broader: bool = False


@dataclass(frozen=True)
class _Phrase:
    keys: tuple[str, ...]
    outputs: tuple[str, ...]
    group: str
    surfaces: tuple[str, ...] | None  # exact spelling required (case-sensitive terms)
    broader: bool = False


def fold(word: str) -> str:
    """Case-fold and strip accents: `Rämö` -> `ramo`, `Løkke` -> `lokke`, `naïve` -> `naive`.
    Plain ASCII, nearly every word, only needs lowering: the full path for the 82,765
    words of the English list took a fifth of a start from the cache."""
    if word.isascii():
        return word.lower()
    lowered = word.casefold().translate(_TRANSLITERATE)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Analyzer:
    """Turns text into index terms; one instance per vocabulary, safe to share across threads."""

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary or load_vocabulary()
        self._stemmer = Stemmer.Stemmer("english")
        self._stopwords = frozenset(fold(w) for w in self.vocabulary.stopwords)
        # surface word -> (matching key, index term or "" for a stop word)
        self._cache: dict[str, tuple[str, str]] = {}
        self._phrases = self._compile_phrases()
        self._triggers: dict[str, list[_Phrase]] = defaultdict(list)
        for phrase in sorted(self._phrases, key=lambda p: -len(p.keys)):
            self._triggers[phrase.keys[0]].append(phrase)
        self._reference_keys = {
            self._info(label)[0]: canonical for label, canonical in _REFERENCE_LABELS.items()
        }

    # -- words ---------------------------------------------------------------------------

    def _info(self, surface: str) -> tuple[str, str]:
        cached = self._cache.get(surface)
        if cached is not None:
            return cached
        if _ACRONYM_PLURAL.match(surface):
            # Snowball knows English words, not acronyms: "NGOs" stems to "ngos" and "NGO"
            # to "ngo", "IEDs" to "i" and "IED" to "ie". Written in capitals with a plural
            # "s", the word is its acronym's plural, and means what the singular means.
            singular = self._info(surface[:-1])
            if len(self._cache) < _CACHE_LIMIT:
                self._cache[surface] = singular
            return singular
        whole = fold(surface)
        folded = _POSSESSIVE.sub("", whole) if "'" in whole else whole
        if folded.isalpha():
            key = self._stemmer.stemWord(folded)
        else:
            decade = _DECADE.match(folded)
            key = decade.group(1) if decade else folded
        # "wasn't" is a stop word as written; "Convention's" is a word once its 's goes.
        term = "" if (whole in self._stopwords or folded in self._stopwords) else key
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[surface] = (key, term)
        return key, term

    def is_stopword(self, surface: str) -> bool:
        return not self._info(surface)[1]

    def stem(self, surface: str) -> str:
        """The matching key of one word (its stem), whether or not it is a stop word."""
        return self._info(surface)[0]

    def words(self, text: str) -> list[str]:
        """The words of `text` as written (the units that spelling correction works on)."""
        return _WORD.findall(text)

    # -- phrases -------------------------------------------------------------------------

    def _compile_phrases(self) -> list[_Phrase]:
        phrases: list[_Phrase] = []
        for concept in self.vocabulary.concepts:
            for term in concept.terms:
                phrases.append(
                    self._phrase(
                        term, (concept.token,), concept.token, term in concept.case_sensitive
                    )
                )
        for number, expansion in enumerate(self.vocabulary.expansions):
            targets = tuple(self._target(t) for t in expansion.targets)
            for source in expansion.sources:
                phrase = self._phrase(source, targets, f"expand{number}", False)
                phrases.append(dataclasses.replace(phrase, broader=True))
        return [p for p in phrases if p.keys]

    def _target(self, target: str) -> str:
        return target if target.startswith("=") else self._info(target)[0]

    def _phrase(
        self, term: str, outputs: tuple[str, ...], group: str, case_sensitive: bool
    ) -> _Phrase:
        surfaces = tuple(_WORD.findall(term))
        keys = tuple(self._info(s)[0] for s in surfaces)
        return _Phrase(keys, outputs, group, surfaces if case_sensitive else None)

    # -- analysis ------------------------------------------------------------------------

    def analyze(self, text: str) -> list[str]:
        """The index terms of `text` (a bag: order carries no meaning).

        The same terms as `tokens`, without building spans: this is the indexing hot path.
        """
        surfaces = _WORD.findall(text)
        infos = [self._cache.get(s) or self._info(s) for s in surfaces]
        terms = [term for _, term in infos if term]
        keys = [key for key, _ in infos]
        terms.extend(t.term for t in self._extra_tokens(surfaces, keys, None))
        terms.extend(t.term for t in self.definition_tokens(text))
        return terms

    def definition_token(self, term: str) -> str:
        """The token marking a definition of `term` (an acronym keeps its letters)."""
        return DEFINE_PREFIX + self._info(term)[0]

    def definition_tokens(self, text: str) -> list[Token]:
        return [
            Token(self.definition_token(term), start, end)
            for term, start, end in definition_spans(text)
        ]

    def tokens(self, text: str) -> list[Token]:
        """Index terms with their character spans in `text`, for marking matched words."""
        words, extra = self.split_tokens(text)
        return words + extra

    def split_tokens(self, text: str) -> tuple[list[Token], list[Token]]:
        """(word tokens, tokens added for concepts, expansions and references).

        Kept apart so that a caller can ask, word by word, whether the word or a phrase it
        belongs to was matched.
        """
        matches = list(_WORD.finditer(text))
        surfaces = [m.group() for m in matches]
        spans = [m.span() for m in matches]
        infos = [self._info(s) for s in surfaces]
        words = [Token(term, *span) for (_, term), span in zip(infos, spans, strict=True) if term]
        extra = self._extra_tokens(surfaces, [k for k, _ in infos], spans)
        return words, extra + self.definition_tokens(text)

    def _extra_tokens(
        self, surfaces: list[str], keys: list[str], spans: list[tuple[int, int]] | None
    ) -> list[Token]:
        """Concept, expansion and legal-reference tokens found in a word sequence."""
        extra: list[Token] = []
        key_set = set(keys)

        def span(first: int, last: int) -> tuple[int, int]:
            return (spans[first][0], spans[last][1]) if spans else (0, 0)

        if not key_set.isdisjoint(self._reference_keys):
            for index, key in enumerate(keys[:-1]):
                label = self._reference_keys.get(key)
                following = keys[index + 1]
                if label and (following[:1].isdigit() or _ROMAN.match(following)):
                    term = f"{label}{REFERENCE_SEPARATOR}{following}"
                    extra.append(Token(term, *span(index, index + 1)))
        if key_set.isdisjoint(self._triggers):
            return extra
        covered_until: dict[str, int] = {}
        for index, key in enumerate(keys):
            candidates = self._triggers.get(key)
            if not candidates:
                continue
            for phrase in candidates:
                width = len(phrase.keys)
                if covered_until.get(phrase.group, -1) > index:
                    continue
                if tuple(keys[index : index + width]) != phrase.keys:
                    continue
                if phrase.surfaces and tuple(surfaces[index : index + width]) != phrase.surfaces:
                    continue
                covered_until[phrase.group] = index + width
                extra.extend(
                    Token(out, *span(index, index + width - 1), phrase.broader)
                    for out in phrase.outputs
                )
        return extra
