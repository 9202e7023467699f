"""Building the Telegram application and running it with long polling."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import signal
from collections.abc import AsyncIterator
from typing import Any

# python-telegram-bot 22 warns about its own durations unless timedelta ones are chosen
# (the default from v23); set it before PTB is imported anywhere.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import handlers, usage
from bot.database import Database
from bot.followups import QuestionStore
from bot.library import Library
from bot.settings import Settings
from bot.transport import POLL_POOL_SIZE, SEND_POOL_SIZE, SEND_POOL_TIMEOUT, BotApiRequest
from bot.usage import UsageStore

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("ask", "Ask a question (in groups: /ask your question)"),
    BotCommand("sources", "The documents I quote from"),
    BotCommand("help", "How to ask"),
    BotCommand("about", "What this bot is and how it answers"),
    BotCommand("start", "Introduction and example questions"),
]
CONCURRENT_UPDATES = 256
RETRY_ON_FLOOD = 5


async def _register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    try:
        await application.bot.set_my_commands(COMMANDS)
    except TelegramError as error:  # the menu is a convenience; answering is what matters
        log.warning("could not register the command list: %s", error)


def _voter_key(settings: Settings) -> bytes:
    """The key of the voters' hashes: secret (from the token), and never in the database."""
    token = settings.require_token().encode()
    return hashlib.blake2b(b"ihlbot votes", key=hashlib.sha256(token).digest()).digest()


def build_application(
    settings: Settings,
    library: Library,
    *,
    rate_limiter: AIORateLimiter | None = None,
    questions: QuestionStore | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The application with every handler, ready to initialise and poll."""
    application = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .request(BotApiRequest(connection_pool_size=SEND_POOL_SIZE, pool_timeout=SEND_POOL_TIMEOUT))
        .get_updates_request(BotApiRequest(connection_pool_size=POLL_POOL_SIZE))
        .concurrent_updates(CONCURRENT_UPDATES)
        .rate_limiter(
            rate_limiter
            or AIORateLimiter(
                overall_max_rate=settings.max_messages_per_second, max_retries=RETRY_ON_FLOOD
            )
        )
        .post_init(_register_commands)
        .build()
    )
    database = Database(settings.data_dir)
    keep_days = settings.keep_questions_days
    application.bot_data["services"] = handlers.Services(
        settings=settings,
        library=library,
        questions=questions or QuestionStore(database=database, keep_seconds=keep_days * usage.DAY),
        usage=UsageStore(database, keep_days=keep_days, voter_key=_voter_key(settings)),
    )
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    new_message = filters.UpdateType.MESSAGE  # edits are not questions asked anew

    # An update Telegram delivers twice (after a lost getUpdates answer) is handled once.
    application.add_handler(TypeHandler(Update, handlers.drop_repeated_update), group=-1)
    # Commands, in private chats and groups alike; an edit never runs one (an edited
    # "/start" that now reads "/reload" must not reload, an edited /ask is not re-asked).
    for name, callback in (
        ("start", handlers.start),
        ("help", handlers.help_command),
        ("about", handlers.about),
        ("sources", handlers.sources),
        ("ask", handlers.ask),
        ("reload", handlers.reload_corpus),
        ("remove", handlers.remove_document),
        ("add", handlers.add_url),
        ("stats", handlers.stats),
    ):
        application.add_handler(CommandHandler(name, callback, filters=new_message))
    # Questions: every private text; in groups only mentions and replies to the bot.
    application.add_handler(
        MessageHandler(
            private & new_message & filters.TEXT & ~filters.COMMAND, handlers.private_text
        )
    )
    application.add_handler(
        MessageHandler(private & new_message & filters.COMMAND, handlers.unknown_command)
    )
    application.add_handler(
        MessageHandler(groups & new_message & filters.TEXT & ~filters.COMMAND, handlers.group_text)
    )
    # A file an admin sends in a private chat is a document to add to the sources.
    application.add_handler(
        MessageHandler(private & new_message & filters.Document.ALL, handlers.document_upload)
    )
    # Stickers, photos and the like in private chats get a word on what the bot reads.
    application.add_handler(
        MessageHandler(private & new_message & ~filters.TEXT, handlers.non_text)
    )
    application.add_handler(CallbackQueryHandler(handlers.confirm_removal, pattern=r"^rm:"))
    application.add_handler(CallbackQueryHandler(handlers.vote, pattern=r"^vote:"))
    application.add_handler(CallbackQueryHandler(handlers.more_sources))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    application.add_error_handler(handlers.on_error)
    return application


async def initialise_with_retries(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """getMe until the Bot API answers; a wrong token stops at once."""
    delay = 1.0
    while True:
        try:
            await application.initialize()
            return
        except InvalidToken:
            raise
        except NetworkError as error:
            log.warning("the Bot API is not reachable (%s); retrying in %.0fs", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60)


@contextlib.asynccontextmanager
async def polling(
    application: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: int = 10
) -> AsyncIterator[None]:
    """The application initialised, long polling and answering until the block ends; then
    stopped and shut down in order, whatever happened inside."""
    await initialise_with_retries(application)
    try:
        if application.post_init:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(
            timeout=poll_timeout,
            bootstrap_retries=-1,
            allowed_updates=Update.ALL_TYPES,
            error_callback=lambda error: log.warning("polling failed: %s; retrying", error),
        )
        await application.start()
        yield
    finally:
        if application.updater and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


async def serve(settings: Settings, library: Library, *, stop: asyncio.Event | None = None) -> None:
    """Poll until SIGINT/SIGTERM (or `stop` is set); network faults are retried throughout."""
    application = build_application(settings, library)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with polling(application):
        log.info("bot @%s is answering (corpus: %s)", application.bot.username, settings.corpus_dir)
        await stop.wait()
