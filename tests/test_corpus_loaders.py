"""One test group per file format: what each loader finds, and that the result is quotable."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from corpus import Author, Corpus, Document, load_corpus
from corpus.sentences import sentence_spans


def _load_one(tmp_path: Path, name: str, content: str | bytes) -> tuple[Corpus, Document]:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.problems == ()
    (document,) = corpus.documents
    return corpus, document


def _sentences(document: Document) -> list[str]:
    return [document.text[s:e] for s, e in sentence_spans(document.text)]


BODY_1 = (
    "Each State Party undertakes never under any circumstances to use anti-personnel mines. "
    "It also undertakes never to develop, produce, acquire, stockpile, retain or transfer them "
    "to anyone, directly or indirectly."
)
BODY_2 = (
    "Each State Party undertakes to destroy all stockpiled anti-personnel mines it owns or "
    "possesses as soon as possible, but not later than four years after the entry into force "
    "of the Convention for that State Party."
)


# --- plain text --------------------------------------------------------------------------


def test_txt_paragraphs_are_rejoined_from_wrapped_lines(tmp_path: Path) -> None:
    wrapped = (
        "\ufeffThe Ottawa Convention\r\n\r\n"
        "Each State Party undertakes never under any circumstances to use\r\n"
        "anti-personnel mines. It also undertakes never to develop, produce, acquire,\r\n"
        "stockpile, retain or transfer them to anyone, directly or indirectly.\r\n\r\n"
        "The inter-\r\nnational community welcomed the Convention, which entered into force\r\n"
        "in March 1999 after forty ratifications had been deposited with the depositary.\r\n"
    )
    corpus, document = _load_one(tmp_path, "ottawa.txt", wrapped)
    assert document.title == "The Ottawa Convention"
    assert document.text.split("\n\n") == [
        BODY_1,
        "The international community welcomed the Convention, which entered into force in "
        "March 1999 after forty ratifications had been deposited with the depositary.",
    ]
    assert "\r" not in document.text
    assert "\ufeff" not in document.text
    assert document.source_file == "ottawa.txt"
    assert document.id == "ottawa"
    assert [p.text for p in corpus.passages] == [document.text]


# --- markdown ------------------------------------------------------------------------------

MARKDOWN = f"""\
---
title: "Mines and the Law: a primer"
author: Jane Doe
date: 2025-03-13
tags: [landmines, "Ottawa Convention"]
---

# Ignored Page Heading

{BODY_1} See the [Convention text](https://example.org/apmbc) and **Article 1**.

## Obligations ##

{BODY_2} The *deadline* may be extended.

Destruction deadlines
---------------------

> Quoted text from a report: an extension was requested by several States Parties in 2023.

```python
not_quoted = "code is not prose"
```

Extensions
==========

Requests for extension must be submitted to a Meeting of the States Parties.
"""


@pytest.fixture
def markdown_doc(tmp_path: Path) -> tuple[Corpus, Document]:
    return _load_one(tmp_path, "primer.md", MARKDOWN)


def test_markdown_front_matter_is_metadata(markdown_doc: tuple[Corpus, Document]) -> None:
    _, document = markdown_doc
    assert document.title == "Mines and the Law: a primer"
    assert document.published == dt.date(2025, 3, 13)
    assert document.authors == (Author(name="Jane Doe"),)
    assert document.tags == ("landmines", "Ottawa Convention")
    assert "title:" not in document.text
    assert "---" not in document.text


def test_markdown_headings_atx_and_setext_are_sections(
    markdown_doc: tuple[Corpus, Document],
) -> None:
    corpus, document = markdown_doc
    assert [s.title for s in document.sections] == [
        "Obligations",
        "Destruction deadlines",
        "Extensions",
    ]
    assert "#" not in document.text
    assert "===" not in document.text
    assert "-----" not in document.text
    by_section = {p.section for p in corpus.passages}
    assert by_section == {None, "Obligations", "Destruction deadlines", "Extensions"}


def test_markdown_links_emphasis_quotes_and_code(markdown_doc: tuple[Corpus, Document]) -> None:
    _, document = markdown_doc
    assert "See the Convention text and Article 1." in document.text
    assert "The deadline may be extended." in document.text
    assert "Quoted text from a report: an extension was requested" in document.text
    for remnant in ("](", "**", "*deadline", "> Quoted", "```", "not_quoted"):
        assert remnant not in document.text


def test_markdown_setext_underline_needs_a_paragraph_start(tmp_path: Path) -> None:
    """A `---` under the last line of a paragraph is a rule, not a heading underline."""
    text = f"{BODY_1}\nStill the same paragraph.\n---\n\n{BODY_2}\n"
    _, document = _load_one(tmp_path, "rule.md", text)
    assert document.sections == ()
    assert "Still the same paragraph." in document.text


# --- HTML ----------------------------------------------------------------------------------

HTML = f"""<!doctype html>
<html><head>
<title>Mines and the Law | Example Blog</title>
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2025-03-13T10:00:00+00:00">
<meta property="og:site_name" content="Example Blog">
<link rel="canonical" href="https://example.org/blog/mines-and-the-law">
<style>body {{ color: red; }}</style>
<script>var tracking = "SCRIPT-TEXT";</script>
</head><body>
<nav><a href="/">Home NAV-TEXT</a> <a href="/blog">Blog</a></nav>
<header><p>Site header HEADER-TEXT</p></header>
<main>
<article>
<h1>Mines and the Law</h1>
<p>{BODY_1} See the <a href="https://example.org/apmbc">Convention</a>, <em>Article 1</em>.</p>
<h2>Stockpile destruction</h2>
<p>{BODY_2}</p>
<ul><li>Four years for stockpiles.</li><li>Ten years for mined areas.</li></ul>
<figure><img src="x.png"><figcaption>FIGURE-TEXT</figcaption></figure>
<script>alert("INLINE-SCRIPT");</script>
</article>
<aside>ASIDE-TEXT</aside>
</main>
<footer><p>Copyright FOOTER-TEXT</p></footer>
</body></html>
"""


@pytest.fixture
def html_doc(tmp_path: Path) -> tuple[Corpus, Document]:
    return _load_one(tmp_path, "mines.html", HTML)


def test_html_article_text_without_page_chrome(html_doc: tuple[Corpus, Document]) -> None:
    _, document = html_doc
    for chrome in (
        "NAV-TEXT",
        "HEADER-TEXT",
        "SCRIPT-TEXT",
        "INLINE-SCRIPT",
        "ASIDE-TEXT",
        "FOOTER-TEXT",
        "FIGURE-TEXT",
        "color: red",
        "<",
    ):
        assert chrome not in document.text
    assert BODY_1 in document.text
    # Inline tags join their text with the sentence, without spaces before punctuation.
    assert "See the Convention, Article 1." in document.text
    assert "Four years for stockpiles." in document.text.split("\n\n")


def test_html_h2_opens_a_section(html_doc: tuple[Corpus, Document]) -> None:
    corpus, document = html_doc
    assert [s.title for s in document.sections] == ["Stockpile destruction"]
    (after,) = [p for p in corpus.passages if BODY_2 in p.text]
    assert after.section == "Stockpile destruction"
    (before,) = [p for p in corpus.passages if BODY_1 in p.text]
    assert before.section is None


def test_html_meta_tags_are_metadata(html_doc: tuple[Corpus, Document]) -> None:
    _, document = html_doc
    assert document.title == "Mines and the Law"  # the site is the publisher, not the title
    assert document.authors == (Author(name="Jane Doe"),)
    assert document.published == dt.date(2025, 3, 13)
    assert document.publisher == "Example Blog"
    assert document.url == "https://example.org/blog/mines-and-the-law"


def test_html_without_article_uses_main_then_body(tmp_path: Path) -> None:
    page = (
        f"<html><body><nav>NAV-TEXT</nav><main><p>{BODY_2}</p></main>"
        "<footer>FOOTER-TEXT</footer></body></html>"
    )
    _, document = _load_one(tmp_path, "main.htm", page)
    assert document.text == BODY_2

    (tmp_path / "main.htm").unlink()
    bare = f"<html><body><div>{BODY_1}</div><footer>FOOTER-TEXT</footer></body></html>"
    _, document = _load_one(tmp_path, "bare.html", bare)
    assert document.text == BODY_1


@pytest.mark.parametrize(
    ("title", "h1", "expected"),
    [
        ("Stockpile destruction | Mine Review", "Stockpile destruction", "Stockpile destruction"),
        ("Stockpile destruction – Mine Review", "Stockpile destruction", "Stockpile destruction"),
        ("Mines: a short history", "Mines", "Mines: a short history"),  # part of the title
        ("Mine Review", "Stockpile destruction", "Mine Review"),  # h1 is not its start
    ],
)
def test_html_title_drops_the_site_name_the_page_appends(
    tmp_path: Path, title: str, h1: str, expected: str
) -> None:
    page = (
        f"<html><head><title>{title}</title></head><body><h1>{h1}</h1><p>{BODY_1}</p></body></html>"
    )
    _, document = _load_one(tmp_path, "page.html", page)
    assert document.title == expected


# --- PDF -----------------------------------------------------------------------------------

# Each paragraph's last line ends well short of the line width, as most paragraphs' do: that
# is the loader's cue for a paragraph break, since a PDF's text layer has no blank lines.
PDF_PARAGRAPHS = [
    "The Convention on the Prohibition of the Use, Stockpiling, Production and Transfer of "
    "Anti-Personnel Mines and on their Destruction was adopted in Oslo in September 1997. "
    "It was opened for signature in Ottawa in December of the same year, and more than one "
    "hundred and sixty states have joined it since then.",
    "Each State Party undertakes never under any circumstances to use anti-personnel mines. "
    "It also undertakes to destroy all stockpiled anti-personnel mines it owns or possesses, "
    "as soon as possible but not later than four years after the entry into force of the "
    "Convention for that State Party. Article 4 of the Convention sets out this obligation.",
    "Mine clearance remains slow, costly and dangerous work for the deminers involved, and "
    "many affected states have asked for more time to finish it.",
]


def _make_pdf(*, title: str | None, author: str | None, heading: str | None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    info = {k: v for k, v in (("title", title), ("author", author)) if v is not None}
    pdf = SimpleDocTemplate(buffer, pagesize=A4, **info)
    story = [Paragraph("Landmines under international law", styles["Title"])]
    for index, paragraph in enumerate(PDF_PARAGRAPHS):
        if index == 1 and heading:
            story.append(Paragraph(heading, styles["Heading2"]))
        story += [Paragraph(paragraph, styles["Normal"]), Spacer(1, 10)]
    pdf.build(story)
    return buffer.getvalue()


def test_pdf_text_is_extracted_with_lines_rejoined(tmp_path: Path) -> None:
    data = _make_pdf(title="Mines and the Law", author="Jane Doe; John Roe", heading=None)
    from pypdf import PdfReader

    page_text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert page_text.count("\n") > len(PDF_PARAGRAPHS) + 1  # the PDF really wraps lines

    corpus, document = _load_one(tmp_path, "mines.pdf", data)
    # Each paragraph comes back whole, on one line, and the wrapped lines join with a space.
    assert document.text.split("\n\n") == PDF_PARAGRAPHS
    assert "It was opened for signature in Ottawa" in _sentences(document)[1]
    assert all(document.text[p.start : p.end] == p.text for p in corpus.passages)


def test_pdf_info_is_metadata(tmp_path: Path) -> None:
    data = _make_pdf(title="Mines and the Law", author="Jane Doe; John Roe", heading=None)
    _, document = _load_one(tmp_path, "mines.pdf", data)
    assert document.title == "Mines and the Law"
    assert document.authors == (Author(name="Jane Doe"), Author(name="John Roe"))
    assert document.url is None


def test_pdf_without_info_takes_its_first_line_as_title(tmp_path: Path) -> None:
    data = _make_pdf(title=None, author=None, heading=None)
    _, document = _load_one(tmp_path, "untitled.pdf", data)
    assert document.title == "Landmines under international law"
    assert document.authors == ()
    assert "Landmines under international law" not in document.text


def test_pdf_heading_line_is_not_glued_to_the_next_sentence(tmp_path: Path) -> None:
    data = _make_pdf(
        title="Mines and the Law", author=None, heading="Obligations of States Parties"
    )
    corpus, document = _load_one(tmp_path, "mines.pdf", data)
    assert [s.title for s in document.sections] == ["Obligations of States Parties"]
    assert PDF_PARAGRAPHS[1] in document.text
    assert "Parties Each State Party" not in document.text
    (first_after,) = [p for p in corpus.passages if PDF_PARAGRAPHS[1] in p.text]
    assert first_after.section == "Obligations of States Parties"
    assert first_after.text.startswith("Each State Party undertakes")
