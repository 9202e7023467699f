"""Embeddings kept on disk, keyed by the model and the text's content.

Embedding is the slow part of indexing (about 100 sentences a second a core). A text is
embedded once per model: a restart reads its vector back, and a reload after one file
changed embeds only that file's new passages and sentences. The store holds the vectors
of the latest build only, so it does not grow with every edit. Writes are atomic (a
temporary file, then a rename); a damaged store is logged and rebuilt, never fatal.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from retrieval.embedding import DEFAULT_MODEL_DIR, EmbeddingModel

log = logging.getLogger(__name__)

# Vectors of the shipped seed corpus for the shipped model, so that the first question on a
# fresh install does not wait for the seeds to be embedded. Read only; refreshed with
# `python -m retrieval.embedding_store` (a test fails when it no longer covers the seeds).
SHIPPED_STORE = DEFAULT_MODEL_DIR / "seed-embeddings"

_KEY_BYTES = 16
_CHUNK = 256  # texts embedded between two progress reports

Progress = Callable[[int, int], None]


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_KEY_BYTES).digest()


class EmbeddingStore:
    """Vectors under `folder` (None: kept in memory for this process only)."""

    def __init__(self, folder: Path | None, shipped: Path | None = SHIPPED_STORE) -> None:
        self.folder = folder
        self.shipped = shipped
        self._memory: dict[str, dict[bytes, np.ndarray]] = {}
        self.last_embedded = 0  # how many texts the latest call had to embed

    def _file(self, model_id: str) -> Path | None:
        return self.folder / f"{model_id}.npz" if self.folder else None

    def _read(self, model_id: str) -> dict[bytes, np.ndarray]:
        if model_id in self._memory:
            return self._memory[model_id]
        known: dict[bytes, np.ndarray] = {}
        shipped = self.shipped / f"{model_id}.npz" if self.shipped else None
        for file in (shipped, self._file(model_id)):
            if file is not None and file.is_file():
                known.update(_read_file(file))
        return known

    def vectors(
        self, model: EmbeddingModel, texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray:
        """One unit vector per text, embedding only the texts not seen before; `progress`
        hears (embedded so far, to embed) after each chunk."""
        known = self._read(model.model_id)
        keys = [text_key(t) for t in texts]
        missing: dict[bytes, int] = {}
        for position, key in enumerate(keys):
            if key not in known and key not in missing:
                missing[key] = position
        pending = list(missing.items())
        for first in range(0, len(pending), _CHUNK):
            chunk = pending[first : first + _CHUNK]
            fresh = model.embed([texts[i] for _, i in chunk])
            for (key, _), vector in zip(chunk, fresh, strict=True):
                known[key] = vector
            if progress is not None:
                progress(first + len(chunk), len(pending))
        self.last_embedded = len(missing)
        out = np.zeros((len(texts), model.dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = known[key]
        used = {k: known[k] for k in keys}
        self._memory[model.model_id] = used
        if missing or len(used) != len(known):
            self._write(model.model_id, used)
        return out

    def _write(self, model_id: str, vectors: dict[bytes, np.ndarray]) -> None:
        file = self._file(model_id)
        if file is None:
            return
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            keys = np.frombuffer(b"".join(vectors), dtype=np.uint8).reshape(-1, _KEY_BYTES)
            matrix = np.stack(list(vectors.values())) if vectors else np.zeros((0, 0), np.float32)
            handle, temporary = tempfile.mkstemp(prefix=".writing-", suffix=".npz", dir=file.parent)
            with os.fdopen(handle, "wb") as out:
                np.savez(out, keys=keys, vectors=matrix)
            Path(temporary).replace(file)
            for other in file.parent.glob("*.npz"):
                if other != file:
                    other.unlink(missing_ok=True)
        except OSError as error:
            log.warning("could not write the embedding store in %s: %s", self.folder, error)


def _read_file(file: Path) -> dict[bytes, np.ndarray]:
    try:
        # np.load leaves a file it opened itself open when the archive is bad.
        with file.open("rb") as handle, np.load(handle) as arrays:
            keys, vectors = arrays["keys"], arrays["vectors"]
        if keys.ndim != 2 or keys.shape[0] != vectors.shape[0]:
            raise ValueError("keys and vectors disagree")
        return {bytes(k): v for k, v in zip(keys, vectors, strict=True)}
    except Exception as error:  # a damaged file is a cache miss
        log.warning("ignoring the damaged embedding store %s: %s", file, error)
        return {}


def refresh_shipped_store() -> Path:
    """Embed the shipped seeds with the shipped model into SHIPPED_STORE."""
    from corpus import default_corpus_dir, load_corpus
    from retrieval.embedding import load_model
    from retrieval.semantic import SemanticIndex
    from retrieval.units import units_for

    model = load_model()
    if model is None:
        raise SystemExit("the shipped model does not load")
    for old in SHIPPED_STORE.glob("*.npz"):
        old.unlink()
    store = EmbeddingStore(SHIPPED_STORE, shipped=None)
    SemanticIndex.build(units_for(load_corpus(default_corpus_dir())), model, store)
    return SHIPPED_STORE / f"{model.model_id}.npz"


if __name__ == "__main__":
    print(f"wrote {refresh_shipped_store()}")
