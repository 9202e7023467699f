"""What people ask, what the sources miss, and what readers think of the answers: /stats.

Nothing here names anyone. Every question counts towards the per-day figures without its
text; the text is kept only when the sources did not answer it, because that is what an
admin needs to see to know what to add. A vote is kept once per answer and voter, the
voter known only by a keyed hash of their id, so a person can change their vote but not
vote twice. The bot keys it with a secret derived from its token, which is not in the
database: Telegram user ids are small numbers, so a hash whose key sat beside it could be
reversed by trying them all. (Without a key, as in tests, a random salt is kept in the
database instead.) Everything is
dropped after BOT_KEEP_QUESTIONS_DAYS days, checked on start and then once a day. Failures
of the database are logged and cost only the figures: answering never depends on them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from bot.database import Database

log = logging.getLogger(__name__)

DAY = 24 * 3600


class VoteOutcome(Enum):
    COUNTED = "counted"  # a first vote
    CHANGED = "changed"  # the same person, the other way
    UNCHANGED = "unchanged"  # the same vote again
    UNKNOWN = "unknown"  # no such answer (expired, or the database is unusable)


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    asked: int
    answered: int


@dataclass(frozen=True)
class DocumentVotes:
    doc_id: str
    up: int
    down: int


@dataclass(frozen=True)
class UsageStats:
    days: list[DayCount]  # oldest first, one per day of the period, zeros included
    unanswered: list[tuple[str, int]]  # most asked first: (question, times)
    votes: list[DocumentVotes]  # most voted first

    @property
    def asked(self) -> int:
        return sum(d.asked for d in self.days)

    @property
    def answered(self) -> int:
        return sum(d.answered for d in self.days)


def normalised(question: str) -> str:
    """The same question asked with other spacing or capitals counts as one."""
    return " ".join(question.casefold().split())


class UsageStore:
    def __init__(
        self,
        database: Database,
        keep_days: int = 90,
        clock: Callable[[], float] = time.time,
        *,
        voter_key: bytes | None = None,
    ) -> None:
        self._database = database
        self._keep_seconds = keep_days * DAY
        self._clock = clock
        self._next_cleanup = 0.0
        self._salt: bytes | None = voter_key[:64] if voter_key else None

    def _write(self, what: str, statements: Sequence[tuple[str, tuple[object, ...]]]) -> bool:
        with self._database.use() as connection:
            try:
                self._forget_old(connection)
                connection.execute("BEGIN")
                try:
                    for sql, parameters in statements:
                        connection.execute(sql, parameters)
                    connection.execute("COMMIT")
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                return True
            except sqlite3.Error as error:
                log.warning("could not record %s: %s", what, error)
                return False

    def _forget_old(self, connection: sqlite3.Connection) -> None:
        now = self._clock()
        if now < self._next_cleanup:
            return
        self._next_cleanup = now + DAY
        cutoff = now - self._keep_seconds
        for table in ("asked", "unanswered", "answers", "votes"):
            connection.execute(f"DELETE FROM {table} WHERE at < ?", (cutoff,))

    def forget_old(self) -> None:
        """Drop what is past its keep time now (also done on the first write of each day)."""
        self._next_cleanup = 0.0
        with self._database.use() as connection:
            try:
                self._forget_old(connection)
            except sqlite3.Error as error:
                log.warning("could not drop old usage records: %s", error)

    def record_question(self, question: str, *, answered: bool, corpus_version: str) -> None:
        now = self._clock()
        statements: list[tuple[str, tuple[object, ...]]] = [
            (
                "INSERT INTO asked (at, answered, corpus_version) VALUES (?, ?, ?)",
                (now, int(answered), corpus_version),
            )
        ]
        if not answered:
            statements.append(
                (
                    "INSERT INTO unanswered (at, question, normalised, corpus_version) "
                    "VALUES (?, ?, ?, ?)",
                    (now, question, normalised(question), corpus_version),
                )
            )
        self._write("a question", statements)

    def record_answer(self, answer_id: str, doc_ids: Sequence[str]) -> None:
        """The documents an answer quoted, so that a vote on it counts for them."""
        self._write(
            "an answer",
            [
                (
                    "INSERT INTO answers (id, doc_ids, at) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET doc_ids = excluded.doc_ids, at = excluded.at",
                    (answer_id, json.dumps(sorted(set(doc_ids))), self._clock()),
                )
            ],
        )

    def _voter(self, connection: sqlite3.Connection, user_id: int) -> str:
        if self._salt is None:
            row = connection.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            if row is None:
                salt = secrets.token_hex(16)
                connection.execute("INSERT INTO meta (key, value) VALUES ('salt', ?)", (salt,))
                row = (salt,)
            self._salt = bytes.fromhex(str(row[0]))
        digest = hashlib.blake2b(str(user_id).encode(), key=self._salt, digest_size=16)
        return digest.hexdigest()

    def vote(self, answer_id: str, user_id: int, *, up: bool) -> VoteOutcome:
        with self._database.use() as connection:
            try:
                if not connection.execute(
                    "SELECT 1 FROM answers WHERE id = ?", (answer_id,)
                ).fetchone():
                    return VoteOutcome.UNKNOWN
                voter = self._voter(connection, user_id)
                row = connection.execute(
                    "SELECT vote FROM votes WHERE answer_id = ? AND voter = ?", (answer_id, voter)
                ).fetchone()
                value = 1 if up else -1
                if row is not None and row[0] == value:
                    return VoteOutcome.UNCHANGED
                connection.execute(
                    "INSERT INTO votes (answer_id, voter, vote, at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(answer_id, voter) DO UPDATE SET vote = excluded.vote, "
                    "at = excluded.at",
                    (answer_id, voter, value, self._clock()),
                )
                return VoteOutcome.COUNTED if row is None else VoteOutcome.CHANGED
            except sqlite3.Error as error:
                log.warning("could not record a vote: %s", error)
                return VoteOutcome.UNKNOWN

    def stats(self, days: int = 7, top: int = 10) -> UsageStats:
        """The last `days` days (UTC, today included); empty figures when unreadable."""
        today = dt.datetime.fromtimestamp(self._clock(), dt.UTC).date()
        first = today - dt.timedelta(days=days - 1)
        since = dt.datetime.combine(first, dt.time(), dt.UTC).timestamp()
        with self._database.use() as connection:
            try:
                per_day = connection.execute(
                    "SELECT date(at, 'unixepoch'), count(*), sum(answered) FROM asked "
                    "WHERE at >= ? GROUP BY 1",
                    (since,),
                ).fetchall()
                # A bare column beside min() is SQLite's value from that row: each
                # question is shown as it was first asked.
                unanswered = connection.execute(
                    "SELECT question, count(*), min(at) FROM unanswered WHERE at >= ? "
                    "GROUP BY normalised ORDER BY count(*) DESC, min(at) DESC LIMIT ?",
                    (since, top),
                ).fetchall()
                voted = connection.execute(
                    "SELECT answers.doc_ids, votes.vote FROM votes "
                    "JOIN answers ON answers.id = votes.answer_id"
                ).fetchall()
            except sqlite3.Error as error:
                log.warning("could not read the usage figures: %s", error)
                per_day, unanswered, voted = [], [], []
        counts = {
            dt.date.fromisoformat(day): (asked, answered or 0) for day, asked, answered in per_day
        }
        day_counts = [
            DayCount(day, *counts.get(day, (0, 0)))
            for day in (first + dt.timedelta(days=n) for n in range(days))
        ]
        tally: dict[str, list[int]] = {}
        for doc_ids, value in voted:
            for doc_id in json.loads(doc_ids):
                up_down = tally.setdefault(doc_id, [0, 0])
                up_down[0 if value > 0 else 1] += 1
        votes = sorted(
            (DocumentVotes(doc_id, up, down) for doc_id, (up, down) in tally.items()),
            key=lambda v: (-(v.up + v.down), v.doc_id),
        )
        return UsageStats(day_counts, [(str(q), int(n)) for q, n, _ in unanswered], votes)
