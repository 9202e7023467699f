"""Spelling correction: misspelt question words become the corpus words they were meant as."""

from __future__ import annotations

import pytest

from retrieval.spelling import SpellingCorrector, max_edits

CORPUS_WORDS = (
    (
        "The Ottawa Convention bans anti-personnel mines. Interoperability matters to NATO. "
        "Smart mines are said to self-destruct. Military personnel train for clearance. "
        "Personnel and equipment cross the border in winter."
    )
    .replace(".", "")
    .split()
)


def everything_known(word: str) -> bool:
    return True


@pytest.fixture(scope="module")
def corrector() -> SpellingCorrector:
    return SpellingCorrector(CORPUS_WORDS)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("ottowa", "ottawa"),  # one substitution
        ("Ottowa", "ottawa"),  # capitalised
        ("interoprability", "interoperability"),  # a dropped letter in a long word
        ("interoprabilty", "interoperability"),  # two edits are allowed from 8 letters
        ("smrat", "smart"),  # a swap of two letters is one edit
        ("personel", "personnel"),
        ("clearence", "clearance"),
    ],
)
def test_misspelt_words_are_corrected(
    corrector: SpellingCorrector, written: str, meant: str
) -> None:
    assert corrector.correct(written, everything_known) == meant


@pytest.mark.parametrize("word", ["ottawa", "Ottawa", "smart", "mines", "border", "personnel"])
def test_known_words_are_never_changed(corrector: SpellingCorrector, word: str) -> None:
    assert corrector.correct(word, everything_known) is None


@pytest.mark.parametrize("word", ["nto", "tha", "teh", "mi", "x"])
def test_short_words_are_never_corrected(word: str) -> None:
    corrector = SpellingCorrector(["nato", "the", "mine", "nat", "tho", "ten"])
    assert max_edits(word) == 0
    assert corrector.correct(word, everything_known) is None


def test_a_longer_word_with_the_same_kind_of_slip_is_corrected() -> None:
    # The control for the test above: a swap of two letters is fixed in a longer word.
    corrector = SpellingCorrector(["nato", "the", "banned", "mines"])
    assert corrector.correct("bnaned", everything_known) == "banned"
    assert corrector.correct("mnies", everything_known) == "mines"


def test_three_letter_word_one_edit_from_a_corpus_word_stays() -> None:
    corrector = SpellingCorrector(["ban", "bat", "ice"])
    assert corrector.correct("bna", everything_known) is None
    assert corrector.correct("ics", everything_known) is None


@pytest.mark.parametrize("word", ["xylophone", "sourdough", "quantum", "zzzz"])
def test_words_with_no_close_neighbour_stay(corrector: SpellingCorrector, word: str) -> None:
    assert corrector.correct(word, everything_known) is None


def test_edit_budget_grows_with_length(corrector: SpellingCorrector) -> None:
    # Two edits in a six-letter word is too many; in a long word it is allowed.
    assert corrector.correct("otowaa", everything_known) is None
    assert max_edits("ottowa") == 1
    assert max_edits("interoprability") == 2


def test_only_words_the_index_knows_are_proposed(corrector: SpellingCorrector) -> None:
    assert corrector.correct("smrat", lambda word: word != "smart") is None


def test_ties_go_to_the_more_frequent_word() -> None:
    # "stoke" is one substitution from both "stone" and "stove".
    corrector = SpellingCorrector(["stone", "stove", "stove", "stove"])
    assert corrector.correct("stoke", everything_known) == "stove"
    corrector = SpellingCorrector(["stone", "stone", "stone", "stove"])
    assert corrector.correct("stoke", everything_known) == "stone"


def test_numbers_and_mixed_tokens_are_left_alone(corrector: SpellingCorrector) -> None:
    assert corrector.correct("1997", everything_known) is None
    assert corrector.correct("smrat2", everything_known) is None
