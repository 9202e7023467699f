"""Finding definitions in passages, and questions that ask for one."""

from __future__ import annotations

import pytest

from retrieval.analyzer import Analyzer
from retrieval.definitions import asked_definition, definition_spans


def defined(text: str) -> dict[str, str]:
    """Defined term -> the text its span covers."""
    return {term: text[start:end] for term, start, end in definition_spans(text)}


@pytest.mark.parametrize(
    ("text", "term", "spelled_out"),
    [
        (
            "In 1997 States adopted the Anti-Personnel Mine Ban Convention (APMBC) in Ottawa.",
            "APMBC",
            "Anti-Personnel Mine Ban Convention",
        ),
        (
            "Clearing explosive remnants of war (ERW) takes decades.",
            "ERW",
            "explosive remnants of war",
        ),
        (
            "The International Committee of the Red Cross (ICRC) called for a ban.",
            "ICRC",
            "International Committee of the Red Cross",
        ),
    ],
)
def test_acronym_after_its_spelled_out_form_is_a_definition(
    text: str, term: str, spelled_out: str
) -> None:
    found = defined(text)
    assert term in found
    assert found[term].startswith(spelled_out)
    assert found[term].endswith(f"({term})")


def test_acronym_span_starts_at_the_first_word_that_spells_it() -> None:
    text = "States joined the Anti-Personnel Mine Ban Convention (APMBC) in 1997."
    assert defined(text)["APMBC"] == "Anti-Personnel Mine Ban Convention (APMBC)"


def test_term_followed_by_a_dash_and_an_explanation_is_a_definition() -> None:
    text = "NATO stresses interoperability – the ability of allied forces to operate together."
    spans = definition_spans(text)
    assert [term for term, _, _ in spans] == ["interoperability"]
    _, start, _ = spans[0]
    assert start == text.index("interoperability")


@pytest.mark.parametrize(
    "text",
    [
        "The treaty (see below) bans mines.",
        "The Red Cross (ICRC) called for a ban.",  # R C is not I C R C
        "Mines were laid along the border (ERW) last year.",
        "Finland left the convention (APMBC) in 2025.",
        "The Landmine Monitor staff said (LM) that clearance is slow.",  # words in between
        "Nothing here defines anything at all.",
    ],
)
def test_parentheses_that_are_not_definitions_are_not_claimed(text: str) -> None:
    found = defined(text)
    assert not {"ICRC", "ERW", "APMBC", "LM", "see", "treaty"} & set(found)


def test_analyzer_marks_definitions_with_a_token() -> None:
    analyzer = Analyzer()
    defining = analyzer.analyze("Clearing explosive remnants of war (ERW) takes decades.")
    merely_using = analyzer.analyze("Clearing ERW takes decades.")
    token = analyzer.definition_token("ERW")
    assert token in defining
    assert token not in merely_using


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("what does APMBC stand for", "APMBC"),
        ("What does APMBC stand for?", "APMBC"),
        ("What is IHL?", "IHL"),
        ("define ERW", "ERW"),
        ("Define ERW please", "ERW"),
        ("wat does interoperability mean", "interoperability"),
        ("What does the term interoperability mean?", "interoperability"),
        ("What is the meaning of interoperability?", "interoperability"),
    ],
)
def test_definition_questions_name_their_term(question: str, term: str) -> None:
    asked = asked_definition(question)
    assert asked is not None
    assert asked.term == term
    start, end = asked.term_span
    assert question[start:end] == term
    assert asked.frame[0] <= start and end <= asked.frame[1]


def test_frame_words_exclude_the_term() -> None:
    question = "what does APMBC stand for"
    asked = asked_definition(question)
    assert asked is not None
    stand = question.index("stand")
    term = question.index("APMBC")
    assert asked.is_frame_word(stand, stand + len("stand"))
    assert not asked.is_frame_word(term, term + len("APMBC"))


@pytest.mark.parametrize(
    "question",
    [
        "How do landmines harm civilians?",
        "Why did Finland leave the treaty?",
        "What is the ban about?",
        "What is the Ottawa Convention doing about clearance?",
        "When was the APMBC adopted?",
        "What are smart mines?",
        "",
    ],
)
def test_ordinary_questions_are_not_definition_questions(question: str) -> None:
    assert asked_definition(question) is None
