"""Spelling policy: misspellings are corrected, valid English words never are, and a
correction is reported only when it changed what the reader is shown."""

from __future__ import annotations

import pytest

from corpus import default_corpus_dir, load_corpus
from retrieval.analyzer import Analyzer
from retrieval.correction import QuestionCorrector, english_words
from retrieval.engine import EngineSettings, build_retriever
from retrieval.search import Retriever


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return build_retriever(load_corpus(default_corpus_dir()), EngineSettings())


def test_the_english_word_list_is_installed_and_large() -> None:
    words = english_words()
    assert len(words) > 80_000
    assert {"cause", "case", "filed", "count", "admit", "weapons"} <= words
    assert "interoprability" not in words and "smrat" not in words


@pytest.mark.parametrize(
    "question",
    [
        "did it admit the weapons still cause humanitarian harm",  # "cause" is not "case"
        "what was filed about the count of victims",  # not "field", not "court"
        "Which cantons border Chile?",  # a name is never made into "child"
    ],
)
def test_valid_words_are_never_corrected(retriever: Retriever, question: str) -> None:
    assert retriever.corrector.correct(question).corrections == ()
    assert retriever.search(question).corrections == ()


@pytest.mark.parametrize(
    ("written", "meant"),
    [("interoprability", "interoperability"), ("smrat", "smart"), ("goverment", "government")],
)
def test_misspellings_become_the_corpus_word(
    retriever: Retriever, written: str, meant: str
) -> None:
    corrected = retriever.corrector.correct(f"what about {written} here")
    assert [(c.written, c.searched) for c in corrected.corrections] == [(written, meant)]
    assert meant in corrected.text


def test_a_correction_is_shown_only_when_it_changed_the_answer(retriever: Retriever) -> None:
    # The misspelt word is one of many: the same passages come first either way.
    same = retriever.search(
        "Did the militery leadership of Estonia and Latvia say the mines were necessary "
        "before withdrawal from the APMBC?"
    )
    assert retriever.corrector.correct(same.question).corrections  # "militery" was corrected
    assert same.answered and same.corrections == ()
    # Here the misspelt word is the question: correcting it changes what is found.
    changed = retriever.search("what are smrat mines")
    assert [(c.written, c.searched) for c in changed.corrections] == [("smrat", "smart")]


def test_without_an_english_list_only_corpus_and_vocabulary_words_are_valid() -> None:
    analyzer = Analyzer()
    corrector = QuestionCorrector(
        analyzer,
        lambda: ["interoperability", "military"],
        is_known=lambda word: word.lower() in {"interoperability", "military"},
        english=frozenset(),
    )
    assert corrector.is_valid("military") and not corrector.is_valid("interoprability")
    assert corrector.correct("interoprability").text == "interoperability"
