"""Sending a message so that it arrives: HTML first, plain text if Telegram rejects the HTML,
and retries with back-off on network errors and 5xx answers (flood control, 429, is retried
by the rate limiter)."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import Any

from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 5
FIRST_BACKOFF_SECONDS = 0.5
_TAG = re.compile(r"<[^>]+>")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def html_to_plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


async def with_retries(what: str, call: Any, *args: Any, **kwargs: Any) -> Any:
    """Await `call(*args, **kwargs)`, retrying transient failures; others propagate."""
    delay = FIRST_BACKOFF_SECONDS
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await call(*args, **kwargs)
        except RetryAfter as error:  # only when the rate limiter's own retries ran out
            if attempt == SEND_ATTEMPTS:
                raise
            wait = error.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            log.warning("%s: flood control, retrying in %.1fs (attempt %d)", what, seconds, attempt)
            await asyncio.sleep(seconds)
        except (BadRequest, Forbidden):
            raise
        except (TimedOut, NetworkError) as error:
            if attempt == SEND_ATTEMPTS:
                raise
            log.warning(
                "%s: %s: %s; retrying in %.1fs (attempt %d)",
                what,
                type(error).__name__,
                error,
                delay,
                attempt,
            )
            await asyncio.sleep(delay)
            delay *= 2
    raise RuntimeError("unreachable")


async def send_html(
    bot: Bot, chat_id: int, text: str, *, reply_to: int | None = None, reply_markup: Any = None
) -> Message | None:
    """Send `text` as HTML; if Telegram cannot parse it, send the same words as plain text."""
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    options: dict[str, Any] = {
        "reply_parameters": reply,
        "reply_markup": reply_markup,
        "link_preview_options": NO_PREVIEW,
    }
    what = f"sendMessage to chat {chat_id}"
    try:
        message: Message = await with_retries(
            what, bot.send_message, chat_id, text, parse_mode=ParseMode.HTML, **options
        )
        return message
    except Forbidden as error:
        log.warning("%s refused: %s", what, error)
        return None
    except BadRequest as error:
        if "parse entities" not in str(error).lower():
            log.error("%s rejected: %s", what, error)
            return None
        log.error("%s: Telegram could not parse our HTML (%s); sending plain text", what, error)
    try:
        plain: Message = await with_retries(
            what, bot.send_message, chat_id, html_to_plain(text), **options
        )
        return plain
    except (BadRequest, Forbidden) as error:
        log.error("%s rejected as plain text too: %s", what, error)
        return None
