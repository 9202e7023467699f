"""End to end: the real Application polls the fake Bot API; assertions read what it recorded.

Every test runs the bot exactly as `ihlbot run` builds it (handlers, AIORateLimiter, the
SQLite store of More-sources questions) with no internet: the fake server answers like
Telegram, including its HTML rules, 429 flood control and 502s from its proxy.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import bot.handlers
import bot.library
import bot.logs
import bot.render
import bot.replies
from corpus import Corpus, default_corpus_dir, load_corpus
from tests.helpers.bot_harness import (
    ADMIN_ID,
    TEST_TOKEN,
    USER_ID,
    RunningBot,
    ask,
    copy_seeds,
    entity_texts,
    last_pushed_message_id,
    running_bot,
    sends_to,
    wait_for_sends,
)
from tests.helpers.fake_bot_api import FakeBotApi, RecordedCall, parse_telegram_html, utf16_len
from tests.helpers.logging_state import preserved_logging

QUESTION = "What did military leadership in Estonia and Latvia say about anti-personnel mines?"
UNANSWERABLE = "How do I make a sourdough starter?"
MORE_QUESTION = "anti-personnel mines"  # many passages answer it: the reply has a More button
GROUP_ID = -100200300
BOT_USERNAME = "ihl_test_bot"
TITLE = "Why Nordic governments must uphold the global ban on anti-personnel mines"
AUTHORS = ["Anders Ladekarl", "Eero Rämö", "Grete Herlofson", "Ulrika Modéer"]
WHAT_I_DO = "I answer questions about international humanitarian law and landmines"


# ------------------------------------------------------------------ fixtures and helpers


@pytest.fixture(scope="module")
def shipped() -> Corpus:
    return load_corpus(default_corpus_dir())


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[RunningBot]:
    async with running_bot(tmp_path) as started:
        yield started


@pytest.fixture
def api(running: RunningBot) -> FakeBotApi:
    return running.api


def stored(call: RecordedCall) -> dict[str, Any]:
    """The message as the fake stored it (plain text and entities) from a sendMessage call."""
    assert call.ok, call.description
    result: dict[str, Any] = call.result
    return result


def quotes_of(call: RecordedCall) -> list[str]:
    return entity_texts(stored(call), "blockquote")


def assert_verbatim(quotes: list[str], corpus: Corpus) -> None:
    assert quotes, "the answer has no quote"
    for quote in quotes:
        quote = quote.removesuffix(" […]")
        assert any(quote in passage.text for passage in corpus.passages), quote


def button_data(call: RecordedCall) -> list[str]:
    """Every button's callback data, row by row."""
    markup = call.params.get("reply_markup")
    assert isinstance(markup, dict), f"no inline keyboard on {call.params}"
    return [str(b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def more_button_data(call: RecordedCall) -> str:
    (data,) = [d for d in button_data(call) if d.startswith("more:")]
    return data


def reply_target(call: RecordedCall) -> int | None:
    reply = call.params.get("reply_parameters")
    return int(reply["message_id"]) if isinstance(reply, dict) else None


async def settle(seconds: float = 0.3) -> None:
    """Give the bot time to (wrongly) send something more before counting messages."""
    await asyncio.sleep(seconds)


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


# ------------------------------------------------------------------ private questions


async def test_private_question_gets_verbatim_cited_quotes_without_a_typing_call(
    api: FakeBotApi, shipped: Corpus
) -> None:
    exchange = await ask(api, QUESTION)
    answer = exchange.reply
    # Ready in milliseconds: no "typing" spends Telegram's message budget.
    assert not [c for c in api.calls_for("sendChatAction") if c.params["chat_id"] == USER_ID]

    assert answer.status == 200 and answer.params["parse_mode"] == "HTML"
    html = answer.params["text"]
    assert "<blockquote>" in html
    quotes = quotes_of(answer)
    assert_verbatim(quotes, shipped)
    assert "military leadership in both Estonia and Latvia" in quotes[0]
    # The question's words are in bold, inside the quote.
    bold = [b.lower() for b in entity_texts(stored(answer), "bold")]
    assert {"estonia", "latvia"} <= set(bold)
    assert "<b>Estonia</b>" in html and "<b>Latvia</b>" in html
    # The citation: authors, title, date and section, as the reader sees it.
    text = stored(answer)["text"]
    assert TITLE in text and "2 April 2026" in text
    assert all(author in text for author in AUTHORS)
    assert "§ Military utility: an outdated weapon in modern warfare" in text
    assert TITLE in entity_texts(stored(answer), "italic")
    assert answer.params.get("link_preview_options") == {"is_disabled": True}


async def test_unanswerable_question_says_not_covered_and_names_the_sources(
    api: FakeBotApi,
) -> None:
    exchange = await ask(api, UNANSWERABLE)
    await settle()
    assert len(sends_to(api, USER_ID)) == 1, "one reply, not several"
    reply = exchange.reply
    assert "<blockquote>" not in reply.params["text"]
    text = stored(reply)["text"]
    assert "could not find an answer to that in my sources" in text
    assert "My sources cover" in text and TITLE in text
    assert "reply_markup" not in reply.params, "no More button without quotes"


@pytest.mark.parametrize(
    "message",
    ["🙂🙂", "???", "Что такое противопехотная мина и почему её запретили?"],
    ids=["emoji", "punctuation", "cyrillic"],
)
async def test_message_without_searchable_words_gets_what_the_bot_does(
    api: FakeBotApi, message: str
) -> None:
    reply = (await ask(api, message)).reply
    text = stored(reply)["text"]
    assert WHAT_I_DO in text
    assert "Ask me a question in words" in text
    assert "<blockquote>" not in reply.params["text"]


async def test_long_paste_gets_one_reply_within_telegrams_limit(
    api: FakeBotApi, shipped: Corpus, caplog: pytest.LogCaptureFixture
) -> None:
    article = shipped.documents[0].text
    paste = (article * 2)[:4000]
    reply = (await ask(api, paste, timeout=10)).reply
    assert utf16_len(stored(reply)["text"]) <= 4096
    assert utf16_len(reply.params["text"]) <= 4096
    assert_verbatim(quotes_of(reply), shipped)
    assert not errors_logged(caplog)


async def test_sticker_gets_a_reply_and_an_edit_gets_none(
    api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    api.push_sticker(USER_ID, USER_ID)
    (sticker_reply,) = await wait_for_sends(api, USER_ID, 1)
    assert "I can only read text questions" in stored(sticker_reply)["text"]

    exchange = await ask(api, QUESTION)
    edit = api.push_edited_message(
        "Actually: what about smart mines?", chat_id=USER_ID, message_id=exchange.message_id
    )
    # The edit is fetched (confirmed by a later getUpdates offset) and then ignored.
    await api.wait_for_calls(
        "getUpdates", predicate=lambda c: int(c.params.get("offset") or 0) > edit
    )
    await settle()
    assert len(sends_to(api, USER_ID)) == 2
    assert not errors_logged(caplog)


# ------------------------------------------------------------------ groups


async def test_group_plain_message_gets_no_reply(api: FakeBotApi) -> None:
    api.push_message(QUESTION, chat_id=GROUP_ID, user_id=USER_ID, chat_type="group")
    other = last_pushed_message_id(api, GROUP_ID)
    api.push_message(
        "Why are anti-personnel mines called indiscriminate?",
        chat_id=GROUP_ID,
        user_id=USER_ID + 2,
        chat_type="group",
        reply_to_message_id=other,  # a reply, but to a person, not to the bot
    )
    api.push_message("/frobnicate", chat_id=GROUP_ID, user_id=USER_ID, chat_type="group")
    api.push_sticker(GROUP_ID, USER_ID, chat_type="group")
    # Something that is answered, so we know the plain messages were seen before it.
    await ask(
        api,
        f"/ask@{BOT_USERNAME} {QUESTION}",
        chat_id=GROUP_ID,
        user_id=USER_ID + 1,
        chat_type="group",
    )
    await settle()
    sends = sends_to(api, GROUP_ID)
    assert len(sends) == 1
    assert reply_target(sends[0]) == last_pushed_message_id(api, GROUP_ID)


async def test_group_mention_is_answered_as_a_reply(api: FakeBotApi, shipped: Corpus) -> None:
    exchange = await ask(
        api,
        f"@{BOT_USERNAME} what did Estonia and Latvia say about anti-personnel mines?",
        chat_id=GROUP_ID,
        chat_type="group",
    )
    answer = exchange.reply
    assert reply_target(answer) == exchange.message_id
    assert stored(answer)["reply_to_message"]["message_id"] == exchange.message_id
    quotes = quotes_of(answer)
    assert_verbatim(quotes, shipped)
    assert f"@{BOT_USERNAME}" not in " ".join(quotes)


async def test_group_ask_command_and_reply_to_the_bot_are_answered(
    api: FakeBotApi, shipped: Corpus
) -> None:
    asked = await ask(api, f"/ask {QUESTION}", chat_id=GROUP_ID, chat_type="group")
    answer = asked.reply
    assert reply_target(answer) == asked.message_id
    assert_verbatim(quotes_of(answer), shipped)

    bot_message_id = stored(answer)["message_id"]
    followup = await ask(
        api,
        "Why are anti-personnel mines called indiscriminate?",
        chat_id=GROUP_ID,
        chat_type="group",
        reply_to_message_id=bot_message_id,
    )
    reply = followup.reply
    assert reply_target(reply) == followup.message_id
    assert_verbatim(quotes_of(reply), shipped)
    assert any("indiscriminate" in q for q in quotes_of(reply))


async def test_group_ask_without_question_explains_how(api: FakeBotApi) -> None:
    reply = (await ask(api, "/ask", chat_id=GROUP_ID, chat_type="group")).reply
    assert "/ask why are anti-personnel mines banned?" in stored(reply)["text"]


# ------------------------------------------------------------------ inline mode


async def inline_results(api: FakeBotApi, query: str) -> list[dict[str, Any]]:
    before = len(api.calls_for("answerInlineQuery"))
    api.push_inline_query(query, user_id=USER_ID)
    calls = await api.wait_for_calls("answerInlineQuery", before + 1)
    call = calls[before]
    assert call.ok, call.description
    results: list[dict[str, Any]] = call.params["results"]
    return results


async def test_inline_query_offers_cited_quotes(api: FakeBotApi, shipped: Corpus) -> None:
    results = await inline_results(api, "smart mines")
    assert results
    for result in results:
        assert result["type"] == "article"
        content = result["input_message_content"]
        assert content["parse_mode"] == "HTML"
        html = content["message_text"]
        assert "<blockquote>" in html and "</blockquote>" in html
        assert "<i>" + TITLE + "</i>" in html and "2 April 2026" in html
        assert TITLE in result["description"]
        text, entities = parse_telegram_html(html)
        (quote,) = entity_texts({"text": text, "entities": entities}, "blockquote")
        assert_verbatim([quote], shipped)
        assert quote.startswith(result["title"])
    assert any("smart" in r["title"].lower() for r in results)
    assert len({r["id"] for r in results}) == len(results)


async def test_inline_query_not_covered_and_too_short(api: FakeBotApi) -> None:
    results = await inline_results(api, UNANSWERABLE)
    assert len(results) == 1
    assert results[0]["title"] == "Not covered by my sources"
    assert "<blockquote>" not in results[0]["input_message_content"]["message_text"]
    for short in ("a", "ab"):
        assert await inline_results(api, short) == []


# ------------------------------------------------------------------ the More-sources button


async def press(api: FakeBotApi, data: str, *, message_id: int) -> RecordedCall:
    """Press a button on a bot message; returns the answerCallbackQuery it got."""
    before = len(api.calls_for("answerCallbackQuery"))
    api.push_callback_query(data, user_id=USER_ID, chat_id=USER_ID, message_id=message_id)
    calls = await api.wait_for_calls("answerCallbackQuery", before + 1)
    return calls[before]


async def test_more_sources_button_survives_a_restart(tmp_path: Path, shipped: Corpus) -> None:
    corpus_dir = copy_seeds(tmp_path / "corpus")
    with FakeBotApi(TEST_TOKEN) as api:
        async with running_bot(tmp_path, api=api, corpus_dir=corpus_dir):
            first = (await ask(api, MORE_QUESTION)).reply
            data = more_button_data(first)
            answered = await press(api, data, message_id=stored(first)["message_id"])
            assert answered.ok and not answered.params.get("show_alert")
            (more,) = (await wait_for_sends(api, USER_ID, 2))[1:]
            await api.wait_for_calls("editMessageReplyMarkup")
            # The old More button is gone, the votes stay; the further passages answer the
            # pressed message, with votes of their own.
            pressed = api.get_message(USER_ID, stored(first)["message_id"])
            assert pressed is not None
            kept = [
                b["callback_data"]
                for row in pressed["reply_markup"]["inline_keyboard"]
                for b in row
            ]
            assert kept and all(
                d.startswith("vote:") and d.split(":")[1].endswith(".0") for d in kept
            )
            assert all(
                d.split(":")[1].endswith(".3") for d in button_data(more) if d.startswith("vote:")
            )
            assert reply_target(more) == stored(first)["message_id"]
            assert stored(more)["text"].startswith("More sources")
            assert_verbatim(quotes_of(more), shipped)
            assert not set(quotes_of(more)) & set(quotes_of(first))

            # A second question whose button is pressed only after the restart.
            second = (await ask(api, "APMBC withdrawal")).reply
            later = more_button_data(second)
        async with running_bot(tmp_path, api=api, corpus_dir=corpus_dir):
            before = len(sends_to(api, USER_ID))
            answered = await press(api, later, message_id=stored(second)["message_id"])
            assert answered.ok and not answered.params.get("show_alert")
            (after_restart,) = (await wait_for_sends(api, USER_ID, before + 1))[before:]
            assert reply_target(after_restart) == stored(second)["message_id"]
            assert_verbatim(quotes_of(after_restart), shipped)
            assert not set(quotes_of(after_restart)) & set(quotes_of(second))
            await settle()
            assert len(sends_to(api, USER_ID)) == before + 1, "old updates were not replayed"


@pytest.mark.parametrize(
    "data", ["more:deadbeef:3", "more:x", "garbage", "more:deadbeef:-1", "more:deadbeef:³"]
)
async def test_unknown_or_malformed_button_answers_expired(
    api: FakeBotApi, data: str, caplog: pytest.LogCaptureFixture
) -> None:
    first = (await ask(api, MORE_QUESTION)).reply
    answered = await press(api, data, message_id=stored(first)["message_id"])
    assert answered.ok
    assert "expired" in answered.params["text"]
    assert answered.params["show_alert"] is True
    await settle()
    assert len(sends_to(api, USER_ID)) == 1, "an expired button sends nothing else"
    assert len(api.calls_for("answerCallbackQuery")) == 1
    assert not errors_logged(caplog)


# ------------------------------------------------------------------ commands


async def test_start_help_sources_about_and_the_command_menu(
    api: FakeBotApi, shipped: Corpus
) -> None:
    (registered,) = api.calls_for("setMyCommands")
    names = [c["command"] for c in registered.params["commands"]]
    assert sorted(names) == ["about", "ask", "help", "sources", "start"]
    assert all(c["description"] for c in registered.params["commands"])

    start = stored((await ask(api, "/start")).reply)["text"]
    assert QUESTION in start
    assert "Why are anti-personnel mines called indiscriminate?" in start

    help_text = stored((await ask(api, "/help")).reply)["text"]
    assert "/ask" in help_text and f"@{BOT_USERNAME}" in help_text and "/sources" in help_text

    sources = stored((await ask(api, "/sources")).reply)["text"]
    document = shipped.documents[0]
    assert document.title in sources
    assert all(author in sources for author in AUTHORS)
    assert "ICRC Humanitarian Law & Policy Blog" in sources
    assert "Date: 2 April 2026" in sources
    assert f"Passages: {len(shipped.passages_of(document.id))}" in sources

    about = stored((await ask(api, "/about")).reply)["text"]
    assert "verbatim quotes" in about
    assert f"1 document(s), {len(shipped.passages)} passages" in about

    unknown = stored((await ask(api, "/frobnicate")).reply)["text"]
    assert "I don't know that command" in unknown


# ------------------------------------------------------------------ /reload


async def admin_reload(api: FakeBotApi) -> str:
    """/reload from the admin: "Reloading…", then the report; returns the report's text."""
    exchange = await ask(api, "/reload", chat_id=ADMIN_ID, user_id=ADMIN_ID, replies=2)
    assert stored(exchange.replies[0])["text"] == "Reloading the sources…"
    report = exchange.replies[1]
    assert reply_target(report) == exchange.message_id
    text: str = stored(report)["text"]
    return text


async def test_reload_by_admin_reports_counts_and_time(
    running: RunningBot, shipped: Corpus
) -> None:
    before = running.library.snapshot
    report = await admin_reload(running.api)
    assert report.startswith("Reloaded in ")
    assert " s: 1 document(s), " in report
    assert f"{len(shipped.passages)} passages." in report
    assert "Problems" not in report
    assert running.library.snapshot is not before


async def test_reload_by_someone_else_is_refused(running: RunningBot) -> None:
    before = running.library.snapshot
    reply = (await ask(running.api, "/reload")).reply
    assert "Only the bot's administrators can change the sources" in stored(reply)["text"]
    assert running.library.snapshot is before


async def test_reload_lists_broken_files_and_keeps_serving(
    running: RunningBot, shipped: Corpus
) -> None:
    corpus_dir = running.settings.corpus_dir
    (corpus_dir / "broken.txt").write_bytes(b"\xff\xfe not UTF-8 \x80\x81")
    (corpus_dir / "empty.md").write_text("", encoding="utf-8")
    report = await admin_reload(running.api)
    assert report.startswith("Reloaded in ")
    assert "Problems (2):" in report
    assert "• broken.txt: not valid UTF-8" in report
    assert "• empty.md: the file is empty" in report
    assert_verbatim(quotes_of((await ask(running.api, QUESTION)).reply), shipped)


async def test_reload_of_an_empty_folder_keeps_the_previous_corpus(
    running: RunningBot, shipped: Corpus
) -> None:
    corpus_dir = running.settings.corpus_dir
    before = running.library.snapshot
    for path in corpus_dir.iterdir():
        path.unlink()
    (corpus_dir / "broken.txt").write_bytes(b"\xff\xfe\x80")
    report = await admin_reload(running.api)
    assert report.startswith("Nothing could be loaded")
    assert "kept the previous corpus" in report
    assert f"1 document(s), {len(shipped.passages)} passages" in report
    assert "broken.txt: not valid UTF-8" in report
    assert running.library.snapshot is before
    assert_verbatim(quotes_of((await ask(running.api, QUESTION)).reply), shipped)

    shutil.rmtree(corpus_dir)
    corpus_dir.mkdir()
    assert "kept the previous corpus" in await admin_reload(running.api)
    assert_verbatim(quotes_of((await ask(running.api, QUESTION)).reply), shipped)


async def test_questions_are_answered_while_a_reload_runs(
    running: RunningBot, monkeypatch: pytest.MonkeyPatch, shipped: Corpus
) -> None:
    api = running.api
    real_build = bot.library.build_snapshot
    building = threading.Event()

    def slow_build(corpus_dir: Path, *args: Any) -> Any:
        assert threading.current_thread() is not threading.main_thread()
        building.set()
        time.sleep(1.5)
        return real_build(corpus_dir, *args)

    monkeypatch.setattr(bot.library, "build_snapshot", slow_build)
    api.push_message("/reload", chat_id=ADMIN_ID, user_id=ADMIN_ID)
    await wait_for_sends(api, ADMIN_ID, 1)  # "Reloading the sources…"
    assert await asyncio.to_thread(building.wait, 5)

    answer = (await ask(api, QUESTION)).reply
    assert_verbatim(quotes_of(answer), shipped)
    assert len(sends_to(api, ADMIN_ID)) == 1, "the question was answered before the reload ended"
    # A second /reload meanwhile is told that one is running.
    busy = (await ask(api, "/reload", chat_id=ADMIN_ID, user_id=ADMIN_ID)).reply
    assert stored(busy)["text"] == "A reload is already running."

    calls = await wait_for_sends(api, ADMIN_ID, 3, timeout=10)
    report = next(c for c in calls if stored(c)["text"].startswith("Reloaded in "))
    assert answer.time < report.time


# ------------------------------------------------------------------ Telegram faults


async def test_flood_control_429_is_retried_and_the_answer_delivered(api: FakeBotApi) -> None:
    api.fail_next("sendMessage", status=429, retry_after=1)
    reply = (await ask(api, QUESTION, timeout=8)).reply
    refused = [c for c in api.calls_for("sendMessage") if c.status == 429]
    assert len(refused) == 1
    assert refused[0].params["text"] == reply.params["text"]
    assert reply.time - refused[0].time >= 1.0, "the retry honoured retry_after"


async def test_502s_while_polling_do_not_stop_the_bot(running: RunningBot, shipped: Corpus) -> None:
    api = running.api
    api.fail_next("getUpdates", status=502, count=3)
    reply = (await ask(api, QUESTION, timeout=15)).reply
    assert_verbatim(quotes_of(reply), shipped)
    assert len([c for c in api.calls_for("getUpdates") if c.status == 502]) == 3
    assert running.application.running and running.application.updater is not None
    assert running.application.updater.running
    # And it keeps answering.
    assert_verbatim(quotes_of((await ask(api, "smart mines")).reply), shipped)


async def test_502_on_send_is_retried(api: FakeBotApi) -> None:
    api.fail_next("sendMessage", status=502, count=2)
    reply = (await ask(api, QUESTION, timeout=10)).reply
    failed = [c for c in api.calls_for("sendMessage") if c.status == 502]
    assert len(failed) == 2
    assert all(c.params["text"] == reply.params["text"] for c in failed)
    assert reply.params["parse_mode"] == "HTML"


async def test_html_telegram_cannot_parse_is_resent_as_plain_text(
    api: FakeBotApi, monkeypatch: pytest.MonkeyPatch, shipped: Corpus
) -> None:
    real_citation = bot.render.citation_html
    monkeypatch.setattr(
        bot.render, "citation_html", lambda citation: real_citation(citation) + " <foo>"
    )
    reply = (await ask(api, QUESTION)).reply
    rejected = [c for c in api.calls_for("sendMessage") if c.status == 400]
    assert len(rejected) == 1
    assert rejected[0].description is not None
    assert "can't parse entities" in rejected[0].description
    assert "parse_mode" not in reply.params
    text = stored(reply)["text"]
    assert "<" not in text and "&amp;" not in text
    assert "military leadership in both Estonia and Latvia" in text
    assert "ICRC Humanitarian Law & Policy Blog" in text
    quoted = text[text.index("military leadership") :][:60]
    assert any(quoted in p.text for p in shipped.passages)  # still the corpus's own words


# ------------------------------------------------------------------ secrets and load


@pytest.fixture
def restore_logging() -> Iterator[None]:
    with preserved_logging():
        yield


@pytest.mark.usefixtures("restore_logging")
async def test_the_token_never_reaches_the_logs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    bot.logs.configure_logging(logging.DEBUG)
    bot.logs.protect_secret(TEST_TOKEN)
    logging.getLogger().addHandler(caplog.handler)  # configure_logging replaced the handlers
    caplog.handler.setLevel(logging.DEBUG)
    # Worst case: httpx allowed to log request URLs (which carry the token) after all;
    # redaction must still keep the token out.
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    async with running_bot(tmp_path) as running:
        api = running.api
        api.fail_next("getUpdates", status=502)
        api.fail_next("sendMessage", status=429, retry_after=1)
        await ask(api, QUESTION, timeout=10)
        await ask(api, UNANSWERABLE)
    records = caplog.records
    assert records, "nothing was logged at DEBUG"
    logged = "\n".join(r.getMessage() for r in records)
    assert "502" in logged or "Bad Gateway" in logged, "the 502 was not logged"
    assert "HTTP Request" in logged and "<redacted-token>" in logged, "httpx URLs were logged"
    captured = capsys.readouterr()
    assert captured.err, "configure_logging writes to stderr"
    secret_part = TEST_TOKEN.split(":", 1)[1]
    for text in (captured.out, captured.err, logged, caplog.text):
        assert TEST_TOKEN not in text
        assert secret_part not in text


async def test_twenty_users_at_once_each_get_one_answer(api: FakeBotApi, shipped: Corpus) -> None:
    questions = [
        QUESTION,
        "Why are anti-personnel mines called indiscriminate?",
        "smart mines",
        "APMBC withdrawal",
        "What did Finland say about the Ottawa Treaty?",
    ]
    users = list(range(5000, 5020))
    for index, user in enumerate(users):
        api.push_message(questions[index % len(questions)], chat_id=user, user_id=user)
    started = time.monotonic()
    for user in users:
        await wait_for_sends(api, user, 1, timeout=15)
    elapsed = time.monotonic() - started
    await settle()
    for user in users:
        (reply,) = sends_to(api, user)
        assert_verbatim(quotes_of(reply), shipped)
    assert elapsed < 10


async def test_a_press_too_old_to_answer_still_gets_its_sources(
    api: FakeBotApi, shipped: Corpus
) -> None:
    first = (await ask(api, MORE_QUESTION)).reply
    # Pressed while the bot was down: Telegram no longer accepts an answer to the query.
    api.fail_next(
        "answerCallbackQuery",
        status=400,
        description="Bad Request: query is too old and response timeout expired or query ID "
        "is invalid",
    )
    answered = await press(api, more_button_data(first), message_id=stored(first)["message_id"])
    assert answered.status == 400
    (more,) = (await wait_for_sends(api, USER_ID, 2))[1:]
    assert reply_target(more) == stored(first)["message_id"]
    assert_verbatim(quotes_of(more), shipped)


async def test_a_user_who_blocked_the_bot_does_not_break_it(
    api: FakeBotApi, caplog: pytest.LogCaptureFixture, shipped: Corpus
) -> None:
    api.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    api.push_message(QUESTION, chat_id=USER_ID + 7, user_id=USER_ID + 7)
    await api.wait_for_calls("sendMessage", predicate=lambda c: c.status == 403)
    assert_verbatim(quotes_of((await ask(api, QUESTION)).reply), shipped)
    await settle()
    assert len(api.calls_for("sendMessage")) == 2, "a refusal is not retried"
    assert not errors_logged(caplog)


async def test_a_slow_answer_shows_typing_first_and_keeps_it_alive(
    running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = running.api
    real = bot.replies.answer_reply

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(bot.handlers, "LARGE_CORPUS_UNITS", 0)  # as on a large corpus
    monkeypatch.setattr(bot.handlers, "TYPING_EVERY", 0.5)
    monkeypatch.setattr(bot.replies, "answer_reply", slow)
    answer = (await ask(api, QUESTION)).reply
    actions = [c for c in api.calls_for("sendChatAction") if c.params["chat_id"] == USER_ID]
    assert len(actions) >= 2 and all(c.params["action"] == "typing" for c in actions)
    assert actions[-1].time <= answer.time
    assert "<blockquote>" in answer.params["text"]
