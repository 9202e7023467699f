"""A metadata field answers questions about its document, not content questions that
happen to be worded like one ("how many months ... take effect?" is not "how long does it
take to read?")."""

from __future__ import annotations

import pytest

from corpus import default_corpus_dir, load_corpus
from corpus.models import Corpus
from retrieval.engine import EngineSettings, build_retriever
from retrieval.search import RetrievalConfig, Retriever

# Content questions whose wording is close to a field's description; the seed article
# does not answer them.
CONTENT_QUESTIONS_LIKE_A_FIELD = [
    (
        "How many months after a state notifies does leaving the Convention take effect?",
        "reading_time",
    ),
    ("Who chaired the meeting of states parties to the APMBC?", "authors"),
]
QUESTIONS_ABOUT_THE_DOCUMENT = [
    ("How long is the post?", "reading_time"),
    ("How long does it take to read this post?", "reading_time"),
]


@pytest.fixture(scope="module")
def seeds() -> Corpus:
    return load_corpus(default_corpus_dir())


def _retriever(corpus: Corpus, weight: float) -> Retriever:
    return build_retriever(
        corpus, EngineSettings(), config=RetrievalConfig(unasked_field_weight=weight)
    )


def _best_unit(retriever: Retriever, question: str) -> str:
    assessed = retriever.assess(question)
    assert assessed.ranking is not None, "not a question worded as a metadata one"
    return retriever.units[assessed.ranking.positions[0]].unit_id


@pytest.mark.parametrize(("question", "field"), CONTENT_QUESTIONS_LIKE_A_FIELD)
def test_a_content_question_worded_like_a_field_is_ranked_on_passages(
    seeds: Corpus, question: str, field: str
) -> None:
    # Without the discount, the field's meaning wins: the case this guards against.
    assert _best_unit(_retriever(seeds, 1.0), question).endswith(f":meta:{field}")
    shipped = _retriever(seeds, RetrievalConfig().unasked_field_weight)
    assert ":meta:" not in _best_unit(shipped, question)
    answer = shipped.search(question)
    assert all(hit.kind == "passage" for hit in answer.hits)


@pytest.mark.parametrize(("question", "field"), QUESTIONS_ABOUT_THE_DOCUMENT)
def test_a_question_about_the_document_still_gets_its_field(
    seeds: Corpus, question: str, field: str
) -> None:
    retriever = _retriever(seeds, RetrievalConfig().unasked_field_weight)
    assert _best_unit(retriever, question).endswith(f":meta:{field}")
    answer = retriever.search(question)
    assert answer.answered and answer.hits[0].passage_id.endswith(f":meta:{field}")
