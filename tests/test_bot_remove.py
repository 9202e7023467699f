"""/remove DOC_ID through the fake Bot API: confirmation, removal that survives a restart,
and refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.bot_harness import ADMIN_ID, RunningBot, ask, running_bot, sends_to
from tests.helpers.fake_bot_api import FakeBotApi, RecordedCall

SEED_ID = "why-nordic-governments-must-uphold-the-ban"
QUESTION = "What did military leadership in Estonia and Latvia say about anti-personnel mines?"
OTHER_USER = 777


def buttons(call: RecordedCall) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup")
    assert isinstance(markup, dict), call.params
    row: list[dict[str, Any]] = markup["inline_keyboard"][0]
    return row


async def press(api: FakeBotApi, data: str, *, user_id: int, message_id: int) -> RecordedCall:
    before = len(api.calls_for("answerCallbackQuery"))
    api.push_callback_query(data, user_id=user_id, chat_id=ADMIN_ID, message_id=message_id)
    return (await api.wait_for_calls("answerCallbackQuery", before + 1))[before]


def with_note(tmp_path: Path) -> Path:
    from tests.helpers.bot_harness import copy_seeds

    corpus = copy_seeds(tmp_path / "corpus")
    (corpus / "winter.md").write_text(
        "# Winter clearance\n\nSnow hides mines from deminers for months in the far north.\n",
        "utf-8",
    )
    return corpus


async def test_remove_asks_first_then_removes_for_good(tmp_path: Path) -> None:
    corpus = with_note(tmp_path)
    async with running_bot(tmp_path, corpus_dir=corpus) as bot:
        api = bot.api
        confirm = (await ask(api, f"/remove {SEED_ID}", chat_id=ADMIN_ID, user_id=ADMIN_ID)).reply
        assert "Remove <b>Why Nordic governments" in confirm.params["text"]
        remove, keep = buttons(confirm)
        message_id = confirm.result["message_id"]
        assert len(remove["callback_data"].encode()) <= 64

        await press(api, keep["callback_data"], user_id=ADMIN_ID, message_id=message_id)
        edits = await api.wait_for_calls("editMessageText", 1)
        assert "Kept" in edits[-1].params["text"]
        assert SEED_ID in bot.library.snapshot.documents

        # Someone else's press on the Remove button changes nothing.
        refused = await press(
            api, remove["callback_data"], user_id=OTHER_USER, message_id=message_id
        )
        assert refused.params.get("show_alert") and "administrators" in refused.params["text"]
        assert SEED_ID in bot.library.snapshot.documents

        await press(api, remove["callback_data"], user_id=ADMIN_ID, message_id=message_id)
        edits = await api.wait_for_calls("editMessageText", 2)
        assert "Removed <b>Why Nordic governments" in edits[-1].params["text"]
        assert set(bot.library.snapshot.documents) == {"winter"}
        answer = (await ask(api, QUESTION, chat_id=ADMIN_ID, user_id=ADMIN_ID)).reply
        assert "military leadership in both Estonia" not in answer.params["text"]

    # A restart on the same data folder keeps the seed out; the note still answers.
    async with running_bot(tmp_path, corpus_dir=corpus) as bot:
        assert set(bot.library.snapshot.documents) == {"winter"}
        sources = await ask(bot.api, "/sources", chat_id=ADMIN_ID, user_id=ADMIN_ID)
        assert SEED_ID not in " ".join(c.params["text"] for c in sources.replies)


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[RunningBot]:
    async with running_bot(tmp_path) as bot:
        yield bot


async def test_remove_is_for_admins_and_explains_itself(running: RunningBot) -> None:
    api = running.api
    refused = (await ask(api, f"/remove {SEED_ID}", chat_id=OTHER_USER, user_id=OTHER_USER)).reply
    assert "administrators" in refused.params["text"]
    usage = (await ask(api, "/remove", chat_id=ADMIN_ID, user_id=ADMIN_ID)).reply
    assert "/sources" in usage.params["text"]
    unknown = (await ask(api, "/remove no-such-doc", chat_id=ADMIN_ID, user_id=ADMIN_ID)).reply
    assert "No document has the id" in unknown.params["text"]
    last = (await ask(api, f"/remove {SEED_ID}", chat_id=ADMIN_ID, user_id=ADMIN_ID)).reply
    assert "only document" in last.params["text"] and "reply_markup" not in last.params
    assert SEED_ID in running.library.snapshot.documents
    assert len(sends_to(api, ADMIN_ID)) == 3
