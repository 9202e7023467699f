"""The peer of `tests.bench_telegram`: a bare python-telegram-bot bot with a canned answer.

ApplicationBuilder's defaults (its HTTP pools included), with updates handled concurrently
as our bot handles them (256 at a time) and the same long polling; no rate limiter. It
answers every text with the same message: BENCH_REPLY_HTML (one of our bot's answers, so
that the server parses the same HTML and buttons; BENCH_REPLY_MARKUP, JSON) or, without
it, an echo of the text. What it costs to answer is then python-telegram-bot, HTTP and the
server alone: everything but finding the answer.

    BOT_TOKEN=... BOT_API_URL=http://127.0.0.1:PORT/bot python -m tests.bench_bare_bot
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

CANNED_HTML = os.environ.get("BENCH_REPLY_HTML")
CANNED_MARKUP = (
    InlineKeyboardMarkup.de_json(json.loads(os.environ["BENCH_REPLY_MARKUP"]), None)
    if os.environ.get("BENCH_REPLY_MARKUP")
    else None
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    if CANNED_HTML:
        await context.bot.send_message(
            message.chat_id, CANNED_HTML, parse_mode=ParseMode.HTML, reply_markup=CANNED_MARKUP
        )
    else:
        await context.bot.send_message(message.chat_id, message.text[:200])


def main() -> None:
    application = (
        ApplicationBuilder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(os.environ["BOT_API_URL"])
        .concurrent_updates(256)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, timeout=10)


if __name__ == "__main__":
    main()
