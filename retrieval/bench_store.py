"""Benchmark: the embedding store's cache hit at scale, next to reading its file alone.

    python -m retrieval.bench_store [--texts 660000] [--runs 2]

A restart of the bot or `ihlbot ask` with an unchanged corpus reads every vector back from
`BOT_DATA_DIR` instead of embedding it; 100,000 passages are about 660,000 texts (units,
sentences, the background). The model here is a stand-in that returns random unit vectors
(embedding that many texts for real takes about an hour), so "first build" is the store's
own work, not the model's. Figures, each the median of --runs:

* first build: nothing stored yet, every text embedded (by the stand-in) and written;
* cache hit: a new store over the same folder and the same texts, as after a restart;
* one file changed: the same, with 100 texts changed (as after an edit and /reload);
* peer: `np.load` of the stored files' arrays into memory, what reading the vectors costs.

The store maps its vectors from their file rather than reading them, and the pages are
read when first used: every step is timed up to one pass over the vectors it returns (the
semantic index's centroids make one), so that the comparison with the peer is fair.

Machines here are shared: read the ratio to the peer, not the absolute times.
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import tempfile
import time
from pathlib import Path

import numpy as np

from retrieval.embedding_store import EmbeddingStore

DIMENSION = 384


class RandomModel:
    """Stands in for the encoder: a random unit vector per text, at once."""

    model_id = "bench-random"
    dimension = DIMENSION

    def embed(self, texts: list[str], *, batch_size: int = 1) -> np.ndarray:
        generator = np.random.default_rng(len(texts))
        vectors = generator.standard_normal((len(texts), DIMENSION), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors


def synthetic_texts(count: int, seed: int = 0) -> list[str]:
    """Sentence-length texts, with one passage-length text in six (as units and sentences)."""
    chooser = random.Random(seed)
    words = [
        "".join(chooser.choices(string.ascii_lowercase, k=chooser.randint(3, 9)))
        for _ in range(5000)
    ]
    return [" ".join(chooser.choices(words, k=120 if n % 6 == 0 else 20)) for n in range(count)]


def _store_seconds(folder: Path, model: RandomModel, texts: list[str]) -> float:
    """How long a new store over `folder` takes to give the vectors of `texts`."""
    begin = time.perf_counter()
    vectors = EmbeddingStore(folder, shipped=None).vectors(model, texts)  # type: ignore[arg-type]
    vectors.sum(axis=0)  # one pass: the mapped pages are read
    return time.perf_counter() - begin


def _read_seconds(folder: Path) -> float:
    """The peer: numpy reading every stored array into memory."""
    begin = time.perf_counter()
    for file in sorted(folder.glob("*.np[yz]")):
        if file.suffix == ".npy":
            np.load(file)
            continue
        with np.load(file) as arrays:
            for name in arrays.files:
                arrays[name]
    return time.perf_counter() - begin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=660_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)

    texts = synthetic_texts(args.texts)
    changed = texts[:-100] + [text + " edited" for text in texts[-100:]]
    model = RandomModel()
    figures: dict[str, list[float]] = {"first build": [], "cache hit": [], "one file changed": []}
    figures["peer: np.load of the files"] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder)
            figures["first build"].append(_store_seconds(path, model, texts))
            figures["peer: np.load of the files"].append(_read_seconds(path))
            figures["cache hit"].append(_store_seconds(path, model, texts))
            figures["one file changed"].append(_store_seconds(path, model, changed))
    peer = statistics.median(figures["peer: np.load of the files"])
    print(f"{args.texts:,} texts x {DIMENSION} float32, median of {args.runs} runs")
    print("| step | seconds | vs peer |")
    print("|---|---:|---:|")
    for name, values in figures.items():
        seconds = statistics.median(values)
        print(f"| {name} | {seconds:.2f} | {seconds / peer:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
