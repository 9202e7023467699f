"""Saving and restoring the process-wide logging state that `bot.logs` changes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import bot.logs


@contextmanager
def preserved_logging() -> Iterator[None]:
    """Undo configure_logging/protect_secret: root handlers and level, the record factory,
    the httpx loggers' levels and the secrets to redact."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    factory = logging.getLogRecordFactory()
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    secrets, installed = set(bot.logs._secrets), bot.logs._factory_installed
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.setLogRecordFactory(factory)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
        bot.logs._secrets.clear()
        bot.logs._secrets.update(secrets)
        bot.logs._factory_installed = installed
