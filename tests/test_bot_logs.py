"""The bot token never reaches a log line: not in messages, not in arguments, not in
tracebacks, whichever logger writes it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

import bot.logs
from bot.logs import REDACTED, RedactingFormatter, configure_logging, protect_secret, redact
from tests.helpers.bot_harness import TEST_TOKEN
from tests.helpers.logging_state import preserved_logging

SECRET_PART = TEST_TOKEN.split(":", 1)[1]
URL = f"https://api.telegram.org/bot{TEST_TOKEN}/getUpdates"


@pytest.fixture(autouse=True)
def isolated_logging() -> Iterator[None]:
    with preserved_logging():
        bot.logs._secrets.clear()
        bot.logs._factory_installed = False
        yield


def formatted_output(logger: logging.Logger) -> tuple[io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    return stream, handler


def test_redact_hides_known_secrets_and_anything_token_shaped() -> None:
    assert redact(f"GET {URL} 200") == f"GET https://api.telegram.org/bot{REDACTED}/getUpdates 200"
    other = "9876543:another-fake-token-shaped-string-999"
    assert redact(f"a {other} b") == f"a {REDACTED} b"
    assert redact("nothing secret: 12:ab, 2026-04-02 10:11:12") == (
        "nothing secret: 12:ab, 2026-04-02 10:11:12"
    )
    protect_secret("short:secret")  # a token of an unusual shape is still hidden when known
    assert redact("x short:secret y") == f"x {REDACTED} y"


def test_record_factory_hides_the_token_in_message_and_args(
    caplog: pytest.LogCaptureFixture,
) -> None:
    protect_secret(TEST_TOKEN)
    logger = logging.getLogger("test.bot.logs.args")
    with caplog.at_level(logging.DEBUG, logger=logger.name):
        logger.info("requesting %s", URL)
        logger.warning(f"inline {TEST_TOKEN}")
        logger.error("dict args %(url)s", {"url": URL})
        logger.debug("no secret %d", 42)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        f"requesting https://api.telegram.org/bot{REDACTED}/getUpdates",
        f"inline {REDACTED}",
        f"dict args https://api.telegram.org/bot{REDACTED}/getUpdates",
        "no secret 42",
    ]
    for record in caplog.records:
        assert TEST_TOKEN not in str(record.msg) and not record.args
    assert SECRET_PART not in caplog.text


def test_a_malformed_log_call_is_still_logged(caplog: pytest.LogCaptureFixture) -> None:
    protect_secret(TEST_TOKEN)
    record = logging.getLogRecordFactory()(
        "x", logging.INFO, __file__, 1, "two %s %s", ("one",), None
    )
    assert record.msg == "two %s %s"  # left for logging's own error report


def test_formatter_hides_the_token_in_tracebacks() -> None:
    protect_secret(TEST_TOKEN)
    logger = logging.getLogger("test.bot.logs.traceback")
    logger.propagate = False
    stream, handler = formatted_output(logger)
    try:
        try:
            raise ConnectionError(f"could not reach {URL}")
        except ConnectionError:
            logger.exception("polling failed")
        try:
            raise ValueError(TEST_TOKEN)
        except ValueError as error:
            logger.error("error", exc_info=error)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    output = stream.getvalue()
    assert "Traceback" in output and "ConnectionError: could not reach" in output
    assert REDACTED in output
    assert TEST_TOKEN not in output and SECRET_PART not in output


def test_formatter_alone_redacts_token_shapes_without_the_factory() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "url %s", (URL,), None)
    assert RedactingFormatter("%(message)s").format(record) == (
        f"url https://api.telegram.org/bot{REDACTED}/getUpdates"
    )


def test_configure_logging_quiets_httpx_and_writes_redacted_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    configure_logging(logging.DEBUG)
    protect_secret(TEST_TOKEN)
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    root = logging.getLogger()
    assert root.level == logging.DEBUG
    assert len(root.handlers) == 1
    assert isinstance(root.handlers[0].formatter, RedactingFormatter)
    logging.getLogger("httpx").info('HTTP Request: POST %s "HTTP/1.1 200 OK"', URL)
    logging.getLogger("telegram.ext").debug("calling %s", URL)
    err = capsys.readouterr().err
    assert "HTTP Request" not in err
    assert f"bot{REDACTED}/getUpdates" in err
    assert TEST_TOKEN not in err and SECRET_PART not in err
