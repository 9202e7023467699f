"""Answers as Telegram HTML: quotes in <blockquote>, matched words in <b>, each with its source.

Everything taken from documents or users is escaped; only tags Telegram accepts are used,
always closed in order; and no message exceeds Telegram's length limit (a long answer is
split between quotes, never inside one).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterable

from telegram.constants import MessageLimit

from bot.citations import Citation
from corpus import Document
from retrieval.models import Answer, Hit, Span

MESSAGE_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)
# A single quote longer than this (in UTF-16 units, as Telegram counts) is shortened (with a
# visible […]) so that it fits.
MAX_QUOTE_CHARS = 3000


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji may count two)."""
    return len(text.encode("utf-16-le")) // 2


def marked_html(text: str, spans: Iterable[Span]) -> str:
    """`text` escaped, with each span in <b>."""
    out: list[str] = []
    cursor = 0
    for start, end in spans:
        start, end = max(start, cursor), min(end, len(text))
        if start >= end:
            continue
        out.append(escape(text[cursor:start]))
        out.append(f"<b>{escape(text[start:end])}</b>")
        cursor = end
    out.append(escape(text[cursor:]))
    return "".join(out)


def _chars_within(text: str, units: int) -> int:
    """How many characters of `text` fit in `units` UTF-16 code units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return index
    return len(text)


def _shortened(hit: Hit) -> tuple[str, list[Span]]:
    quote, spans = hit.quote, list(hit.highlights)
    if utf16_length(quote) <= MAX_QUOTE_CHARS:
        return quote, spans
    fits = _chars_within(quote, MAX_QUOTE_CHARS)
    cut = quote.rfind(" ", 0, fits)
    cut = cut if cut > 0 else fits
    return quote[:cut] + " […]", [(s, min(e, cut)) for s, e in spans if s < cut]


def citation_html(citation: Citation) -> str:
    title = f"<i>{escape(citation.title)}</i>"
    if citation.url:
        title = f'<a href="{html.escape(citation.url, quote=True)}">{title}</a>'
    parts = [escape(citation.authors)] if citation.authors else []
    parts.append(title)
    parts.extend(escape(p) for p in (citation.publisher, citation.published) if p)
    line = "— " + ", ".join(parts)
    if citation.section:
        line += f"\n§ {escape(citation.section)}"
    return line


def hit_html(hit: Hit, document: Document | None) -> str:
    """One quote and its citation."""
    quote, spans = _shortened(hit)
    label = f"<b>{escape(hit.section or '')}</b>\n" if hit.kind == "metadata" else ""
    citation = Citation.of(hit, document)
    return f"{label}<blockquote>{marked_html(quote, spans)}</blockquote>\n{citation_html(citation)}"


def corrections_html(answer: Answer) -> str:
    if not answer.corrections:
        return ""
    fixes = ", ".join(
        f"<b>{escape(c.searched)}</b> (you wrote “{escape(c.written)}”)" for c in answer.corrections
    )
    return f"<i>Searched for</i> {fixes}"


def pack_messages(blocks: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Blocks joined by blank lines into as few messages as fit, splitting only between."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if current and utf16_length(candidate) > limit:
            messages.append(current)
            current = block
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


def answer_messages(
    answer: Answer, documents: dict[str, Document], *, intro: str | None = None
) -> list[str]:
    """The messages that carry an answer's quotes, in order."""
    blocks = [b for b in (intro, corrections_html(answer)) if b]
    blocks.extend(hit_html(hit, documents.get(hit.doc_id)) for hit in answer.hits)
    return pack_messages(blocks)


def coverage_html(documents: Iterable[Document], limit: int = 5) -> str:
    """What the sources cover: each document with its sections."""
    lines = []
    for document in list(documents)[:limit]:
        source = dataclasses.replace(Citation.of_document(document), authors=None)
        lines.append("• " + citation_html(source).removeprefix("— "))
        lines.extend(f"    ◦ {escape(s.title)}" for s in document.sections[:6])
    return "\n".join(lines)


def no_answer_html(answer: Answer, documents: Iterable[Document]) -> str:
    """An honest "not in my sources", naming what the sources do cover."""
    fixes = corrections_html(answer)
    return (
        ("" if not fixes else fixes + "\n\n")
        + "I could not find an answer to that in my sources, and I only answer with quotes "
        "from them, so I will not guess.\n\n"
        + "My sources cover:\n"
        + coverage_html(documents)
        + "\n\nTry a question about these topics, or /help for examples."
    )


def nothing_to_search_html(examples: list[str]) -> str:
    """For a message with no words to search (emoji, punctuation, another script)."""
    return (
        "I answer questions about international humanitarian law and landmines, in English, "
        "with exact quotes from trusted sources and where each quote comes from.\n\n"
        "Ask me a question in words, for example:\n"
        + "\n".join(f"• <i>{escape(example)}</i>" for example in examples)
    )
