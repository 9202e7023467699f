"""An on-disk copy of a loaded corpus and its index, reused while the corpus is unchanged.

Loading and indexing a large corpus takes seconds to minutes; a restart or a /reload with
nothing changed should not pay that again. The cache key covers every file of the corpus
folder (path, size, modification time, as `make` does), the vocabulary and the retrieval
settings, so that any change to what the index is built from makes a new key. Only the
newest entry is kept. A damaged or unreadable entry is ignored (and rebuilt), never fatal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from pathlib import Path

import numpy as np

from corpus.models import Corpus
from retrieval.scoring import BM25Params, Variant
from retrieval.sparse import SparseBM25
from retrieval.vocabulary import DEFAULT_VOCABULARY

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
_ARRAYS = ("indptr", "postings", "weights", "absent", "doc_freq", "idf", "doc_len")


def corpus_key(corpus_dir: Path, settings: object, vocabulary: Path = DEFAULT_VOCABULARY) -> str:
    """A digest of everything the index is built from (the files' paths, sizes and
    modification times, the vocabulary, the retrieval settings and this format)."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{settings!r}".encode())
    digest.update(vocabulary.read_bytes())
    for path in sorted(p for p in Path(corpus_dir).rglob("*") if p.is_file()):
        stat = path.stat()
        relative = path.relative_to(corpus_dir).as_posix()
        digest.update(f"{relative}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


class IndexCache:
    """Entries under `root`, one folder per key: corpus.json, index.npz, terms.json."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def load(self, key: str) -> tuple[Corpus, SparseBM25] | None:
        folder = self.root / key
        if not folder.is_dir():
            return None
        try:
            corpus = Corpus.model_validate_json((folder / "corpus.json").read_bytes())
            meta = json.loads((folder / "terms.json").read_text("utf-8"))
            with np.load(folder / "index.npz") as arrays:
                loaded = {name: arrays[name] for name in _ARRAYS}
            params = BM25Params(**{**meta["params"], "variant": Variant(meta["params"]["variant"])})
            index = SparseBM25(
                params=params, term_ids={t: i for i, t in enumerate(meta["terms"])}, **loaded
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("ignoring the damaged index cache %s: %s", folder, error)
            return None
        return corpus, index

    def save(self, key: str, corpus: Corpus, index: SparseBM25) -> None:
        """Write atomically (a temporary folder renamed into place), then drop older keys."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=self.root))
            (staging / "corpus.json").write_text(corpus.model_dump_json(), "utf-8")
            params = {**index.params.__dict__, "variant": index.params.variant.value}
            terms = sorted(index.term_ids, key=index.term_ids.__getitem__)
            (staging / "terms.json").write_text(
                json.dumps({"params": params, "terms": terms}), "utf-8"
            )
            np.savez(staging / "index.npz", **{n: getattr(index, n) for n in _ARRAYS})
            target = self.root / key
            if target.exists():
                shutil.rmtree(staging)
            else:
                staging.rename(target)
            for other in self.root.iterdir():
                if other.name != key:
                    shutil.rmtree(other, ignore_errors=True)
        except OSError as error:
            log.warning("could not write the index cache in %s: %s", self.root, error)
