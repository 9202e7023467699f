"""Benchmark at scale: what a terminal user waits for at 100,000 passages, next to bm25s.

    python -m retrieval.bench_scale [--passages 100000] [--questions 1000] [--runs 3]
                                    [--work DIR]

The setting of the speed issue's table: `retrieval.bench`'s synthetic passages (about 120
words each, fixed seed) written as 500 text files, loaded and indexed by `ihlbot` as a
user runs it, in a new process each time. The semantic layer runs a stand-in ONNX model
with the shipped tokenizer (a lookup table of random token vectors, mean-pooled like the
real model): embedding the 900,000-odd passages and sentences with the real model takes
over an hour here, while what a start from the cache costs (reading the vectors, making
the projection, embedding the question) does not depend on what the vectors hold.

Rows, each measured in the same run:

* first build: `ihlbot index` on an empty data folder (hybrid, so the cache entry serves
  both modes); the peer is bm25s's tokenize + index of the same texts, in process;
* start from the cache: `ihlbot ask --json QUESTION` to its printed answer, hybrid and
  words only (BOT_SEMANTIC=off), median of `--runs` alternating runs; the peer is a new
  process that loads bm25s's saved index (memory-mapped) and answers the same question;
* stdin: `ihlbot ask --json` reading questions on standard input, one JSON line each:
  (time of 1 + N questions minus that of 1) / N, so the start is left out; the peer is
  bm25s's retrieve of the top 3 per question, tokenisation included, in process: the mean
  of the same N questions, like ours (its median beside it).

`--work DIR` keeps the corpus, the model and the data folder between runs (the first
build is then only timed when DIR holds no data yet). Machines here are shared: read the
ratios, which come from one run, not the absolute times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.bench import synthetic_corpus, write_corpus_files
from retrieval.bench_seed import ROOT, bm25s_index, bm25s_query_seconds, percentile, run_cli
from retrieval.embedding import load_model

SHIPPED_MODEL = ROOT / "retrieval" / "model"
DIMENSION = 384


def write_standin_model(folder: Path, seed: int = 7) -> None:
    """A model folder `load_model` accepts: the shipped tokenizer and an ONNX graph that
    looks each token up in a table of random vectors (the last hidden state)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHIPPED_MODEL / "tokenizer.json", folder / "tokenizer.json")
    vocabulary = Tokenizer.from_file(str(folder / "tokenizer.json")).get_vocab_size()
    table = np.random.default_rng(seed).standard_normal((vocabulary, DIMENSION), np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"], axis=0)],
        "standin",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [
            helper.make_tensor_value_info(
                "last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", DIMENSION]
            )
        ],
        [numpy_helper.from_array(table, "table")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(folder / "model.onnx"))


def _bm25s_build(passages: list[str], saved: Path) -> tuple[Any, float]:
    """bm25s over the passages and the seconds its tokenize + index took; the index is
    saved for the start peer."""
    began = time.perf_counter()
    index = bm25s_index(passages)
    seconds = time.perf_counter() - began
    index.save(str(saved))
    return index, seconds


_BM25S_START = """
import sys, bm25s, Stemmer
index = bm25s.BM25.load(sys.argv[1], mmap=True)
stemmer = Stemmer.Stemmer("english")
tokens = bm25s.tokenize([sys.argv[2]], stopwords="en", stemmer=stemmer, return_ids=False,
                        show_progress=False)
known = [[t for t in tokens[0] if t in index.vocab_dict]]
if known[0]:
    print(index.retrieve(known, k=3, show_progress=False))
"""


def _bm25s_start(saved: Path, question: str) -> float:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _BM25S_START, str(saved), question],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="keep corpus, model and data here")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="ihlbot-scale-"))
    try:
        _measure(args, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def _measure(args: argparse.Namespace, work: Path) -> None:
    passages, questions = synthetic_corpus(args.passages, args.questions + 1)
    corpus, model, data = work / "corpus", work / "model", work / "data"
    if not corpus.is_dir():
        write_corpus_files(corpus, passages)
    if not (model / "model.onnx").is_file():
        write_standin_model(model)
    if load_model(model) is None:  # else every "hybrid" row would be words only
        raise SystemExit(f"the stand-in model in {model} does not load")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_CORPUS_DIR": str(corpus),
        "BOT_DATA_DIR": str(data),
        "BOT_EMBEDDING_MODEL": str(model),
    }
    modes = {"hybrid": {**env, "BOT_SEMANTIC": "on"}, "words only": {**env, "BOT_SEMANTIC": "off"}}
    first = float("nan")
    if not data.is_dir():
        first = run_cli(["index"], modes["hybrid"])
    peer, peer_first = _bm25s_build(passages, work / "bm25s")
    question, rest = questions[0], questions[1:]
    one_line, many_lines = question + "\n", "\n".join(questions) + "\n"
    starts: dict[str, list[float]] = {mode: [] for mode in (*modes, "bm25s")}
    stdin: dict[str, list[float]] = {mode: [] for mode in modes}
    for mode_env in modes.values():  # warm the OS file cache and any missing entry
        run_cli(["ask", "--json", question], mode_env)
    for _ in range(args.runs):
        for mode, mode_env in modes.items():
            starts[mode].append(run_cli(["ask", "--json", question], mode_env))
            one = run_cli(["ask", "--json"], mode_env, one_line)
            many = run_cli(["ask", "--json"], mode_env, many_lines)
            stdin[mode].append((many - one) / len(rest) * 1000)
        starts["bm25s"].append(_bm25s_start(work / "bm25s", question))
    # Our stdin figure is a mean (a total over the questions), so the peer's is too; its
    # median is printed beside it (the two differ by a few per cent at most).
    peer_times = bm25s_query_seconds(peer, rest)
    peer_ms = statistics.fmean(peer_times) * 1000

    print(
        f"{args.passages:,} synthetic passages in 500 files, stand-in model; "
        f"start = median of {args.runs} alternating runs, stdin over {len(rest):,} questions"
    )
    print(f"{'':12}{'first build s':>14}{'cache start s':>15}{'stdin ms/q':>12}  (mean a question)")
    peer_start = statistics.median(starts["bm25s"])
    for mode in modes:
        build = first if mode == "hybrid" else float("nan")
        print(
            f"{mode:12}{build:>14.1f}{statistics.median(starts[mode]):>15.2f}"
            f"{statistics.median(stdin[mode]):>12.2f}"
        )
    print(
        f"{'bm25s':12}{peer_first:>14.1f}{peer_start:>15.2f}{peer_ms:>12.2f}"
        f"  (median {percentile(peer_times, 0.5) * 1000:.2f})"
    )
    print(f"hybrid / bm25s: first build {first / peer_first:.2f}x")
    for mode in modes:
        print(
            f"{mode} / bm25s: cache start {statistics.median(starts[mode]) / peer_start:.2f}x, "
            f"stdin {statistics.median(stdin[mode]) / peer_ms:.2f}x"
        )
    print("every run:", {mode: [round(t, 2) for t in times] for mode, times in starts.items()})


if __name__ == "__main__":
    main()
