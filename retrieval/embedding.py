"""Sentence embeddings with ONNX Runtime and `tokenizers`: the meaning half of retrieval.

BM25 finds the question's words; an embedding finds its meaning when the words differ
("MPs" and "parliamentarians", "pull out" and "withdraw"). The model is a folder with
`model.onnx` (a BERT-style encoder whose first output is the last hidden state) and
`tokenizer.json`; mean pooling over real tokens and L2 normalisation, as
sentence-transformers does for all-MiniLM-L6-v2, are done here. No torch at run time.

The shipped model (`retrieval/model/`) is all-MiniLM-L6-v2, exported and int8-quantised
by `scripts/export_model.py`; BOT_EMBEDDING_MODEL points at another folder of that shape.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length


class ModelUnavailable(Exception):
    """The embedding model could not be loaded (missing files, bad ONNX, no runtime)."""


class EmbeddingModel:
    """An ONNX sentence encoder. Thread-safe: ONNX Runtime sessions may run concurrently."""

    def __init__(self, folder: Path, *, threads: int = 1) -> None:
        model_file = folder / "model.onnx"
        tokenizer_file = folder / "tokenizer.json"
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
            options = ort.SessionOptions()
            options.intra_op_num_threads = max(1, threads)
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self._session = ort.InferenceSession(
                str(model_file), options, providers=["CPUExecutionProvider"]
            )
            self.model_id = _digest(model_file, tokenizer_file)
        except Exception as error:  # any failure to load means "no semantic layer"
            raise ModelUnavailable(f"{folder}: {type(error).__name__}: {error}") from error
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.folder = folder
        self.dimension = int(self.embed(["dimension probe"]).shape[1])

    def embed(self, texts: Sequence[str], *, batch_size: int = 1) -> np.ndarray:
        """Unit vectors, one row per text (float32).

        One text per run by default: the int8 model quantises activations over the whole
        batch, so a text's vector would depend on its batch-mates (cosine 0.99, not 1.0),
        and on two cores single texts are faster anyway (104 seed texts: 0.64 s alone,
        0.99 s in batches of 32). Larger batches are grouped by length, so that padding
        costs little."""
        if not texts:
            return np.zeros((0, getattr(self, "dimension", 0)), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out: np.ndarray | None = None
        for first in range(0, len(order), batch_size):
            chosen = order[first : first + batch_size]
            width = max(len(encodings[i].ids) for i in chosen)
            ids = np.zeros((len(chosen), width), dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=np.int64)
            for row, i in enumerate(chosen):
                tokens = encodings[i].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
            pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            pooled /= np.maximum(norms, 1e-12)
            if out is None:
                out = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            out[chosen] = pooled
        assert out is not None
        return out


def _digest(*files: Path) -> str:
    """Which model made a vector: embeddings of two models must never be mixed."""
    digest = hashlib.sha256()
    for file in files:
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def load_model(folder: Path | None = None, *, threads: int = 1) -> EmbeddingModel | None:
    """The model in `folder` (the shipped one by default), or None with one log line."""
    folder = folder or DEFAULT_MODEL_DIR
    try:
        return EmbeddingModel(folder, threads=threads)
    except ModelUnavailable as error:
        log.warning("semantic search is off, answering from words only: %s", error)
        return None
