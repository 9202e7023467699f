"""The questions behind More-sources buttons: stored on disk, found after a restart, and
buttons whose data is not ours (or malformed) recognised as such."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pytest

import bot.followups
from bot.followups import (
    QuestionStore,
    more_callback_data,
    parse_more_callback,
    question_id,
)

QUESTIONS = [
    "What did military leadership in Estonia and Latvia say about anti-personnel mines?",
    "Почему мины запрещены? 🙂",
    "a" * 5000,
    "quotes ' \" and ; DROP TABLE questions; --",
]


def test_put_get_round_trip(tmp_path: Path) -> None:
    store = QuestionStore(tmp_path)
    ids = [store.put(question) for question in QUESTIONS]
    assert len(set(ids)) == len(QUESTIONS)
    assert [store.get(qid) for qid in ids] == QUESTIONS
    assert store.put(QUESTIONS[0]) == ids[0], "the same question keeps its id"
    assert ids[0] == question_id(QUESTIONS[0])
    store.close()


def test_questions_persist_across_stores_on_the_same_folder(tmp_path: Path) -> None:
    first = QuestionStore(tmp_path / "data")
    ids = [first.put(question) for question in QUESTIONS]
    second = QuestionStore(tmp_path / "data")  # while the first is still open
    assert [second.get(qid) for qid in ids] == QUESTIONS
    first.close()
    second.close()
    third = QuestionStore(tmp_path / "data")  # after a "restart"
    assert [third.get(qid) for qid in ids] == QUESTIONS
    assert (tmp_path / "data" / "questions.sqlite3").is_file()
    third.close()


def test_unknown_id_is_none(tmp_path: Path) -> None:
    store = QuestionStore(tmp_path)
    store.put("something")
    assert store.get("deadbeef") is None
    assert store.get("") is None
    assert store.get("'; --") is None
    store.close()


def test_old_questions_are_forgotten_on_opening(tmp_path: Path) -> None:
    store = QuestionStore(tmp_path)
    old, recent = store.put("old question"), store.put("recent question")
    long_ago = time.time() - bot.followups.KEEP_SECONDS - 60
    store._database.connection.execute(
        "UPDATE questions SET asked_at = ? WHERE id = ?", (long_ago, old)
    )
    store.close()
    reopened = QuestionStore(tmp_path)
    assert reopened.get(old) is None
    assert reopened.get(recent) == "recent question"
    reopened.close()


def test_unwritable_data_dir_falls_back_to_memory_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.followups"):
        store = QuestionStore(blocker / "data")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "last until the bot restarts" in warnings[0].getMessage()
    qid = store.put("still works")
    assert store.get(qid) == "still works"
    assert not (blocker / "data").exists()
    store.close()


def test_a_corrupt_database_file_is_moved_aside_and_a_new_one_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    damaged = b"this is not a database" * 100
    (tmp_path / "questions.sqlite3").write_bytes(damaged)
    with caplog.at_level(logging.WARNING, logger="bot.followups"):
        store = QuestionStore(tmp_path)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "damaged" in warnings[0]
    (aside,) = tmp_path.glob("questions.sqlite3.damaged-*")
    assert aside.read_bytes() == damaged  # kept for whoever wants to look at it
    qid = store.put("kept on disk again")
    store.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.followups"):
        reopened = QuestionStore(tmp_path)  # the next restart: the button still works
    assert reopened.get(qid) == "kept on disk again"
    assert not caplog.records
    reopened.close()


def test_no_data_dir_means_memory(tmp_path: Path) -> None:
    store = QuestionStore(None)
    qid = store.put("q")
    assert store.get(qid) == "q"
    store.close()


def test_errors_after_opening_are_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = QuestionStore(tmp_path)
    qid = store.put("q")
    store._database.connection.execute("DROP TABLE questions")
    with caplog.at_level(logging.WARNING, logger="bot.followups"):
        assert store.put("again") == question_id("again")
        assert store.get(qid) is None
    assert len(caplog.records) == 2
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store._database.connection.execute("SELECT 1")


@pytest.mark.parametrize("offset", [0, 3, 6, 999, 10**9])
def test_callback_data_round_trips_within_64_bytes(offset: int) -> None:
    for question in QUESTIONS:
        data = more_callback_data(question_id(question), offset)
        assert len(data.encode("utf-8")) <= 64
        assert parse_more_callback(data) == (question_id(question), offset)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "more",
        "more:abc",
        "more:abc:",
        "more:abc:x",
        "more:abc:-1",
        "more:abc:1.5",
        "more:abc:3:4",
        "less:abc:3",
        "MORE:abc:3",
        "more:abc: 3",
        "more:abc:³",  # str.isdigit() is True for superscripts; int() refuses them
        "more:abc:٣",  # an Arabic-Indic digit: not what our buttons carry
    ],
)
def test_parse_more_callback_rejects_malformed_data(data: str | None) -> None:
    assert parse_more_callback(data) is None
