"""Questions behind "More sources" buttons, kept on disk so buttons work after a restart.

Telegram lets a button carry only 64 bytes, so a button carries a short id of its question;
the question itself is stored in SQLite in BOT_DATA_DIR. An id that is not (or no longer)
stored makes the button say plainly that it has expired.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from pathlib import Path

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


DATABASE = "questions.sqlite3"


def _prepare(connection: sqlite3.Connection) -> sqlite3.Connection:
    """Check the database, create the table, drop questions past their keep time."""
    (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
    if verdict != "ok":
        raise sqlite3.DatabaseError(f"quick_check: {verdict}")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS questions "
        "(id TEXT PRIMARY KEY, question TEXT NOT NULL, asked_at REAL NOT NULL)"
    )
    connection.execute("DELETE FROM questions WHERE asked_at < ?", (time.time() - KEEP_SECONDS,))
    return connection


class QuestionStore:
    """A small SQLite table. A damaged database file is moved aside (logged) and a new one
    started, so buttons work again from the next restart on; when the data folder is not
    usable at all, the store lives in memory (buttons then expire on restart), logged once."""

    def __init__(self, data_dir: Path | None) -> None:
        self._lock = threading.Lock()
        self._connection = self._open(data_dir)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            return _prepare(connection)
        except sqlite3.Error:
            connection.close()
            raise

    @classmethod
    def _open(cls, data_dir: Path | None) -> sqlite3.Connection:
        if data_dir is not None:
            path = data_dir / DATABASE
            try:
                data_dir.mkdir(parents=True, exist_ok=True)
                try:
                    return cls._connect(path)
                except sqlite3.DatabaseError as error:
                    aside = path.with_name(f"{DATABASE}.damaged-{int(time.time())}")
                    for suffix in ("", "-wal", "-shm"):
                        extra = Path(f"{path}{suffix}")
                        if extra.exists():
                            extra.replace(Path(f"{aside}{suffix}"))
                    log.warning(
                        "the questions database %s was damaged (%s): moved it to %s and "
                        "started a new one",
                        path,
                        error,
                        aside.name,
                    )
                    return cls._connect(path)
            except (OSError, sqlite3.Error) as error:
                log.warning(
                    "cannot keep questions in %s (%s): More-sources buttons will "
                    "expire when the bot restarts",
                    data_dir,
                    error,
                )
        memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        return _prepare(memory)

    def put(self, question: str) -> str:
        qid = question_id(question)
        with self._lock:
            try:
                self._connection.execute(
                    "INSERT INTO questions (id, question, asked_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET asked_at = excluded.asked_at",
                    (qid, question, time.time()),
                )
            except sqlite3.Error as error:
                log.warning("could not store a question for its More-sources button: %s", error)
        return qid

    def get(self, qid: str) -> str | None:
        with self._lock:
            try:
                row = self._connection.execute(
                    "SELECT question FROM questions WHERE id = ?", (qid,)
                ).fetchone()
            except sqlite3.Error as error:
                log.warning("could not read a stored question: %s", error)
                return None
        return str(row[0]) if row else None

    def close(self) -> None:
        with self._lock:
            self._connection.close()
