"""`python -m bot`, the real entry point, as its own process against the fake Bot API."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.bot_harness import TEST_TOKEN, USER_ID
from tests.helpers.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent


def _wait(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.05)
    return False


def test_python_m_bot_answers_survives_502s_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    with FakeBotApi(TEST_TOKEN) as api:
        # The Bot API is down when the bot starts: it must wait, not exit.
        api.fail_next("getMe", status=502, count=2)
        env = {
            **os.environ,
            "BOT_TOKEN": TEST_TOKEN,
            "BOT_API_URL": api.base_url,
            "BOT_DATA_DIR": str(tmp_path / "data"),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("BOT_CORPUS_DIR", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert _wait(lambda: api.calls_for("deleteWebhook"), 30), "the bot never polled"
            assert [c.status for c in api.calls_for("getMe")][:2] == [502, 502]
            api.push_message("smart mines", chat_id=USER_ID, user_id=USER_ID)
            assert _wait(lambda: any(c.ok for c in api.calls_for("sendMessage")), 20)
            reply = next(c for c in api.calls_for("sendMessage") if c.ok)
            assert "<blockquote>" in reply.params["text"]
            assert "Smart mines" in re.sub(r"</?b>", "", reply.params["text"])
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                out, err = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
        assert process.returncode == 0, err[-2000:]
        assert "Traceback" not in err
        assert TEST_TOKEN not in out + err
        assert TEST_TOKEN.split(":")[1] not in out + err
        assert "is answering" in err  # logged start-up, with the bot's name, not its token


def test_python_m_bot_without_a_token_explains_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "BOT_TOKEN" in lines[0], result.stderr
