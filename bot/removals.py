"""Documents an admin removed with /remove: kept out of every load until put back.

A removal is remembered in BOT_DATA_DIR (by the file's path in the corpus folder), not done
by deleting the file: the shipped seeds may live in a read-only package folder, and a
removal must survive a restart either way. The file is written atomically; a damaged one
is logged and read as empty (the documents come back rather than the bot failing).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

from corpus import Corpus, Document
from retrieval.atomic import write_atomically

log = logging.getLogger(__name__)

FILE_NAME = "removed.json"


class RemovedDocuments:
    """Source files (paths relative to the corpus folder) that are not to be loaded."""

    def __init__(self, data_dir: Path | None) -> None:
        self._path = data_dir / FILE_NAME if data_dir else None
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, object]] = self._read()

    def _read(self) -> dict[str, dict[str, object]]:
        if self._path is None or not self._path.is_file():
            return {}
        try:
            data = json.loads(self._path.read_text("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return {str(k): dict(v) for k, v in data.items()}
        except (OSError, ValueError, TypeError) as error:
            log.error("ignoring the damaged list of removed documents %s: %s", self._path, error)
            return {}

    @property
    def files(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._entries)

    def add(self, document: Document, by: int) -> None:
        with self._lock:
            self._entries[document.source_file] = {
                "doc_id": document.id,
                "title": document.title,
                "removed_by": by,
                "removed_at": time.time(),
            }
            self._write()

    def _write(self) -> None:
        if self._path is None:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(self._entries, indent=1, ensure_ascii=False)
            write_atomically(self._path, lambda out: out.write(text.encode("utf-8")), ".removed-")
        except OSError as error:
            log.error("could not remember a removal in %s: %s", self._path, error)


def without(corpus: Corpus, removed: frozenset[str]) -> Corpus:
    """The corpus less the documents loaded from removed files."""
    if not removed:
        return corpus
    kept = tuple(d for d in corpus.documents if d.source_file not in removed)
    ids = {d.id for d in kept}
    return Corpus(
        documents=kept,
        passages=tuple(p for p in corpus.passages if p.doc_id in ids),
        problems=corpus.problems,
    )
