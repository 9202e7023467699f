"""Load benchmark (not a test): simulated users asking the real bot through the fake Bot
API, next to a bare python-telegram-bot bot in the same run.

    python -m tests.bench_telegram [--users 50] [--questions 5] [--burst 1000]

Each bot runs as its own process (the real entry point, `python -m bot`) pointed at the fake
server in this process through BOT_API_URL, so they do not share an interpreter lock. Three
runs, one after the other, with the same questions (the public sample's), the last two
repeated alternately --rounds times:

* our bot with its default settings: its 30 messages/s throttle (Telegram's overall limit
  for a bot) on, so the figure to reach is close to 30 answers/s;
* our bot with BOT_MAX_MESSAGES_PER_SECOND=0, the throttle lifted: the bot's own capacity;
* `tests.bench_bare_bot`, throttle-free, the peer: a bare python-telegram-bot bot that
  answers every question with one of our bot's answers from the first run (its HTML and
  buttons, so the server's side of the work is the same), without searching.

In each, --users users ask --questions questions each, a person's way: the next question
when the previous answer has arrived (closed loop), after one warm-up question each that is
not measured. Latency is from the update being available on the server to the reply
arriving there. Throttle-free runs then get a burst of --burst questions at once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.bot_harness import TEST_TOKEN
from tests.helpers.fake_bot_api import FakeBotApi

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "public_qa.json"
ROOT = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.005


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Figures:
    answered: int
    asked: int
    seconds: float
    latencies_ms: list[float]
    burst_answered: int = 0
    burst: int = 0
    burst_seconds: float = float("nan")
    cpu_seconds: float = float("nan")

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def latency(self, share: float) -> float:
        return _percentile(self.latencies_ms, share) if self.latencies_ms else float("nan")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sends_per_chat(api: FakeBotApi) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in api.calls_for("sendMessage") if c.ok)


def _closed_loop(
    api: FakeBotApi, users: list[int], questions: list[str], per_user: int, timeout: float
) -> tuple[set[tuple[int, int]], float]:
    """Each user asks `per_user` questions, each once the previous one was answered; the
    keys of the questions and the seconds until the last answer."""
    pushed = dict.fromkeys(users, 0)
    keys: set[tuple[int, int]] = set()
    begin = time.monotonic()
    before = _sends_per_chat(api)
    while time.monotonic() - begin < timeout:
        answered = _sends_per_chat(api)
        waiting = False
        for n, user in enumerate(users):
            if pushed[user] >= per_user:
                if answered[user] - before[user] < per_user:
                    waiting = True
                continue
            waiting = True
            if answered[user] - before[user] >= pushed[user]:
                text = questions[(n * per_user + pushed[user]) % len(questions)]
                api.push_message(text, chat_id=user, user_id=user)
                keys.add((user, max(m for c, m in api.message_pushed_at if c == user)))
                pushed[user] += 1
        if not waiting:
            break
        time.sleep(POLL_SECONDS)
    return keys, time.monotonic() - begin


def _run_bot(
    api: FakeBotApi,
    command: list[str],
    extra_env: dict[str, str],
    args: argparse.Namespace,
    questions: list[str],
    *,
    burst: bool,
    first_user: int,
) -> Figures:
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "BOT_TOKEN": TEST_TOKEN,
            "BOT_API_URL": api.base_url,
            "BOT_DATA_DIR": data_dir,
            "PYTHONPATH": str(ROOT),
            **extra_env,
        }
        polls_before = len(api.calls_for("getUpdates"))
        bot = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        try:
            started = time.monotonic()
            while len(api.calls_for("getUpdates")) <= polls_before:
                if bot.poll() is not None or time.monotonic() - started > 60:
                    raise SystemExit(
                        f"{command} did not start: {bot.stderr.read() if bot.stderr else ''}"
                    )
                time.sleep(0.05)
            users = [first_user + n for n in range(args.users)]
            _closed_loop(api, users, questions, 1, 60)  # warm-up, not measured
            cpu_before = _cpu_seconds(bot.pid)
            keys, seconds = _closed_loop(api, users, questions, args.questions, 300)
            cpu_seconds = _cpu_seconds(bot.pid) - cpu_before
            latencies = api.reply_latencies()
            figures = Figures(
                answered=len(keys & set(latencies)),
                asked=len(keys),
                seconds=seconds,
                latencies_ms=[1000 * latencies[k] for k in keys if k in latencies],
                cpu_seconds=cpu_seconds,
            )
            if burst and args.burst:
                before = set(api.message_pushed_at)
                begin = time.monotonic()
                for n in range(args.burst):
                    user = users[n % len(users)]
                    api.push_message(
                        questions[(n * 7) % len(questions)], chat_id=user, user_id=user
                    )
                burst_keys = set(api.message_pushed_at) - before
                deadline = begin + 120
                while time.monotonic() < deadline:
                    if len(burst_keys & set(api.reply_latencies())) == len(burst_keys):
                        break
                    time.sleep(0.1)
                latencies = api.reply_latencies()
                done = [latencies[k] for k in burst_keys if k in latencies]
                figures.burst, figures.burst_answered = len(burst_keys), len(done)
                figures.burst_seconds = max(done) if done else float("nan")
            return figures
        finally:
            bot.terminate()
            try:
                bot.wait(timeout=15)
            except subprocess.TimeoutExpired:
                bot.kill()


def _typical_answer(api: FakeBotApi) -> dict[str, str]:
    """One of our bot's answers (of median length, with its buttons) for the peer to send."""
    answers = sorted(
        (c for c in api.calls_for("sendMessage") if c.ok and c.params.get("parse_mode")),
        key=lambda c: len(str(c.params["text"])),
    )
    chosen = answers[len(answers) // 2]
    env = {"BENCH_REPLY_HTML": str(chosen.params["text"])}
    if chosen.params.get("reply_markup"):
        env["BENCH_REPLY_MARKUP"] = json.dumps(chosen.params["reply_markup"])
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=5, help="per user, after a warm-up")
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="lifted-throttle and peer runs, alternately, this many times each (the peer's "
        "cost an answer moves 2x between runs here: medians of alternate runs say more)",
    )
    args = parser.parse_args(argv)

    questions = [item["question"] for item in json.loads(QUESTIONS.read_text("utf-8"))]
    ours = [sys.executable, "-m", "bot"]
    bare = [sys.executable, "-m", "tests.bench_bare_bot"]
    lifted = "ours, BOT_MAX_MESSAGES_PER_SECOND=0"
    peer_name = "bare PTB echo bot (peer)"
    runs: list[tuple[str, list[str], dict[str, str], bool]] = [
        ("ours, default settings (30 msg/s throttle)", ours, {}, False)
    ]
    for _ in range(args.rounds):
        runs.append((lifted, ours, {"BOT_MAX_MESSAGES_PER_SECOND": "0"}, True))
        runs.append((peer_name, bare, {}, True))
    results: list[tuple[str, Figures]] = []
    rejected = 0
    canned: dict[str, str] = {}
    for n, (name, command, env, burst) in enumerate(runs):
        # A server of its own per run: what one run left behind does not slow the next.
        with FakeBotApi(TEST_TOKEN) as api:
            figures = _run_bot(
                api,
                command,
                {**env, **(canned if command is bare else {})},
                args,
                questions,
                burst=burst,
                first_user=10_000 * (n + 1),
            )
            canned = canned or _typical_answer(api)
            rejected += sum(1 for c in api.calls_for("sendMessage") if not c.ok)
        results.append((name, figures))
        print(f"done: {name}", flush=True)
    peer_rates = sorted(f.per_second for name, f in results if name == peer_name)
    peer_rate = peer_rates[len(peer_rates) // 2]
    print(
        f"\n{args.users} users x {args.questions} questions each (closed loop), "
        f"then a burst of {args.burst}"
    )
    print(
        "| run | answered | answers/s | vs peer | p50 ms | p99 ms | max ms "
        "| bot CPU ms/answer | burst answers/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, f in results:
        burst_rate = f"{f.burst_answered / f.burst_seconds:.1f}" if f.burst else "–"
        print(
            f"| {name} | {f.answered}/{f.asked} | {f.per_second:.1f} | "
            f"{f.per_second / peer_rate:.2f}x | {f.latency(0.5):.1f} | "
            f"{f.latency(0.99):.1f} | "
            f"{max(f.latencies_ms, default=float('nan')):.1f} | "
            f"{1000 * f.cpu_seconds / max(f.answered, 1):.2f} | {burst_rate} |"
        )
    if args.rounds > 1:
        ours_rates = sorted(f.per_second for name, f in results if name == lifted)
        median = ours_rates[len(ours_rates) // 2]
        print(
            f"medians of {args.rounds} alternate runs: ours, throttle lifted {median:.1f}/s, "
            f"peer {peer_rate:.1f}/s: {median / peer_rate:.2f}x"
        )
    print("(vs peer: against the median of the peer's runs)")
    print("for scale: Telegram lets a bot send about 30 messages/s in all")
    print(f"rejected sendMessage calls: {rejected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
