"""Page furniture of scraped web articles: what surrounds the article without being it.

A blog page scraped to text starts with a header (title, a date and category line, a
reading-time line, the authors with their roles) and ends with a footer (a "See also" list,
tags, teasers of unrelated posts). The header and footer hold metadata a user may ask
about, so they are parsed into metadata, then removed from the text that gets quoted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from corpus.blocks import Block, BlockKind

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE_LINE = re.compile(
    rf"^(?P<date>(?:(?P<month>{_MONTHS})\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}}))"
    rf"|(?:(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTHS}),?\s+(?P<year2>\d{{4}}))"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))"
    r"(?:\s*[,|·–-]\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_READING_TIME = re.compile(r"^\d+\s*(?:min|mins|minutes?)\s+read$", re.IGNORECASE)
_FOOTER_RELATED = re.compile(
    r"^(?:see also|related(?: posts| articles| reading)?|further reading|read more|"
    r"you may also like|more from this blog)\s*:?$",
    re.IGNORECASE,
)
_TAGS = re.compile(r"^tags?\s*:\s*(?P<tags>.+)$", re.IGNORECASE)
_SHARE_SEPARATOR = " · "
_ITEM_MARKER = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+")


@dataclass
class Furniture:
    """Metadata found in the header and footer, to merge into the document's."""

    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    categories: list[str] = field(default_factory=list)
    authors: list[tuple[str, str | None]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    reading_time: str | None = None


def parse_date_line(text: str) -> tuple[dt.date, list[str]] | None:
    """`April 2, 2026, Analysis / Disarmament` -> (2026-04-02, ["Analysis", "Disarmament"])."""
    match = _DATE_LINE.match(text.strip())
    if not match:
        return None
    try:
        if match["iso"]:
            date = dt.date.fromisoformat(match["iso"])
        else:
            month_name = (match["month"] or match["month2"]).lower()
            month = _MONTHS.split("|").index(month_name) + 1
            date = dt.date(
                int(match["year"] or match["year2"]), month, int(match["day"] or match["day2"])
            )
    except ValueError:
        return None
    rest = match["rest"] or ""
    categories = [part.strip() for part in rest.split("/") if part.strip()]
    return date, categories


def is_reading_time(text: str) -> bool:
    return bool(_READING_TIME.match(text.strip()))


def _is_body_paragraph(block: Block) -> bool:
    """The first real paragraph ends the header: a long block, or one that ends a sentence."""
    words = len(block.text.split())
    return block.kind is BlockKind.PARAGRAPH and (
        words >= 25 or (words >= 8 and block.text.rstrip()[-1:] in ".!?")
    )


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 5 and all(w[:1].isupper() for w in words) and len(text) <= 60


def _can_be_title(block: Block) -> bool:
    if block.explicit:
        return block.kind is BlockKind.HEADING and block.level <= 1
    return (
        block.kind is not BlockKind.ITEM  # a list's first bullet is content, not a title
        and len(block.lines) == 1
        and len(block.text.split()) <= 30
    )


def take_header(blocks: list[Block], furniture: Furniture) -> list[Block]:
    """Parse and drop the header blocks above the first body paragraph.

    Without a body paragraph every block is "above" it: a page that is only furniture (a
    title, a date line, author blocks, a footer) must come out empty, not as a document whose
    passages quote its byline. A lone block is content, never a title of nothing.
    """
    body_start = next((i for i, b in enumerate(blocks) if _is_body_paragraph(b)), len(blocks))
    kept: list[Block] = []
    for index, block in enumerate(blocks[:body_start]):
        text = block.text.strip()
        date_line = parse_date_line(text)
        if index == 0 and len(blocks) > 1 and _can_be_title(block):
            furniture.title = text
        elif date_line is not None:
            furniture.published, furniture.categories = date_line
        elif is_reading_time(text):
            furniture.reading_time = text
        elif len(block.lines) == 2 and _looks_like_name(block.lines[0]):
            furniture.authors.append((block.lines[0].strip(), block.lines[1].strip()))
        else:
            kept.append(block)
    return kept + blocks[body_start:]


def _split_item(text: str) -> str:
    return _ITEM_MARKER.sub("", text).strip()


def take_footer(blocks: list[Block], furniture: Furniture) -> list[Block]:
    """Parse the "See also" list and tags; drop them and everything after (teasers)."""
    for index, block in enumerate(blocks):
        text = block.text.strip()
        if _FOOTER_RELATED.match(text) or _TAGS.match(text):
            for tail in blocks[index:]:
                tail_text = tail.text.strip()
                tags = _TAGS.match(tail_text)
                if tags:
                    furniture.tags = [t.strip() for t in tags["tags"].split(",") if t.strip()]
                    break  # teasers of other posts follow the tags
                if tail.kind is BlockKind.ITEM:
                    furniture.related.append(_split_item(tail_text))
            return blocks[:index]
    return blocks


def take_share_lines(blocks: list[Block], furniture: Furniture) -> list[Block]:
    """`Blog name · Post title` is a share widget's caption: it names the publisher."""
    if not furniture.title:
        return blocks
    kept = []
    for block in blocks:
        site, separator, title = block.text.strip().partition(_SHARE_SEPARATOR)
        if separator and title.strip() == furniture.title.strip():
            furniture.publisher = furniture.publisher or site.strip() or None
        else:
            kept.append(block)
    return kept


def remove_furniture(blocks: list[Block]) -> tuple[list[Block], Furniture]:
    """Header, footer and share lines out of the blocks, and into metadata."""
    furniture = Furniture()
    blocks = take_header(blocks, furniture)
    blocks = take_footer(blocks, furniture)
    blocks = take_share_lines(blocks, furniture)
    blocks = [b for b in blocks if not is_reading_time(b.text)]
    return blocks, furniture
