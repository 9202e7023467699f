"""Hostile and careless updates through the fake Bot API: repeats, edits, broken entities,
invisible characters. Each must get exactly the reply a person would expect, or none."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.helpers.bot_harness import (
    ADMIN_ID,
    RunningBot,
    ask,
    copy_seeds,
    running_bot,
    sends_to,
    wait_for_sends,
)
from tests.helpers.fake_bot_api import RecordedCall, parse_telegram_html, utf16_len

QUESTION = "What did military leadership in Estonia and Latvia say about anti-personnel mines?"
USER_ID = 5151
BOT_USERNAME = "ihl_test_bot"  # the fake's getMe
GROUP_ID = -100200301


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[RunningBot]:
    async with running_bot(tmp_path) as bot:
        yield bot


async def settle(seconds: float = 0.5) -> None:
    await asyncio.sleep(seconds)


async def test_an_update_delivered_twice_is_answered_once(running: RunningBot) -> None:
    api = running.api
    with api._lock:  # both in one getUpdates batch, as after a lost answer to getUpdates
        first = api.push_message(QUESTION, chat_id=USER_ID, user_id=USER_ID)
        payload = next(json for update_id, json in api._state.updates if update_id == first)
        api._state.updates.append((first, payload))
    await wait_for_sends(api, USER_ID, 1)
    await ask(api, "smart mines", chat_id=USER_ID, user_id=USER_ID)  # a later update is seen
    await settle()
    answers = [c for c in sends_to(api, USER_ID) if c.method == "sendMessage"]
    assert len(answers) == 2


async def test_an_edit_never_runs_a_command(running: RunningBot) -> None:
    api = running.api
    exchange = await ask(api, "/start", chat_id=ADMIN_ID, user_id=ADMIN_ID)
    reloads_before = running.library.snapshot
    edit = api.push_edited_message("/reload", chat_id=ADMIN_ID, message_id=exchange.message_id)
    await api.wait_for_calls(
        "getUpdates", predicate=lambda c: int(c.params.get("offset") or 0) > edit
    )
    await settle()
    assert running.library.snapshot is reloads_before, "an edited message reloaded the corpus"
    assert len(sends_to(api, ADMIN_ID)) == 1


async def test_an_edited_ask_in_a_group_is_not_answered_again(running: RunningBot) -> None:
    api = running.api
    exchange = await ask(
        api, f"/ask {QUESTION}", chat_id=GROUP_ID, user_id=USER_ID, chat_type="group"
    )
    edit = api.push_edited_message(
        "/ask what about smart mines?", chat_id=GROUP_ID, message_id=exchange.message_id
    )
    await api.wait_for_calls(
        "getUpdates", predicate=lambda c: int(c.params.get("offset") or 0) > edit
    )
    await settle()
    assert len(sends_to(api, GROUP_ID)) == 1


async def test_a_mention_entity_that_splits_an_emoji_still_gets_an_answer(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    api = running.api
    text = f"😀@{BOT_USERNAME} what did Estonia and Latvia say about anti-personnel mines?"
    # The entity starts inside the emoji's surrogate pair (offset 1 of its 2 UTF-16 units).
    entities = [{"type": "mention", "offset": 1, "length": len(BOT_USERNAME) + 1}]
    api.push_message(text, chat_id=GROUP_ID, user_id=USER_ID, chat_type="group", entities=entities)
    (reply,) = await wait_for_sends(api, GROUP_ID, 1)
    assert "<blockquote>" in reply.params["text"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_a_zero_width_joiner_inside_a_word_does_not_hide_it(running: RunningBot) -> None:
    api = running.api
    exchange = await ask(
        api,
        "What did military leadership in Esto\u200dnia and Lat\u200bvia say about mines?",
        chat_id=USER_ID,
        user_id=USER_ID,
    )
    assert "Estonia" in exchange.reply.params["text"]
    assert "<blockquote>" in exchange.reply.params["text"]


@pytest.fixture
async def oversized(tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The seeds, and a document whose sidecar has a 6,400-character title and 400 authors."""
    corpus = copy_seeds(tmp_path / "corpus")
    (corpus / "huge.md").write_text(
        "# Winter\n\nDeminers in the Arctic clear mines under deep snow and ice each spring.\n",
        "utf-8",
    )
    authors = "".join(
        f'[[authors]]\nname = "Author Number {n} of the Team"\n\n' for n in range(400)
    )
    (corpus / "huge.meta.toml").write_text(f'title = "{"Long title " * 580}"\n\n{authors}', "utf-8")
    async with running_bot(tmp_path, corpus_dir=corpus) as bot:
        yield bot


def assert_fits(calls: list[RecordedCall]) -> None:
    for call in calls:
        assert call.ok, call.description
        assert utf16_len(parse_telegram_html(call.params["text"])[0]) <= 4096


async def test_a_huge_title_and_400_authors_never_cost_a_reply(oversized: RunningBot) -> None:
    api = oversized.api
    answered = await ask(api, "Who clears mines under deep snow and ice in the Arctic?")
    assert "Arctic" in answered.reply.params["text"]
    assert "and 396 others" in answered.reply.params["text"]
    not_covered = await ask(api, "How do I reverse a list in Python?")
    sources = await ask(api, "/sources")
    assert "Id: huge" in " ".join(c.params["text"] for c in sources.replies)
    assert_fits(answered.replies + not_covered.replies + sources.replies)
    assert not [c for c in api.calls_for("sendMessage") if not c.ok]

    before = len(api.calls_for("answerInlineQuery"))
    api.push_inline_query("mines under deep snow Arctic", user_id=USER_ID)
    (inline,) = (await api.wait_for_calls("answerInlineQuery", before + 1))[before:]
    assert inline.ok, inline.description
    for result in inline.params["results"]:
        content = result["input_message_content"]["message_text"]
        assert utf16_len(parse_telegram_html(content)[0]) <= 4096
