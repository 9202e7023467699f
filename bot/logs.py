"""Logging that never shows the bot token.

The token is part of every Bot API URL, and httpx logs request URLs at INFO level; a
network error's text may carry the URL too. httpx is therefore kept at WARNING, and every
log record is redacted where it is created (message and arguments) and again where it is
formatted (tracebacks), whichever logger or handler it goes through.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

REDACTED = "<redacted-token>"
# Anything shaped like a bot token, even one we were not told about.
_TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
_secrets: set[str] = set()


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return _TOKEN_SHAPE.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


_factory_installed = False


def _install_record_factory() -> None:
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must still be logged, not raise here
            return record
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


def protect_secret(secret: str) -> None:
    """Redact `secret` from every log record from now on."""
    if secret:
        _secrets.add(secret)
    _install_record_factory()


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    _install_record_factory()
