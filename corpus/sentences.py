"""Sentence boundaries as character spans, so chunks and quotes never cut a sentence.

A small rule-based splitter is enough for edited prose such as articles, treaties and
reports: a sentence ends at . ! ? or … (with any closing quotes or brackets) followed by
space and something that can start a sentence, unless the word before is a known
abbreviation ("e.g.", "Art.", "U.S.") or an initial.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    """
    e.g i.e etc cf al vs viz approx ca no nos art arts para paras p pp vol ch sec fig ed eds
    mr mrs ms dr prof gen col lt sgt st jr sr rev hon amb govt dept inc ltd co corp
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u
    """.split()
)
_BOUNDARY = re.compile(r"(?P<end>[.!?…]+[\"”’')\]]*)(?P<space>\s+)(?=[\"“‘'(\[]?[A-Z0-9À-ÖØ-Þ])")


def _word_before(text: str) -> str:
    r"""The run of word characters and dots that `text` ends with (what the regex
    `[\w.]+$` finds, read backwards: searching forwards tries every position of the
    sentence, and that was most of the cost of splitting a passage)."""
    start = len(text)
    while start and (text[start - 1].isalnum() or text[start - 1] in "._"):
        start -= 1
    return text[start:]


def _is_abbreviation(text_before: str) -> bool:
    found = _word_before(text_before)
    if not found:
        return False
    word = found.lower().rstrip(".")
    if word in _ABBREVIATIONS:
        return True
    # A single capital letter ("J. Smith") is an initial, not the end of a sentence.
    return len(word) == 1 and text_before[-1:].isupper()


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in text[start:end], stripped of outer whitespace.

    Paragraph breaks (a blank line) always end a sentence.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for para_start, para_end in _paragraph_spans(text, start, end):
        cursor = para_start
        for match in _BOUNDARY.finditer(text, para_start, para_end):
            if match.group("end").startswith(".") and _is_abbreviation(
                text[cursor : match.start("end")]
            ):
                continue
            spans.append((cursor, match.end("end")))
            cursor = match.end("space")
        if cursor < para_end:
            spans.append((cursor, para_end))
    return spans


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def _paragraph_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    cursor = start
    for match in [*_PARAGRAPH_BREAK.finditer(text, start, end), None]:
        stop = match.start() if match else end
        chunk = text[cursor:stop]
        if chunk.strip():
            left = cursor + len(chunk) - len(chunk.lstrip())
            right = cursor + len(chunk.rstrip())
            spans.append((left, right))
        if match:
            cursor = match.end()
    return spans


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]
