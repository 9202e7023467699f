"""The bot's one SQLite database in BOT_DATA_DIR, with a schema version and migrations.

Everything the bot keeps between restarts lives here: the questions behind More-sources
buttons, the usage log (questions asked, those not covered, votes). `PRAGMA user_version`
says which migrations have run; each migration runs once, in order, in a transaction, so
an older database is upgraded in place on start and a newer bot never reads a half-made
schema. A damaged file is moved aside (logged) and a new one started; a data folder that
cannot be written leaves the database in memory for this process (logged once). Either
way the bot keeps answering: nothing here is needed to answer a question.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "questions.sqlite3"


def _v1_more_sources(connection: sqlite3.Connection) -> None:
    # The first release made this table without a version; IF NOT EXISTS adopts it.
    connection.execute(
        "CREATE TABLE IF NOT EXISTS questions "
        "(id TEXT PRIMARY KEY, question TEXT NOT NULL, asked_at REAL NOT NULL)"
    )


def _v2_usage(connection: sqlite3.Connection) -> None:
    # One statement at a time: executescript() would commit the migration's transaction.
    _run_each(
        connection,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE asked (
            at REAL NOT NULL, answered INTEGER NOT NULL, corpus_version TEXT NOT NULL);
        CREATE INDEX asked_at ON asked (at);
        CREATE TABLE unanswered (
            at REAL NOT NULL, question TEXT NOT NULL, normalised TEXT NOT NULL,
            corpus_version TEXT NOT NULL);
        CREATE INDEX unanswered_at ON unanswered (at);
        CREATE TABLE answers (
            id TEXT PRIMARY KEY, doc_ids TEXT NOT NULL, at REAL NOT NULL);
        CREATE TABLE votes (
            answer_id TEXT NOT NULL, voter TEXT NOT NULL, vote INTEGER NOT NULL,
            at REAL NOT NULL, PRIMARY KEY (answer_id, voter));
        """,
    )


def _run_each(connection: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            connection.execute(statement)


# Append only: a released migration is never edited, a change is a new one.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1_more_sources, _v2_usage)
SCHEMA_VERSION = len(MIGRATIONS)


class NewerSchema(sqlite3.DatabaseError):
    """The database was made by a newer bot: left untouched (a downgrade loses nothing)."""


def migrate(connection: sqlite3.Connection) -> int:
    """Run the migrations the database has not had; returns the version it is now at."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise NewerSchema(f"schema version {version} is newer than this bot's {SCHEMA_VERSION}")
    for number in range(version, SCHEMA_VERSION):
        connection.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[number](connection)
            connection.execute(f"PRAGMA user_version = {number + 1}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        log.info("database schema migrated to version %d", number + 1)
    return SCHEMA_VERSION


def _connect(path: Path | str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout = 2000")
        if path != ":memory:":
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
        (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {verdict}")
        migrate(connection)
        return connection
    except BaseException:
        connection.close()
        raise


def _open(data_dir: Path | None) -> sqlite3.Connection:
    if data_dir is not None:
        path = data_dir / FILE_NAME
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            try:
                return _connect(path)
            except sqlite3.DatabaseError as error:
                locked = isinstance(error, sqlite3.OperationalError) and "locked" in str(error)
                if locked or isinstance(error, NewerSchema):
                    raise  # not damage: nothing to move aside
                aside = path.with_name(f"{FILE_NAME}.damaged-{int(time.time())}")
                for suffix in ("", "-wal", "-shm"):
                    extra = Path(f"{path}{suffix}")
                    if extra.exists():
                        extra.replace(Path(f"{aside}{suffix}"))
                log.warning(
                    "the database %s was damaged (%s): moved it to %s and started a new one",
                    path,
                    error,
                    aside.name,
                )
                return _connect(path)
        except (OSError, sqlite3.Error) as error:
            log.warning(
                "cannot keep the database in %s (%s): More-sources buttons and usage "
                "figures last until the bot restarts",
                data_dir,
                error,
            )
    return _connect(":memory:")


class Database:
    """One connection, shared by the stores, used under a lock (handlers run on one event
    loop, the rare worker thread shares it safely)."""

    def __init__(self, data_dir: Path | None) -> None:
        self._lock = threading.Lock()
        self.connection = _open(data_dir)

    @contextmanager
    def use(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self.connection

    def close(self) -> None:
        with self._lock:
            self.connection.close()
