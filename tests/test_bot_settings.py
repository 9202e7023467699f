"""Settings come from BOT_* variables or a .env file; a bad one is named in one line, and
the token's value is never echoed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import DEFAULT_API_URL, Settings, SettingsError, load_settings
from corpus import default_corpus_dir
from tests.helpers.bot_harness import TEST_TOKEN
from tests.helpers.logging_state import preserved_logging

VARIABLES = (
    "BOT_TOKEN",
    "BOT_API_URL",
    "BOT_ADMIN_IDS",
    "BOT_CORPUS_DIR",
    "BOT_DATA_DIR",
    "BOT_MAX_MESSAGES_PER_SECOND",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No BOT_* variable from the outside, and a working folder without a .env."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    with preserved_logging():  # `ihlbot run` configures logging
        yield


def test_defaults_without_any_setting() -> None:
    settings = load_settings()
    assert settings.token is None
    assert settings.api_url == DEFAULT_API_URL
    assert settings.admin_ids == frozenset()
    assert settings.corpus_dir == default_corpus_dir()
    assert settings.data_dir == Path.home() / ".local" / "state" / "ihlbot"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BOT_TOKEN", TEST_TOKEN)
    monkeypatch.setenv("BOT_API_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("BOT_ADMIN_IDS", "1, 2,3")
    monkeypatch.setenv("BOT_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    assert settings.require_token() == TEST_TOKEN
    assert settings.api_url == "http://127.0.0.1:8081/bot"
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.corpus_dir == tmp_path / "corpus"
    assert settings.data_dir == tmp_path / "data"
    assert TEST_TOKEN not in repr(settings) and TEST_TOKEN not in str(settings)


def test_dotenv_file_in_the_working_folder_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        f"BOT_TOKEN={TEST_TOKEN}\n"
        "BOT_ADMIN_IDS=42,43\n"
        "BOT_API_URL=https://telegram.example/bot\n"
        f"BOT_DATA_DIR={tmp_path / 'state'}\n"
        "UNRELATED=ignored\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.require_token() == TEST_TOKEN
    assert settings.admin_ids == frozenset({42, 43})
    assert settings.api_url == "https://telegram.example/bot"
    assert settings.data_dir == tmp_path / "state"
    # The environment wins over the file.
    monkeypatch.setenv("BOT_ADMIN_IDS", "7")
    assert load_settings().admin_ids == frozenset({7})


def test_admin_ids_edge_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_ADMIN_IDS", "")
    assert load_settings().admin_ids == frozenset()
    monkeypatch.setenv("BOT_ADMIN_IDS", " 5 ,, 6, ")
    assert load_settings().admin_ids == frozenset({5, 6})
    monkeypatch.setenv("BOT_ADMIN_IDS", "-100123")
    assert load_settings().admin_ids == frozenset({-100123})


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("BOT_ADMIN_IDS", "1,x", "x"),
        ("BOT_ADMIN_IDS", "1;2", "1;2"),
        ("BOT_API_URL", "ftp://x", "http"),
        ("BOT_API_URL", "api.telegram.org", "http"),
        ("BOT_TOKEN", "123456789AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0", "token"),
        ("BOT_TOKEN", "123456789:short", "token"),
        ("BOT_TOKEN", "12:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0 extra", "token"),
        ("BOT_MAX_MESSAGES_PER_SECOND", "-1", "0"),
        ("BOT_KEEP_QUESTIONS_DAYS", "0", "1"),
        ("BOT_KEEP_QUESTIONS_DAYS", "forever", "integer"),
    ],
)
def test_malformed_settings_name_the_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, words: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{variable} is invalid: ")
    assert words in message.removeprefix(f"{variable} is invalid: ")
    assert "\n" not in message
    if variable == "BOT_TOKEN":
        assert value not in message
        assert value.split(":")[-1] not in message
        assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_malformed_token_in_dotenv_is_not_echoed(tmp_path: Path) -> None:
    bad = "987654321-AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
    (tmp_path / ".env").write_text(f"BOT_TOKEN={bad}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("BOT_TOKEN is invalid")
    assert bad not in str(caught.value) and "AAHdqTcv" not in str(caught.value)


def test_missing_token_is_explained_by_require_token() -> None:
    settings = Settings()
    with pytest.raises(SettingsError, match=r"^BOT_TOKEN is not set") as caught:
        settings.require_token()
    assert "\n" not in str(caught.value)


def test_run_without_token_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("ihlbot: BOT_TOKEN is not set")
    assert "Traceback" not in captured.err


def test_run_with_a_malformed_token_exits_2_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = "123456789:AAHdqTcv!!SeofSAs0K5PALDsaw0"
    monkeypatch.setenv("BOT_TOKEN", bad)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [err.strip()]
    assert err.startswith("ihlbot: BOT_TOKEN is invalid")
    assert bad not in err and bad.split(":")[1] not in err


def test_run_with_a_bad_admin_list_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TEST_TOKEN)
    monkeypatch.setenv("BOT_ADMIN_IDS", "1,x")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err == "ihlbot: BOT_ADMIN_IDS is invalid: not numeric user ids: x\n"


@pytest.mark.parametrize(
    ("api_url", "file_url", "expected"),
    [
        ("https://api.telegram.org/bot", None, "https://api.telegram.org/file/bot"),
        ("http://127.0.0.1:8081/bot", None, "http://127.0.0.1:8081/file/bot"),
        ("http://local:8081/custom", None, "http://local:8081/custom/file/bot"),
        (
            "https://api.telegram.org/bot",
            "https://files.example/file/bot",
            "https://files.example/file/bot",
        ),
    ],
)
def test_file_downloads_follow_the_api_url_unless_told_otherwise(
    api_url: str, file_url: str | None, expected: str
) -> None:
    assert load_settings(api_url=api_url, api_file_url=file_url).file_url == expected


def test_a_file_url_must_be_http() -> None:
    with pytest.raises(SettingsError, match="BOT_API_FILE_URL"):
        load_settings(api_file_url="ftp://files")


def test_keep_questions_days_defaults_to_90_and_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().keep_questions_days == 90
    monkeypatch.setenv("BOT_KEEP_QUESTIONS_DAYS", "14")
    assert load_settings().keep_questions_days == 14
