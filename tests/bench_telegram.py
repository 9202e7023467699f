"""Load benchmark (not a test): many simulated users asking the real bot through the fake
Bot API, measuring answers per second and latency from update to reply.

    python -m tests.bench_telegram [--users 300] [--rate 150] [--seconds 10] [--burst 2000]

The bot runs as its own process (`python -m bot`, the real entry point) pointed at the fake
server in this process through BOT_API_URL, so the two do not share an interpreter lock. The
bot's own 30 messages/s throttle (Telegram's broadcast limit) is lifted with
BOT_MAX_MESSAGES_PER_SECOND=0, since the point is the bot's capacity. Two phases:

* open loop: questions arrive at --rate per second for --seconds; latency is the time from
  an update being available on the server to the bot's reply arriving there;
* burst: --burst questions at once; throughput is replies per second until all arrived.

Telegram lets a bot send about 30 messages a second in all; the target here is 150 answers/s
with p99 under 100 ms on the shipped corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.helpers.bot_harness import TEST_TOKEN
from tests.helpers.fake_bot_api import FakeBotApi

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "public_qa.json"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _wait_sends(api: FakeBotApi, expected: int, timeout: float) -> None:
    """Wait until `expected` replies in all have arrived (a cheap count, polled rarely, so
    that waiting takes little from the server sharing this process)."""
    deadline = time.monotonic() + timeout
    while len(api.calls_for("sendMessage")) < expected and time.monotonic() < deadline:
        time.sleep(0.1)


def _wait_for(api: FakeBotApi, keys: set[tuple[int, int]], timeout: float) -> int:
    """Wait until every pushed message in `keys` has its reply; how many have."""
    _wait_sends(api, len(api.message_pushed_at), timeout)
    return len(keys & set(api.reply_latencies()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--rate", type=float, default=150.0, help="questions per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=2000)
    args = parser.parse_args(argv)

    questions = [item["question"] for item in json.loads(QUESTIONS.read_text("utf-8"))]
    with FakeBotApi(TEST_TOKEN) as api, tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "BOT_TOKEN": TEST_TOKEN,
            "BOT_API_URL": api.base_url,
            "BOT_DATA_DIR": data_dir,
            "BOT_MAX_MESSAGES_PER_SECOND": "0",
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot"], env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            return _run(api, bot, questions, args)
        finally:
            bot.terminate()
            try:
                bot.wait(timeout=15)
            except subprocess.TimeoutExpired:
                bot.kill()


def _run(
    api: FakeBotApi, bot: subprocess.Popen[str], questions: list[str], args: argparse.Namespace
) -> int:
    started = time.monotonic()
    while not api.calls_for("deleteWebhook"):
        if bot.poll() is not None or time.monotonic() - started > 60:
            print("the bot did not start:", bot.stderr.read() if bot.stderr else "")
            return 1
        time.sleep(0.05)
    print(f"bot polling after {time.monotonic() - started:.2f}s")

    user_ids = [10_000 + n for n in range(args.users)]
    # Warm-up: every user once (creates the chats, warms caches), not measured.
    for n, user in enumerate(user_ids):
        api.push_message(questions[n % len(questions)], chat_id=user, user_id=user)
    _wait_sends(api, len(user_ids), 60)

    # Open loop at a fixed rate.
    total = int(args.rate * args.seconds)
    interval = 1.0 / args.rate
    before_keys = set(api.message_pushed_at)
    begin = time.monotonic()
    for n in range(total):
        target = begin + n * interval
        delay = target - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        user = user_ids[n % len(user_ids)]
        api.push_message(questions[n % len(questions)], chat_id=user, user_id=user)
    phase_keys = set(api.message_pushed_at) - before_keys
    _wait_for(api, phase_keys, 60)
    elapsed = time.monotonic() - begin
    replied = api.reply_latencies()
    latencies_ms = [1000 * replied[key] for key in phase_keys if key in replied]
    open_loop = (len(latencies_ms), elapsed, latencies_ms)

    # Burst: everything at once.
    before_keys = set(api.message_pushed_at)
    begin = time.monotonic()
    for n in range(args.burst):
        user = user_ids[n % len(user_ids)]
        api.push_message(questions[(n * 7) % len(questions)], chat_id=user, user_id=user)
    burst_keys = set(api.message_pushed_at) - before_keys
    burst_done = _wait_for(api, burst_keys, 120)
    burst_elapsed = (
        max(api.reply_latencies()[key] for key in burst_keys if key in api.reply_latencies())
        if burst_done
        else float("nan")
    )

    done, elapsed, latencies_ms = open_loop
    print(f"\nopen loop: {total} questions at {args.rate:.0f}/s from {args.users} users")
    print(f"  answered        {done}/{total}")
    print(f"  answers/s       {done / elapsed:.1f}")
    if latencies_ms:
        print(f"  latency p50     {statistics.median(latencies_ms):.1f} ms")
        print(f"  latency p99     {_percentile(latencies_ms, 0.99):.1f} ms")
        print(f"  latency max     {max(latencies_ms):.1f} ms")
    print(f"burst: {args.burst} questions at once")
    print(
        f"  answered        {burst_done}/{args.burst}, the last {burst_elapsed:.2f}s "
        "after the burst began"
    )
    print(f"  answers/s       {burst_done / burst_elapsed:.1f}")
    print("for scale: Telegram lets a bot send about 30 messages/s in all")
    failures = [c for c in api.calls_for("sendMessage") if not c.ok]
    print(f"rejected sendMessage calls: {len(failures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
