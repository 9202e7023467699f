"""The semantic index: one unit vector per search unit and per sentence, scored by cosine.

A unit (a passage, or a metadata field) is embedded whole, with its section title or its
field's description (what it is about); each sentence is embedded on its own (what one
quote says). Vectors are computed at index time through an `EmbeddingStore`, so a corpus
embeds each text once, and a reload only what changed. A question costs one model call,
one matrix-vector product over the units, and one over the candidates' sentences.

Beside the corpus, the index holds a background: a few hundred everyday questions on
other subjects (`background_questions.json`, written blind for this purpose). A question
that is closer to one of them than to any source sentence is most likely off-topic, and a
cosine alone cannot say that: all questions share a little similarity with all texts.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from retrieval.embedding import EmbeddingModel
from retrieval.embedding_store import EmbeddingStore, Progress, list_digest
from retrieval.nearest import NearestUnits
from retrieval.units import SENTENCE_TEXTS_VERSION, SearchUnit

Vectors = npt.NDArray[np.float32]

BACKGROUND_FILE = Path(__file__).resolve().parent / "background_questions.json"
QUESTION_VECTORS_KEPT = 4  # the vectors of the last few questions (`embed_question`)


def background_questions(path: Path = BACKGROUND_FILE) -> list[str]:
    """The shipped everyday questions on subjects other than the sources'."""
    questions = json.loads(path.read_text("utf-8"))
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise ValueError(f"{path} must be a JSON list of strings")
    return questions


@dataclass(frozen=True)
class SemanticIndex:
    model: EmbeddingModel
    unit_vectors: Vectors  # (units, dimension)
    sentence_vectors: Vectors  # (sentences, dimension), unit by unit
    sentence_offsets: npt.NDArray[np.int64]  # (units + 1,) first sentence row of each unit
    centroids: Vectors  # (2, dimension): the mean passage sentence and the mean metadata
    # field, as unit vectors: what the sources are about, and what questions about the
    # documents themselves look like
    background: Vectors  # (questions, dimension): everyday questions on other subjects

    @classmethod
    def build(
        cls,
        units: Sequence[SearchUnit],
        model: EmbeddingModel,
        store: EmbeddingStore,
        progress: Progress | None = None,
    ) -> SemanticIndex:
        counts = np.fromiter((len(u.sentences) for u in units), dtype=np.int64, count=len(units))
        offsets = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(counts)])
        sentence_count = int(offsets[-1])
        background = background_questions()
        digest = _embedded_texts_digest(units, counts, background)
        total = len(units) + sentence_count + len(background)
        vectors = store.stored_whole(model, digest, total)
        if vectors is None:
            sentences = [text for unit in units for text in unit.sentence_embed_texts()]
            texts = [u.embed_text for u in units] + sentences + background
            vectors = store.vectors(model, texts, progress, digest=digest)
        unit_vectors = vectors[: len(units)]
        sentence_vectors = vectors[len(units) : len(units) + sentence_count]
        is_passage = np.fromiter((u.kind == "passage" for u in units), dtype=bool, count=len(units))
        centroids = np.stack(
            [
                _mean_direction(sentence_vectors, np.repeat(is_passage, counts)),
                _mean_direction(unit_vectors, ~is_passage),
            ]
        )
        return cls(
            model=model,
            unit_vectors=unit_vectors,
            sentence_vectors=sentence_vectors,
            sentence_offsets=offsets,
            centroids=centroids,
            background=vectors[len(units) + sentence_count :],
        )

    def topicality(self, query: Vectors) -> float:
        """How close the question is to what the sources, or their metadata, are about."""
        return float((self.centroids @ query).max())

    def background_similarity(self, query: Vectors) -> float:
        """The cosine of the question to the nearest everyday question on another subject."""
        if not len(self.background):
            return 0.0
        return float((self.background @ query).max())

    @property
    def size(self) -> int:
        return int(self.unit_vectors.shape[0])

    def embed_question(self, question: str) -> Vectors:
        """The question's vector (read-only). The last few are kept: ranking, naming a
        document by meaning and checking a metadata field each ask for the vector of the
        same question, and a model run is most of a question's time on a small corpus."""
        return self._question_vectors(question)

    @functools.cached_property
    def _question_vectors(self) -> Callable[[str], Vectors]:
        @functools.lru_cache(maxsize=QUESTION_VECTORS_KEPT)
        def embed(question: str) -> Vectors:
            vector: Vectors = self.model.embed([question])[0]
            vector.setflags(write=False)
            return vector

        return embed

    @functools.cached_property
    def _nearest(self) -> NearestUnits:
        return NearestUnits(self.unit_vectors)

    def nearest_units(self, query: Vectors, k: int) -> list[int]:
        """The k units closest to the question, best first (see `retrieval.nearest`)."""
        return self._nearest.top(query, k)

    def unit_cosines(self, query: Vectors, positions: list[int]) -> npt.NDArray[np.float64]:
        """Cosines of the question to the given units."""
        return self._nearest.cosines(query, positions)

    def sentence_scores(self, position: int, query: Vectors) -> list[float]:
        """Cosines of the question to the sentences of one unit, in order."""
        first, last = int(self.sentence_offsets[position]), int(self.sentence_offsets[position + 1])
        return [float(x) for x in self.sentence_vectors[first:last] @ query]


def _embedded_texts_digest(
    units: Sequence[SearchUnit], sentence_counts: npt.NDArray[np.int64], background: list[str]
) -> bytes:
    """A digest of the list of texts the index embeds (each unit's own text, then every
    sentence's, then the background), taken over what makes them rather than over them:
    at 100,000 passages, making 843,000 sentence texts only to find that their vectors
    are stored took a fifth of a start from the cache."""
    spans = np.fromiter(
        itertools.chain.from_iterable(itertools.chain.from_iterable(u.sentences for u in units)),
        dtype=np.int64,
        count=2 * int(sentence_counts.sum()),
    )
    digest = hashlib.sha256(f"sentence texts v{SENTENCE_TEXTS_VERSION}".encode())
    for texts in (
        [u.text for u in units],
        [u.embed_head for u in units],
        [u.sentence_context for u in units],
        background,
    ):
        digest.update(list_digest(texts))
    digest.update(sentence_counts.tobytes())
    digest.update(spans.tobytes())
    return digest.digest()[:16]


def _mean_direction(vectors: Vectors, members: npt.NDArray[np.bool_]) -> Vectors:
    """The mean of the member rows of unit vectors, as a unit vector (zeros for none); a
    product rather than a selection, which would copy every passage sentence's vector."""
    count = int(members.sum())
    if not count:
        return np.zeros(vectors.shape[1], dtype=np.float32)
    mean = members.astype(np.float32) @ vectors / count
    direction: Vectors = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
    return direction
