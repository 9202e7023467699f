"""Answers for the terminal (`ihlbot ask`): the same quotes and citations as in Telegram."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from typing import Any

from bot.citations import Citation
from corpus import Document
from retrieval.models import Answer, Hit, Span

BOLD, RESET = "\033[1m", "\033[0m"


def marked_text(text: str, spans: Iterable[Span], *, color: bool) -> str:
    if not color:
        return text
    out, cursor = [], 0
    for start, end in spans:
        out += [text[cursor:start], BOLD, text[start:end], RESET]
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def format_hit(number: int, hit: Hit, document: Document | None, *, color: bool) -> str:
    citation = Citation.of(hit, document)
    label = f"{hit.section}: " if hit.kind == "metadata" else ""
    quote = marked_text(hit.quote, hit.highlights, color=color)
    lines = [f"[{number}] {label}“{quote}”"]
    lines.append(
        textwrap.fill(
            "— " + citation.source_line(),
            width=100,
            initial_indent="    ",
            subsequent_indent="      ",
        )
    )
    if citation.section:
        lines.append(f"    § {citation.section}")
    if citation.url:
        lines.append(f"    {citation.url}")
    return "\n".join(lines)


def format_answer(answer: Answer, documents: dict[str, Document], *, color: bool) -> str:
    lines = [f"Q: {answer.question}"]
    for fix in answer.corrections:
        lines.append(f"(searched for “{fix.searched}”; you wrote “{fix.written}”)")
    if not answer.answered:
        lines.append("")
        if answer.reason == "no_terms":
            lines.append("There are no words to search for in that question.")
        else:
            lines.append("The sources do not cover this question, so there is no quote to give.")
        lines.append("The sources cover:")
        lines.extend(f"  - {Citation.of_document(d).source_line()}" for d in documents.values())
        return "\n".join(lines)
    for number, hit in enumerate(answer.hits, start=1):
        lines.append("")
        lines.append(format_hit(number, hit, documents.get(hit.doc_id), color=color))
    return "\n".join(lines)


def answer_json(answer: Answer) -> dict[str, Any]:
    """The `--json` shape: question, answered, and hits with their quote and whole passage."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "hits": [
            {
                "doc_id": hit.doc_id,
                "title": hit.title,
                "section": hit.section,
                "passage_id": hit.passage_id,
                "score": hit.score,
                "quote": hit.quote,
                "text": hit.text,
            }
            for hit in answer.hits
        ],
    }


def json_line(answer: Answer) -> str:
    return json.dumps(answer_json(answer), ensure_ascii=False)
