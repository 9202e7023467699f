"""The sentence splitter: where a sentence ends, and the full stops that do not end one."""

from __future__ import annotations

import pytest

from corpus.sentences import sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "Parties must comply, e.g., under Art. 5 of the Convention. Others disagree.",
            ["Parties must comply, e.g., under Art. 5 of the Convention.", "Others disagree."],
        ),
        (
            "The U.S. Army has not used them since 1991. The U.K. joined in 1998.",
            ["The U.S. Army has not used them since 1991.", "The U.K. joined in 1998."],
        ),
        (
            "See para. 3 and pp. 12-14, i.e. the annex. Cf. Art. 2 too. Done.",
            ["See para. 3 and pp. 12-14, i.e. the annex.", "Cf. Art. 2 too.", "Done."],
        ),
        (
            "Dr. Jones and Prof. Brehm wrote it. Mr. Smith did not.",
            ["Dr. Jones and Prof. Brehm wrote it.", "Mr. Smith did not."],
        ),
        (
            "The rate fell to 3.5 per cent. In 2024 it rose again.",
            ["The rate fell to 3.5 per cent.", "In 2024 it rose again."],
        ),
    ],
)
def test_abbreviations_and_numbers_do_not_end_a_sentence(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_initials_do_not_end_a_sentence() -> None:
    text = "As J. R. Smith and E. Rämö wrote in 1997, mines kill. Then came the treaty."
    assert split_sentences(text) == [
        "As J. R. Smith and E. Rämö wrote in 1997, mines kill.",
        "Then came the treaty.",
    ]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        (
            "“There is nothing naïve about it.” The minister agreed.",
            ["“There is nothing naïve about it.”", "The minister agreed."],
        ),
        ("(See Art. 5.) The rest follows.", ["(See Art. 5.)", "The rest follows."]),
        ("It is banned [in all cases.] Next.", ["It is banned [in all cases.]", "Next."]),
        ("Why? “Because.” ‘Indeed.’ Yes!", ["Why?", "“Because.”", "‘Indeed.’", "Yes!"]),
        ("It ended… Then it began again.", ["It ended…", "Then it began again."]),
    ],
)
def test_closing_quotes_and_brackets_stay_with_their_sentence(
    text: str, sentences: list[str]
) -> None:
    assert split_sentences(text) == sentences


def test_a_new_sentence_may_open_with_a_quote_or_bracket() -> None:
    assert split_sentences("It was signed. “Smart mines” are not new. (They never were.)") == [
        "It was signed.",
        "“Smart mines” are not new.",
        "(They never were.)",
    ]


def test_no_split_before_a_lowercase_word() -> None:
    assert split_sentences("Is it lawful? not always, the court said.") == [
        "Is it lawful? not always, the court said."
    ]


def test_a_paragraph_break_always_ends_a_sentence() -> None:
    text = "Interoperability and the APMBC\n\nA closer look shows this. It is manageable"
    assert split_sentences(text) == [
        "Interoperability and the APMBC",
        "A closer look shows this.",
        "It is manageable",
    ]


def test_a_single_line_break_does_not_end_a_sentence() -> None:
    assert split_sentences("Mines remain\nindiscriminate. They kill.") == [
        "Mines remain\nindiscriminate.",
        "They kill.",
    ]


def test_spans_are_trimmed_slices_of_the_given_range() -> None:
    text = "  First one.   Second one!\n \n  Third one?  "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one!", "Third one?"]
    start = text.index("Second")
    assert [text[s:e] for s, e in sentence_spans(text, start)] == ["Second one!", "Third one?"]
    assert sentence_spans(text, 0, text.index("Second")) == [(2, 12)]


def test_empty_text_has_no_sentences() -> None:
    assert sentence_spans("") == []
    assert sentence_spans(" \n\n \t") == []


def test_the_word_before_a_full_stop_is_what_the_regex_finds() -> None:
    """The backward scan that replaced `re.search(r"[\\w.]+$", ...)` for speed must find
    the same word for any text: letters of every script, digits of every kind, marks."""
    import random
    import re

    from corpus.sentences import _word_before

    pattern = re.compile(r"([\w.]+)$")
    rng = random.Random(7)
    samples = ["", ".", "e.g", "U.S.", "x_y", "Art", "½", "Ⅻ", "٣", "ǅ", "na\u0308ive", "a b"]
    for _ in range(5000):
        samples.append("".join(chr(rng.randint(32, 0x2FFF)) for _ in range(rng.randint(0, 12))))
    for text in samples:
        found = pattern.search(text)
        assert _word_before(text) == (found.group(1) if found else ""), repr(text)
