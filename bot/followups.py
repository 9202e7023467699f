"""Questions behind "More sources" buttons, kept on disk so buttons work after a restart.

Telegram lets a button carry only 64 bytes, so a button carries a short id of its question;
the question itself is stored in the bot's SQLite database in BOT_DATA_DIR. An id that is
not (or no longer) stored makes the button say plainly that it has expired.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from pathlib import Path

from bot.database import Database

log = logging.getLogger(__name__)

KEEP_SECONDS = 90 * 24 * 3600
_PREFIX = "more"


def question_id(question: str) -> str:
    return hashlib.blake2b(question.encode("utf-8"), digest_size=9).hexdigest()


def more_callback_data(qid: str, offset: int) -> str:
    return f"{_PREFIX}:{qid}:{offset}"


def parse_more_callback(data: str | None) -> tuple[str, int] | None:
    """(question id, offset) from a button's data, or None when it is not ours or malformed."""
    parts = (data or "").split(":")
    # isascii: str.isdigit() also accepts digits such as "³" that int() refuses.
    if len(parts) != 3 or parts[0] != _PREFIX or not (parts[2].isascii() and parts[2].isdigit()):
        return None
    return parts[1], int(parts[2])


class QuestionStore:
    """The `questions` table of the bot's database (`bot.database`): buttons keep working
    after a restart; a database that cannot be used makes them expire instead."""

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        database: Database | None = None,
        keep_seconds: float = KEEP_SECONDS,
    ) -> None:
        self._database = database or Database(data_dir)
        self._keep_seconds = keep_seconds
        self._forget_old()

    def _forget_old(self) -> None:
        with self._database.use() as connection:
            try:
                connection.execute(
                    "DELETE FROM questions WHERE asked_at < ?",
                    (time.time() - self._keep_seconds,),
                )
            except sqlite3.Error as error:
                log.warning("could not drop old More-sources questions: %s", error)

    def put(self, question: str) -> str:
        qid = question_id(question)
        with self._database.use() as connection:
            try:
                connection.execute(
                    "INSERT INTO questions (id, question, asked_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET asked_at = excluded.asked_at",
                    (qid, question, time.time()),
                )
            except sqlite3.Error as error:
                log.warning("could not store a question for its More-sources button: %s", error)
        return qid

    def get(self, qid: str) -> str | None:
        with self._database.use() as connection:
            try:
                row = connection.execute(
                    "SELECT question FROM questions WHERE id = ?", (qid,)
                ).fetchone()
            except sqlite3.Error as error:
                log.warning("could not read a stored question: %s", error)
                return None
        return str(row[0]) if row else None

    def close(self) -> None:
        self._database.close()
