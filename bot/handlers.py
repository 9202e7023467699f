"""Telegram handlers: each reads the update, asks `bot.replies` what to say, and sends it.

Questions are answered on the event loop itself: a search takes about 5 ms on the shipped
corpus with the semantic layer (`python -m retrieval.bench_seed`), little more than handing
it to a worker thread costs. Only reloading, which takes seconds on a large corpus, runs
in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    CallbackQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import fetching, keyboards, replies, uploads
from bot.followups import QuestionStore, parse_more_callback
from bot.library import Library
from bot.render import escape
from bot.sending import NO_PREVIEW, send_html, with_retries
from bot.settings import Settings
from bot.usage import UsageStore, VoteOutcome

log = logging.getLogger(__name__)


class RecentIds:
    """The last `size` update ids seen, to drop an update Telegram delivers twice."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[int, None] = OrderedDict()
        self._size = size

    def repeated(self, update_id: int) -> bool:
        if update_id in self._ids:
            return True
        self._ids[update_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return False


@dataclass
class Services:
    """What handlers need, kept in `application.bot_data`."""

    settings: Settings
    library: Library
    questions: QuestionStore
    usage: UsageStore
    seen_updates: RecentIds = field(default_factory=RecentIds)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    found: Services = context.bot_data["services"]
    return found


# Telegram counts a "typing" action against the bot's ~30 messages a second like a message:
# an answer ready at once needs none. Past this many search units a question is answered in
# a worker thread, and "typing" is shown when it is not ready after TYPING_AFTER seconds
# (and again every TYPING_EVERY seconds, as Telegram clears it after five).
LARGE_CORPUS_UNITS = 20_000
TYPING_AFTER = 0.5
TYPING_EVERY = 4.5


async def _answer(
    context: ContextTypes.DEFAULT_TYPE, message: Message, question: str, *, quote: bool
) -> None:
    """The answer (quotes or "not in my sources"), with a More button; "typing" first only
    when it takes long enough for a person to wonder."""
    chat_id = message.chat_id
    snapshot = services(context).library.snapshot
    if len(snapshot.retriever.units) < LARGE_CORPUS_UNITS:
        reply = replies.answer_reply(snapshot, question)  # a few ms: see module doc
    else:
        work = asyncio.ensure_future(asyncio.to_thread(replies.answer_reply, snapshot, question))
        wait = TYPING_AFTER
        while not (await asyncio.wait({work}, timeout=wait))[0]:
            with contextlib.suppress(TelegramError):
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            wait = TYPING_EVERY
        reply = work.result()
    if reply.answered is not None:
        services(context).usage.record_question(
            question, answered=reply.answered, corpus_version=snapshot.version
        )
    await _send_reply(
        context, chat_id, reply, question, reply_to=message.message_id if quote else None
    )


async def _send_reply(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    reply: replies.Reply,
    question: str,
    *,
    reply_to: int | None,
    offset: int = 0,
) -> None:
    """Send the reply's messages; under the last one of an answer, 👍 / 👎 (and More
    sources when there are more)."""
    markup = None
    if reply.doc_ids:
        found = services(context)
        qid = found.questions.put(question)
        found.usage.record_answer(keyboards.answer_id(qid, offset), reply.doc_ids)
        markup = keyboards.answer_keyboard(qid, offset, reply.more_offset)
    for index, text in enumerate(reply.messages):
        last = index == len(reply.messages) - 1
        await send_html(
            context.bot,
            chat_id,
            text,
            reply_to=reply_to if index == 0 else None,
            reply_markup=markup if last else None,
        )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: what the bot is, with two example questions."""
    if update.effective_message:
        await send_html(
            context.bot,
            update.effective_message.chat_id,
            replies.start_html(context.bot.first_name),
        )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: how to ask, in private chats, groups and inline."""
    if update.effective_message:
        await send_html(
            context.bot, update.effective_message.chat_id, replies.help_html(context.bot.username)
        )


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/about: what the bot does and does not do."""
    if update.effective_message:
        await send_html(
            context.bot,
            update.effective_message.chat_id,
            replies.about_html(services(context).library.snapshot),
        )


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: each document with its metadata and passage count."""
    if update.effective_message:
        for text in replies.sources_messages(services(context).library.snapshot):
            await send_html(context.bot, update.effective_message.chat_id, text)


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION, in any chat."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or [])
    if not question.strip():
        await send_html(
            context.bot,
            message.chat_id,
            replies.ASK_USAGE,
            reply_to=message.message_id,
        )
        return
    await _answer(context, message, question, quote=message.chat.type != ChatType.PRIVATE)


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text in a private chat is a question."""
    message = update.effective_message
    if message and message.text is not None:
        await _answer(context, message, message.text, quote=False)


def _mention_free_text(message: Message, username: str) -> tuple[bool, str]:
    """(whether the message mentions the bot, its text without that mention).

    Entities count UTF-16 units; one whose offsets split an emoji cannot be decoded, so
    the mention is then found in the text itself."""
    text = message.text or ""
    try:
        values = list(message.parse_entities([MessageEntity.MENTION]).values())
    except (UnicodeDecodeError, ValueError, IndexError):
        values = re.findall(r"@\w+", text)
    mentioned = False
    for value in values:
        if value.lstrip("@").lower() == username.lower():
            mentioned = True
            text = re.sub(re.escape(value), " ", text, flags=re.IGNORECASE)
    return mentioned, " ".join(text.split())


async def drop_repeated_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop an update whose id was handled already: one question, one answer."""
    if services(context).seen_updates.repeated(update.update_id):
        log.info("ignored update %d, delivered twice", update.update_id)
        raise ApplicationHandlerStop


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups: answer a mention or a reply to one of ours; otherwise stay silent."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    mentioned, question = _mention_free_text(message, context.bot.username)
    replied = message.reply_to_message
    to_us = (
        replied is not None
        and replied.from_user is not None
        and (replied.from_user.id == context.bot.id)
    )
    if not (mentioned or to_us):
        return
    if not question:
        await send_html(
            context.bot,
            message.chat_id,
            replies.help_html(context.bot.username),
            reply_to=message.message_id,
        )
        return
    await _answer(context, message, question, quote=True)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command we do not know, in a private chat."""
    if update.effective_message:
        await send_html(
            context.bot,
            update.effective_message.chat_id,
            replies.unknown_command_html(context.bot.username),
        )


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice... in a private chat: say what the bot reads."""
    if update.effective_message:
        await send_html(context.bot, update.effective_message.chat_id, replies.no_text_html())


async def _answer_query(query: CallbackQuery, text: str | None = None, **kwargs: Any) -> None:
    """Answer a button press; one too old to answer (pressed while the bot was down) is
    still acted on."""
    try:
        await with_retries("answerCallbackQuery", query.answer, text, **kwargs)
    except BadRequest as error:
        log.warning("could not answer callback query %s: %s", query.id, error)


async def more_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The More-sources button: the next passages, or a plain "expired"."""
    query = update.callback_query
    if query is None:
        return
    parsed = parse_more_callback(query.data)
    question = services(context).questions.get(parsed[0]) if parsed else None
    if parsed is None or question is None:
        await _answer_query(query, replies.EXPIRED_BUTTON, show_alert=True)
        return
    await _answer_query(query)
    message = query.message
    if not isinstance(message, Message):
        return
    with contextlib.suppress(TelegramError):  # the old More button goes (the new message
        # has its own); the votes stay
        await message.edit_reply_markup(reply_markup=keyboards.without_more(message.reply_markup))
    snapshot = services(context).library.snapshot
    reply = replies.answer_reply(snapshot, question, offset=parsed[1])
    await _send_reply(
        context, message.chat_id, reply, question, reply_to=message.message_id, offset=parsed[1]
    )


async def vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍 / 👎 under an answer: counted once per person and answer, then shown as counted."""
    query = update.callback_query
    parsed = keyboards.parse_vote_callback(query.data) if query else None
    if query is None or parsed is None:
        return
    answer, up = parsed
    outcome = services(context).usage.vote(answer, query.from_user.id, up=up)
    await _answer_query(query, replies.vote_thanks(outcome))
    message = query.message
    if outcome in (VoteOutcome.COUNTED, VoteOutcome.CHANGED) and isinstance(message, Message):
        with contextlib.suppress(TelegramError):
            await message.edit_reply_markup(
                reply_markup=keyboards.with_vote_shown(message.reply_markup, answer, up)
            )


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats (admins): questions per day, share answered, what is missed, votes."""
    message = await _admin_message(update, context)
    if message is None:
        return
    found = services(context)
    for text in replies.stats_html(found.usage.stats(), found.library.snapshot):
        await send_html(context.bot, message.chat_id, text)


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`@bot question` in any chat: cited quotes to pick and send."""
    query = update.inline_query
    if query is None:
        return
    question = query.query.strip()
    help_button = InlineQueryResultsButton(text="How to ask", start_parameter="help")
    if len(question) < 3:
        await with_retries(
            "answerInlineQuery", query.answer, [], button=help_button, cache_time=300
        )
        return
    results = [
        InlineQueryResultArticle(
            id=result.id,
            title=result.title,
            description=result.description,
            input_message_content=InputTextMessageContent(
                result.html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            ),
        )
        for result in replies.inline_answers(services(context).library.snapshot, question)
    ]
    await with_retries(
        "answerInlineQuery", query.answer, results, cache_time=60, button=help_button
    )


async def reload_corpus(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload (admins): re-read the corpus folder while answering from the old index."""
    message = update.effective_message
    user = update.effective_user
    if message is None:
        return
    found = services(context)
    if user is None or user.id not in found.settings.admin_ids:
        log.info("refused /reload from user %s", user.id if user else "unknown")
        await send_html(
            context.bot, message.chat_id, replies.not_admin_html(), reply_to=message.message_id
        )
        return
    if found.library.reloading:
        await send_html(
            context.bot,
            message.chat_id,
            replies.RELOAD_RUNNING,
            reply_to=message.message_id,
        )
        return
    await send_html(context.bot, message.chat_id, replies.RELOADING)
    report = await found.library.reload()
    await send_html(
        context.bot,
        message.chat_id,
        replies.reload_html(report, found.library.snapshot),
        reply_to=message.message_id,
    )


async def document_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file sent by an admin in a private chat: add it to the sources, then reload."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    user = update.effective_user
    if not _is_admin(context, user.id if user else None):
        await send_html(context.bot, message.chat_id, replies.upload_not_admin_html())
        return
    sent = message.document
    found = services(context)
    try:
        name = uploads.check_upload(sent.file_name or "document", sent.file_size)
        file = await context.bot.get_file(sent.file_id)
        content = bytes(await file.download_as_bytearray())
        added = await asyncio.to_thread(
            uploads.add_document,
            found.settings.corpus_dir,
            name,
            content,
            added_by=f"Telegram user {user.id if user else '?'}",
        )
    except uploads.UploadRefused as refused:
        await send_html(context.bot, message.chat_id, escape(str(refused)))
        return
    except TelegramError as error:
        log.warning("could not download an uploaded file: %s", error)
        await send_html(context.bot, message.chat_id, replies.download_failed_html())
        return
    await _reload_and_report(context, message.chat_id, added)


async def add_url(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/add URL (admins): fetch a page or PDF, add it to the sources, then reload."""
    message = await _admin_message(update, context)
    if message is None:
        return
    arguments = context.args or []
    if len(arguments) != 1:
        await send_html(context.bot, message.chat_id, replies.add_usage_html())
        return
    found = services(context)
    try:
        fetched = await fetching.fetch_document(
            arguments[0], allow_private=found.settings.allow_private_urls
        )
        added = await asyncio.to_thread(
            uploads.add_document,
            found.settings.corpus_dir,
            fetched.file_name,
            fetched.content,
            added_by=f"Telegram user {update.effective_user.id if update.effective_user else '?'} "
            f"from {fetched.url}",
            url=fetched.url,
        )
    except (fetching.FetchRefused, uploads.UploadRefused) as refused:
        await send_html(context.bot, message.chat_id, escape(str(refused)))
        return
    await _reload_and_report(context, message.chat_id, added)


async def _admin_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Message | None:
    """The command's message when an admin sent it; None (the sender told why) otherwise."""
    message = update.effective_message
    if message is None:
        return None
    user = update.effective_user
    if not await _admin_or_refuse(context, message, user.id if user else None):
        return None
    return message


async def _admin_or_refuse(
    context: ContextTypes.DEFAULT_TYPE, message: Message, user_id: int | None
) -> bool:
    """Whether the user is an admin; if not, they are told so."""
    if _is_admin(context, user_id):
        return True
    await send_html(
        context.bot, message.chat_id, replies.not_admin_html(), reply_to=message.message_id
    )
    return False


async def _reload_and_report(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, added: uploads.Added
) -> None:
    """After a file was added: reload, then tell the admin what is now served."""
    library = services(context).library
    report = await library.reload()
    await send_html(context.bot, chat_id, replies.added_html(added, report, library.snapshot))


def _is_admin(context: ContextTypes.DEFAULT_TYPE, user_id: int | None) -> bool:
    return user_id is not None and user_id in services(context).settings.admin_ids


async def remove_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/remove DOC_ID (admins): ask for confirmation with a button."""
    message = await _admin_message(update, context)
    if message is None:
        return
    doc_id = " ".join(context.args or [])
    if not doc_id:
        await send_html(context.bot, message.chat_id, replies.remove_usage_html())
        return
    snapshot = services(context).library.snapshot
    document = snapshot.documents.get(doc_id)
    if document is None:
        await send_html(context.bot, message.chat_id, replies.unknown_document_html(doc_id))
        return
    if len(snapshot.documents) == 1:
        await send_html(context.bot, message.chat_id, replies.last_document_html())
        return
    await send_html(
        context.bot,
        message.chat_id,
        replies.confirm_removal_html(document, snapshot.passage_count(document.id)),
        reply_markup=keyboards.removal_keyboard(document.id),
    )


async def confirm_removal(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The buttons under a /remove confirmation."""
    query = update.callback_query
    if query is None:
        return
    if not _is_admin(context, query.from_user.id if query.from_user else None):
        await _answer_query(query, replies.not_admin_html(), show_alert=True)
        return
    token, choice = keyboards.parse_removal_callback(query.data)
    library = services(context).library
    document = next(
        (d for d in library.snapshot.documents.values() if keyboards.removal_token(d.id) == token),
        None,
    )
    message = query.message if isinstance(query.message, Message) else None
    if document is None or choice is None:
        await _answer_query(query, replies.DOCUMENT_GONE, show_alert=True)
        return
    await _answer_query(query)
    if not choice:
        text = replies.KEPT
    else:
        library.removed.add(document, by=query.from_user.id)
        report = await library.reload()
        text = replies.removal_done_html(document, report)
    if message is not None:
        with contextlib.suppress(TelegramError):
            await message.edit_text(text, parse_mode=ParseMode.HTML)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log any failure with its context; tell the asker rather than leave them waiting."""
    chat_id = None
    if isinstance(update, Update) and update.effective_chat:
        chat_id = update.effective_chat.id
    log.error(
        "error while handling update %s (chat %s)",
        update.update_id if isinstance(update, Update) else "-",
        chat_id,
        exc_info=context.error,
    )
    if isinstance(update, Update) and update.callback_query:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(replies.FAILED_PRESS)
    elif (
        chat_id is not None
        and isinstance(update, Update)
        and update.message
        and update.message.chat.type == ChatType.PRIVATE
    ):
        with contextlib.suppress(TelegramError):
            await send_html(context.bot, chat_id, replies.FAILED_MESSAGE)
