"""Embeddings kept on disk, keyed by the model and the text's content.

Embedding is the slow part of indexing (about 100 sentences a second a core). A text is
embedded once per model: a restart reads its vector back, and a reload after one file
changed embeds only that file's new passages and sentences. The store holds the vectors
of the latest build only, so it does not grow with every edit. Writes are atomic (a
temporary file, then a rename); a damaged store is logged and rebuilt, never fatal.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.atomic import write_atomically
from retrieval.embedding import DEFAULT_MODEL_DIR, EmbeddingModel

log = logging.getLogger(__name__)

# Vectors of the shipped seed corpus for the shipped model, so that the first question on a
# fresh install does not wait for the seeds to be embedded. Read only; refreshed with
# `python -m retrieval.embedding_store` (a test fails when it no longer covers the seeds).
SHIPPED_STORE = DEFAULT_MODEL_DIR / "seed-embeddings"

_KEY_BYTES = 16
_CHUNK = 256  # texts embedded between two progress reports
_VECTORS_NAME = re.compile(rf"-[0-9a-f]{{{2 * _KEY_BYTES}}}\.npy")  # after the model id

Progress = Callable[[int, int], None]


def _text_keys(texts: Sequence[str]) -> list[bytes]:
    """Each text's key: a digest of its content (one list comprehension, no call per text:
    at 660,000 texts, as 100,000 passages give, the calls alone were 0.3 s)."""
    blake2b = hashlib.blake2b
    return [
        blake2b(t.encode("utf-8", "surrogatepass"), digest_size=_KEY_BYTES).digest() for t in texts
    ]


def list_digest(texts: Sequence[str]) -> bytes:
    """One digest of the whole list, in order: the texts joined, and their lengths (so
    that no two lists share it by where one text ends). 0.2 s at 660,000 texts, against
    2 s for a key per text. SHA-256, which processors compute in hardware: three times
    BLAKE2b's speed here on 120 MB."""
    digest = hashlib.sha256()
    digest.update("".join(texts).encode("utf-8", "surrogatepass"))
    digest.update(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)).tobytes())
    return digest.digest()[:_KEY_BYTES]


@dataclass(frozen=True)
class _Stored:
    """Vectors by key: row i of `matrix` is the vector of the text whose key is row i of
    `keys`; `digest` is that of the list of texts they were stored for, in order.

    One array, not one small array per text: a restart at 100,000 passages reads 660,000
    vectors, and a view of each (then copied back one by one) took half of the store's
    6 s. When the corpus has not changed, the list's digest is the same and the matrix is
    used as it is, with no key per text at all."""

    keys: np.ndarray  # (texts, _KEY_BYTES) uint8
    matrix: np.ndarray  # (texts, dimension) float32, read only
    digest: bytes = b""

    @functools.cached_property
    def rows(self) -> dict[bytes, int]:
        raw = np.ascontiguousarray(self.keys).tobytes()
        step = _KEY_BYTES
        return {raw[i : i + step]: row for row, i in enumerate(range(0, len(raw), step))}


_EMPTY = _Stored(np.zeros((0, _KEY_BYTES), dtype=np.uint8), np.zeros((0, 0), dtype=np.float32))


def _key_array(keys: Sequence[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, _KEY_BYTES)


class EmbeddingStore:
    """Vectors under `folder` (None: kept in memory for this process only)."""

    def __init__(self, folder: Path | None, shipped: Path | None = SHIPPED_STORE) -> None:
        self.folder = folder
        self.shipped = shipped
        self._memory: dict[str, list[_Stored]] = {}
        self.last_embedded = 0  # how many texts the latest call had to embed

    def _file(self, model_id: str) -> Path | None:
        return self.folder / f"{model_id}.npz" if self.folder else None

    def _read(self, model_id: str, dimension: int) -> list[_Stored]:
        """What is stored, the data folder's (the latest build) before the shipped."""
        if model_id in self._memory:
            return self._memory[model_id]
        shipped = self.shipped / f"{model_id}.npz" if self.shipped else None
        files = (self._file(model_id), shipped)
        parts = [_read_file(f, dimension) for f in files if f is not None and f.is_file()]
        self._memory[model_id] = [part for part in parts if len(part.keys)]
        return self._memory[model_id]

    def stored_whole(self, model: EmbeddingModel, digest: bytes, count: int) -> np.ndarray | None:
        """The vectors stored for the list of `count` texts whose digest is `digest` (as
        `vectors` was given it), or None. A caller that can say what its texts are made of
        more cheaply than by making them digests that instead."""
        for part in self._read(model.model_id, model.dimension):
            if part.digest == digest and len(part.matrix) == count:
                self.last_embedded = 0
                self._memory[model.model_id] = [part]
                return part.matrix
        return None

    def vectors(
        self,
        model: EmbeddingModel,
        texts: Sequence[str],
        progress: Progress | None = None,
        digest: bytes | None = None,
    ) -> np.ndarray:
        """One unit vector per text (read only), embedding only the texts not seen before;
        `progress` hears (embedded so far, to embed) after each chunk. `digest` names the
        list as a whole (by default `list_digest(texts)`; see `stored_whole`)."""
        digest = list_digest(texts) if digest is None else digest
        whole = self.stored_whole(model, digest, len(texts))
        if whole is not None:  # the same texts as last time: nothing to look up
            return whole
        parts = self._read(model.model_id, model.dimension)
        keys = _text_keys(texts)
        out = np.empty((len(texts), model.dimension), dtype=np.float32)
        absent = np.arange(len(texts), dtype=np.intp)
        for part in parts:
            rows_of = part.rows
            rows = np.fromiter(
                (rows_of.get(keys[p], -1) for p in absent.tolist()), np.intp, len(absent)
            )
            hit = rows >= 0
            _copy_rows(out, absent[hit], part.matrix, rows[hit])
            absent = absent[~hit]
        missing: dict[bytes, int] = {}  # key -> its first position
        for position in absent.tolist():
            missing.setdefault(keys[position], position)
        pending = list(missing.items())
        fresh = np.zeros((len(pending), model.dimension), dtype=np.float32)
        for first in range(0, len(pending), _CHUNK):
            chunk = pending[first : first + _CHUNK]
            fresh[first : first + len(chunk)] = model.embed([texts[i] for _, i in chunk])
            if progress is not None:
                progress(first + len(chunk), len(pending))
        self.last_embedded = len(missing)
        if len(absent):
            fresh_row = {key: row for row, key in enumerate(missing)}
            out[absent] = fresh[[fresh_row[keys[position]] for position in absent.tolist()]]
        out.flags.writeable = False
        # The store keeps this call's texts, in order (the latest build's): the next start
        # with the same corpus then finds them by the list's digest alone.
        used = _Stored(_key_array(keys), out, digest)
        self._memory[model.model_id] = [used]
        self._write(model.model_id, used)
        return out

    def _write(self, model_id: str, stored: _Stored) -> None:
        """The vectors as a plain array file, named by the list's digest, then the keys
        beside the name of that file: a reader sees the old pair or the new one, never
        keys of one build with vectors of another. Only this model's older vectors file
        goes: another model's pair in the same folder is that model's cache, and deleting
        it made every switch of BOT_EMBEDDING_MODEL re-embed the whole corpus."""
        file = self._file(model_id)
        if file is None:
            return
        vectors_file = file.with_name(f"{model_id}-{stored.digest.hex()}.npy")
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(vectors_file, lambda out: np.save(out, stored.matrix))
            write_atomically(
                file,
                lambda out: np.savez(
                    out,
                    keys=stored.keys,
                    digest=np.frombuffer(stored.digest, dtype=np.uint8),
                    vectors_file=np.array(vectors_file.name),
                ),
            )
            for other in file.parent.glob(f"{model_id}-*.npy"):
                if other != vectors_file and _VECTORS_NAME.fullmatch(other.name[len(model_id) :]):
                    other.unlink(missing_ok=True)
        except OSError as error:
            log.warning("could not write the embedding store in %s: %s", self.folder, error)


_BLOCK = 65_536  # rows gathered at a time: the copy's temporary stays small
_RUN = 64  # rows in order from which a run is copied as a slice


def _copy_rows(
    out: np.ndarray, positions: np.ndarray, source: np.ndarray, rows: np.ndarray
) -> None:
    """out[positions] = source[rows]. Where both run on by one (a corpus that changed in
    one file keeps most of its texts in order), a run is copied as one slice; the rest a
    block at a time, since gathering every row at once made a temporary copy of every
    stored vector (1.5 GB at 100,000 passages)."""
    if not len(positions):
        return
    breaks = np.flatnonzero((np.diff(positions) != 1) | (np.diff(rows) != 1)) + 1
    starts = np.concatenate([[0], breaks]).tolist()
    ends = np.concatenate([breaks, [len(positions)]]).tolist()
    scattered: list[int] = []
    for start, end in zip(starts, ends, strict=True):
        if end - start >= _RUN:
            first, row = int(positions[start]), int(rows[start])
            out[first : first + end - start] = source[row : row + end - start]
        else:
            scattered.extend(range(start, end))
    lone = np.array(scattered, dtype=np.intp)
    for start in range(0, len(lone), _BLOCK):
        block = lone[start : start + _BLOCK]
        out[positions[block]] = source[rows[block]]


def _read_file(file: Path, dimension: int) -> _Stored:
    """The stored keys, and the vectors mapped from their file rather than read: at
    100,000 passages they are 1.5 GB, of which a question reads the units' and a few
    sentences'. (A store written before the vectors had a file of their own holds them
    in the archive, and is read whole.)"""
    try:
        # np.load leaves a file it opened itself open when the archive is bad.
        with file.open("rb") as handle, np.load(handle) as arrays:
            keys = arrays["keys"]
            digest = arrays["digest"].tobytes() if "digest" in arrays.files else b""
            if "vectors" in arrays.files:
                vectors = arrays["vectors"]
            else:
                name = str(arrays["vectors_file"])
                if Path(name).name != name:
                    raise ValueError(f"vectors file {name!r} outside the store")
                vectors = np.load(file.with_name(name), mmap_mode="r", allow_pickle=False)
        if keys.ndim != 2 or keys.shape[1] != _KEY_BYTES or keys.dtype != np.uint8:
            raise ValueError(f"keys of shape {keys.shape} and type {keys.dtype}")
        if keys.shape[0] != vectors.shape[0]:
            raise ValueError("keys and vectors disagree")
        if len(keys) and (vectors.ndim != 2 or vectors.shape[1] != dimension):
            raise ValueError(f"vectors of shape {vectors.shape}, not (n, {dimension})")
        matrix = np.asarray(vectors, dtype=np.float32)
        matrix.flags.writeable = False
        return _Stored(keys, matrix, digest)
    except Exception as error:  # a damaged file is a cache miss
        log.warning("ignoring the damaged embedding store %s: %s", file, error)
        return _EMPTY


def refresh_shipped_store() -> Path:
    """Embed the shipped seeds with the shipped model into SHIPPED_STORE."""
    from corpus import default_corpus_dir, load_corpus
    from retrieval.embedding import load_model
    from retrieval.semantic import SemanticIndex
    from retrieval.units import units_for

    model = load_model()
    if model is None:
        raise SystemExit("the shipped model does not load")
    for old in [*SHIPPED_STORE.glob("*.npz"), *SHIPPED_STORE.glob("*.npy")]:
        old.unlink()
    store = EmbeddingStore(SHIPPED_STORE, shipped=None)
    SemanticIndex.build(units_for(load_corpus(default_corpus_dir())), model, store)
    for written in SHIPPED_STORE.iterdir():
        written.chmod(0o644)  # package data, read by whoever runs the bot
    return SHIPPED_STORE / f"{model.model_id}.npz"


if __name__ == "__main__":
    print(f"wrote {refresh_shipped_store()}")
