"""Correcting misspelt question words against the words the corpus actually uses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from retrieval.analyzer import fold

MIN_LENGTH = 5


def max_edits(word: str) -> int:
    """Edits allowed: none for short words (too many neighbours), one, then two from 8."""
    if len(word) < MIN_LENGTH:
        return 0
    return 1 if len(word) < 8 else 2


class SpellingCorrector:
    """Maps an unknown word to the closest corpus word (optimal string alignment distance,
    so a swap of two letters, "smrat" for "smart", is one edit); ties go to the more
    frequent word."""

    def __init__(self, words: Iterable[str]) -> None:
        self._set(*_tally(words))

    def _set(self, counts: dict[str, int], capitalised: dict[str, int]) -> None:
        self._counts = counts
        self._capitalised = capitalised
        self._choices = list(counts)
        # Words written capitalised more often than not: names ("Ottawa", "Finland").
        self._names = {w for w, c in capitalised.items() if 2 * c > counts[w]}

    def updated(self, removed: Iterable[str], added: Iterable[str]) -> SpellingCorrector:
        """The corrector of this one's words without `removed` and with `added` (the
        words of the passages a rebuild dropped and of those it analysed anew): reading
        every word of 100,000 passages again took 9 s of a reload after one file changed."""
        counts, capitalised = dict(self._counts), dict(self._capitalised)
        for sign, words in ((-1, removed), (1, added)):
            delta, delta_capitalised = _tally(words)
            for table, changes in ((counts, delta), (capitalised, delta_capitalised)):
                for word, count in changes.items():
                    left = table.get(word, 0) + sign * count
                    if left > 0:
                        table[word] = left
                    else:
                        table.pop(word, None)
        corrector = SpellingCorrector(())
        corrector._set(counts, capitalised)
        return corrector

    def state(self) -> dict[str, object]:
        """What the corrector knows, as JSON (kept in the index cache: reading every word of
        a large corpus takes seconds)."""
        return {"counts": self._counts, "capitalised": self._capitalised}

    @classmethod
    def from_state(cls, state: dict[str, object]) -> SpellingCorrector:
        counts, capitalised = state["counts"], state["capitalised"]
        if not isinstance(counts, dict) or not isinstance(capitalised, dict):
            raise ValueError("not a speller state")
        corrector = cls(())
        corrector._set(
            {str(w): int(c) for w, c in counts.items()},
            {str(w): int(c) for w, c in capitalised.items()},
        )
        return corrector

    def correct(
        self, word: str, is_known: Callable[[str], bool], *, proper_name: bool = False
    ) -> str | None:
        """The corpus word to search instead of `word`, or None to keep it as written.

        A proper name ("Chile" in mid-sentence) is only corrected into another name: an
        unknown country must not become "child".
        """
        folded = fold(word)
        limit = max_edits(folded)
        if limit == 0 or not folded.isalpha() or folded in self._counts:
            return None
        # Every candidate within the limit (no top 20, which cut ties by the words' order
        # in the list, and that order is the corpus's): the ranking below decides.
        candidates = process.extract(
            folded, self._choices, scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        ranked = sorted(
            (distance, folded[0] != choice[0], -self._counts[choice], choice)
            for choice, distance, _ in candidates
            if is_known(choice) and (not proper_name or choice in self._names)
        )
        return ranked[0][3] if ranked else None


def _tally(words: Iterable[str]) -> tuple[dict[str, int], dict[str, int]]:
    """(count of each folded word, count of its capitalised occurrences), for the words a
    correction can choose: alphabetic, three letters or more."""
    # Fold each distinct spelling once, not each occurrence (millions in a big corpus).
    counts: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    for surface, count in Counter(words).items():
        folded = fold(surface)
        if folded.isalpha() and len(folded) >= 3:
            counts[folded] += count
            if surface[:1].isupper():
                capitalised[folded] += count
    return dict(counts), dict(capitalised)
