"""👍 / 👎 under answers and /stats for admins, through the fake Bot API."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.bot_harness import ADMIN_ID, TEST_TOKEN, USER_ID, ask, copy_seeds, running_bot
from tests.helpers.fake_bot_api import FakeBotApi, RecordedCall

GROUP_ID = -100555
OTHER_USER = 2002
QUESTION = "What did military leadership in Estonia and Latvia say about anti-personnel mines?"
OFF_TOPIC = "Best way to treat a wounded dog?"


def keyboard(message: dict[str, object]) -> list[list[dict[str, str]]]:
    markup = message.get("reply_markup")
    assert isinstance(markup, dict), message
    rows: list[list[dict[str, str]]] = markup["inline_keyboard"]
    return rows


def vote_buttons(call: RecordedCall) -> tuple[str, str]:
    (row,) = [r for r in keyboard(call.result) if r[0]["callback_data"].startswith("vote:")]
    up, down = row
    assert (up["text"], down["text"]) == ("👍", "👎")
    return up["callback_data"], down["callback_data"]


async def press(
    api: FakeBotApi, data: str, *, user_id: int, chat_id: int, message_id: int
) -> RecordedCall:
    before = len(api.calls_for("answerCallbackQuery"))
    api.push_callback_query(data, user_id=user_id, chat_id=chat_id, message_id=message_id)
    return (await api.wait_for_calls("answerCallbackQuery", before + 1))[before]


async def test_votes_are_counted_once_per_person_shown_and_reported_in_stats(
    tmp_path: Path,
) -> None:
    corpus = copy_seeds(tmp_path / "corpus")
    with FakeBotApi(TEST_TOKEN) as api:
        await _vote_then_restart(tmp_path, corpus, api)


async def _vote_then_restart(tmp_path: Path, corpus: Path, api: FakeBotApi) -> None:
    async with running_bot(tmp_path, corpus_dir=corpus, api=api):
        answer = (await ask(api, f"/ask {QUESTION}", chat_id=GROUP_ID, chat_type="group")).reply
        up, down = vote_buttons(answer)
        assert len(up.encode()) <= 64
        message_id = answer.result["message_id"]

        first = await press(api, up, user_id=USER_ID, chat_id=GROUP_ID, message_id=message_id)
        assert "counted" in first.params["text"]
        edits = await api.wait_for_calls("editMessageReplyMarkup", 1)
        shown = api.get_message(GROUP_ID, message_id)
        assert shown is not None
        assert [b["text"] for b in keyboard(shown)[0]] == ["👍 counted", "👎"]
        assert edits[-1].ok

        again = await press(api, up, user_id=USER_ID, chat_id=GROUP_ID, message_id=message_id)
        assert "already counted" in again.params["text"]
        other = await press(api, down, user_id=OTHER_USER, chat_id=GROUP_ID, message_id=message_id)
        assert "counted" in other.params["text"]
        forged = await press(
            api, "vote:nosuchanswer.0:up", user_id=USER_ID, chat_id=GROUP_ID, message_id=message_id
        )
        assert "no longer" in forged.params["text"]

        missed = (await ask(api, OFF_TOPIC)).reply
        assert "reply_markup" not in missed.params  # nothing to vote on in "not covered"
        await ask(api, OFF_TOPIC.upper())

        report = await ask(api, "/stats", chat_id=ADMIN_ID, user_id=ADMIN_ID)
        text = "\n".join(c.params["text"] for c in report.replies)
        assert "3 asked, 1 answered" in text
        assert "33% answered" in text
        assert "Best way to treat a wounded dog? (×2)" in text
        assert "Why Nordic governments must uphold the global ban" in text and "👍 1 · 👎 1" in text

        refused = (await ask(api, "/stats", user_id=OTHER_USER, chat_id=OTHER_USER)).reply
        assert "administrators" in refused.params["text"]

    # After a restart the same person's press is still one vote.
    async with running_bot(tmp_path, corpus_dir=corpus, api=api):
        again = await press(api, up, user_id=USER_ID, chat_id=GROUP_ID, message_id=message_id)
        assert "already counted" in again.params["text"]
