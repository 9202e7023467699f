"""Document metadata: the sidecar wins over the file's own metadata, which wins over what is
inferred from the text; nothing is invented."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from corpus import Author, Corpus, Document, load_corpus

BODY = (
    "Each State Party undertakes never under any circumstances to use anti-personnel mines. "
    "It also undertakes never to develop, produce, acquire, stockpile, retain or transfer them "
    "to anyone, directly or indirectly."
)

# An HTML page that says everything three ways: in its text (header furniture), in its meta
# tags, and (per test) in a sidecar.
PAGE = f"""<html><head>
<meta property="og:title" content="Meta title">
<meta name="author" content="Meta Author">
<meta name="citation_publication_date" content="2025-03-13">
<meta property="og:site_name" content="Meta Site">
<meta property="og:url" content="https://example.org/meta-url">
</head><body><article>
<h1>Text title</h1>
<p>April 2, 2026, Analysis / Disarmament</p>
<p>{BODY}</p>
</article></body></html>
"""


def _load(tmp_path: Path) -> tuple[Corpus, Document]:
    corpus = load_corpus(tmp_path)
    (document,) = corpus.documents
    return corpus, document


def test_file_metadata_wins_over_inferred(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    corpus, document = _load(tmp_path)
    assert corpus.problems == ()
    assert document.title == "Meta title"
    assert document.authors == (Author(name="Meta Author"),)
    assert document.published == dt.date(2025, 3, 13)
    assert document.publisher == "Meta Site"
    assert document.url == "https://example.org/meta-url"
    # Only the text says what the categories are, so the inferred ones stand.
    assert document.categories == ("Analysis", "Disarmament")
    assert document.text == BODY


def test_sidecar_wins_over_file_metadata_field_by_field(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "page.meta.toml").write_text(
        """\
title = "Sidecar title"
date = 2024-12-01
categories = ["Landmines and the Law"]

[[authors]]
name = "Anders Ladekarl"
role = "Secretary General, Danish Red Cross Society"
""",
        encoding="utf-8",
    )
    corpus, document = _load(tmp_path)
    assert corpus.problems == ()
    assert document.title == "Sidecar title"
    assert document.published == dt.date(2024, 12, 1)
    assert document.categories == ("Landmines and the Law",)
    assert document.authors == (
        Author(name="Anders Ladekarl", role="Secretary General, Danish Red Cross Society"),
    )
    # What the sidecar leaves unsaid still comes from the file.
    assert document.publisher == "Meta Site"
    assert document.url == "https://example.org/meta-url"


def test_sidecar_wins_over_inferred_metadata_of_plain_text(tmp_path: Path) -> None:
    (tmp_path / "post.txt").write_text(
        f"Text title\n\nApril 2, 2026, Analysis\n\n{BODY}\n", encoding="utf-8"
    )
    (tmp_path / "post.meta.toml").write_text(
        'title = "Sidecar title"\nauthors = ["Eero Rämö", "Ulrika Modéer"]\n'
        'url = "https://blogs.icrc.org/law-and-policy/post"\n',
        encoding="utf-8",
    )
    _, document = _load(tmp_path)
    assert document.title == "Sidecar title"
    assert document.authors == (Author(name="Eero Rämö"), Author(name="Ulrika Modéer"))
    assert document.url == "https://blogs.icrc.org/law-and-policy/post"
    assert document.published == dt.date(2026, 4, 2)  # inferred; the sidecar did not say


@pytest.mark.parametrize("url", ["blogs.icrc.org/post", "ftp://example.org/post", "#", "/post"])
def test_a_sidecar_url_must_be_http(tmp_path: Path, url: str) -> None:
    (tmp_path / "post.txt").write_text(f"{BODY}\n", encoding="utf-8")
    (tmp_path / "post.meta.toml").write_text(f'url = "{url}"\n', encoding="utf-8")
    corpus, document = _load(tmp_path)
    (problem,) = corpus.problems
    assert not problem.skipped
    assert "post.meta.toml" in problem.file
    assert "url" in problem.reason
    assert "http" in problem.reason
    assert document.url is None


def test_a_page_address_that_is_not_http_is_not_used(tmp_path: Path) -> None:
    page = (
        '<html><head><link rel="canonical" href="/blog/post">'
        '<meta property="og:url" content="javascript:void(0)"></head>'
        f"<body><p>{BODY}</p></body></html>"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    corpus, document = _load(tmp_path)
    assert corpus.problems == ()
    assert document.url is None


def test_canonical_link_wins_over_og_url(tmp_path: Path) -> None:
    page = (
        '<html><head><link rel="canonical" href="https://example.org/canonical">'
        '<meta property="og:url" content="https://example.org/og"></head>'
        f"<body><p>{BODY}</p></body></html>"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    _, document = _load(tmp_path)
    assert document.url == "https://example.org/canonical"


# --- no metadata at all ---------------------------------------------------------------------


def test_title_is_the_first_heading_when_nothing_says(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(
        f"{BODY}\n\n## Stockpile destruction\n\n{BODY}\n", encoding="utf-8"
    )
    _, document = _load(tmp_path)
    assert document.title == "Stockpile destruction"
    assert document.url is None
    assert document.authors == ()
    assert document.published is None
    assert document.publisher is None


def test_title_is_the_first_line_when_there_is_no_heading(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text(f"{BODY}\n", encoding="utf-8")
    _, document = _load(tmp_path)
    first_words = " ".join(BODY.split()[:5])
    assert document.title.startswith(first_words)
    assert document.title.endswith("…")
    assert len(document.title) < len(BODY)
    assert document.url is None


def test_title_is_a_short_first_line(tmp_path: Path) -> None:
    (tmp_path / "ottawa.txt").write_text(f"The Ottawa Convention\n\n{BODY}\n", encoding="utf-8")
    _, document = _load(tmp_path)
    assert document.title == "The Ottawa Convention"
    assert document.url is None


def test_a_one_line_document_keeps_its_line(tmp_path: Path) -> None:
    (tmp_path / "slogan.txt").write_text("Mines kill long after wars end\n", encoding="utf-8")
    corpus, document = _load(tmp_path)
    assert document.text == "Mines kill long after wars end"
    assert document.title == "Mines kill long after wars end"
    assert [p.text for p in corpus.passages] == [document.text]


def test_a_list_is_content_not_a_title(tmp_path: Path) -> None:
    items = "- use of anti-personnel mines\n- stockpiling\n- production\n- transfer\n"
    (tmp_path / "banned.txt").write_text(items, encoding="utf-8")
    _, document = _load(tmp_path)
    assert document.text.split("\n\n") == [
        "- use of anti-personnel mines",
        "- stockpiling",
        "- production",
        "- transfer",
    ]


def test_document_records_its_source(tmp_path: Path) -> None:
    folder = tmp_path / "treaties"
    folder.mkdir()
    data = f"{BODY}\n".encode()
    (folder / "Ottawa Convention (1997).txt").write_bytes(data)
    _, document = _load(tmp_path)
    assert document.source_file == "treaties/Ottawa Convention (1997).txt"
    assert document.id == "treaties-ottawa-convention-1997"
    assert document.content_sha256 == hashlib.sha256(data).hexdigest()


def test_same_name_in_two_formats_gets_two_ids(tmp_path: Path) -> None:
    (tmp_path / "ottawa.txt").write_text(f"{BODY}\n", encoding="utf-8")
    (tmp_path / "ottawa.md").write_text(f"# Ottawa\n\n{BODY}\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    ids = [d.id for d in corpus.documents]
    assert len(set(ids)) == 2
    assert all(p.doc_id in ids for p in corpus.passages)
