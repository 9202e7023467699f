"""Benchmark: our index against bm25s (and plain rank-bm25 where it is bearable), same run.

    python -m retrieval.bench [--sizes 1000 10000 100000] [--queries 300] [--repeats 3]

Synthetic corpora: a Zipf-like vocabulary of pronounceable pseudo-words, about 120 words a
passage, fixed seed. Both sides start from the same texts and queries and include their own
text analysis (ours: the full analyzer; bm25s: its tokenizer with the same Snowball stemmer
and English stop words). Build time and query latencies are medians over `--repeats` runs;
peak memory is the tracemalloc peak of one build (numpy and scipy report their buffers to
tracemalloc), measured in a separate run so that tracing does not slow the timed ones.
Ratios are ours / bm25s: below 1 means we are faster or smaller.

Beside the sparse index alone ("ours"), what a user waits for: `Retriever.search()` as the
bot and `ihlbot ask` call it (correction, BM25, fusion, the decision, quotes and their
highlights), built from the same passages written as 500 text files and loaded by the
corpus loader ("search", words only, as with BOT_SEMANTIC=off), and the same with the
semantic layer ("search+vec"). For "search+vec" the question is embedded by the shipped
model for real, but the corpus's vectors are random unit vectors: embedding 100,000
passages and their sentences takes about an hour here, and what a question costs (one
model call, a product over every unit, one over the candidates' sentences) does not depend
on what the vectors hold. Its build time therefore leaves embedding out.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.analyzer import Analyzer
from retrieval.embedding_store import EmbeddingStore
from retrieval.scoring import BM25Params
from retrieval.sparse import SparseBM25

SEED = 20260402
WORDS_PER_PASSAGE = 120
VOCABULARY_SIZE = 60_000
_ONSETS = "b c d f g h j k l m n p r s t v w z br ch cl dr fl gr pl pr sh st th tr".split()
_VOWELS = "a e i o u ai ea ie oo ou".split()
_CODAS = "n r s t l m nd st ng rt ck".split() + [""] * 6


def pseudo_words(count: int, rng: random.Random) -> list[str]:
    """Distinct pronounceable words, so that the stemmer works as it would on prose."""
    words: set[str] = set()
    while len(words) < count:
        syllables = rng.choice((1, 2, 2, 3, 3, 4))
        words.add(
            "".join(
                rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                for _ in range(syllables)
            )
        )
    return sorted(words)


def synthetic_corpus(size: int, n_queries: int, seed: int = SEED) -> tuple[list[str], list[str]]:
    """Passages and queries drawn from a Zipf (s = 1.07) distribution over the vocabulary."""
    rng = random.Random(seed)
    vocabulary = pseudo_words(VOCABULARY_SIZE, rng)
    ranks = np.arange(1, VOCABULARY_SIZE + 1)
    probabilities = 1.0 / ranks**1.07
    probabilities /= probabilities.sum()
    generator = np.random.default_rng(seed)
    lengths = np.clip(generator.normal(WORDS_PER_PASSAGE, 25, size), 40, 250).astype(int)
    draws = generator.choice(VOCABULARY_SIZE, size=int(lengths.sum()), p=probabilities)
    passages, cursor = [], 0
    for length in lengths:
        passages.append(" ".join(vocabulary[i] for i in draws[cursor : cursor + length]))
        cursor += length
    query_lengths = generator.integers(2, 9, n_queries)
    queries = [
        " ".join(vocabulary[i] for i in generator.choice(VOCABULARY_SIZE, size=n, p=probabilities))
        for n in query_lengths
    ]
    return passages, queries


@dataclass
class Measure:
    build_s: float
    p50_ms: float
    p99_ms: float
    peak_mb: float


class Engine:
    name = ""

    def build(self, passages: list[str]) -> None:
        raise NotImplementedError

    def query(self, text: str) -> Any:
        raise NotImplementedError


class Ours(Engine):
    name = "ours"

    def __init__(self) -> None:
        self.analyzer = Analyzer()
        self.index: SparseBM25 | None = None

    def build(self, passages: list[str]) -> None:
        self.index = SparseBM25.build((self.analyzer.analyze(p) for p in passages), BM25Params())

    def query(self, text: str) -> Any:
        assert self.index is not None
        return self.index.top(self.index.scores(self.analyzer.analyze(text)), 10)


class Bm25s(Engine):
    name = "bm25s"

    def __init__(self) -> None:
        import bm25s
        import Stemmer

        self.bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("english")
        self.model: Any = None

    def build(self, passages: list[str]) -> None:
        tokens = self.bm25s.tokenize(
            passages, stopwords="en", stemmer=self.stemmer, show_progress=False
        )
        self.model = self.bm25s.BM25(k1=1.5, b=0.75)
        self.model.index(tokens, show_progress=False)

    def query(self, text: str) -> Any:
        tokens = self.bm25s.tokenize(
            [text], stopwords="en", stemmer=self.stemmer, return_ids=False, show_progress=False
        )
        if not tokens[0]:
            return None
        return self.model.retrieve(tokens, k=10, show_progress=False, n_threads=0)


class RankBm25(Engine):
    """Plain rank-bm25 on the same analysis, to show what the sparse index replaces."""

    name = "rank-bm25"

    def __init__(self) -> None:
        self.analyzer = Analyzer()
        self.model: Any = None

    def build(self, passages: list[str]) -> None:
        self.model = BM25Params().reference_model([self.analyzer.analyze(p) for p in passages])

    def query(self, text: str) -> Any:
        scores = self.model.get_scores(self.analyzer.analyze(text))
        return np.argsort(scores)[::-1][:10]


FILES = 500
SENTENCE_WORDS = 15


class Search(Engine):
    """`Retriever.search()` end to end, words only."""

    name = "search"
    semantic = False

    def __init__(self) -> None:
        self.retriever: Any = None

    def build(self, passages: list[str]) -> None:
        from corpus import load_corpus
        from retrieval.search import Retriever

        with tempfile.TemporaryDirectory(prefix="bench-corpus-") as name:
            folder = Path(name)
            write_corpus_files(folder, passages)
            corpus = load_corpus(folder)
        self.retriever = Retriever(corpus, semantic=self._semantic(corpus))

    def _semantic(self, corpus: Any) -> Any:
        return None

    def query(self, text: str) -> Any:
        return self.retriever.search(text, k=3)


class HybridSearch(Search):
    """`Retriever.search()` with the semantic layer: the real model for the question,
    random unit vectors for the corpus (see the module's docstring)."""

    name = "search+vec"

    def _semantic(self, corpus: Any) -> Any:
        from retrieval.embedding import load_model
        from retrieval.semantic import SemanticIndex
        from retrieval.units import units_for

        model = load_model()
        if model is None:
            raise SystemExit("the shipped model does not load")
        return SemanticIndex.build(units_for(corpus), model, _RandomVectors())


class _RandomVectors(EmbeddingStore):
    """An embedding store that holds nothing and gives random unit vectors for the
    corpus's texts."""

    def __init__(self) -> None:
        super().__init__(None, shipped=None)

    def vectors(
        self, model: Any, texts: Sequence[str], progress: Any = None, digest: bytes | None = None
    ) -> np.ndarray:
        generator = np.random.default_rng(SEED)
        vectors = generator.standard_normal((len(texts), model.dimension), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors


def write_corpus_files(folder: Path, passages: Sequence[str], files: int = FILES) -> None:
    """The passages as `files` text files of paragraphs, as the corpus loader reads a
    folder of documents; each passage is cut into sentences of SENTENCE_WORDS words."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        paragraphs = [_with_sentences(p) for p in passages[number::files]]
        (folder / f"file-{number:03d}.txt").write_text("\n\n".join(paragraphs), "utf-8")


def _with_sentences(passage: str) -> str:
    words = passage.split()
    return " ".join(
        " ".join(words[i : i + SENTENCE_WORDS]).capitalize() + "."
        for i in range(0, len(words), SENTENCE_WORDS)
    )


def _timed_build(engine: Engine, passages: list[str]) -> float:
    gc.collect()
    start = time.perf_counter()
    engine.build(passages)
    return time.perf_counter() - start


def _peak_build_mb(make: Callable[[], Engine], passages: list[str]) -> float:
    engine = make()
    gc.collect()
    tracemalloc.start()
    engine.build(passages)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def measure(
    make: Callable[[], Engine],
    passages: list[str],
    queries: list[str],
    repeats: int,
    *,
    memory: bool = True,
) -> Measure:
    builds, p50s, p99s = [], [], []
    for _ in range(repeats):
        engine = make()
        builds.append(_timed_build(engine, passages))
        for warm in queries[:20]:
            engine.query(warm)
        latencies = []
        for text in queries:
            start = time.perf_counter()
            engine.query(text)
            latencies.append((time.perf_counter() - start) * 1000)
        p50s.append(float(np.percentile(latencies, 50)))
        p99s.append(float(np.percentile(latencies, 99)))
        del engine
    return Measure(
        statistics.median(builds),
        statistics.median(p50s),
        statistics.median(p99s),
        _peak_build_mb(make, passages) if memory else float("nan"),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--search-repeats", type=int, default=1, help="repeats of the search() rows"
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the (slow) traced memory runs"
    )
    parser.add_argument(
        "--rank-bm25-max",
        type=int,
        default=10_000,
        help="also run plain rank-bm25 up to this corpus size",
    )
    args = parser.parse_args(argv)

    header = (
        f"{'passages':>9} {'engine':<10} {'build s':>9} {'p50 ms':>9} {'p99 ms':>9} "
        f"{'peak MB':>9}   {'build x':>8} {'p50 x':>7} {'p99 x':>7} {'mem x':>7}"
    )
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        passages, queries = synthetic_corpus(size, args.queries)
        makers: list[type[Engine]] = [Ours, Bm25s]
        if size <= args.rank_bm25_max:
            makers.append(RankBm25)
        makers += [Search, HybridSearch]
        results = {
            make.name: measure(
                make,
                passages,
                queries,
                args.search_repeats if issubclass(make, Search) else args.repeats,
                memory=not args.no_memory,
            )
            for make in makers
        }
        peer = results["bm25s"]
        for name, m in results.items():
            ratios = (
                f"{m.build_s / peer.build_s:>8.2f} {m.p50_ms / peer.p50_ms:>7.2f} "
                f"{m.p99_ms / peer.p99_ms:>7.2f} {m.peak_mb / peer.peak_mb:>7.2f}"
            )
            print(
                f"{size:>9,} {name:<10} {m.build_s:>9.3f} {m.p50_ms:>9.3f} {m.p99_ms:>9.3f} "
                f"{m.peak_mb:>9.1f}   {ratios}",
                flush=True,
            )
    print("ratios: engine / bm25s in this run (lower is better for us)")


if __name__ == "__main__":
    main()
