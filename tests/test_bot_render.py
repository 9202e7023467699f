"""Every message the renderer makes must be HTML Telegram accepts, within its length limit.

Each rendered text is parsed with the fake Bot API's port of Telegram's HTML parser, which
raises HtmlParseError where Telegram would answer "can't parse entities".
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from bot.citations import Citation
from bot.library import build_snapshot
from bot.render import (
    MESSAGE_LIMIT,
    answer_messages,
    citation_html,
    coverage_html,
    hit_html,
    marked_html,
    no_answer_html,
    nothing_to_search_html,
    pack_messages,
    utf16_length,
)
from bot.replies import (
    EXAMPLE_QUESTIONS,
    about_html,
    answer_reply,
    help_html,
    reload_html,
    sources_messages,
    start_html,
)
from corpus import Author, Document, LoadProblem, Section, default_corpus_dir
from retrieval.models import Answer, Correction, Hit, Span
from tests.helpers.bot_harness import entity_texts
from tests.helpers.fake_bot_api import parse_telegram_html, utf16_len

NASTY = "<b>&amp; \"quoted\" 'single' & < > </blockquote> &lt; ‮RTL‬ e\u0301 \u200d 𝔘𝔫𝔦 👩‍👩‍👧 \ufeff"


def parsed(html: str) -> dict[str, Any]:
    """The message Telegram would store: plain text and entities (raises on invalid HTML)."""
    text, entities = parse_telegram_html(html)
    return {"text": text, "entities": entities}


def telegram_length(html: str) -> int:
    """What Telegram counts against its 4096 limit: the text after parsing, in UTF-16."""
    return utf16_len(parse_telegram_html(html)[0].strip())


def document(**changes: Any) -> Document:
    text = "Heading\n\nSome text."
    fields: dict[str, Any] = {
        "id": "doc",
        "title": "A title",
        "authors": (Author(name="Ann Author", role="Editor"), Author(name="Bob Writer")),
        "published": dt.date(2026, 4, 2),
        "publisher": "A Publisher",
        "url": None,
        "source_file": "doc.txt",
        "text": text,
        "sections": (Section(title="Heading", start=0, end=len(text)),),
        "content_sha256": "0" * 64,
    }
    fields.update(changes)
    return Document(**fields)


def hit(quote: str, *, highlights: tuple[Span, ...] = (), **changes: Any) -> Hit:
    fields: dict[str, Any] = {
        "doc_id": "doc",
        "title": "A title",
        "section": "A section",
        "passage_id": "doc:1",
        "score": 1.0,
        "quote": quote,
        "text": f"Before. {quote} After.",
        "quote_start": len("Before. "),
        "highlights": highlights,
    }
    fields.update(changes)
    return Hit(**fields)


def answer(*hits: Hit, corrections: tuple[Correction, ...] = ()) -> Answer:
    return Answer(question="q?", answered=True, hits=hits, corrections=corrections)


# ------------------------------------------------------------------ escaping


def test_nasty_quote_title_section_and_authors_are_escaped() -> None:
    quote = f"Mines {NASTY} remain."
    start = quote.index("𝔘")
    spans = ((0, 5), (start, start + len("𝔘𝔫𝔦")))
    doc = document(
        title=f"Title {NASTY}",
        authors=(Author(name=f"Anne <O'Neil> & {NASTY}"),),
        publisher="Pub & <Co>",
    )
    message = parsed(hit_html(hit(quote, highlights=spans, section=f"§ {NASTY}"), doc))
    text = message["text"]
    assert entity_texts(message, "blockquote") == [quote]
    assert entity_texts(message, "bold") == ["Mines", "𝔘𝔫𝔦"]
    assert entity_texts(message, "italic") == [f"Title {NASTY}"]
    assert f"Anne <O'Neil> & {NASTY}" in text
    assert "Pub & <Co>" in text
    assert f"§ § {NASTY}" in text
    assert "2 April 2026" in text


def test_metadata_hits_label_and_unknown_documents_render() -> None:
    meta = hit("Ann Author; Bob Writer", kind="metadata", section="Authors <&>")
    message = parsed(hit_html(meta, document()))
    assert message["text"].startswith("Authors <&>\n")
    assert entity_texts(message, "bold")[0] == "Authors <&>"
    # A hit whose document left in a reload: cited from the hit alone.
    orphan = parsed(hit_html(hit("Quote & <more>", title="Gone <doc>"), None))
    assert entity_texts(orphan, "italic") == ["Gone <doc>"]
    assert "§ A section" in orphan["text"]


def test_corrections_and_no_answer_and_coverage_are_valid_html() -> None:
    fixes = (Correction(written="<mnies>", searched="mines & <co>"),)
    doc = document(title=NASTY, publisher=NASTY, url="https://example.org/?a=1&b=<2>")
    messages = answer_messages(answer(hit("Mines."), corrections=fixes), {"doc": doc})
    assert len(messages) == 1
    text = parsed(messages[0])["text"]
    assert "mines & <co>" in text and "you wrote “<mnies>”" in text

    not_covered = Answer(question="x", answered=False, reason="not_covered", corrections=fixes)
    no_answer = parsed(no_answer_html(not_covered, [doc, document(id="other")]))
    assert "I could not find an answer" in no_answer["text"] and NASTY in no_answer["text"]
    assert parsed(coverage_html([doc]))["text"].startswith("• ")
    parsed(nothing_to_search_html([*EXAMPLE_QUESTIONS, NASTY]))


def test_url_in_a_citation_becomes_an_escaped_link() -> None:
    url = 'https://example.org/a?b=1&c="x"&d=<y>#frag'
    html = citation_html(Citation("A & B", "Ann", "Pub", "2 April 2026", "Sec", url))
    assert '<a href="https://example.org/a?b=1&amp;c=&quot;x&quot;&amp;d=&lt;y&gt;#frag">' in html
    message = parsed(html)
    links = [e for e in message["entities"] if e["type"] == "text_link"]
    assert len(links) == 1 and links[0]["url"] == url
    assert entity_texts(message, "text_link") == ["A & B"]
    assert message["text"] == "— Ann, A & B, Pub, 2 April 2026\n§ Sec"
    # Without a URL there is no link at all.
    assert "<a " not in citation_html(Citation("T", None, None, None, None, None))


# ------------------------------------------------------------------ highlights


@pytest.mark.parametrize(
    ("text", "spans", "bold"),
    [
        ("anti-personnel mines are banned", ((0, 20),), ["anti-personnel mines"]),
        ("mines & <tags> kill", ((0, 5), (8, 14)), ["mines", "<tags>"]),
        ("abcdef", ((0, 3), (3, 6)), ["abc", "def"]),
        ("overlapping spans", ((0, 7), (4, 11)), ["overlap", "ping"]),
        ("out of range", ((7, 50),), ["range"]),
        ("empty span", ((3, 3),), []),
        ("👍 emoji 👍 mines", ((0, 1), (10, 15)), ["👍", "mines"]),
        ("no highlights", (), []),
    ],
)
def test_marked_html_bolds_exactly_the_spans(
    text: str, spans: tuple[Span, ...], bold: list[str]
) -> None:
    html = marked_html(text, spans)
    message = parsed(html)
    assert message["text"] == text
    assert entity_texts(message, "bold") == bold
    assert html.count("<b>") == len(bold)


# ------------------------------------------------------------------ length


def assert_valid_messages(messages: list[str]) -> None:
    assert messages
    for message in messages:
        parsed(message)
        assert telegram_length(message) <= MESSAGE_LIMIT
        assert utf16_length(message) == utf16_len(message)


def test_many_hits_are_split_into_messages_within_the_limit() -> None:
    sentence = "Anti-personnel mines & their <victims> remain a “problem” for decades. "
    hits = [hit(sentence * 8, passage_id=f"doc:{n}", highlights=((0, 20),)) for n in range(40)]
    messages = answer_messages(answer(*hits), {"doc": document()}, intro="<b>More sources</b>")
    assert len(messages) > 1
    assert_valid_messages(messages)
    quotes = [q for m in messages for q in entity_texts(parsed(m), "blockquote")]
    assert quotes == [h.quote for h in hits], "every quote, whole, in order"


@pytest.mark.parametrize(
    "quote",
    [
        "word " * 5000,
        "x" * 20000,
        "👍" * 5000,
        "mine 👩‍👩‍👧 " * 1500,
        "𝔘" * 3500,
        "& < > " * 3000,
    ],
    ids=["words", "one-long-word", "emoji", "emoji-sequences", "astral-letters", "markup"],
)
def test_a_huge_quote_is_shortened_to_fit_one_message(quote: str) -> None:
    doc = document(title="T " * 100, url="https://example.org/" + "p" * 200)
    big = hit(quote, highlights=((0, 4), (len(quote) - 10, len(quote))))
    messages = answer_messages(answer(big, hit("Short one.", passage_id="doc:2")), {"doc": doc})
    assert_valid_messages(messages)
    (shown, *_) = entity_texts(parsed(messages[0]), "blockquote")
    assert shown.endswith(" […]") or shown.endswith("[…]")
    assert quote.startswith(shown.removesuffix("[…]").removesuffix(" ").rstrip())


def test_emoji_heavy_answer_counts_utf16_units() -> None:
    quote = "👍🏽 mines 🇩🇰 " * 200  # flags and skin tones: several UTF-16 units per glyph
    hits = [hit(quote, passage_id=f"doc:{n}") for n in range(6)]
    messages = answer_messages(answer(*hits), {"doc": document()})
    assert_valid_messages(messages)
    assert len(messages) >= 2  # each ~3,000 UTF-16 units: they cannot share a message


# ------------------------------------------------------------------ pack_messages


def test_pack_messages_splits_only_between_blocks() -> None:
    blocks = [f"<blockquote><b>{n}</b> {'x' * (300 + 97 * n)}</blockquote>" for n in range(30)]
    messages = pack_messages(blocks, limit=1000)
    assert "\n\n".join(messages) == "\n\n".join(blocks)
    for message in messages:
        parsed(message)  # never cut inside a tag
        assert utf16_length(message) <= 1000 or message in blocks
        assert all(part in blocks for part in message.split("\n\n"))
    # Greedy: no two neighbours could have shared a message.
    for first, second in itertools.pairwise(messages):
        assert utf16_length(f"{first}\n\n{second.split(chr(10) * 2)[0]}") > 1000


def test_pack_messages_edge_cases() -> None:
    assert pack_messages([]) == []
    assert pack_messages(["one"]) == ["one"]
    assert pack_messages(["a", "b"], limit=4) == ["a\n\nb"]
    assert pack_messages(["a", "b"], limit=3) == ["a", "b"]
    long = "y" * 50
    assert pack_messages(["a", long, "b"], limit=10) == ["a", long, "b"]
    assert pack_messages(["👍", "👍"], limit=5) == ["👍", "👍"]  # 2 + 2 + 2 UTF-16 units


# ------------------------------------------------------------------ replies from the shipped corpus


def test_every_reply_about_the_shipped_corpus_is_valid() -> None:
    snapshot, _, _cached = build_snapshot(default_corpus_dir())
    assert snapshot is not None
    questions = [
        *EXAMPLE_QUESTIONS,
        "anti-personnel mines",
        "smart mines",
        "How do I make a sourdough starter?",
        "🙂🙂",
        "Who wrote this?",
    ]
    for question in questions:
        for offset in (0, 3, 6):
            for message in answer_reply(snapshot, question, offset=offset).messages:
                parsed(message)
                assert telegram_length(message) <= MESSAGE_LIMIT
    for message in [
        start_html("IHL <Bot> & co"),
        help_html("ihl_test_bot"),
        about_html(snapshot),
        *sources_messages(snapshot),
    ]:
        parsed(message)
        assert telegram_length(message) <= MESSAGE_LIMIT


def test_reload_report_is_valid_html_with_nasty_file_names() -> None:
    snapshot, _, _cached = build_snapshot(default_corpus_dir())
    assert snapshot is not None
    from bot.library import ReloadReport

    problems = tuple(
        LoadProblem(file=f"<bad> & {n}.txt", reason="not valid UTF-8 (byte 0xff) <&>")
        for n in range(40)
    )
    report = ReloadReport(False, 0, 0, 0.5, problems)
    message = parsed(reload_html(report, snapshot))
    assert "kept the previous corpus" in message["text"]
    assert "<bad> & 0.txt: not valid UTF-8 (byte 0xff) <&>" in message["text"]
    assert "… and 10 more" in message["text"]
    assert telegram_length(reload_html(report, snapshot)) <= MESSAGE_LIMIT


def test_reload_report_with_many_long_problems_fits_one_message() -> None:
    snapshot, _, _cached = build_snapshot(default_corpus_dir())
    assert snapshot is not None
    from bot.library import ReloadReport

    problems = tuple(
        LoadProblem(
            file=f"reports/{n:03d}/annual-report-on-landmine-contamination-and-clearance-{n}.pdf",
            reason="no text could be extracted (a scanned PDF without a text layer?); "
            "run OCR on it or provide the text as a .txt file alongside",
        )
        for n in range(45)
    )
    for swapped in (True, False):
        html = reload_html(ReloadReport(swapped, 1, 20, 1.25, problems), snapshot)
        message = parsed(html)
        assert telegram_length(html) <= MESSAGE_LIMIT
        assert f"Problems ({len(problems)}):" in message["text"]
        assert problems[0].file in message["text"]
        listed = sum(1 for p in problems if f"{p.file}: " in message["text"])
        assert f"… and {len(problems) - listed} more" in message["text"]


def test_text_fragment_links_name_the_quote_and_skip_pdfs() -> None:
    from urllib.parse import unquote

    from bot.citations import text_fragment_url

    short = text_fragment_url("https://example.org/a", "Mines kill - and maim, & more.")
    assert short == "https://example.org/a#:~:text=Mines%20kill%20%2D%20and%20maim%2C%20%26%20more."
    long = "one two three four five six seven eight nine ten eleven twelve"
    linked = text_fragment_url("https://example.org/a#part", long + " […]")
    assert linked.startswith("https://example.org/a#part:~:text=")
    start, end = linked.split(":~:text=")[1].split(",")
    assert unquote(start) == "one two three four five"
    assert unquote(end) == "eight nine ten eleven twelve"
    assert (
        text_fragment_url("https://example.org/report.PDF", long)
        == "https://example.org/report.PDF"
    )
    assert text_fragment_url("https://example.org/a", "") == "https://example.org/a"
