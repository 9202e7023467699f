"""Running the real bot Application against the fake Bot API, for tests and the benchmark."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from telegram.ext import AIORateLimiter, Application

from bot.app import build_application, polling
from bot.library import Library
from bot.settings import Settings
from corpus import default_corpus_dir
from tests.helpers.fake_bot_api import FakeBotApi, RecordedCall

TEST_TOKEN = "1234567:fake-token-for-local-tests-only-00000"
ADMIN_ID = 4242
USER_ID = 1001


@dataclass
class RunningBot:
    api: FakeBotApi
    application: Application[Any, Any, Any, Any, Any, Any]
    library: Library
    settings: Settings


def copy_seeds(target: Path) -> Path:
    """A writable copy of the shipped corpus (tests add broken files to it)."""
    shutil.copytree(default_corpus_dir(), target)
    return target


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    *,
    rate_limiter: AIORateLimiter | None = None,
    poll_timeout: int = 1,
    corpus_dir: Path | None = None,
    api: FakeBotApi | None = None,
    allow_private_urls: bool = False,
) -> AsyncIterator[RunningBot]:
    """The bot polling the fake server until the block ends."""
    own_api = api is None
    api = api or FakeBotApi(TEST_TOKEN)
    if own_api:
        api.start()
    settings = Settings(
        token=SecretStr(TEST_TOKEN),
        api_url=api.base_url,
        admin_ids=frozenset({ADMIN_ID}),
        corpus_dir=corpus_dir or copy_seeds(tmp_path / "corpus"),
        data_dir=tmp_path / "data",
        allow_private_urls=allow_private_urls,
    )
    # Embeddings are kept by content: tests of one session share them (tmp_path's parent
    # is the session's folder), so the seed article is embedded once, not once per test.
    engine = dataclasses.replace(
        settings.engine(), embeddings_dir=tmp_path.parent / "shared-embeddings"
    )
    library = Library(settings.corpus_dir, settings.data_dir, engine)
    library.load()
    application = build_application(settings, library, rate_limiter=rate_limiter)
    try:
        async with polling(application, poll_timeout=poll_timeout):
            yield RunningBot(api, application, library, settings)
    finally:
        if own_api:
            api.stop()
        await asyncio.sleep(0)


# ------------------------------------------------------------------ asking and reading replies


def last_pushed_message_id(api: FakeBotApi, chat_id: int) -> int:
    """The id of the newest message a test pushed into `chat_id`."""
    return max(mid for chat, mid in api.message_pushed_at if chat == chat_id)


def sends_to(api: FakeBotApi, chat_id: int) -> list[RecordedCall]:
    """Successful sendMessage calls to one chat, in the order the fake answered them."""
    return [
        call
        for call in api.calls_for("sendMessage")
        if call.ok and str(call.params.get("chat_id")) == str(chat_id)
    ]


async def wait_for_sends(
    api: FakeBotApi,
    chat_id: int,
    count: int,
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for polling, not for one await
) -> list[RecordedCall]:
    """Wait until `count` successful sendMessage calls to `chat_id` arrived; all of them."""
    return await api.wait_for_calls(
        "sendMessage",
        count,
        timeout,
        predicate=lambda call: call.ok and str(call.params.get("chat_id")) == str(chat_id),
    )


@dataclass
class Exchange:
    """A pushed message and the bot's sendMessage calls that followed it in its chat."""

    message_id: int
    replies: list[RecordedCall]

    @property
    def reply(self) -> RecordedCall:
        assert len(self.replies) == 1, f"expected one reply, got {len(self.replies)}"
        return self.replies[0]


async def ask(
    api: FakeBotApi,
    text: str,
    *,
    chat_id: int = USER_ID,
    user_id: int = USER_ID,
    replies: int = 1,
    timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for polling, not for one await
    **push: Any,
) -> Exchange:
    """Push `text` as a user's message and wait for `replies` new messages in that chat."""
    before = len(sends_to(api, chat_id))
    api.push_message(text, chat_id=chat_id, user_id=user_id, **push)
    message_id = last_pushed_message_id(api, chat_id)
    calls = await wait_for_sends(api, chat_id, before + replies, timeout=timeout)
    return Exchange(message_id, calls[before:])


def entity_texts(message: dict[str, Any], kind: str) -> list[str]:
    """The text under each entity of `kind` in a message as Telegram stores it."""
    encoded = str(message.get("text", "")).encode("utf-16-le", "surrogatepass")
    return [
        encoded[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode(
            "utf-16-le", "surrogatepass"
        )
        for e in message.get("entities", [])
        if e["type"] == kind
    ]
