"""One loader per file format, each turning a file's bytes into blocks and found metadata.

Formats only differ in how they mark paragraphs and headings; the repairs that make text
quotable come afterwards and are shared (see `corpus.pipeline`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

from corpus.blocks import Block, BlockKind, LoadError, RawDocument
from corpus.cleaning import clean_inline

_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
_ITEM_LINE = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+\S")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM); anything else is reported, not guessed at."""
    if not data.strip():
        raise LoadError("the file is empty")
    if b"\x00" in data:
        raise LoadError("the file holds NUL bytes: it looks binary, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LoadError(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save the file as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _join_lines(lines: list[str]) -> str:
    """A paragraph hard-wrapped over lines reads as one line; `inter-\\nnational` rejoins."""
    return clean_inline(_HYPHEN_BREAK.sub(r"\1\2", "\n".join(lines)).replace("\n", " "))


def _list_start(lines: list[str]) -> int:
    """Where the bulleted lines that end a chunk begin (`len(lines)` when none do).

    A list may follow its lead-in line without a blank line ("include:" then "- a"). A dash
    that opens one wrapped line of a paragraph ("several states\n– including Finland") is
    not a bullet, so a lone bulleted last line only counts after a colon.
    """
    start = len(lines)
    while start > 0 and _ITEM_LINE.match(lines[start - 1]):
        start -= 1
    items = len(lines) - start
    if start == 0 or items >= 2 or (items == 1 and lines[start - 1].endswith(":")):
        return start
    return len(lines)


def blocks_from_plain_text(text: str) -> list[Block]:
    """Paragraphs are separated by blank lines; list items are lines with a bullet."""
    blocks: list[Block] = []
    for chunk in _BLANK_LINE.split(text):
        lines = [clean_inline(line) for line in chunk.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            continue
        list_start = _list_start(lines)
        if list_start:
            lead = lines[:list_start]
            blocks.append(Block(BlockKind.PARAGRAPH, _join_lines(lead), lines=lead))
        blocks.extend(Block(BlockKind.ITEM, line) for line in lines[list_start:])
    return blocks


def load_text(data: bytes) -> RawDocument:
    return RawDocument(blocks_from_plain_text(decode_text(data)))


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Simple `key: value` front matter between `---` lines, as static-site generators write."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end < 0:
        return {}, text
    metadata: dict[str, Any] = {}
    for line in text[4:end].splitlines():
        key, sep, value = line.partition(":")
        if sep and value.strip():
            name = key.strip().lower()
            name = _FRONT_MATTER_ALIASES.get(name, name)
            metadata[name] = _front_matter_value(name, value.strip())
    return metadata, text[end + 4 :].lstrip("-\n")


# Static-site generators say `author: Jane Doe` and `tags: a, b` (or `[a, b]`); the
# metadata model wants `authors` and lists, or it drops the value as unusable.
_FRONT_MATTER_ALIASES = {"author": "authors", "keywords": "tags"}
_FRONT_MATTER_LISTS = frozenset({"tags", "categories", "related"})


def _front_matter_value(name: str, value: str) -> str | list[str]:
    """A list for list fields; authors only split when bracketed, as "Doe, Jane" is one name."""
    bracketed = value.startswith("[") and value.endswith("]")
    if name in _FRONT_MATTER_LISTS or (name == "authors" and bracketed):
        items = (item.strip().strip("\"'") for item in value.strip("[]").split(","))
        return [item for item in items if item]
    return value.strip("\"'")


def load_markdown(data: bytes) -> RawDocument:
    """Markdown: `#` and underlined headings are explicit; fenced code is dropped."""
    metadata, text = _front_matter(decode_text(data))
    text = re.sub(r"^```.*?^```[^\n]*$", "", text, flags=re.DOTALL | re.MULTILINE)
    lines = text.split("\n")
    blocks: list[Block] = []
    pending: list[str] = []

    def flush() -> None:
        blocks.extend(blocks_from_plain_text("\n".join(pending)))
        pending.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        atx = _MD_HEADING.match(line)
        setext = (
            line.strip()
            and not pending_ends_paragraph(pending)
            and _MD_SETEXT.match(following)
            and not _ITEM_LINE.match(line)
        )
        if atx or setext:
            flush()
            level = len(atx.group(1)) if atx else (1 if following.lstrip()[0] == "=" else 2)
            title = clean_inline(atx.group(2) if atx else line)
            blocks.append(Block(BlockKind.HEADING, title, explicit=True, level=level))
            index += 1 if atx else 2
            continue
        pending.append(re.sub(r"^\s{0,3}>\s?", "", line))  # quote markers
        index += 1
    flush()
    return RawDocument(blocks, metadata)


def pending_ends_paragraph(pending: list[str]) -> bool:
    """A setext underline only makes a heading of a line that starts a paragraph."""
    return bool(pending) and bool(pending[-1].strip())


_HTML_SKIP = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "svg",
    "iframe",
    "figure",
)
_HTML_BLOCKS = (
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "li",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "td",
    "th",
    "figcaption",
    "caption",
)


def _meta_content(soup: Any, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if tag and tag.get("content", "").strip():
            return str(tag["content"]).strip()
    return None


_SITE_SUFFIX = re.compile(r"\s+[|–—·»-]\s+\S")  # " | Site", " – Site"...


def _page_title(soup: Any) -> str | None:
    """<title>, without the site's name that pages append ("Title | Site"): when the page's
    first <h1> is the start of <title> followed by a separator, the <h1> is the title."""
    page = " ".join(soup.title.get_text(" ", strip=True).split()) if soup.title else None
    heading = soup.find("h1")
    h1 = " ".join(heading.get_text(" ", strip=True).split()) if heading else None
    if page and h1 and page.startswith(h1) and _SITE_SUFFIX.match(page, len(h1)):
        return h1
    return page or None


def load_html(data: bytes) -> RawDocument:
    """HTML: the <article> (or <main>, or <body>) without navigation, scripts and asides."""
    from bs4 import BeautifulSoup

    text = decode_text(data)
    soup = BeautifulSoup(text, "html.parser")
    metadata: dict[str, Any] = {}
    title = _meta_content(soup, "citation_title", "og:title", "dc.title") or _page_title(soup)
    if title:
        metadata["title"] = title
    if author := _meta_content(soup, "citation_author", "author", "article:author", "dc.creator"):
        metadata["authors"] = [{"name": author}]
    if published := _meta_content(
        soup, "citation_publication_date", "article:published_time", "dc.date", "date"
    ):
        metadata["date"] = published[:10]
    if publisher := _meta_content(soup, "og:site_name", "citation_publisher", "dc.publisher"):
        metadata["publisher"] = publisher
    canonical = soup.find("link", attrs={"rel": "canonical"})
    url = (canonical.get("href") if canonical else None) or _meta_content(soup, "og:url")
    if url and str(url).startswith(("http://", "https://")):
        metadata["url"] = str(url)
    if keywords := _meta_content(soup, "keywords", "article:tag"):
        metadata["tags"] = [k.strip() for k in keywords.split(",") if k.strip()]

    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in root.find_all(_HTML_SKIP):
        tag.decompose()
    blocks: list[Block] = []
    for element in root.find_all(_HTML_BLOCKS):
        if element.find_parent(_HTML_BLOCKS):
            continue  # its text is part of the enclosing block
        content = clean_inline(element.get_text(" ", strip=True))
        content = re.sub(r"\s+([,.;:!?)])", r"\1", content)
        if not content:
            continue
        name = element.name
        if name.startswith("h"):
            blocks.append(Block(BlockKind.HEADING, content, explicit=True, level=int(name[1])))
        elif name == "li":
            blocks.append(Block(BlockKind.ITEM, content, explicit=True))
        else:
            blocks.append(Block(BlockKind.PARAGRAPH, content, explicit=True))
    if not blocks:
        loose = root.get_text("\n", strip=False)
        blocks = blocks_from_plain_text(loose)
    return RawDocument(blocks, metadata)


def _pdf_date(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    match = re.match(r"^D:(\d{4})(\d{2})(\d{2})", str(value or ""))
    return f"{match[1]}-{match[2]}-{match[3]}" if match else None


def _pdf_paragraphs(page_text: str) -> str:
    """Blank lines after a line that ends well short of the page's typical width.

    pypdf gives a page as wrapped lines without paragraph breaks; a paragraph's last line is
    usually short and ends with punctuation, and a heading is a short line before a capital:
    the best cues a text layer offers.
    """
    lines = [line.rstrip() for line in page_text.split("\n")]
    widths = sorted(len(line) for line in lines if line.strip())
    if not widths:
        return ""
    typical = widths[int(len(widths) * 0.8)] if len(widths) > 4 else widths[-1]
    out: list[str] = []
    for index, line in enumerate(lines):
        out.append(line)
        following = lines[index + 1].lstrip() if index + 1 < len(lines) else ""
        ends_paragraph = line.endswith((".", "!", "?", ":", "”", '"'))
        # A short line before a capital, with no punctuation asking for more, is a heading;
        # left in place it would read as the first words of the next paragraph's sentence.
        is_heading = following[:1].isupper() and not line.endswith((",", ";", "-", "–"))
        if len(line) < 0.8 * typical and (ends_paragraph or is_heading):
            out.append("")
    return "\n".join(out)


# What PDF writers put in /Title and /Author when nobody said (ReportLab writes "(anonymous)").
_PDF_PLACEHOLDERS = frozenset({"untitled", "anonymous", "unspecified", "unknown"})


def _pdf_info(info: dict[str, Any], key: str) -> str | None:
    """An info entry's text, or None when it is empty or a writer's placeholder."""
    value = str(info.get(key) or "").strip()
    return value if value and value.strip("()").lower() not in _PDF_PLACEHOLDERS else None


def load_pdf(data: bytes) -> RawDocument:
    """PDF: text per page by pypdf; a page's wrapped lines are rejoined into paragraphs."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF"):
        raise LoadError("not a PDF file (it does not start with %PDF)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise LoadError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        info: dict[str, Any] = dict(reader.metadata or {})
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise LoadError(f"the PDF is damaged or unreadable ({error})") from None
    metadata: dict[str, Any] = {}
    if title := _pdf_info(info, "/Title"):
        metadata["title"] = title
    if author := _pdf_info(info, "/Author"):
        metadata["authors"] = [
            {"name": name.strip()} for name in re.split(r";|\band\b", author) if name.strip()
        ]
    if date := _pdf_date(info.get("/CreationDate")):
        metadata["date"] = date
    text = "\n\n".join(_pdf_paragraphs(page) for page in pages)
    if not text.strip():
        raise LoadError("the PDF has no extractable text (a scan without OCR?)")
    return RawDocument(blocks_from_plain_text(text), metadata)


LOADERS: dict[str, Callable[[bytes], RawDocument]] = {
    ".txt": load_text,
    ".text": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
}
