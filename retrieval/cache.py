"""An on-disk copy of a loaded corpus and its index, reused while nothing it derives from changed.

Loading and indexing a large corpus takes seconds to minutes; a restart or a /reload with
nothing changed should not pay that again. But the cache is a derived artefact, never a
source: what it serves must be what loading the files would give.

* The key covers everything the entry is built from: each document file and sidecar of
  the corpus folder (path, size, modification time, as `make` does), the vocabulary, the
  retrieval settings, the cache format, the project's version and a digest of the code
  that loads and indexes (so an upgraded chunker never serves the old passages).
* An entry (the corpus, the BM25 index, the speller's vocabulary) is written to a
  temporary folder, with a manifest of the files' SHA-256 written last, then renamed
  into place. Reading checks the manifest; a missing, truncated or
  edited file is a miss, logged in one line with the reason, and the entry is rebuilt.
* Every cached document's content digest is checked against its file on disk, so a cache
  cannot quote a file that is no longer there, or no longer says that.

Only the newest entry is kept. No error of the cache is fatal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

import numpy as np

from corpus.models import Corpus
from corpus.scan import scan_corpus
from retrieval.atomic import write_atomically
from retrieval.scoring import BM25Params, Variant
from retrieval.sparse import SparseBM25
from retrieval.spelling import SpellingCorrector
from retrieval.units import SentenceSpans, metadata_unit_count
from retrieval.vocabulary import DEFAULT_VOCABULARY

log = logging.getLogger(__name__)

CACHE_FORMAT = 3  # 3: term counts in index.npz, the build key in the manifest
_ARRAYS = ("indptr", "postings", "weights", "absent", "doc_freq", "idf", "doc_len", "tf")
_FILES = ("corpus.json", "terms.json", "index.npz", "speller.json")
_SENTENCES = "sentences.npz"  # optional: written when the build had split every passage
_MANIFEST = "manifest.json"
_CODE_PACKAGES = ("corpus", "retrieval")


@cache
def code_fingerprint() -> str:
    """The project's version and a digest of the code that loads, chunks and indexes."""
    try:
        version = metadata.version("ihlbot")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256(version.encode())
    for source in fingerprinted_sources():
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return f"{version}+{digest.hexdigest()[:12]}"


_ROOT = Path(__file__).resolve().parent.parent


def fingerprinted_sources(root: Path = _ROOT) -> list[Path]:
    """The modules whose code the cache key covers: all of the corpus and retrieval
    packages but the benchmarks, which shape no index (editing one rebuilt a 100,000-passage
    index, minutes of work)."""
    return [
        source
        for package in _CODE_PACKAGES
        for source in sorted((root / package).glob("*.py"))
        if not source.name.startswith("bench")
    ]


def build_key(settings: object, vocabulary: Path = DEFAULT_VOCABULARY) -> str:
    """A digest of what shapes an index besides the corpus files: the cache format, the
    code, the settings, the vocabulary. Two entries with the same build key differ only
    by their files, so one can lend the other what an unchanged file gave."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{code_fingerprint()}|{settings!r}".encode())
    digest.update(vocabulary.read_bytes())
    return digest.hexdigest()[:32]


def corpus_key(corpus_dir: Path, settings: object, vocabulary: Path = DEFAULT_VOCABULARY) -> str:
    """A digest of everything the index is built from. Files that vanish while they are
    listed, and names that are not UTF-8, do not make it fail."""
    digest = hashlib.sha256(build_key(settings, vocabulary).encode())
    scan = scan_corpus(Path(corpus_dir))
    for path in sorted(scan.files + scan.sidecars):
        try:
            stat = path.stat()
        except OSError:
            continue
        relative = os.fsencode(path.relative_to(corpus_dir))
        digest.update(relative + f"|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    for problem in scan.problems:
        digest.update(f"{problem.file}|{problem.reason}\n".encode())
    return digest.hexdigest()[:32]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checksums(folder: Path, corpus_json: bytes) -> dict[str, str]:
    """The SHA-256 of each file the manifest must match (corpus.json as already read)."""
    sums = {"corpus.json": hashlib.sha256(corpus_json).hexdigest()}
    sums.update({name: _sha256(folder / name) for name in _FILES if name not in sums})
    return sums


class IndexCache:
    """Entries under `root`, one folder per key: corpus.json, index.npz, terms.json and the
    manifest of their digests."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def load(
        self, key: str, corpus_dir: Path | None = None
    ) -> tuple[Corpus, SparseBM25, SpellingCorrector] | None:
        """The entry for `key`, or None (logged) when it is missing, damaged or stale."""
        folder = self.root / key
        try:
            if not folder.is_dir():
                return None
            manifest = json.loads((folder / _MANIFEST).read_text("utf-8"))
            raw = (folder / "corpus.json").read_bytes()
            # The checksums are computed on another core while the corpus is parsed
            # (hashing lets go of the interpreter lock; 0.4 s of a start at 100,000
            # passages), and are checked before anything parsed is used.
            with ThreadPoolExecutor(max_workers=1) as pool:
                sums = pool.submit(_checksums, folder, raw)
                try:
                    corpus: Corpus | None = Corpus.model_validate_json(raw)
                except ValueError:
                    corpus = None
                for name, digest in sums.result().items():
                    if digest != manifest.get(name):
                        raise ValueError(f"{name} does not match its checksum")
            if corpus is None:  # the checksums held: report what the parser says
                corpus = Corpus.model_validate_json(raw)
            meta = json.loads((folder / "terms.json").read_text("utf-8"))
            with (folder / "index.npz").open("rb") as handle, np.load(handle) as arrays:
                loaded = {name: arrays[name] for name in _ARRAYS}
            params = BM25Params(**{**meta["params"], "variant": Variant(meta["params"]["variant"])})
            index = SparseBM25(
                params=params, term_ids={t: i for i, t in enumerate(meta["terms"])}, **loaded
            )
            if index.size != len(corpus.passages) + metadata_unit_count(corpus):
                raise ValueError("the index does not match the corpus")
            speller = SpellingCorrector.from_state(
                json.loads((folder / "speller.json").read_text("utf-8"))
            )
            if corpus_dir is not None:
                _check_sources(corpus, corpus_dir)
        except Exception as error:  # whatever is wrong with it, the files are rebuilt
            log.warning("rebuilding the index cache %s: %s", folder, error)
            shutil.rmtree(folder, ignore_errors=True)
            return None
        return corpus, index, speller

    def previous(
        self, build: str, key: str
    ) -> tuple[str, Corpus, SparseBM25, SpellingCorrector] | None:
        """The entry kept from an earlier build with the same build key, other than `key`
        (which missed): (its key, corpus, index, speller), for a rebuild to reuse what the files
        that did not change gave. None when there is none, or it does not check out (it
        is then dropped, as by `load`). Its documents are not checked against the folder
        here: the loader reuses a document only after comparing its file's bytes."""
        try:
            entries = [e for e in self.root.iterdir() if e.is_dir() and e.name != key]
        except OSError:
            return None
        for folder in entries:
            try:
                manifest = json.loads((folder / _MANIFEST).read_text("utf-8"))
            except (OSError, ValueError):
                continue
            if manifest.get("build") != build:
                continue
            loaded = self.load(folder.name)
            if loaded is not None:
                return folder.name, *loaded
        return None

    def load_sentences(self, key: str, passages: int) -> SentenceSpans | None:
        """The passages' sentence spans of the entry for `key`, if it kept them (a hybrid
        build splits every passage; a start from the cache need not split them again).
        None when it did not or they do not check out: they are then found again."""
        folder = self.root / key
        try:
            manifest = json.loads((folder / _MANIFEST).read_text("utf-8"))
            if _SENTENCES not in manifest:
                return None
            if _sha256(folder / _SENTENCES) != manifest[_SENTENCES]:
                raise ValueError(f"{_SENTENCES} does not match its checksum")
            with (folder / _SENTENCES).open("rb") as handle, np.load(handle) as arrays:
                counts, spans = arrays["counts"], arrays["spans"]
            if len(counts) != passages or int(counts.sum()) != len(spans):
                raise ValueError("the sentence spans do not match the corpus")
            pairs = list(zip(spans[:, 0].tolist(), spans[:, 1].tolist(), strict=True))
            ends = np.cumsum(counts).tolist()
            return tuple(
                tuple(pairs[first:last]) for first, last in zip([0, *ends[:-1]], ends, strict=True)
            )
        except Exception as error:  # not fatal: the spans are found again from the text
            log.warning("not using the cached sentence spans in %s: %s", folder, error)
            return None

    def add_sentences(self, key: str, sentences: SentenceSpans) -> None:
        """Give the entry for `key` the passages' sentence spans it lacks (it was built
        words only, or its spans were damaged): the spans first, then the manifest that
        names them, each replaced atomically, so a reader sees the entry with or without."""
        folder = self.root / key
        try:
            manifest = json.loads((folder / _MANIFEST).read_text("utf-8"))
            write_atomically(folder / _SENTENCES, lambda out: _write_sentences(out, sentences))
            manifest[_SENTENCES] = _sha256(folder / _SENTENCES)
            write_atomically(
                folder / _MANIFEST, lambda out: out.write(json.dumps(manifest).encode())
            )
        except (OSError, ValueError) as error:  # not fatal: the next start splits again
            log.warning("could not add the sentence spans to %s: %s", folder, error)

    def save(
        self,
        key: str,
        corpus: Corpus,
        index: SparseBM25,
        speller: SpellingCorrector,
        sentences: SentenceSpans | None = None,
        build: str | None = None,
    ) -> None:
        """Write atomically (a temporary folder renamed into place), then drop older keys.
        `build`: the entry's build key, which lets the next rebuild reuse it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=self.root))
            (staging / "corpus.json").write_text(corpus.model_dump_json(), "utf-8")
            params = {**index.params.__dict__, "variant": index.params.variant.value}
            terms = sorted(index.term_ids, key=index.term_ids.__getitem__)
            (staging / "terms.json").write_text(
                json.dumps({"params": params, "terms": terms}), "utf-8"
            )
            (staging / "speller.json").write_text(json.dumps(speller.state()), "utf-8")
            with (staging / "index.npz").open("wb") as handle:
                np.savez(handle, **{n: getattr(index, n) for n in _ARRAYS})
            written = list(_FILES)
            if sentences is not None:
                with (staging / _SENTENCES).open("wb") as handle:
                    _write_sentences(handle, sentences)
                written.append(_SENTENCES)
            manifest: dict[str, str] = {name: _sha256(staging / name) for name in written}
            if build is not None:
                manifest["build"] = build
            (staging / _MANIFEST).write_text(json.dumps(manifest), "utf-8")  # written last
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


def _write_sentences(out: BinaryIO, sentences: SentenceSpans) -> None:
    counts = np.array([len(spans) for spans in sentences], dtype=np.int32)
    flat = [pair for spans in sentences for pair in spans]
    np.savez(out, counts=counts, spans=np.array(flat, dtype=np.int64).reshape(-1, 2))


def _check_sources(corpus: Corpus, corpus_dir: Path) -> None:
    """Each cached document still is its file: same place inside the folder, same bytes."""
    root = corpus_dir.resolve()
    for document in corpus.documents:
        path = (corpus_dir / document.source_file).resolve()
        if not path.is_relative_to(root):
            raise ValueError(f"{document.source_file} is outside the corpus folder")
        if hashlib.sha256(path.read_bytes()).hexdigest() != document.content_sha256:
            raise ValueError(f"{document.source_file} changed since it was cached")
