"""Running the real bot Application against the fake Bot API, for tests and the benchmark."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram.ext import AIORateLimiter, Application

from bot.app import build_application
from bot.library import Library
from bot.settings import Settings
from corpus import default_corpus_dir
from tests.helpers.fake_bot_api import FakeBotApi

TEST_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
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
) -> AsyncIterator[RunningBot]:
    """The bot polling the fake server until the block ends."""
    own_api = api is None
    api = api or FakeBotApi(TEST_TOKEN)
    if own_api:
        api.start()
    settings = Settings(
        token=TEST_TOKEN,
        api_url=api.base_url,
        admin_ids=frozenset({ADMIN_ID}),
        corpus_dir=corpus_dir or copy_seeds(tmp_path / "corpus"),
        data_dir=tmp_path / "data",
    )
    library = Library(settings.corpus_dir)
    library.load()
    application = build_application(settings, library, rate_limiter=rate_limiter)
    try:
        await application.initialize()
        if application.post_init:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
        await application.start()
        yield RunningBot(api, application, library, settings)
    finally:
        if application.updater and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        if own_api:
            api.stop()
        await asyncio.sleep(0)
