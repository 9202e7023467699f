"""The fake Bot API must answer like Telegram, or the end-to-end tests built on it lie.

Each test drives it through the real PTB ``Bot`` (or raw httpx for the wire format).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter
from telegram.ext import filters

from tests.helpers.fake_bot_api import FakeBotApi, HtmlParseError, parse_telegram_html

TOKEN = "123456:TEST-token"
CHAT = 4242
HTML = ParseMode.HTML


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def chat(api: FakeBotApi) -> int:
    """A private chat the bot knows: Telegram refuses to send to chats never seen."""
    api.push_message("/start", chat_id=CHAT, user_id=CHAT)
    return CHAT


# ------------------------------------------------------------------ identity and wire format


async def test_get_me_parses_in_ptb(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name) == (7000001, "ihl_test_bot", "IHL Test Bot")
    assert me.is_bot and me.can_join_groups and me.supports_inline_queries
    assert bot.username == "ihl_test_bot"


async def test_wrong_token_raises_invalid_token(api: FakeBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=api.base_url):
            pass
    assert api.calls[-1].status == 401


async def test_raw_http_answers_in_telegrams_format(api: FakeBotApi, chat: int) -> None:
    base = api.base_url
    async with httpx.AsyncClient(trust_env=False) as client:  # loopback only, never a proxy
        wrong = await client.post(f"{base}999:wrong/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

        unknown = await client.post(f"{base}{TOKEN}/sendTelepathy")
        assert unknown.status_code == 404
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}

        # JSON body, method name in another case: Telegram accepts both.
        sent = await client.post(f"{base}{TOKEN}/sendmessage", json={"chat_id": chat, "text": "hi"})
        assert sent.json()["ok"] is True
        assert sent.json()["result"]["text"] == "hi"

        # Form body with reply_markup JSON-encoded, as PTB sends it.
        def keyboard(data: str) -> dict[str, str]:
            markup = {"inline_keyboard": [[{"text": "More", "callback_data": data}]]}
            return {"chat_id": str(chat), "text": "Pick", "reply_markup": json.dumps(markup)}

        too_long = await client.post(f"{base}{TOKEN}/sendMessage", data=keyboard("x" * 65))
        assert too_long.status_code == 400
        assert too_long.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: BUTTON_DATA_INVALID",
        }
        fits = await client.post(f"{base}{TOKEN}/sendMessage", data=keyboard("x" * 64))
        assert fits.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "More"
    assert [c.status for c in api.calls_for("sendMessage")] == [200, 400, 200]


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(777, "hello")


# ------------------------------------------------------------------ sendMessage and HTML


async def test_valid_html_is_sent_and_stored_as_plain_text(
    api: FakeBotApi, bot: Bot, chat: int
) -> None:
    html = (
        "<b>Rule 1</b> &amp; <i>distinction</i> &lt;GC I&gt; "
        '<a href="https://ihl-databases.icrc.org">source</a> &#128163; AT&T &nbsp;'
    )
    message = await bot.send_message(chat, html, parse_mode=HTML)

    expected = "Rule 1 & distinction <GC I> source 💣 AT&T &nbsp;"
    assert message.text == expected
    assert message.from_user is not None and message.from_user.id == bot.id
    assert message.chat.type == "private"
    kinds = [(e.type, message.parse_entity(e)) for e in message.entities]
    assert kinds == [("bold", "Rule 1"), ("italic", "distinction"), ("text_link", "source")]
    assert message.entities[2].url == "https://ihl-databases.icrc.org"
    stored = api.get_message(chat, message.message_id)
    assert stored is not None and stored["text"] == expected
    assert api.sent_messages(chat)[0]["text"] == html


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<foo>x</foo>", 'unsupported start tag "foo" at byte offset 0'),
        ("<b>bold", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("é <br>", 'unsupported start tag "br" at byte offset 3'),
        ("x</b>", "unexpected end tag at byte offset 1"),
        ("a <b", "unclosed start tag at byte offset 2"),
        ('<span class="x">s</span>', 'tag "span" must have class "tg-spoiler"'),
        ("<a href=x/>y</a>", "unexpected end of name token at byte offset 8"),
    ],
)
async def test_invalid_html_is_refused_like_telegram(
    bot: Bot, chat: int, html: str, reason: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(chat, html, parse_mode=HTML)
    message = str(caught.value).lower()  # PTB lowercases all but the first letter
    assert message.startswith("can't parse entities: ")
    assert reason in message


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("a & b", "a & b", []),
        ("&lt;b&gt; &quot;q&quot; &#x41;&#66; &bogus; &", '<b> "q" AB &bogus; &', []),
        ("<B>x</B>", "x", [{"type": "bold", "offset": 0, "length": 1}]),
        ("😀 <u>x</u>", "😀 x", [{"type": "underline", "offset": 3, "length": 1}]),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
        ),
        (
            "<blockquote expandable>q</blockquote>",
            "q",
            [{"type": "expandable_blockquote", "offset": 0, "length": 1}],
        ),
        ('<span class="tg-spoiler">s</span>', "s", [{"type": "spoiler", "offset": 0, "length": 1}]),
        (
            "<a>https://x.org</a>",
            "https://x.org",
            [{"type": "text_link", "offset": 0, "length": 13, "url": "https://x.org"}],
        ),
    ],
)
def test_parser_accepts_what_telegram_accepts(
    html: str, text: str, entities: list[dict[str, Any]]
) -> None:
    assert parse_telegram_html(html) == (text, entities)


def test_parser_refuses_custom_emoji_without_a_valid_id() -> None:
    with pytest.raises(HtmlParseError, match="Invalid custom emoji identifier"):
        parse_telegram_html('<tg-emoji emoji-id="x">👍</tg-emoji>')


@pytest.mark.parametrize(("text", "parse_mode"), [("", None), ("   \n ", None), ("<b> </b>", HTML)])
async def test_empty_text_is_refused(
    bot: Bot, chat: int, text: str, parse_mode: str | None
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(chat, text, parse_mode=parse_mode)


@pytest.mark.parametrize(
    ("text", "parse_mode", "fits"),
    [
        ("a" * 4096, None, True),
        ("a" * 4097, None, False),
        ("a" * 4094 + "😀", None, True),  # an emoji is two UTF-16 code units
        ("a" * 4095 + "😀", None, False),
        ("<b>" + "a" * 4096 + "</b>", HTML, True),  # tags don't count
        ("&amp;" * 4096, HTML, True),  # each entity counts as the one character it makes
        ("&amp;" * 4097, HTML, False),
    ],
)
async def test_length_limit_counts_utf16_units_after_parsing(
    bot: Bot, chat: int, text: str, parse_mode: str | None, fits: bool
) -> None:
    if fits:
        await bot.send_message(chat, text, parse_mode=parse_mode)
    else:
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(chat, text, parse_mode=parse_mode)


async def test_edit_message_text(api: FakeBotApi, bot: Bot, chat: int) -> None:
    sent = await bot.send_message(chat, "<b>Draft</b>", parse_mode=HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<b>Draft</b>", chat, sent.message_id, parse_mode=HTML)
    edited = await bot.edit_message_text("Final", chat_id=chat, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.text == "Final"
    stored = api.get_message(chat, sent.message_id)
    assert stored is not None and stored["text"] == "Final" and "entities" not in stored
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=chat, message_id=999)


# ------------------------------------------------------------------ updates


async def test_long_poll_returns_an_update_pushed_while_it_waits(api: FakeBotApi, bot: Bot) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    api.push_message("What protects civilians?", chat_id=CHAT, user_id=CHAT)
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1.5
    assert [u.message.text for u in updates if u.message] == ["What protects civilians?"]


async def test_long_poll_times_out_with_no_updates(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2


async def test_offsets_confirm_and_drop_updates(api: FakeBotApi, bot: Bot) -> None:
    ids = [api.push_message(f"q{i}", chat_id=CHAT, user_id=CHAT) for i in range(3)]

    def update_ids(updates: tuple[Any, ...]) -> list[int]:
        return [u.update_id for u in updates]

    assert update_ids(await bot.get_updates()) == ids
    assert update_ids(await bot.get_updates(offset=ids[1])) == ids[1:]
    assert update_ids(await bot.get_updates(offset=ids[0])) == ids[1:]  # ids[0] is gone
    assert update_ids(await bot.get_updates(limit=1)) == ids[1:2]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert await bot.get_updates() == ()


async def test_group_messages_carry_mention_and_command_entities(api: FakeBotApi, bot: Bot) -> None:
    for text in ("😀 @ihl_test_bot what is a landmine?", "/ask@ihl_test_bot distinction"):
        api.push_message(text, chat_id=-1001, user_id=5, chat_type="supergroup", chat_title="IHL")
    mention, command = await bot.get_updates()

    assert mention.message is not None and mention.message.chat.title == "IHL"
    assert mention.message.chat.type == "supergroup"
    assert list(mention.message.parse_entities(["mention"]).values()) == ["@ihl_test_bot"]
    assert mention.message.entities[0].offset == 3  # the emoji is two UTF-16 units
    assert filters.Mention("ihl_test_bot").check_update(mention)
    assert filters.COMMAND.check_update(command)
    assert command.message is not None
    assert list(command.message.parse_entities().values()) == ["/ask@ihl_test_bot"]


async def test_replies_and_button_presses_embed_the_bot_message(
    api: FakeBotApi, bot: Bot, chat: int
) -> None:
    await bot.get_updates()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])
    sent = await bot.send_message(chat, "Rule 1 ...", reply_markup=keyboard)
    api.push_message(
        "and in NIAC?", chat_id=chat, user_id=chat, reply_to_message_id=sent.message_id
    )
    api.push_callback_query("more:1", user_id=chat, chat_id=chat, message_id=sent.message_id)
    reply, press = await bot.get_updates(offset=-2)

    assert filters.REPLY.check_update(reply)
    assert reply.message is not None and reply.message.reply_to_message is not None
    replied_to = reply.message.reply_to_message
    assert replied_to.from_user is not None and replied_to.from_user.id == bot.id
    query = press.callback_query
    assert query is not None and query.data == "more:1"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Loading")
    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await bot.answer_callback_query(query.id, text="x" * 201)


async def test_inline_answers_are_validated(api: FakeBotApi, bot: Bot) -> None:
    api.push_inline_query("landmines", user_id=9)
    (update,) = await bot.get_updates()
    assert update.inline_query is not None and update.inline_query.query == "landmines"

    def article(html: str) -> InlineQueryResultArticle:
        return InlineQueryResultArticle("1", "Ottawa", InputTextMessageContent(html, HTML))

    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.answer_inline_query(update.inline_query.id, [article("<b>Ottawa")])
    assert await bot.answer_inline_query(update.inline_query.id, [article("<b>Ottawa</b>")])


async def test_non_text_and_edited_messages_parse_in_ptb(
    api: FakeBotApi, bot: Bot, chat: int
) -> None:
    api.push_sticker(chat, chat)
    api.push_photo(chat, chat, caption="a map")
    api.push_edited_message("/start again", chat_id=chat, message_id=1)
    start, sticker, photo, edited = await bot.get_updates()

    assert filters.Sticker.ALL.check_update(sticker)
    assert filters.PHOTO.check_update(photo) and not filters.TEXT.check_update(photo)
    assert photo.message is not None and photo.message.caption == "a map"
    assert edited.edited_message is not None and edited.edited_message.text == "/start again"
    assert start.message is not None and edited.edited_message.message_id == 1


async def test_housekeeping_methods(api: FakeBotApi, bot: Bot, chat: int) -> None:
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()

    assert await bot.set_my_commands([("ask", "Ask a question on IHL")])
    assert [c.command for c in await bot.get_my_commands()] == ["ask"]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Ask!", "bad")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    assert await bot.send_chat_action(chat, "typing")
    sent = await bot.send_message(chat, "temporary")
    assert await bot.delete_message(chat, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(chat, sent.message_id)


# ------------------------------------------------------------------ faults and timing


async def test_429_raises_retry_after(
    api: FakeBotApi, bot: Bot, chat: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, PTB 22 warns (an error here) when building RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    await bot.send_message(chat, "hi")
    assert [c.status for c in api.calls_for("sendMessage")] == [429, 200]


@pytest.mark.parametrize(("status", "description"), [(502, None), (500, "Internal Server Error")])
async def test_5xx_raises_network_error(
    api: FakeBotApi, bot: Bot, chat: int, status: int, description: str | None
) -> None:
    api.fail_next("sendMessage", status=status, description=description)
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(chat, "hi")
    assert type(caught.value) is NetworkError  # not BadRequest, which subclasses it
    assert ("Bad Gateway" if description is None else description) in str(caught.value)
    await bot.send_message(chat, "hi")


async def test_delay_slows_a_method(api: FakeBotApi, bot: Bot) -> None:
    api.delay("getMe", 0.3)
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.3


async def test_wait_for_calls(api: FakeBotApi, bot: Bot, chat: int) -> None:
    async def send_later() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(chat, "one")

    sending = asyncio.create_task(send_later())
    calls = await api.wait_for_calls("sendMessage", predicate=lambda c: c.ok)
    assert calls[0].params["text"] == "one"
    await sending
    with pytest.raises(AssertionError, match="expected 2 sendMessage call"):
        await api.wait_for_calls("sendMessage", count=2, timeout=0.2)


async def test_reply_latency_is_measured_from_push(api: FakeBotApi, bot: Bot, chat: int) -> None:
    update_id = api.push_message("What is a landmine?", chat_id=chat, user_id=chat)
    (update,) = await bot.get_updates(offset=update_id)
    assert update.message is not None
    await asyncio.sleep(0.05)
    reply_to = ReplyParameters(update.message.message_id)
    await bot.send_message(chat, "An explosive ...", reply_parameters=reply_to)
    latency = api.reply_latencies()[(chat, update.message.message_id)]
    assert 0.05 <= latency < 1
    assert api.update_pushed_at[update_id] <= api.calls_for("sendMessage")[-1].time


async def test_stop_answers_a_pending_long_poll(api: FakeBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await asyncio.to_thread(api.stop)
    assert await asyncio.wait_for(poll, 3) == ()
    assert time.monotonic() - started < 3
