"""Loading a corpus folder: every supported file becomes a document, or a reported problem.

One bad file never stops the others from loading: its problem names the file and the reason.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from corpus.assemble import assemble_document, bounded_title, slugify
from corpus.blocks import Block, LoadError
from corpus.chunking import chunk_document
from corpus.cleaning import join_broken_paragraphs, mark_headings
from corpus.furniture import Furniture, remove_furniture
from corpus.loaders import LOADERS
from corpus.metadata import (
    DocumentMetadata,
    metadata_from_loader,
    read_sidecar,
    sidecar_path,
)
from corpus.models import Author, Corpus, Document, LoadProblem, Passage
from corpus.scan import scan_corpus

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024


def _furniture_metadata(furniture: Furniture) -> DocumentMetadata:
    return DocumentMetadata(
        title=furniture.title,
        authors=[Author(name=name, role=role) for name, role in furniture.authors],
        date=furniture.published,
        publisher=furniture.publisher,
        categories=furniture.categories,
        tags=furniture.tags,
        related=furniture.related,
        reading_time=furniture.reading_time,
    )


def clean_blocks(blocks: list[Block]) -> tuple[list[Block], Furniture]:
    """The shared repairs, in order: furniture out, broken sentences mended, headings found."""
    blocks, furniture = remove_furniture(blocks)
    return mark_headings(join_broken_paragraphs(blocks)), furniture


def load_document(
    path: Path, *, doc_id: str, source_file: str, problems: list[LoadProblem]
) -> tuple[Document, list[Passage]]:
    """One file to a document and its passages; LoadError when it cannot be used at all."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        supported = ", ".join(sorted(LOADERS))
        raise LoadError(f"unsupported file type '{path.suffix or path.name}' ({supported})")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise LoadError(f"cannot be read ({error.strerror or error})") from None
    if size > MAX_FILE_BYTES:
        raise LoadError(f"the file is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    try:
        content = path.read_bytes()
    except OSError as error:
        raise LoadError(f"cannot be read ({error.strerror or error})") from None
    raw = loader(content)
    blocks, furniture = clean_blocks(raw.blocks)
    if not blocks:
        raise LoadError("no text is left after removing page furniture")

    metadata = metadata_from_loader(raw.metadata).merged_over(_furniture_metadata(furniture))
    if metadata.title:  # guessed from the file's own text: bounded like any inferred title
        metadata = metadata.model_copy(update={"title": bounded_title(metadata.title)})
    sidecar = sidecar_path(path)
    sidecar_sha256 = None
    if sidecar.is_file():
        try:
            metadata = read_sidecar(sidecar).merged_over(metadata)
            sidecar_sha256 = _file_sha256(sidecar)
        except LoadError as error:
            problems.append(
                LoadProblem(
                    file=f"{source_file} ({sidecar.name})",
                    reason=f"{error}; the document loads without it",
                    skipped=False,
                )
            )
    document = assemble_document(
        doc_id=doc_id,
        source_file=source_file,
        blocks=blocks,
        metadata=metadata,
        content=content,
    )
    if sidecar_sha256 is not None:
        document = document.model_copy(update={"sidecar_sha256": sidecar_sha256})
    passages = chunk_document(document)
    if not passages:
        raise LoadError("no quotable sentences were found in it")
    return document, passages


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class _Previous:
    """An earlier load's documents and passages, by document id."""

    def __init__(self, corpus: Corpus) -> None:
        self.documents = {d.id: d for d in corpus.documents}
        self.passages: dict[str, list[Passage]] = {}
        for passage in corpus.passages:
            self.passages.setdefault(passage.doc_id, []).append(passage)

    def unchanged(
        self, path: Path, doc_id: str, source_file: str
    ) -> tuple[Document, list[Passage]] | None:
        """The earlier document and passages for this file, when they are what loading
        it again would give: the same id and place, the same bytes, the same sidecar (the
        code and settings that load it are the caller's to match). None otherwise."""
        document = self.documents.get(doc_id)
        if document is None or document.source_file != source_file:
            return None
        sidecar = sidecar_path(path)
        if (_file_sha256(sidecar) if sidecar.is_file() else None) != document.sidecar_sha256:
            return None
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            content = path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(content).hexdigest() != document.content_sha256:
            return None
        return document, self.passages.get(doc_id, [])


def corpus_files(directory: Path) -> list[Path]:
    """Candidate documents under `directory`, in a stable order (see `corpus.scan`)."""
    return scan_corpus(directory).files


def _document_id(relative: Path, taken: set[str]) -> str:
    """A readable id from the file's path; the extension breaks a tie between formats."""
    base = slugify(relative.with_suffix("").as_posix())
    candidate = base if base not in taken else slugify(relative.as_posix())
    suffix = 2
    while candidate in taken:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def load_corpus(directory: Path, previous: Corpus | None = None) -> Corpus:
    """Every document in the folder with its passages, and a problem for each file skipped.

    `previous`, an earlier load of the same folder by the same code, lends the documents
    whose file and sidecar are unchanged (at 100,000 passages in 500 files, loading them
    all again is most of a reload after one file changed)."""
    directory = Path(directory)
    if not directory.is_dir():
        return Corpus(
            problems=(LoadProblem(file=str(directory), reason="the corpus folder does not exist"),)
        )
    documents: list[Document] = []
    passages: list[Passage] = []
    scan = scan_corpus(directory)
    problems: list[LoadProblem] = list(scan.problems)
    taken: set[str] = set()
    seen: dict[str, str] = {}  # content digest -> the file that had it first
    earlier = _Previous(previous) if previous is not None else None
    for path in scan.files:
        relative = path.relative_to(directory)
        doc_id = _document_id(relative, taken)
        try:
            document, doc_passages = (
                earlier.unchanged(path, doc_id, relative.as_posix()) if earlier else None
            ) or load_document(
                path, doc_id=doc_id, source_file=relative.as_posix(), problems=problems
            )
        except LoadError as error:
            problems.append(LoadProblem(file=relative.as_posix(), reason=str(error)))
            continue
        except Exception as error:  # a parser bug must not take the other files down
            log.exception("unexpected failure loading %s", relative)
            problems.append(
                LoadProblem(
                    file=relative.as_posix(), reason=f"unexpected error: {type(error).__name__}"
                )
            )
            continue
        first = seen.setdefault(document.content_sha256, document.source_file)
        if first != document.source_file:
            problems.append(
                LoadProblem(
                    file=document.source_file,
                    reason=f"the same content as {first}; its passages are shown once",
                    skipped=False,
                )
            )
        documents.append(document)
        passages.extend(doc_passages)
    return Corpus(documents=tuple(documents), passages=tuple(passages), problems=tuple(problems))


def load_corpora(directories: list[Path]) -> Corpus:
    """Several folders as one corpus (evaluation over a seed folder and test documents).

    A document whose id an earlier folder already gave is skipped, with a problem.
    """
    documents: list[Document] = []
    passages: list[Passage] = []
    problems: list[LoadProblem] = []
    taken: set[str] = set()
    for directory in directories:
        corpus = load_corpus(directory)
        problems.extend(corpus.problems)
        for document in corpus.documents:
            if document.id in taken:
                problems.append(
                    LoadProblem(
                        file=f"{directory}/{document.source_file}",
                        reason=f"a document with the id {document.id!r} is already loaded",
                    )
                )
                continue
            taken.add(document.id)
            documents.append(document)
            passages.extend(corpus.passages_of(document.id))
    return Corpus(documents=tuple(documents), passages=tuple(passages), problems=tuple(problems))
