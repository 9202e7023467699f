"""The usage log behind /stats and the votes, and the database it lives in: schema
versions and migration, retention, privacy, and a database that fails."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.database import FILE_NAME, SCHEMA_VERSION, Database
from bot.followups import QuestionStore
from bot.usage import DAY, UsageStore, VoteOutcome

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC).timestamp()


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def all_rows(path: Path) -> str:
    """Every value in every table, as one text (to look for what must not be there)."""
    connection = sqlite3.connect(path)
    tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    text = " ".join(str(row) for t in tables for row in connection.execute(f"SELECT * FROM {t}"))
    connection.close()
    return text


def test_a_first_release_database_is_migrated_and_keeps_its_questions(tmp_path: Path) -> None:
    old = sqlite3.connect(tmp_path / FILE_NAME)
    old.execute(
        "CREATE TABLE questions "
        "(id TEXT PRIMARY KEY, question TEXT NOT NULL, asked_at REAL NOT NULL)"
    )
    old.execute("INSERT INTO questions VALUES ('abc', 'what is the APMBC?', ?)", (NOW,))
    old.commit()
    old.close()
    database = Database(tmp_path)
    (version,) = database.connection.execute("PRAGMA user_version").fetchone()
    assert version == SCHEMA_VERSION >= 2
    assert QuestionStore(database=database, keep_seconds=1e12).get("abc") == "what is the APMBC?"
    UsageStore(database).record_question("new", answered=False, corpus_version="v1")
    database.close()
    # Opening again runs nothing twice (a second CREATE TABLE would fail).
    again = Database(tmp_path)
    assert again.connection.execute("SELECT count(*) FROM unanswered").fetchone() == (1,)
    again.close()


def test_a_database_from_a_newer_bot_is_left_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    newer = sqlite3.connect(tmp_path / FILE_NAME)
    newer.execute("CREATE TABLE future (x)")
    newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    newer.commit()
    newer.close()
    with caplog.at_level(logging.WARNING):
        database = Database(tmp_path)
    assert "newer" in caplog.text
    UsageStore(database).record_question("q", answered=True, corpus_version="v")  # in memory
    database.close()
    assert not list(tmp_path.glob("*.damaged-*"))
    kept = sqlite3.connect(tmp_path / FILE_NAME)
    assert kept.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION + 1,)
    kept.close()


def test_a_locked_database_is_logged_and_the_figures_live_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Database(tmp_path).close()
    holder = sqlite3.connect(tmp_path / FILE_NAME, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING):
            database = Database(tmp_path)
        assert "cannot keep the database" in caplog.text
        usage = UsageStore(database)
        usage.record_question("still counted", answered=False, corpus_version="v")
        assert usage.stats().unanswered == [("still counted", 1)]
        database.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list(tmp_path.glob("*.damaged-*"))


def test_per_day_counts_share_answered_and_top_unanswered() -> None:
    clock = Clock()
    usage = UsageStore(Database(None), clock=clock)
    clock.now = NOW - 3 * DAY
    usage.record_question(
        "Does the treaty cover cluster bombs?", answered=False, corpus_version="a"
    )
    clock.now = NOW - 9 * DAY  # before the week shown
    usage.record_question("old and unanswered", answered=False, corpus_version="a")
    clock.now = NOW
    for _ in range(3):
        usage.record_question("why are mines banned", answered=True, corpus_version="b")
    usage.record_question(
        "does the treaty cover  CLUSTER bombs?", answered=False, corpus_version="b"
    )
    usage.record_question("who pays for clearance", answered=False, corpus_version="b")
    stats = usage.stats()
    assert (stats.days[0].day, stats.days[-1].day) == (dt.date(2026, 11, 26), dt.date(2026, 12, 2))
    assert [(d.asked, d.answered) for d in stats.days] == [(0, 0)] * 3 + [
        (1, 0),
        (0, 0),
        (0, 0),
        (5, 3),
    ]
    assert (stats.asked, stats.answered) == (6, 3)
    # Asked twice, with other capitals and spacing: one entry, first.
    assert stats.unanswered[0][1] == 2 and "cluster" in stats.unanswered[0][0].lower()
    assert [q for q, _ in stats.unanswered][1:] == ["who pays for clearance"]


def test_questions_and_votes_are_dropped_after_the_keep_time(tmp_path: Path) -> None:
    clock = Clock(NOW - 40 * DAY)
    database = Database(tmp_path)
    usage = UsageStore(database, keep_days=30, clock=clock)
    usage.record_question("an old miss", answered=False, corpus_version="v")
    usage.record_answer("q.0", ["doc"])
    assert usage.vote("q.0", 5, up=True) is VoteOutcome.COUNTED
    clock.now = NOW
    usage.forget_old()
    assert usage.stats(days=60).unanswered == []
    assert usage.stats(days=60).votes == []
    assert "an old miss" not in all_rows(tmp_path / FILE_NAME)
    database.close()


def test_one_vote_per_person_and_answer_that_can_change_and_names_no_one(tmp_path: Path) -> None:
    database = Database(tmp_path)
    usage = UsageStore(database)
    usage.record_answer("q1.0", ["nordic", "ccw"])
    usage.record_answer("q2.0", ["nordic"])
    assert usage.vote("q1.0", 424242, up=True) is VoteOutcome.COUNTED
    assert usage.vote("q1.0", 424242, up=True) is VoteOutcome.UNCHANGED
    assert usage.vote("q1.0", 515151, up=True) is VoteOutcome.COUNTED
    assert usage.vote("q2.0", 424242, up=True) is VoteOutcome.COUNTED
    assert usage.vote("q2.0", 424242, up=False) is VoteOutcome.CHANGED
    assert usage.vote("expired.0", 424242, up=True) is VoteOutcome.UNKNOWN
    votes = {v.doc_id: (v.up, v.down) for v in usage.stats().votes}
    assert votes == {"nordic": (2, 1), "ccw": (2, 0)}
    assert [v.doc_id for v in usage.stats().votes] == ["nordic", "ccw"]
    database.close()
    stored = all_rows(tmp_path / FILE_NAME)
    assert "424242" not in stored and "515151" not in stored
    # The salt stays: after a restart the same person is still the same voter.
    reopened = Database(tmp_path)
    assert UsageStore(reopened).vote("q1.0", 424242, up=True) is VoteOutcome.UNCHANGED
    reopened.close()


def test_a_failing_database_costs_the_figures_not_the_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    database = Database(None)
    usage = UsageStore(database)
    database.connection.execute("DROP TABLE asked")
    database.connection.execute("DROP TABLE votes")
    with caplog.at_level(logging.WARNING):
        usage.record_question("q", answered=True, corpus_version="v")
        usage.record_answer("a.0", ["d"])
        assert usage.vote("a.0", 1, up=True) is VoteOutcome.UNKNOWN
        stats = usage.stats()
    assert stats.asked == 0 and stats.votes == []
    assert "could not record a question" in caplog.text
    assert "could not read the usage figures" in caplog.text


def test_with_a_voter_key_no_salt_is_kept_beside_the_hashes(tmp_path: Path) -> None:
    database = Database(tmp_path)
    keyed = UsageStore(database, voter_key=b"secret from the token")
    keyed.record_answer("q.0", ["doc"])
    assert keyed.vote("q.0", 77, up=True) is VoteOutcome.COUNTED
    assert database.connection.execute("SELECT count(*) FROM meta").fetchone() == (0,)
    # The same key after a restart: the same voter. Another key: another voter.
    assert (
        UsageStore(database, voter_key=b"secret from the token").vote("q.0", 77, up=True)
        is VoteOutcome.UNCHANGED
    )
    assert UsageStore(database, voter_key=b"another").vote("q.0", 77, up=True) is (
        VoteOutcome.COUNTED
    )
    database.close()
