"""Benchmark on the shipped corpus: what a terminal user waits for, hybrid next to peers.

    python -m retrieval.bench_seed [--runs 5]

Three figures, each measured in the same run for the hybrid retriever (BM25 + embeddings),
the lexical-only retriever (BOT_SEMANTIC=off) and bm25s on the same passages:

* start: `ihlbot ask "QUESTION"` as a new process, to its printed answer (median of runs;
  the data folder is warm, as after a first question or `ihlbot index`);
* stdin: `ihlbot ask` reading the blind questions on standard input, one JSON line each:
  (total time of N questions minus that of 1) / (N - 1), so start-up is left out;
* search: `Retriever.search` in process, p50 and p95 over the same questions (bm25s: its
  `retrieve` of the top 3, tokenisation included).

Machines here are shared: read the ratios, not the absolute times.
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
from typing import Any

from corpus import default_corpus_dir, load_corpus
from retrieval.engine import EngineSettings, build_retriever

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "What did military leadership in Estonia and Latvia say about anti-personnel mines?"


def _questions() -> list[str]:
    questions: list[str] = []
    for name in ("train_qa.json", "train2_qa.json", "dev_qa.json"):
        path = ROOT / "eval" / name
        if path.is_file():
            questions += [item["question"] for item in json.loads(path.read_text("utf-8"))]
    return questions or [QUESTION] * 50


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    """Seconds from starting `ihlbot ARGS` as a new process to its exit (which must be 0)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    questions = _questions()
    data = tempfile.mkdtemp(prefix="ihlbot-bench-")
    base = {**os.environ, "BOT_DATA_DIR": data, "PYTHONPATH": str(ROOT)}
    modes = {"hybrid": {**base, "BOT_SEMANTIC": "on"}, "lexical": {**base, "BOT_SEMANTIC": "off"}}
    rows: dict[str, dict[str, float]] = {}
    for mode, env in modes.items():
        run_cli(["ask", QUESTION], env)  # warm the data folder and the OS file cache
        start = statistics.median(run_cli(["ask", QUESTION], env) for _ in range(args.runs))
        one = statistics.median(run_cli(["ask"], env, QUESTION + "\n") for _ in range(3))
        lines = "\n".join(questions) + "\n"
        many = statistics.median(run_cli(["ask"], env, lines) for _ in range(3))
        retriever = build_retriever(
            load_corpus(default_corpus_dir()), EngineSettings(semantic=mode == "hybrid")
        )
        retriever.search(QUESTION)
        times = []
        for question in questions:
            begun = time.perf_counter()
            retriever.search(question)
            times.append(time.perf_counter() - begun)
        rows[mode] = {
            "start_s": start,
            "stdin_ms": (many - one) / (len(questions) - 1) * 1000,
            "p50_ms": percentile(times, 0.5) * 1000,
            "p95_ms": percentile(times, 0.95) * 1000,
        }
    rows["bm25s"] = _bm25s(questions)
    print(f"shipped corpus, {len(questions)} questions, start = median of {args.runs} runs")
    print(f"{'':10}{'start s':>10}{'stdin ms/q':>12}{'search p50':>12}{'p95 ms':>9}")
    for mode, row in rows.items():
        print(
            f"{mode:10}{row.get('start_s', float('nan')):>10.2f}"
            f"{row.get('stdin_ms', float('nan')):>12.2f}{row['p50_ms']:>12.2f}{row['p95_ms']:>9.2f}"
        )
    hybrid, lexical, peer = rows["hybrid"], rows["lexical"], rows["bm25s"]
    print(
        f"ratios: hybrid/lexical start {hybrid['start_s'] / lexical['start_s']:.2f}, "
        f"search p50 {hybrid['p50_ms'] / lexical['p50_ms']:.2f}; "
        f"hybrid/bm25s search p50 {hybrid['p50_ms'] / peer['p50_ms']:.2f}"
    )


def _bm25s(questions: list[str]) -> dict[str, float]:
    passages = [p.text for p in load_corpus(default_corpus_dir()).passages]
    times = bm25s_query_seconds(bm25s_index(passages), questions)
    return {"p50_ms": percentile(times, 0.5) * 1000, "p95_ms": percentile(times, 0.95) * 1000}


def bm25s_index(passages: list[str]) -> Any:
    """The peer: bm25s over the passages, with the Snowball stemmer and English stop words."""
    import bm25s
    import Stemmer

    index = bm25s.BM25()
    index.stemmer = Stemmer.Stemmer("english")
    tokens = bm25s.tokenize(passages, stopwords="en", stemmer=index.stemmer, show_progress=False)
    index.index(tokens, show_progress=False)
    return index


def bm25s_query_seconds(index: Any, questions: list[str]) -> list[float]:
    """Seconds of each question's top-3 retrieve by the peer, tokenisation included."""
    import bm25s

    times = []
    for question in questions:
        begun = time.perf_counter()
        tokens = bm25s.tokenize(
            [question], stopwords="en", stemmer=index.stemmer, show_progress=False
        )
        if tokens.vocab:
            index.retrieve(tokens, k=3, show_progress=False)
        times.append(time.perf_counter() - begun)
    return times


if __name__ == "__main__":
    main()
