"""The corpus currently served, and reloading it without a pause in answering.

A reload builds a complete new snapshot (documents, passages, index) off the event loop,
then swaps it in with one assignment: a question is answered from the old snapshot or the
new one, never from a half-built one. A reload that loads no document keeps the old one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import Corpus, Document, LoadProblem, load_corpus
from retrieval.search import Retriever

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    corpus: Corpus
    retriever: Retriever
    loaded_at: float

    @property
    def documents(self) -> dict[str, Document]:
        return self.retriever.documents

    def passage_count(self, doc_id: str) -> int:
        return sum(1 for p in self.corpus.passages if p.doc_id == doc_id)


@dataclass(frozen=True)
class ReloadReport:
    swapped: bool
    documents: int
    passages: int
    seconds: float
    problems: tuple[LoadProblem, ...]


class LibraryError(Exception):
    """The corpus could not be loaded at all (nothing to serve)."""


def build_snapshot(corpus_dir: Path) -> tuple[Snapshot | None, Corpus]:
    """Load and index a folder; no snapshot when no document loaded."""
    corpus = load_corpus(corpus_dir)
    if not corpus.documents:
        return None, corpus
    return Snapshot(corpus, Retriever(corpus), time.time()), corpus


class Library:
    """Holds the snapshot that answers questions; `reload` replaces it atomically."""

    def __init__(self, corpus_dir: Path) -> None:
        self.corpus_dir = corpus_dir
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
        snapshot, corpus = build_snapshot(self.corpus_dir)
        if snapshot is not None:
            self._snapshot = snapshot  # one assignment: readers see old or new, never half
        seconds = time.perf_counter() - started
        log.info(
            "corpus %s: %d documents, %d passages, %d problems, %.2fs%s",
            self.corpus_dir,
            len(corpus.documents),
            len(corpus.passages),
            len(corpus.problems),
            seconds,
            "" if snapshot else " (kept the old corpus)",
        )
        return ReloadReport(
            swapped=snapshot is not None,
            documents=len(corpus.documents),
            passages=len(corpus.passages),
            seconds=seconds,
            problems=corpus.problems,
        )

    @property
    def reloading(self) -> bool:
        return self._reload_lock.locked()

    async def reload(self) -> ReloadReport:
        """Re-read the corpus folder in a worker thread and swap it in when it loads."""
        async with self._reload_lock:
            return await asyncio.to_thread(self._load)
