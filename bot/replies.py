"""What the bot says, decided without Telegram: the Telegram layer only sends it.

Each function takes the library snapshot and a question (or nothing) and returns the
messages to send; handlers stay thin and every wording is testable on its own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.citations import MAX_FIELD, MAX_NAMES, MAX_TITLE, Citation, clip
from bot.library import ReloadReport, Snapshot
from bot.render import (
    MESSAGE_LIMIT,
    answer_messages,
    coverage_html,
    escape,
    hit_html,
    no_answer_html,
    nothing_to_search_html,
    pack_messages,
    utf16_length,
)
from bot.uploads import Added
from bot.usage import UsageStats, VoteOutcome
from corpus import Document
from retrieval.models import Answer

ANSWER_HITS = 3
INLINE_HITS = 5
EXAMPLE_QUESTIONS = [
    "What did military leadership in Estonia and Latvia say about anti-personnel mines?",
    "Why are anti-personnel mines called indiscriminate?",
]
MAX_PROBLEMS_SHOWN = 30
_LATIN_LETTER = re.compile(r"[A-Za-z]")


# Short replies the handlers send as they are.
ASK_USAGE = "Ask like this: <code>/ask why are anti-personnel mines banned?</code>"
EXPIRED_BUTTON = "This button has expired. Please ask your question again."
RELOADING = "Reloading the sources…"
RELOAD_RUNNING = "A reload is already running."
DOCUMENT_GONE = "That document is no longer among the sources."
KEPT = "Kept; nothing was changed."
FAILED_PRESS = "Something went wrong; please try again."
FAILED_MESSAGE = "Sorry, something went wrong on my side. Please try again."


@dataclass(frozen=True)
class Reply:
    """Messages to send in order; `more_offset` asks for a More-sources button on the last.

    `answered`: the sources answered (quotes shown); `doc_ids`: the documents quoted, for
    the votes on this answer. A reply with nothing to search is neither answered nor not.
    """

    messages: list[str]
    more_offset: int | None = None
    answered: bool | None = None
    doc_ids: tuple[str, ...] = ()


def needs_words(question: str) -> bool:
    """No Latin letters at all: emoji, punctuation, digits only, or another script."""
    return not _LATIN_LETTER.search(question)


def answer_reply(
    snapshot: Snapshot, question: str, *, offset: int = 0, k: int = ANSWER_HITS
) -> Reply:
    """The reply to a question: quotes with citations, or an honest "not in my sources"."""
    if needs_words(question):
        return Reply([nothing_to_search_html(EXAMPLE_QUESTIONS)])
    answer = snapshot.retriever.search(question, k=k + 1, offset=offset)
    return reply_for(snapshot, answer, offset=offset, k=k)


def reply_for(snapshot: Snapshot, answer: Answer, *, offset: int, k: int) -> Reply:
    if answer.reason == "no_terms":
        return Reply([nothing_to_search_html(EXAMPLE_QUESTIONS)])
    if not answer.answered:
        return Reply([no_answer_html(answer, snapshot.corpus.documents)], answered=False)
    if not answer.hits:
        return Reply(["There are no more sources for this question."], answered=True)
    shown = answer.model_copy(update={"hits": answer.hits[:k]})
    intro = "<b>More sources</b>" if offset else None
    more = offset + k if len(answer.hits) > k else None
    doc_ids = tuple(dict.fromkeys(hit.doc_id for hit in shown.hits))
    return Reply(
        answer_messages(shown, snapshot.documents, intro=intro),
        more,
        answered=True,
        doc_ids=doc_ids,
    )


@dataclass(frozen=True)
class InlineAnswer:
    """One inline-mode result: what the picker shows, and the message it sends."""

    id: str
    title: str
    description: str
    html: str


def inline_answers(snapshot: Snapshot, question: str) -> list[InlineAnswer]:
    """`@bot question`: a result per cited quote, or one that says the sources are silent."""
    answer = snapshot.retriever.search(question, INLINE_HITS)
    results = []
    for hit in answer.hits if answer.answered else ():
        document = snapshot.documents.get(hit.doc_id)
        results.append(
            InlineAnswer(
                id=hashlib.blake2b(hit.passage_id.encode(), digest_size=16).hexdigest(),
                title=hit.quote[:100],
                description=Citation.of(hit, document).source_line()[:200],
                html=hit_html(hit, document),
            )
        )
    if results:
        return results
    return [
        InlineAnswer(
            id="no-answer",
            title="Not covered by my sources",
            description="I only answer with quotes, and none answers this.",
            html=no_answer_html(answer, snapshot.corpus.documents),
        )
    ]


def start_html(bot_name: str) -> str:
    examples = "\n".join(f"• <i>{escape(q)}</i>" for q in EXAMPLE_QUESTIONS)
    return (
        f"Hello! I am <b>{escape(bot_name)}</b>. I answer questions about international "
        "humanitarian law and landmines with <b>exact quotes</b> from trusted sources, each "
        "with where it comes from, so you can check it. When my sources do not answer a "
        "question, I say so rather than guess.\n\n"
        f"Try:\n{examples}\n\n/help shows everything I can do."
    )


def help_html(username: str) -> str:
    return (
        "<b>How to ask</b>\n"
        "Write a question in plain English. I reply with the best quotes from my sources, "
        "each followed by its source (authors, title, date, section); matched words are in "
        "bold. <b>More sources</b> shows further passages.\n\n"
        "<b>In groups</b>: <code>/ask your question</code>, mention me "
        f"(@{escape(username)} your question), or reply to one of my messages.\n"
        f"<b>In any chat</b>: type <code>@{escape(username)} your question</code> and pick a "
        "quote to send.\n\n"
        "<b>Commands</b>\n"
        "/ask QUESTION — ask (useful in groups)\n"
        "/sources — the documents I quote from\n"
        "/about — what I am and how I work\n"
        "/help — this message"
    )


def about_html(snapshot: Snapshot) -> str:
    corpus = snapshot.corpus
    return (
        "<b>About this bot</b>\n"
        "I search a fixed set of source documents and answer only with verbatim quotes from "
        "them. I never write an answer of my own, and when no passage answers a question I "
        "say so. Quotes are chosen by what they mean (a sentence-embedding model) and by "
        "the words they share with the question (BM25, with treaty names and acronyms); "
        "read the whole source before relying on a quote. This is not legal advice.\n\n"
        f"Sources: {len(corpus.documents)} document(s), {len(corpus.passages)} passages. "
        "See /sources."
    )


def sources_messages(snapshot: Snapshot) -> list[str]:
    blocks = ["<b>My sources</b>"]
    for document in snapshot.corpus.documents:
        lines = [f"<b>{escape(clip(document.title, MAX_TITLE))}</b>", f"Id: {escape(document.id)}"]
        if document.authors:
            authors = [clip(a.display(), MAX_FIELD) for a in document.authors]
            shown = "; ".join(authors[:MAX_NAMES])
            if len(authors) > MAX_NAMES:
                shown += f"; and {len(authors) - MAX_NAMES} others"
            lines.append("Authors: " + escape(shown))
        if document.publisher:
            lines.append(f"Published by: {escape(clip(document.publisher, MAX_FIELD))}")
        if document.published:
            lines.append(f"Date: {document.published_text}")
        if document.url and len(document.url) <= 1000:
            lines.append(f"Link: {escape(document.url)}")
        lines.append(f"Passages: {snapshot.passage_count(document.id)}")
        blocks.append("\n".join(lines))
    return pack_messages(blocks)


def reload_html(report: ReloadReport, serving: Snapshot) -> str:
    if report.swapped:
        head = (
            f"Reloaded in {report.seconds:.2f} s: {report.documents} document(s), "
            f"{report.passages} passages."
        )
        if report.from_cache:
            head += " No file had changed, so the index was taken from the cache."
    else:
        head = (
            f"Nothing could be loaded ({report.seconds:.2f} s), so I kept the previous "
            f"corpus: {len(serving.corpus.documents)} document(s), "
            f"{len(serving.corpus.passages)} passages."
        )
    if not report.problems:
        return escape(head)
    lines = [escape(head), "", f"Problems ({len(report.problems)}):"]
    room = MESSAGE_LIMIT - 100  # for the "… and N more" line
    shown = 0
    for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
        line = f"• <code>{escape(problem.file)}</code>: {escape(problem.reason)}"
        if utf16_length("\n".join([*lines, line])) > room:
            break  # one message, or the administrator would get no report at all
        lines.append(line)
        shown += 1
    if len(report.problems) > shown:
        lines.append(f"… and {len(report.problems) - shown} more")
    return "\n".join(lines)


def unknown_command_html(username: str) -> str:
    return "I don't know that command. " + help_html(username)


def not_admin_html() -> str:
    return "Only the bot's administrators can change the sources. Nothing was changed."


def remove_usage_html() -> str:
    return "Send <code>/remove DOC_ID</code>; /sources shows each document's id."


def unknown_document_html(doc_id: str) -> str:
    return f"No document has the id <code>{escape(doc_id[:200])}</code>. /sources lists them."


def add_usage_html() -> str:
    return "Send <code>/add https://…</code> with the address of a web page or a PDF."


def upload_not_admin_html() -> str:
    return (
        "Thank you, but only the bot's administrators can add documents to its sources. "
        "Your file was not stored."
    )


def download_failed_html() -> str:
    return "I could not download the file from Telegram. Please send it again."


def added_html(added: Added, report: ReloadReport, serving: Snapshot) -> str:
    document = serving.documents.get(
        next((d.id for d in serving.documents.values() if d.source_file == added.path.name), "")
    )
    if document is None or not report.swapped:
        return (
            f"Saved {escape(added.path.name)}, but the reload did not take it in: "
            + reload_html(report, serving)
        )
    sections = [escape(clip(s.title, MAX_FIELD)) for s in document.sections[:8]]
    lines = [
        f"Added <b>{escape(clip(document.title, MAX_TITLE))}</b> "
        f"(<code>{escape(document.id)}</code>, file {escape(added.path.name)}): "
        f"{_passages(serving.passage_count(document.id))}.",
    ]
    if sections:
        lines.append("Sections: " + "; ".join(sections))
    lines.append(
        f"Now serving {report.documents} document(s), {report.passages} passages. "
        f"/remove {escape(document.id)} takes it out again."
    )
    return "\n".join(lines)


def last_document_html() -> str:
    return "That is the only document I have: add another before removing it."


def confirm_removal_html(document: Document, passages: int) -> str:
    title = escape(clip(document.title, MAX_TITLE))
    return (
        f"Remove <b>{title}</b> (<code>{escape(document.id)}</code>, {_passages(passages)}, "
        f"file {escape(clip(document.source_file, MAX_FIELD))}) from the sources? It stays "
        "removed after a restart; the file itself is not deleted."
    )


def removal_done_html(document: Document, report: ReloadReport) -> str:
    title = escape(clip(document.title, MAX_TITLE))
    return (
        f"Removed <b>{title}</b>. Now serving {report.documents} document(s), "
        f"{report.passages} passages."
    )


def no_text_html() -> str:
    return (
        "I can only read text questions. Please type your question about international "
        "humanitarian law or landmines."
    )


def coverage_only_html(snapshot: Snapshot) -> str:
    return "My sources cover:\n" + coverage_html(snapshot.corpus.documents)


def vote_thanks(outcome: VoteOutcome) -> str:
    """The note a voter sees (a button press's answer: plain text, 200 characters)."""
    return {
        VoteOutcome.COUNTED: "Thank you, your vote was counted.",
        VoteOutcome.CHANGED: "Thank you, your vote was changed.",
        VoteOutcome.UNCHANGED: "Your vote was already counted.",
        VoteOutcome.UNKNOWN: "This answer can no longer be voted on.",
    }[outcome]


MAX_STATS_QUESTION = 120


def stats_html(stats: UsageStats, serving: Snapshot) -> list[str]:
    """/stats: questions per day, the share answered, what is asked and not covered, and
    the votes per document."""
    lines = [f"<b>Usage, last {len(stats.days)} days</b> (UTC)"]
    for day in stats.days:
        lines.append(f"{day.day:%a %d %b}: {day.asked} asked, {day.answered} answered")
    if stats.asked:
        lines.append(
            f"In all: {stats.asked} questions, {stats.answered / stats.asked:.0%} answered."
        )
    else:
        lines.append("No questions in this period.")
    blocks = ["\n".join(lines)]
    if stats.unanswered:
        asked = [
            f"• {escape(clip(question, MAX_STATS_QUESTION))}"
            + (f" (×{times})" if times > 1 else "")
            for question, times in stats.unanswered
        ]
        blocks.append("<b>Not covered by the sources</b> (most asked first)\n" + "\n".join(asked))
    if stats.votes:
        rows = []
        for votes in stats.votes:
            document = serving.documents.get(votes.doc_id)
            name = clip(document.title, MAX_FIELD) if document else f"{votes.doc_id} (removed)"
            rows.append(f"• {escape(name)}: 👍 {votes.up} · 👎 {votes.down}")
        blocks.append("<b>Votes on answers, per document quoted</b>\n" + "\n".join(rows))
    else:
        blocks.append("No votes yet.")
    return pack_messages(blocks)


def _passages(count: int) -> str:
    return f"{count} passage" if count == 1 else f"{count} passages"
