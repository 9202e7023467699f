"""Acronyms a question uses where the sources spell the name out: "APII" for "Amended
Protocol II".

People write a treaty's or an organisation's initials; a note may only ever write its
name. To the index such an acronym is an unknown word, and to the decision a name that no
source mentions, so the question is refused though a source answers it. A list of
acronyms would only know the documents someone read; instead the corpus's own names are
used: every run of capitalised words ("Amended Protocol II", "Anti-Personnel Mine Ban
Convention") gives its initials, one letter a word (each part of a hyphenated word, the
whole of a roman numeral; "of", "on", "the"... are skipped, as acronyms skip them), and so
does every shorter run inside it. An all-capital question word of three letters or more
that the corpus never uses is searched as the most frequent name with its initials. Two
letters are too ambiguous ("VA", "MP" match many names by chance) and are left as written.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

_SKIPPED = frozenset("of on the for and to in against at by".split())
_ROMAN = re.compile(r"[IVX]+")
# A capitalised word, or a roman numeral; a name is a run of them, function words between.
_NAME_RUN = re.compile(
    r"(?<![\w’'-])(?:[A-Z][\w’'-]*)(?:\s+(?:(?:of|on|the|for|and|to|in|against|at|by)\s+)*"
    r"(?:[A-Z][\w’'-]*))+"
)
_WORD = re.compile(r"[\w’'-]+")
_ACRONYM = re.compile(r"(?P<letters>[A-Z]{3,8})s?")


def initials(word: str) -> str:
    """A word's part of an acronym: "Protocol" p, "Anti-Personnel" ap, "II" ii."""
    if _ROMAN.fullmatch(word):
        return word.lower()
    parts = [p for p in re.split(r"[-’']", word) if p]
    if len(parts) > 1 and all(p[:1].isupper() for p in parts):
        return "".join(p[0].lower() for p in parts)
    return word[:1].lower()


def acronym_key(word: str) -> str | None:
    """The letters an all-capital word stands for ("IEDs" ied), or None if it is not one."""
    match = _ACRONYM.fullmatch(word)
    return match.group("letters").lower() if match else None


class CorpusAcronyms:
    """The corpus's names by their initials."""

    def __init__(self, texts: Iterable[str]) -> None:
        # Names repeat: each distinct run is split into its shorter runs once.
        runs = Counter(run for text in texts for run in _NAME_RUN.findall(text))
        found: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for run, count in runs.items():
            words = [w for w in _WORD.finditer(run) if w.group().lower() not in _SKIPPED]
            for first in range(len(words)):
                key = initials(words[first].group())
                for last in range(first + 1, len(words)):
                    key += initials(words[last].group())
                    name = run[words[first].start() : words[last].end()]
                    found[key][" ".join(name.split())] += count
        self._names = {key: names.most_common(1)[0][0] for key, names in found.items()}

    def expand(self, word: str) -> str | None:
        """The name an unknown acronym stands for in this corpus, or None."""
        key = acronym_key(word)
        return self._names.get(key) if key else None
