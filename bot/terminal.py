"""Answers for the terminal (`ihlbot ask`): the same quotes and citations as in Telegram."""

from __future__ import annotations

import contextlib
import json
import textwrap
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

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


@contextlib.contextmanager
def progress_reporter(label: str, stream: TextIO) -> Iterator[Callable[[int, int], None]]:
    """(done, total) reports as a tqdm bar (rate, time left) on a terminal, or as a plain
    line at every tenth otherwise (logs, CI). Nothing is shown for work that never reports."""
    bar: Any = None
    last_tenth = -1

    def report(done: int, total: int) -> None:
        nonlocal bar, last_tenth
        if stream.isatty():
            if bar is None:
                from tqdm import tqdm

                bar = tqdm(total=total, desc=label, unit="text", file=stream, leave=False)
            bar.update(done - bar.n)
            return
        tenth = done * 10 // max(total, 1)
        if tenth != last_tenth:
            last_tenth = tenth
            print(f"{label}: {done:,}/{total:,} texts", file=stream, flush=True)

    try:
        yield report
    finally:
        if bar is not None:
            bar.close()
