"""Sending so that a reply arrives: retries on network faults and 5xx, plain text when
Telegram cannot parse the HTML, and no retry of what retrying cannot fix."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any, cast

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

import bot.sending
from bot.sending import SEND_ATTEMPTS, html_to_plain, send_html, with_retries


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(bot.sending, "asyncio", SimpleNamespace(sleep=sleep))
    return waits


class FlakyBot:
    """Raises the given errors in turn, then succeeds; records every send_message call."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls: list[tuple[Any, ...]] = []

    async def send_message(self, chat_id: int, text: str, **options: Any) -> str:
        self.calls.append((chat_id, text, options))
        if self.errors:
            raise self.errors.pop(0)
        return f"sent: {text}"


def as_bot(flaky: FlakyBot) -> Bot:
    return cast(Bot, flaky)


async def test_network_errors_are_retried_with_back_off(no_waiting: list[float]) -> None:
    flaky = FlakyBot(NetworkError("Bad Gateway"), TimedOut(), NetworkError("reset"))
    assert await send_html(as_bot(flaky), 1, "<b>hi</b>") == "sent: <b>hi</b>"
    assert len(flaky.calls) == 4
    assert no_waiting == [0.5, 1.0, 2.0]


async def test_network_errors_give_up_after_the_last_attempt() -> None:
    flaky = FlakyBot(*[NetworkError("Bad Gateway")] * SEND_ATTEMPTS)
    with pytest.raises(NetworkError):
        await send_html(as_bot(flaky), 1, "hi")
    assert len(flaky.calls) == SEND_ATTEMPTS


async def test_flood_control_left_to_us_is_waited_out(no_waiting: list[float]) -> None:
    flaky = FlakyBot(RetryAfter(dt.timedelta(seconds=3)))
    assert await send_html(as_bot(flaky), 1, "hi") == "sent: hi"
    assert no_waiting == [3.0]


async def test_endless_flood_control_raises_retry_after() -> None:
    calls: list[int] = []

    async def always_flooded() -> None:
        calls.append(1)
        raise RetryAfter(dt.timedelta(seconds=1))

    with pytest.raises(RetryAfter):
        await with_retries("sendMessage", always_flooded)
    assert len(calls) == SEND_ATTEMPTS


async def test_unparsable_html_is_sent_as_plain_text() -> None:
    flaky = FlakyBot(BadRequest('Can\'t parse entities: unsupported start tag "foo"'))
    html = "<b>Mines</b> &amp; <i>&lt;victims&gt;</i> <foo>"
    assert await send_html(as_bot(flaky), 1, html, reply_to=5) == "sent: Mines & <victims> "
    (_, first, first_options), (_, second, second_options) = flaky.calls
    assert first == html and first_options["parse_mode"] == "HTML"
    assert second == "Mines & <victims> "
    assert "parse_mode" not in second_options
    assert second_options["reply_parameters"].message_id == 5


async def test_other_refusals_are_logged_not_retried(caplog: pytest.LogCaptureFixture) -> None:
    blocked = FlakyBot(Forbidden("Forbidden: bot was blocked by the user"))
    assert await send_html(as_bot(blocked), 1, "hi") is None
    assert len(blocked.calls) == 1
    rejected = FlakyBot(BadRequest("Chat not found"))
    assert await send_html(as_bot(rejected), 1, "hi") is None
    assert len(rejected.calls) == 1
    assert "Chat not found" in caplog.text


def test_html_to_plain() -> None:
    assert html_to_plain('<a href="x&amp;y">A &amp; B</a> &lt;b&gt; <b>c</b>') == "A & B <b> c"
