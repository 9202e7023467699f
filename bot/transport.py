"""HTTP to the Bot API: python-telegram-bot's httpx transport, with one change.

When a proxy or load balancer in front of the Bot API answers a 5xx with an HTML page,
PTB logs the whole page with a traceback at ERROR before raising; for a fault it retries
anyway, that buries the log. `parse_json_payload` is PTB's documented hook for this: we
log one line (the start of the page) and raise the same error.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram.error import TelegramError
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

# Sends share a few kept-alive connections, and wait for a free one rather than fail.
# httpcore looks at every pooled connection on every request (is it readable, expired?):
# with ApplicationBuilder's 256, under load that scan took a fifth of the bot's CPU (a
# py-spy profile of `python -m tests.bench_telegram`) and answers/s fell from 112 to 80
# with p99 1.1 s to 1.9 s. 16 connections are still far above Telegram's 30 messages/s at
# any round trip under half a second.
SEND_POOL_SIZE = 16
SEND_POOL_TIMEOUT = 30.0
POLL_POOL_SIZE = 1


class BotApiRequest(HTTPXRequest):
    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        text = payload.decode("utf-8", "replace")
        try:
            parsed: dict[str, Any] = json.loads(text)
        except ValueError:
            excerpt = " ".join(text.split())[:120]
            log.warning("the Bot API answered with something that is not JSON: %r", excerpt)
            raise TelegramError("Invalid server response") from None
        return parsed
