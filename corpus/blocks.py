"""The intermediate form every loader produces: a list of text blocks plus found metadata.

Loaders differ in how they find paragraphs and headings (blank lines, markdown `#`, HTML
tags, PDF lines); everything after that (cleaning, furniture removal, chunking) works on
blocks and is shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    ITEM = "item"


@dataclass
class Block:
    kind: BlockKind
    text: str
    # Lines as the source broke them; plain-text headers (an author's name above their
    # role) carry meaning in line breaks that paragraph text does not.
    lines: list[str] = field(default_factory=list)
    # True when the source marked this block's kind itself (markdown `#`, an HTML <h2>),
    # so text heuristics must not second-guess it.
    explicit: bool = False
    # Heading level where the source gave one (1 for a page title, 2 for a section ...).
    level: int = 0

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = [self.text]


@dataclass
class RawDocument:
    """A loader's output: blocks in reading order and whatever metadata the format carried."""

    blocks: list[Block]
    metadata: dict[str, Any] = field(default_factory=dict)


class LoadError(Exception):
    """A file that cannot be turned into a document; the message is shown to corpus editors."""
