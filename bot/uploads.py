"""Adding a document an admin sent (or fetched) to the corpus folder, or saying why not.

Nothing Telegram here: the handler hands over the bytes and the name. The file is parsed
with the same loaders as the folder before anything is written, so a file that does not
load changes nothing; then it is written under a temporary hidden name (which loading
skips) and renamed into place, with a sidecar recording where it came from.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from corpus.blocks import LoadError
from corpus.loaders import LOADERS
from corpus.loading import load_document
from corpus.metadata import SIDECAR_SUFFIX
from corpus.models import Document, LoadProblem
from retrieval.atomic import write_atomically

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


class UploadRefused(Exception):
    """The file cannot be added; the message says why, in words for the admin."""


@dataclass(frozen=True)
class Added:
    path: Path  # in the corpus folder
    document: Document
    passages: int


def safe_file_name(name: str) -> str:
    """A plain file name: no folders, no leading dot, only letters, digits, - _ and ."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = re.sub(r"[^\w.-]+", "-", stem, flags=re.ASCII).strip(".-") or "document"
    return f"{stem[:80]}{suffix}"


def check_upload(file_name: str, size: int | None) -> str:
    """The name the file will have, or UploadRefused before anything is downloaded."""
    name = safe_file_name(file_name)
    if Path(name).suffix not in LOADERS:
        kinds = ", ".join(sorted(LOADERS))
        raise UploadRefused(f"I can only add {kinds} files, not {Path(file_name).suffix or name}.")
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            f"The file is {size / 1e6:.1f} MB; Telegram lets bots download at most 20 MB."
        )
    return name


def add_document(
    corpus_dir: Path, file_name: str, content: bytes, *, added_by: str, url: str | None = None
) -> Added:
    """Parse, then place the file in the corpus folder atomically; UploadRefused if it does
    not load (nothing is written then)."""
    name = check_upload(file_name, len(content))
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / name
        trial.write_bytes(content)
        problems: list[LoadProblem] = []
        try:
            document, passages = load_document(
                trial, doc_id="upload", source_file=name, problems=problems
            )
        except LoadError as error:
            raise UploadRefused(f"{name} cannot be used: {error}. Nothing was changed.") from None
    corpus_dir.mkdir(parents=True, exist_ok=True)
    target = _free_name(corpus_dir, name)
    sidecar = target.with_name(target.stem + SIDECAR_SUFFIX)
    url = document.url or url  # a page's canonical address beats the one it was fetched from
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    lines = [
        f"# Added with the bot: {name!r}, by {added_by}, on {when}.",
        *([f'url = "{_toml_string(url)}"'] if url else []),
    ]
    sidecar_text = ("\n".join(lines) + "\n").encode("utf-8")
    write_atomically(sidecar, lambda out: out.write(sidecar_text), prefix=".upload-")
    write_atomically(target, lambda out: out.write(content), prefix=".upload-")
    return Added(target, document, len(passages))


def _toml_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _free_name(folder: Path, name: str) -> Path:
    """`name`, or `name-2`, `name-3`... so that an upload never replaces a file."""
    candidate, stem, suffix, number = folder / name, Path(name).stem, Path(name).suffix, 2
    while candidate.exists() or candidate.with_name(candidate.stem + SIDECAR_SUFFIX).exists():
        candidate, number = folder / f"{stem}-{number}{suffix}", number + 1
    return candidate
