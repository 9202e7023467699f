"""Scraped-article repairs: the artefacts of a blog page copied to text, and what must survive.

The fixture is modelled on the shipped seed article (an ICRC blog post scraped to .txt): a
header of title, date-and-categories line, reading time and author blocks; a sentence broken
by a blank line; markdown link and emphasis remnants; a share caption; a footer of "See also",
tags and teasers of unrelated posts.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from corpus import Author, Corpus, Document, default_corpus_dir, load_corpus
from corpus.blocks import Block, BlockKind
from corpus.cleaning import (
    join_broken_paragraphs,
    normalise_unicode,
    strip_emphasis,
    strip_markdown_links,
)
from corpus.furniture import parse_date_line
from corpus.sentences import sentence_spans

TITLE = "Why Nordic governments must uphold the global ban on anti-personnel mines"
NBSP = "\u00a0"

ARTICLE = f"""\



{TITLE}

April 2, 2026, Analysis / Disarmament / Humanitarian Action / IHL / Landmines and the Law

9 mins read



Anders Ladekarl
Secretary General, Danish Red Cross Society



Eero Rämö
Secretary General, Finnish Red Cross Society



As security concerns intensify across Europe, several states – including Finland, Poland, \
and the Baltic countries – have moved to withdraw from the Anti-Personnel Mine Ban \
Convention (APMBC), while similar calls have emerged in other Nordic countries. These \
developments reflect a growing perception that existing commitments may constrain military \
effectiveness.

ICRC Humanitarian Law & Policy Blog · {TITLE}

Against this backdrop, Finland, Poland, and the Baltic states announced in 2025 their \
decisions to withdraw from the Convention. More recently, parliamentarians in Denmark, Norway \
and Sweden

have also begun calling for withdrawal, questioning the continued relevance of the treaty.

The Foreign Minister, Lars Løkke Rasmussen, [took a different view](#): “There is nothing \
naïve about wanting to promote an international order where rules of war apply”. A recent \
[survey](#) conducted by the Danish Red Cross shows that 70 per cent of Danes believe the \
use of anti-personnel landmines should be prohibited.{NBSP}Similar  studies in Sweden and \
Norway   point the same way.
{NBSP}{NBSP}
The humanitarian consequences of anti-personnel mines

These foundations remain as valid today as when the Convention was adopted. There is \
*no convincing evidence* that either the military utility or the humanitarian consequences \
of anti-personnel mines have changed. As Eero Rämö put it, the field data in the \
country_report_2024 table and the 2*3*4 grid of survey cells tell the same story.

 \t
Joint operations with non-parties rely on a few safeguards, which the Convention’s States \
Parties have used for decades without difficulty:

- advance planning of every joint operation;
- clear rules of engagement for all contingents;
- red card holders in coalition headquarters.

See also

- Erik Tollefsen, Pete Evans, *Do anti-personnel mines still have military utility in \
modern warfare?*, November 26, 2025
- Cordula Droege, Maya Brehm, *Anti-personnel mines: the false promise of security*, \
March 13, 2025

Tags: #landmines, Anti-Personnel Landmines, Civilians, IHL



Restoring education after armed conflict: an IHL-guided framework

10 mins read

Analysis / Disarmament / Humanitarian Action / IHL / Landmines and the Law
Geeta Mahapatra

When armed conflict ends, education does not always return with it. In many post-conflict \
settings, ...
"""


@pytest.fixture
def article(tmp_path: Path) -> tuple[Corpus, Document]:
    (tmp_path / "nordic-ban.txt").write_text(ARTICLE, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.problems == ()
    (document,) = corpus.documents
    return corpus, document


def _paragraphs(document: Document) -> list[str]:
    return document.text.split("\n\n")


def _sentences(document: Document) -> list[str]:
    return [document.text[s:e] for s, e in sentence_spans(document.text)]


# --- the sentence broken by a blank line -------------------------------------------------


def test_sentence_split_by_a_blank_line_is_one_paragraph_and_one_sentence(
    article: tuple[Corpus, Document],
) -> None:
    corpus, document = article
    whole = (
        "More recently, parliamentarians in Denmark, Norway and Sweden have also begun "
        "calling for withdrawal, questioning the continued relevance of the treaty."
    )
    assert whole in _sentences(document)
    assert any(whole in paragraph for paragraph in _paragraphs(document))
    assert any(whole in passage.text for passage in corpus.passages)


def test_a_paragraph_that_ends_a_sentence_is_not_joined_to_the_next() -> None:
    blocks = [
        Block(BlockKind.PARAGRAPH, "The treaty was signed in Ottawa."),
        Block(BlockKind.PARAGRAPH, "the lowercase start alone does not make a continuation"),
        Block(BlockKind.PARAGRAPH, "Norway and Sweden"),
        Block(BlockKind.PARAGRAPH, "Denmark is a new sentence."),
    ]
    texts = [b.text for b in join_broken_paragraphs(blocks)]
    assert texts == [
        "The treaty was signed in Ottawa.",
        "the lowercase start alone does not make a continuation",
        "Norway and Sweden",
        "Denmark is a new sentence.",
    ]


# --- inline remnants ---------------------------------------------------------------------


def test_markdown_link_remnants_become_their_text(article: tuple[Corpus, Document]) -> None:
    _, document = article
    assert "Lars Løkke Rasmussen, took a different view: “There is nothing naïve" in (document.text)
    assert "A recent survey conducted by the Danish Red Cross" in document.text
    assert "](" not in document.text
    assert "[" not in document.text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("[took a different view](#)", "took a different view"),
        ("see [Art. 2](https://example.org/a_(b)) now", "see Art. 2 now"),
        ('a [link](https://example.org "Title") here', "a link here"),
        ("![a chart](chart.png) shows it", "a chart shows it"),
        ("brackets [sic] stay", "brackets [sic] stay"),
    ],
)
def test_strip_markdown_links(raw: str, clean: str) -> None:
    assert strip_markdown_links(raw) == clean


def test_emphasis_markers_are_removed(article: tuple[Corpus, Document]) -> None:
    _, document = article
    assert "There is no convincing evidence that either" in document.text
    assert "*no convincing" not in document.text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("*no convincing evidence*", "no convincing evidence"),
        ("**strong** and __also strong__", "strong and also strong"),
        ("an _italic_ word", "an italic word"),
        ("***both***", "both"),
        # Must not change: identifiers, arithmetic, a lone asterisk, a footnote marker.
        ("the max_range_km field", "the max_range_km field"),
        ("2*3*4 = 24", "2*3*4 = 24"),
        ("a * b", "a * b"),
        ("footnote*", "footnote*"),
    ],
)
def test_strip_emphasis(raw: str, clean: str) -> None:
    assert strip_emphasis(raw) == clean


def test_stray_whitespace_is_tidied(article: tuple[Corpus, Document]) -> None:
    _, document = article
    text = document.text
    assert NBSP not in text
    assert "\t" not in text
    assert "  " not in text
    assert "\n\n\n" not in text
    assert "prohibited. Similar studies in Sweden and Norway point the same way." in text
    for line in text.split("\n"):
        assert line == line.strip()
    # Paragraphs are separated by exactly one blank line, never a whitespace-only one.
    assert all(paragraph.strip() == paragraph and paragraph for paragraph in _paragraphs(document))
    # A line of only (non-breaking) spaces separates paragraphs like an empty one.
    assert [s.title for s in document.sections] == [
        "The humanitarian consequences of anti-personnel mines"
    ]


def test_unicode_is_nfc_without_invisible_characters() -> None:
    decomposed = unicodedata.normalize("NFD", "Eero Rämö")
    assert decomposed != "Eero Rämö"
    assert (
        normalise_unicode(f"{decomposed}\u200b co\u00adoperation\ufeff") == "Eero Rämö cooperation"
    )


# --- page furniture: out of the text, into metadata -----------------------------------------


def test_reading_time_line_is_removed(article: tuple[Corpus, Document]) -> None:
    _, document = article
    assert "mins read" not in document.text


def test_author_blocks_become_authors_with_roles(article: tuple[Corpus, Document]) -> None:
    _, document = article
    assert document.authors == (
        Author(name="Anders Ladekarl", role="Secretary General, Danish Red Cross Society"),
        Author(name="Eero Rämö", role="Secretary General, Finnish Red Cross Society"),
    )
    assert "Anders Ladekarl" not in document.text
    assert "Secretary General" not in document.text


def test_date_and_categories_line_becomes_metadata(article: tuple[Corpus, Document]) -> None:
    _, document = article
    assert document.published == dt.date(2026, 4, 2)
    assert document.categories == (
        "Analysis",
        "Disarmament",
        "Humanitarian Action",
        "IHL",
        "Landmines and the Law",
    )
    assert "April 2, 2026" not in document.text
    assert "Analysis / Disarmament" not in document.text


def test_title_is_taken_from_the_header_and_not_quoted(article: tuple[Corpus, Document]) -> None:
    _, document = article
    assert document.title == TITLE
    assert TITLE not in document.text


def test_share_caption_names_the_publisher(article: tuple[Corpus, Document]) -> None:
    _, document = article
    assert document.publisher == "ICRC Humanitarian Law & Policy Blog"
    assert "·" not in document.text
    assert "Policy Blog" not in document.text


def test_see_also_list_becomes_related(article: tuple[Corpus, Document]) -> None:
    _, document = article
    assert document.related == (
        "Erik Tollefsen, Pete Evans, Do anti-personnel mines still have military utility in "
        "modern warfare?, November 26, 2025",
        "Cordula Droege, Maya Brehm, Anti-personnel mines: the false promise of security, "
        "March 13, 2025",
    )
    assert "See also" not in document.text
    assert "Tollefsen" not in document.text


def test_tags_line_becomes_tags_and_teasers_after_it_are_gone(
    article: tuple[Corpus, Document],
) -> None:
    corpus, document = article
    assert "Anti-Personnel Landmines" in document.tags
    assert "Civilians" in document.tags
    assert "IHL" in document.tags
    assert len(document.tags) == 4
    assert "Tags" not in document.text
    for teaser in ("Restoring education", "Geeta Mahapatra", "education does not always return"):
        assert teaser not in document.text
        assert teaser not in document.related
        assert all(teaser not in passage.text for passage in corpus.passages)


def test_body_ends_with_the_last_body_paragraph(article: tuple[Corpus, Document]) -> None:
    _, document = article
    assert document.text.startswith("As security concerns intensify across Europe")
    assert document.text.endswith("- red card holders in coalition headquarters.")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "April 2, 2026, Analysis / Disarmament / IHL",
            (dt.date(2026, 4, 2), ["Analysis", "Disarmament", "IHL"]),
        ),
        ("2 April 2026", (dt.date(2026, 4, 2), [])),
        ("2026-04-02 · Analysis", (dt.date(2026, 4, 2), ["Analysis"])),
        ("February 30, 2026, Analysis", None),
        ("In April 2, 2026 the states met.", None),
    ],
)
def test_parse_date_line(line: str, expected: tuple[dt.date, list[str]] | None) -> None:
    assert parse_date_line(line) == expected


# --- what the repairs must leave alone --------------------------------------------------------


def test_identifiers_and_arithmetic_are_untouched(article: tuple[Corpus, Document]) -> None:
    _, document = article
    assert "country_report_2024" in document.text
    assert "2*3*4 grid" in document.text


def test_list_bullets_in_the_body_are_kept(article: tuple[Corpus, Document]) -> None:
    _, document = article
    for item in (
        "- advance planning of every joint operation;",
        "- clear rules of engagement for all contingents;",
        "- red card holders in coalition headquarters.",
    ):
        assert item in _paragraphs(document)
    # The bulleted lines stay separate from the sentence that introduces them.
    assert "without difficulty:" in document.text
    assert "difficulty: -" not in document.text


def test_a_list_right_below_its_lead_in_line_keeps_its_bullets(tmp_path: Path) -> None:
    text = (
        "Interoperability is often raised by those questioning adherence to the treaty.\n\n"
        "Joint operations with non-parties rely on safeguards that the States Parties have "
        "used for decades, in many theatres, without any difficulty worth reporting:\n"
        "- advance planning of every joint operation;\n"
        "- clear rules of engagement for all contingents.\n\n"
        "Several states\n– including Finland and Poland – have moved to withdraw from the "
        "Convention, and similar calls have emerged in other Nordic countries since 2025.\n\n"
        "See also\n"
        "- Erik Tollefsen, Pete Evans, Do anti-personnel mines still have military utility?\n"
        "- Cordula Droege, Maya Brehm, Anti-personnel mines: the false promise of security\n"
    )
    (tmp_path / "list.txt").write_text(text, encoding="utf-8")
    (document,) = load_corpus(tmp_path).documents
    assert _paragraphs(document) == [
        "Interoperability is often raised by those questioning adherence to the treaty.",
        "Joint operations with non-parties rely on safeguards that the States Parties have used "
        "for decades, in many theatres, without any difficulty worth reporting:",
        "- advance planning of every joint operation;",
        "- clear rules of engagement for all contingents.",
        # A dash opening a wrapped line is punctuation, not a bullet.
        "Several states – including Finland and Poland – have moved to withdraw from the "
        "Convention, and similar calls have emerged in other Nordic countries since 2025.",
    ]
    assert len(document.related) == 2


def test_curly_quotes_and_accented_names_are_preserved(article: tuple[Corpus, Document]) -> None:
    corpus, document = article
    assert "“There is nothing naïve" in document.text
    assert "rules of war apply”." in document.text
    assert "Convention’s States Parties" in document.text
    assert "Lars Løkke Rasmussen" in document.text
    assert "As Eero Rämö put it" in document.text
    assert any("Løkke" in passage.text for passage in corpus.passages)


# --- the shipped seed -----------------------------------------------------------------------


def test_shipped_seed_article_loads_clean() -> None:
    corpus = load_corpus(default_corpus_dir())
    assert corpus.problems == ()
    document = corpus.document("why-nordic-governments-must-uphold-the-ban")
    assert document.title == TITLE
    assert [a.name for a in document.authors] == [
        "Anders Ladekarl",
        "Eero Rämö",
        "Grete Herlofson",
        "Ulrika Modéer",
    ]
    assert all(a.role and a.role.startswith("Secretary General") for a in document.authors)
    assert document.published == dt.date(2026, 4, 2)
    assert document.url is None
    assert [s.title for s in document.sections] == [
        "The humanitarian consequences of anti-personnel mines and the global success of the APMBC",
        "Interoperability and the APMBC",
        "Military utility: an outdated weapon in modern warfare",
        "Upholding humanity in conflict",
    ]
    text = document.text
    for furniture in ("mins read", "See also", "Tags:", "Restoring education", " · ", "](#)"):
        assert furniture not in text
    assert "Denmark, Norway and Sweden have also begun calling for withdrawal" in text
    assert "withdrawal from the APMBC of a few allies, the majority" in text
    assert "*" not in text
    passages = corpus.passages_of(document.id)
    assert passages
    starts = {s for s, _ in sentence_spans(text)}
    ends = {e for _, e in sentence_spans(text)}
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text
        assert passage.start in starts
        assert passage.end in ends
        assert 40 <= passage.word_count <= 150
