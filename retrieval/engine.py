"""Building a retriever for a corpus: the BM25 index, and the semantic layer when it is on.

One place decides how the pieces are put together, so the bot, the command line and the
evaluation build the same thing. The embedding model is loaded once per process and
folder; when it cannot be loaded, retrieval is lexical, with one log line saying why.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from corpus.models import Corpus
from retrieval.analyzer import Analyzer
from retrieval.embedding import DEFAULT_MODEL_DIR, EmbeddingModel, load_model
from retrieval.embedding_store import EmbeddingStore, Progress
from retrieval.reuse import PreviousIndex, reused_index, reused_sentences, reused_speller
from retrieval.search import RetrievalConfig, Retriever
from retrieval.semantic import SemanticIndex
from retrieval.sparse import SparseBM25
from retrieval.spelling import SpellingCorrector
from retrieval.units import SentenceSpans, units_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineSettings:
    """How to build: semantic layer on or off, which model, where embeddings are kept."""

    semantic: bool = True
    model_dir: Path | None = None  # None: the shipped model
    embeddings_dir: Path | None = None  # None: embeddings are not kept between runs
    threads: int = 1

    @property
    def model_folder(self) -> Path:
        return self.model_dir or DEFAULT_MODEL_DIR


@functools.cache
def _model(folder: Path, threads: int) -> EmbeddingModel | None:
    return load_model(folder, threads=threads)


def embedding_model(settings: EngineSettings) -> EmbeddingModel | None:
    """The model the settings ask for, or None (semantic off, or the model cannot load)."""
    if not settings.semantic:
        return None
    return _model(settings.model_folder.resolve(), settings.threads)


def build_retriever(
    corpus: Corpus,
    settings: EngineSettings,
    *,
    config: RetrievalConfig | None = None,
    index: SparseBM25 | None = None,
    analyzer: Analyzer | None = None,
    progress: Progress | None = None,
    speller: SpellingCorrector | None = None,
    sentences: SentenceSpans | None = None,
    previous: PreviousIndex | None = None,
) -> Retriever:
    """A retriever over `corpus`: lexical always, semantic when the settings and the model
    allow it. `sentences`: the passages' sentence spans, when the index cache kept them.
    `previous`: the index this one replaces, built by the same code and settings, which
    lends what its unchanged passages gave (see `retrieval.reuse`)."""
    model = embedding_model(settings)
    semantic = None
    analyzer = analyzer or Analyzer()
    lent = reused_sentences(corpus, previous) if previous and sentences is None else None
    units = units_for(corpus, sentences or lent)
    if previous is not None and index is None:
        try:
            index, analysed = reused_index(units, previous, analyzer)
            speller = speller or reused_speller(corpus, previous, analyzer)
            log.info("indexed %d of %d units anew; the others were unchanged", analysed, len(units))
        except Exception:  # a bug here must cost the reuse only: the index is built whole
            log.exception("could not reuse the previous index; indexing every unit")
    if model is not None and corpus.passages:
        store = EmbeddingStore(settings.embeddings_dir)
        semantic = SemanticIndex.build(units, model, store, progress)
        if store.last_embedded:
            log.info("embedded %d new texts with %s", store.last_embedded, model.folder)
    return Retriever(
        corpus,
        config,
        analyzer=analyzer,
        index=index,
        semantic=semantic,
        speller=speller,
        units=units,
    )
