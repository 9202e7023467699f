"""The corpus currently served, and reloading it without a pause in answering.

A reload builds a complete new snapshot (documents, passages, index) off the event loop,
then swaps it in with one assignment: a question is answered from the old snapshot or the
new one, never from a half-built one. A reload that loads no document keeps the old one.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.removals import RemovedDocuments, without
from corpus import Corpus, Document, LoadProblem, load_corpus
from retrieval.cache import IndexCache, build_key, corpus_key
from retrieval.embedding_store import Progress
from retrieval.engine import EngineSettings, build_retriever
from retrieval.reuse import PreviousIndex
from retrieval.search import RetrievalConfig, Retriever
from retrieval.units import passage_sentences

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    corpus: Corpus
    retriever: Retriever
    loaded_at: float

    @property
    def documents(self) -> dict[str, Document]:
        return self.retriever.documents

    @property
    def version(self) -> str:
        """A short fingerprint of the documents served: which corpus a usage record saw."""
        digest = hashlib.blake2b(digest_size=6)
        for document in sorted(self.corpus.documents, key=lambda d: d.id):
            digest.update(f"{document.id}\0{document.content_sha256}\0".encode())
        return digest.hexdigest()

    def passage_count(self, doc_id: str) -> int:
        return sum(1 for p in self.corpus.passages if p.doc_id == doc_id)


@dataclass(frozen=True)
class ReloadReport:
    swapped: bool
    documents: int
    passages: int
    seconds: float
    problems: tuple[LoadProblem, ...]
    from_cache: bool = False


class LibraryError(Exception):
    """The corpus could not be loaded at all (nothing to serve)."""


def index_settings(
    config: RetrievalConfig, engine: EngineSettings, removed: frozenset[str] = frozenset()
) -> object:
    """What shapes the cached index besides the files: part of the cache key. Not whether
    the semantic layer is on, nor which model: the corpus, the BM25 index and the speller
    are the same either way (a hybrid build adds the sentence spans), and the embeddings
    are kept apart, keyed by a digest of the model's files. So switching BOT_SEMANTIC or
    BOT_EMBEDDING_MODEL does not rebuild the index (55 s at 100,000 passages)."""
    return (config, sorted(removed))


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a snapshot is built. Loading 100,000 passages
    makes millions of objects that live as long as the snapshot, and the collector
    rescanned them as they came: 0.6 s of a 5.8 s start from the cache. Only garbage held
    in reference cycles waits, until the build ends; the collector's state is restored
    even when the build fails."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@collector_paused()
def build_snapshot(
    corpus_dir: Path,
    cache: IndexCache | None = None,
    engine: EngineSettings | None = None,
    removed: frozenset[str] = frozenset(),
    progress: Progress | None = None,
) -> tuple[Snapshot | None, Corpus, bool]:
    """Load and index a folder, or take both from the cache while the folder is unchanged:
    (snapshot, or None when no document loaded; the corpus; whether it came from the cache).
    Embeddings are kept apart, by content, so an unchanged text is never embedded twice."""
    config = RetrievalConfig()
    engine = engine or EngineSettings()
    settings = index_settings(config, engine, removed)
    key = corpus_key(corpus_dir, settings) if cache and corpus_dir.is_dir() else None
    cached = cache.load(key, corpus_dir) if cache and key else None
    if cached is not None and cache is not None and key is not None:
        corpus, index, speller = cached
        sentences = cache.load_sentences(key, len(corpus.passages))
        retriever = build_retriever(
            corpus,
            engine,
            config=config,
            index=index,
            speller=speller,
            progress=progress,
            sentences=sentences,
        )
        if sentences is None and (found := passage_sentences(retriever.units)) is not None:
            cache.add_sentences(key, found)  # the entry was built words only
        return Snapshot(corpus, retriever, time.time()), corpus, True
    # Which documents are removed does not change what the others give: not in it.
    build = build_key(config) if cache and key else None
    earlier = cache.previous(build, key) if cache and key and build else None
    corpus = without(load_corpus(corpus_dir, earlier[1] if earlier else None), removed)
    if not corpus.documents:
        return None, corpus, False
    previous = None
    if earlier is not None and cache is not None:
        old_key, old_corpus, old_index, old_speller = earlier
        spans = cache.load_sentences(old_key, len(old_corpus.passages))
        previous = PreviousIndex(old_corpus, old_index, spans, old_speller)
    retriever = build_retriever(corpus, engine, config=config, progress=progress, previous=previous)
    if cache and key:
        cache.save(
            key,
            corpus,
            retriever.index,
            retriever.corrector.speller,
            passage_sentences(retriever.units),
            build=build,
        )
    return Snapshot(corpus, retriever, time.time()), corpus, False


class Library:
    """Holds the snapshot that answers questions; `reload` replaces it atomically."""

    def __init__(
        self,
        corpus_dir: Path,
        data_dir: Path | None = None,
        engine: EngineSettings | None = None,
    ) -> None:
        self.corpus_dir = corpus_dir
        self._cache = IndexCache(data_dir / "index-cache") if data_dir else None
        self.engine = engine or EngineSettings(
            embeddings_dir=data_dir / "embeddings" if data_dir else None
        )
        self.removed = RemovedDocuments(data_dir)
        self._snapshot: Snapshot | None = None
        self._reload_lock = asyncio.Lock()

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            raise LibraryError("no corpus is loaded")
        return self._snapshot

    def load(self) -> ReloadReport:
        """Load synchronously (at start-up); LibraryError when nothing loads."""
        report = self._load()
        if not report.swapped:
            reasons = "; ".join(f"{p.file}: {p.reason}" for p in report.problems) or "no files"
            raise LibraryError(f"no document could be loaded from {self.corpus_dir} ({reasons})")
        return report

    def _load(self) -> ReloadReport:
        started = time.perf_counter()
        snapshot, corpus, from_cache = build_snapshot(
            self.corpus_dir, self._cache, self.engine, self.removed.files
        )
        if snapshot is not None:
            self._snapshot = snapshot  # one assignment: readers see old or new, never half
        seconds = time.perf_counter() - started
        if snapshot is None:
            log.warning(
                "corpus %s: no document loaded (%d problems); kept the old corpus",
                self.corpus_dir,
                len(corpus.problems),
            )
        else:
            log.info(
                "corpus %s: %d documents, %d passages, %d problems, %.2fs%s",
                self.corpus_dir,
                len(corpus.documents),
                len(corpus.passages),
                len(corpus.problems),
                seconds,
                " (index cache)" if from_cache else "",
            )
        return ReloadReport(
            swapped=snapshot is not None,
            documents=len(corpus.documents),
            passages=len(corpus.passages),
            seconds=seconds,
            problems=corpus.problems,
            from_cache=from_cache,
        )

    @property
    def reloading(self) -> bool:
        return self._reload_lock.locked()

    async def reload(self) -> ReloadReport:
        """Re-read the corpus folder in a worker thread and swap it in when it loads."""
        async with self._reload_lock:
            return await asyncio.to_thread(self._load)
