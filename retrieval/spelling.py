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
        # Fold each distinct spelling once, not each occurrence (millions in a big corpus).
        counts: Counter[str] = Counter()
        capitalised: Counter[str] = Counter()
        for surface, count in Counter(words).items():
            folded = fold(surface)
            counts[folded] += count
            if surface[:1].isupper():
                capitalised[folded] += count
        # Words written capitalised more often than not: names ("Ottawa", "Finland").
        names = {w for w, c in capitalised.items() if 2 * c > counts[w]}
        self._set({w: c for w, c in counts.items() if w.isalpha() and len(w) >= 3}, names)

    def _set(self, counts: dict[str, int], names: set[str]) -> None:
        self._counts = counts
        self._choices = list(counts)
        self._names = names

    def state(self) -> dict[str, object]:
        """What the corrector knows, as JSON (kept in the index cache: reading every word of
        a large corpus takes seconds)."""
        return {"counts": self._counts, "names": sorted(self._names)}

    @classmethod
    def from_state(cls, state: dict[str, object]) -> SpellingCorrector:
        counts, names = state["counts"], state["names"]
        if not isinstance(counts, dict) or not isinstance(names, list):
            raise ValueError("not a speller state")
        corrector = cls(())
        corrector._set({str(w): int(c) for w, c in counts.items()}, {str(n) for n in names})
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
        candidates = process.extract(
            folded, self._choices, scorer=OSA.distance, score_cutoff=limit, limit=20
        )
        ranked = sorted(
            (distance, folded[0] != choice[0], -self._counts[choice], choice)
            for choice, distance, _ in candidates
            if is_known(choice) and (not proper_name or choice in self._names)
        )
        return ranked[0][3] if ranked else None
