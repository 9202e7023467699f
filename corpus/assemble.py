"""From cleaned blocks and merged metadata to a Document whose text passages slice."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePath

from corpus.blocks import Block, BlockKind
from corpus.metadata import DocumentMetadata
from corpus.models import Document, Section

_TITLE_WORDS = 14


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphen-separated: `Mines – Ottawa (1997)` -> `mines-ottawa-1997`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "document"


MAX_INFERRED_TITLE = 150


def infer_title(blocks: list[Block], source: PurePath) -> str:
    """The first heading, else the first line (shortened), else the file name; never more
    than MAX_INFERRED_TITLE characters (a heading may be a pasted paragraph)."""
    title = source.stem.replace("_", " ").replace("-", " ")
    for block in blocks:
        if block.kind is BlockKind.HEADING:
            title = block.text
            break
    else:
        if blocks:
            words = blocks[0].text.split()
            title = " ".join(words[:_TITLE_WORDS]) + (" …" if len(words) > _TITLE_WORDS else "")
    return bounded_title(title)


def bounded_title(title: str) -> str:
    """At most MAX_INFERRED_TITLE characters, cut at a word, with an ellipsis."""
    if len(title) <= MAX_INFERRED_TITLE:
        return title
    cut = title[: MAX_INFERRED_TITLE - 2]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + " …"


def assemble_document(
    *,
    doc_id: str,
    source_file: str,
    blocks: list[Block],
    metadata: DocumentMetadata,
    content: bytes,
) -> Document:
    """Blocks joined by blank lines; each heading opens a section that runs to the next."""
    parts: list[str] = []
    sections: list[Section] = []
    offset = 0
    heading_starts: list[tuple[str, int]] = []
    for block in blocks:
        if parts:
            offset += 2
        if block.kind is BlockKind.HEADING:
            heading_starts.append((block.text, offset))
        parts.append(block.text)
        offset += len(block.text)
    text = "\n\n".join(parts)
    for index, (title, start) in enumerate(heading_starts):
        end = heading_starts[index + 1][1] if index + 1 < len(heading_starts) else len(text)
        sections.append(Section(title=title, start=start, end=end))
    return Document(
        id=doc_id,
        title=metadata.title or infer_title(blocks, PurePath(source_file)),
        authors=tuple(metadata.authors),
        published=metadata.date,
        publisher=metadata.publisher,
        url=metadata.url,
        source_file=source_file,
        text=text,
        sections=tuple(sections),
        categories=tuple(metadata.categories),
        tags=tuple(metadata.tags),
        related=tuple(metadata.related),
        reading_time=metadata.reading_time,
        content_sha256=hashlib.sha256(content).hexdigest(),
    )
