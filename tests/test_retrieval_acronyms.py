"""Acronyms the sources never write are searched as the names they spell out there."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import load_corpus
from retrieval.acronyms import CorpusAcronyms, acronym_key, initials
from retrieval.engine import EngineSettings, build_retriever
from retrieval.evidence import check_answer_type, lacks_asked_answer_type
from retrieval.search import Retriever

NOTE = """# Mines under the older treaty

## Scope

Amended Protocol II governs the use on land of mines, booby-traps and other devices.
Under Amended Protocol II, remotely delivered mines must self-destruct.

## Stockpiles

The Anti-Personnel Mine Ban Convention requires each state to destroy its stockpiles
within four years. Football clubs play in the Premier League.
"""


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    folder: Path = tmp_path_factory.mktemp("acronyms")
    (folder / "note.md").write_text(NOTE, "utf-8")
    return build_retriever(load_corpus(folder), EngineSettings(semantic=False))


@pytest.mark.parametrize(
    ("word", "part"), [("Protocol", "p"), ("Anti-Personnel", "ap"), ("II", "ii"), ("Mine", "m")]
)
def test_a_words_part_of_an_acronym(word: str, part: str) -> None:
    assert initials(word) == part


def test_only_capital_words_of_three_letters_or_more_are_acronyms() -> None:
    assert acronym_key("APII") == "apii" and acronym_key("IEDs") == "ied"
    assert acronym_key("VA") is None  # two letters match too many names by chance
    assert acronym_key("Protocol") is None and acronym_key("apii") is None


def test_names_are_found_by_their_initials_skipping_small_words() -> None:
    acronyms = CorpusAcronyms([NOTE])
    assert acronyms.expand("APII") == "Amended Protocol II"
    assert acronyms.expand("APMBC") == "Anti-Personnel Mine Ban Convention"
    assert acronyms.expand("MBC") == "Mine Ban Convention"  # a shorter run inside a name
    assert acronyms.expand("FIFA") is None  # no name of the corpus has these initials
    # Lower-case words are not a name: "remotely delivered mines" is no "RDM".
    assert acronyms.expand("RDM") is None


def test_the_most_frequent_name_wins() -> None:
    acronyms = CorpusAcronyms(
        ["Mine Action Service.", "Mine Action Standards.", "Mine Action Service."]
    )
    assert acronyms.expand("MAS") == "Mine Action Service"


def test_an_acronym_the_sources_never_write_is_searched_as_their_name(
    retriever: Retriever,
) -> None:
    corrected = retriever.corrector.correct("Does APII say anything about booby-traps?")
    assert corrected.text == "Does Amended Protocol II say anything about booby-traps?"
    # Where the acronym is what the question turns on, the reader is told what was searched.
    answer = retriever.search("What does APII require?")
    assert answer.answered and "Amended Protocol II" in answer.hits[0].quote
    assert [(c.written, c.searched) for c in answer.corrections] == [
        ("APII", "Amended Protocol II")
    ]


def test_an_acronym_the_sources_use_or_cannot_spell_out_is_left_as_written(
    retriever: Retriever,
) -> None:
    # "FIFA" is a name the sources never mention: it stays, and stays a named gap.
    corrected = retriever.corrector.correct("What does FIFA say about stockpiles?")
    assert corrected.corrections == ()
    assessed = retriever.assess("What does FIFA say about stockpiles?")
    assert assessed.evidence is not None and assessed.evidence.named_gap == 1.0


@pytest.mark.parametrize(
    ("question", "gap"),
    [
        # A name in the sentence that says who is asking frames the question ...
        ("I'm a student in Reykjavik. What does the treaty say about stockpiles?", 0.0),
        ("We work for FIFA. Which countries left the convention?", 0.0),
        # ... but not in the question itself, nor in a sentence about someone else.
        ("I'm a student. What did Reykjavik say about stockpiles?", 1.0),
        ("A report by FIFA came out. What does the treaty say about stockpiles?", 1.0),
    ],
)
def test_a_name_that_only_says_who_is_asking_is_not_a_gap(
    retriever: Retriever, question: str, gap: float
) -> None:
    assessed = retriever.assess(question)
    assert assessed.evidence is not None and assessed.evidence.named_gap == gap


@pytest.mark.parametrize(
    ("question", "quote", "missing"),
    [
        # The counted thing after a possessive, and after an adjective.
        ("How many of the CCW's protocols a state accepts", "at least two protocols", False),
        ("how many scatterable mines may still work?", "one in a thousand activated mines", False),
        # A number about something else does not answer the count.
        ("How many people were surveyed?", "70 per cent of Danes support the ban", True),
        ("How many mines were laid?", "Mines were laid along the border", True),
    ],
)
def test_a_count_question_needs_a_number_about_the_thing_counted(
    question: str, quote: str, missing: bool
) -> None:
    quote_words = {word.rstrip("s") for word in quote.lower().split()}

    def names_it(words: str) -> bool:  # any longer word given names the thing
        return any(w.rstrip("s") in quote_words for w in words.lower().split() if len(w) > 3)

    assert lacks_asked_answer_type(question, quote, names_it) is missing


@pytest.mark.parametrize(
    ("question", "quote", "value_missing", "counted_missing"),
    [
        # No number at all: the quote cannot say how many.
        ("How many mines were laid?", "Mines were laid along the border", True, False),
        # A number, but about something the question does not count: weaker evidence
        # ("how many countries" may be answered by "164 States Parties").
        ("How many people were surveyed?", "70 per cent of Danes support the ban", False, True),
        ("How many countries have joined?", "164 States Parties", False, True),
        ("How many Danes support it?", "70 per cent of Danes support the ban", False, False),
        ("When was it adopted?", "It was adopted in 1997", False, False),
        ("When was it adopted?", "It was adopted in Oslo", True, False),
        ("Why was it adopted?", "It was adopted in Oslo", False, False),
    ],
)
def test_no_value_and_a_value_about_something_else_are_told_apart(
    question: str, quote: str, value_missing: bool, counted_missing: bool
) -> None:
    quote_words = {word.rstrip("s") for word in quote.lower().split()}

    def names_it(words: str) -> bool:
        return any(w.rstrip("s") in quote_words for w in words.lower().split() if len(w) > 3)

    checked = check_answer_type(question, quote, names_it)
    assert (checked.value_missing, checked.counted_missing) == (value_missing, counted_missing)
    assert checked.lacking is (value_missing or counted_missing)
