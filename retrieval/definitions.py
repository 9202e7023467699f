"""Definitions in text, and questions that ask for one.

"What does APMBC stand for?" is answered by the passage that spells the acronym out
("Anti-Personnel Mine Ban Convention (APMBC)"), not by the one that uses it most; "what does
interoperability mean" by the passage that explains it ("interoperability – the ability
of ..."). Passages get a `define#<term>` token where they define a term, and a definition
question asks for that token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFINE_PREFIX = "define#"
_SMALL_WORDS = frozenset("of the on and for to in de des du la le a an by at with".split())
_ACRONYM_IN_PARENS = re.compile(r"\((?P<acronym>[A-Z][A-Za-z]{1,9}?)s?\)")
_WORD_BEFORE = re.compile(r"[^\W\d_][\w’']*(?:-[^\W\d_][\w’']*)*")
# What follows a term that the sentence goes on to define; the term is the word before it.
_DEFINING = re.compile(
    r"[ \t]*(?:[–—]|--)[ \t]*(?:the|a|an|which|that|i\.e\.)\s"
    r"|,?[ \t]+(?:means|refers to|is defined as|is understood as|denotes|stands for)\s"
    r"|[ \t]+\((?:i\.e\.|that is|the|a|an)\s"
)
_LAST_WORD = re.compile(r"([^\W\d_][\w-]*)$")
# Cheap substring checks that let most texts skip the regular expressions (indexing speed).
_CUES = (
    "–",
    "—",
    "--",
    " means ",
    " refers to ",
    " defined as ",
    " understood as ",
    " denotes ",
    " stands for ",
    " (",
)
_QUESTION_PATTERNS = (
    re.compile(
        r"\bwh?at\s+(?:does|do|did|is|are|'s|’s)\s+(?:the\s+|an?\s+)?(?:term\s+|word\s+)?"
        r"[\"“']?(?P<term>[\w-]+)[\"”']?\s+(?:mean|means|stand for|stands for|"
        r"short for|refer to)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:define|definition of|meaning of|explain the term)\s+(?:the\s+)?"
        r"[\"“']?(?P<term>[\w-]+)",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?P<term>[A-Z][A-Z0-9]{1,9})\b.{0,30}\b(?:stand|stands|short) for\b"),
    re.compile(
        r"^\W*(?i:wh?at)\s+(?i:is|are)\s+(?:the\s+|an?\s+)?(?P<term>[A-Z][A-Z0-9]{1,9}s?)\W*$"
    ),
    re.compile(r"\b(?:acronym|abbreviation)\s+[\"“']?(?P<term>[A-Z][A-Za-z0-9]{1,9})\b"),
)


def _initials_spell(acronym: str, words: list[str]) -> int | None:
    """How many of `words` (read backwards) spell `acronym` by their initials, or None.

    Hyphenated words give one letter per part ("Anti-Personnel" gives A and P); small
    words ("of", "the") may be skipped, as in "explosive remnants of war (ERW)".
    """
    letters = list(acronym.lower())
    for used, word in enumerate(reversed(words), start=1):
        parts = [p for p in word.split("-") if p]
        initials = [p[0].lower() for p in parts]
        if letters[-len(initials) :] == initials and len(initials) <= len(letters):
            del letters[-len(initials) :]
        elif word.lower() in _SMALL_WORDS:
            pass
        else:
            return None
        if not letters:
            return used
    return None


def definition_spans(text: str) -> list[tuple[str, int, int]]:
    """(defined term as written, start, end) for each definition found in `text`."""
    found: list[tuple[str, int, int]] = []
    if not any(cue in text for cue in _CUES):
        return found
    for match in _ACRONYM_IN_PARENS.finditer(text):
        acronym = match.group("acronym")
        before = list(_WORD_BEFORE.finditer(text, max(0, match.start() - 200), match.start()))
        words = [m.group() for m in before][-12:]
        used = _initials_spell(acronym, words)
        if used:
            start = before[len(before) - used].start()
            found.append((acronym, start, match.end()))
    for match in _DEFINING.finditer(text):
        word = _LAST_WORD.search(text, max(0, match.start() - 80), match.start())
        if word:
            found.append((word.group(1), word.start(), match.end()))
    return found


@dataclass(frozen=True)
class DefinitionQuestion:
    """The term asked about, and the span of the question's frame ("what does ... mean")
    whose other words ask nothing of the passage."""

    term: str
    frame: tuple[int, int]
    term_span: tuple[int, int]

    def is_frame_word(self, start: int, end: int) -> bool:
        inside_frame = self.frame[0] <= start and end <= self.frame[1]
        return inside_frame and not (self.term_span[0] <= start and end <= self.term_span[1])


def asked_definition(question: str) -> DefinitionQuestion | None:
    """The term a question asks to have defined, if it asks for a definition."""
    for pattern in _QUESTION_PATTERNS:
        match = pattern.search(question)
        if match:
            return DefinitionQuestion(match.group("term"), match.span(), match.span("term"))
    return None
