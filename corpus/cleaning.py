"""Repairs for text scraped from web pages: the artefacts that make a quote read wrong.

Each repair is a small pure function so that a test can show it on the artefact it fixes.
"""

from __future__ import annotations

import re
import unicodedata

from corpus.blocks import Block, BlockKind

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_MARKDOWN_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
# Emphasis: a marker run, then text that neither starts nor ends with a space, then the same
# run. Requiring non-word characters around keeps snake_case and 2*3*4 intact.
_EMPHASIS = re.compile(r"(?<![\w*_\\])(\*\*|__|\*|_)(?=\S)([^\n]*?\S)\1(?![\w*_])")
_SPACES = re.compile(r" {2,}")
_SENTENCE_END = re.compile(r"[.!?…:;\"”’»)\]]\s*$")


def normalise_unicode(text: str) -> str:
    """NFC, no zero-width or soft-hyphen characters, and plain spaces for exotic ones."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    return _ODD_SPACES.sub(" ", text)


def strip_markdown_links(text: str) -> str:
    """`[took a different view](#)` reads as `took a different view`; images vanish."""
    text = _MARKDOWN_IMAGE.sub(lambda m: m.group(1), text)
    return _MARKDOWN_LINK.sub(lambda m: m.group(1), text)


def strip_emphasis(text: str) -> str:
    """`*no convincing evidence*` reads as `no convincing evidence`."""
    previous = None
    while previous != text:  # nested emphasis such as ***x*** needs two passes
        previous = text
        text = _EMPHASIS.sub(lambda m: m.group(2), text)
    return text


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def clean_inline(text: str) -> str:
    """All inline repairs, in the order that keeps each one simple."""
    return collapse_spaces(strip_emphasis(strip_markdown_links(normalise_unicode(text))))


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def starts_lowercase(text: str) -> bool:
    first = text.lstrip("\"“‘'(")[:1]
    return first.islower()


def join_broken_paragraphs(blocks: list[Block]) -> list[Block]:
    """Mend a sentence that a scraper split across two paragraphs.

    "...Denmark, Norway and Sweden" followed by "have also begun calling..." is one sentence:
    the first part does not end a sentence and the second does not start one.
    """
    joined: list[Block] = []
    for block in blocks:
        if (
            joined
            and block.kind is BlockKind.PARAGRAPH
            and joined[-1].kind is BlockKind.PARAGRAPH
            and not joined[-1].explicit
            and not ends_sentence(joined[-1].text)
            and starts_lowercase(block.text)
        ):
            previous = joined[-1]
            previous.text = f"{previous.text} {block.text}"
            previous.lines = [*previous.lines, *block.lines]
        else:
            joined.append(block)
    return joined


def looks_like_heading(block: Block, following: Block | None) -> bool:
    """A plain-text heading: one short line that does not end a sentence, before a paragraph."""
    text = block.text
    return (
        block.kind is BlockKind.PARAGRAPH
        and len(block.lines) == 1
        and 0 < len(text.split()) <= 16
        and len(text) <= 140
        and not ends_sentence(text)
        and not text.endswith(",")
        and (text[:1].isupper() or text[:1].isdigit())
        and following is not None
        and following.kind is not BlockKind.HEADING
    )


def mark_headings(blocks: list[Block]) -> list[Block]:
    """Classify plain-text blocks as headings where the source did not say."""
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if not block.explicit and looks_like_heading(block, following):
            block.kind = BlockKind.HEADING
    return blocks
