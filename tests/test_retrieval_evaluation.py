"""Retrieval metrics: hit@1, hit@3, MRR and abstention precision/recall, computed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus import load_corpus
from retrieval.engine import EngineSettings, build_retriever
from retrieval.evaluation import EvalItem, evaluate, format_report, gold_rank, load_items
from retrieval.models import Answer, Hit

REPO = Path(__file__).resolve().parent.parent
PUBLIC_QA = REPO / "eval" / "public_qa.json"


def hit(text: str, number: int = 0) -> Hit:
    return Hit(
        doc_id="d",
        title="D",
        section=None,
        passage_id=f"d:{number}",
        score=1.0,
        quote=text,
        text=text,
        quote_start=0,
    )


def answered(question: str, *texts: str) -> Answer:
    hits = tuple(hit(text, i) for i, text in enumerate(texts))
    return Answer(question=question, answered=True, hits=hits, coverage=1.0)


def abstained(question: str) -> Answer:
    return Answer(question=question, answered=False, reason="not_covered")


class ScriptedRetriever:
    """Answers each question as scripted, keeping at most `k` hits like the real one."""

    def __init__(self, answers: dict[str, Answer]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, int]] = []

    def search(self, question: str, k: int = 3, offset: int = 0) -> Answer:
        self.asked.append((question, k))
        answer = self.answers[question]
        return answer.model_copy(update={"hits": answer.hits[offset : offset + k]})


def test_metrics_on_a_hand_computed_example() -> None:
    answers = {
        "first": answered("first", "Alpha is here.", "noise"),  # rank 1
        "third": answered("third", "noise", "more noise", "the GAMMA\n  ray"),  # rank 3
        "second": answered("second", "noise", "Beta sits second."),  # rank 2
        "missed": answered("missed", "noise", "nothing"),  # no gold string: no rank
        "fourth": answered("fourth", "a", "b", "c", "delta"),  # rank 4, cut off at k=3
        "silent": abstained("silent"),  # answerable, but abstained
        "right-abstention": abstained("right-abstention"),
        "wrong-answer": answered("wrong-answer", "anything"),  # unanswerable, answered
    }
    items = [
        EvalItem(id="1", question="first", gold=["alpha"], kind="lexical"),
        EvalItem(id="2", question="third", gold=["gamma ray", "not there"], kind="lexical"),
        EvalItem(id="3", question="second", gold=["beta"], kind="paraphrase"),
        EvalItem(id="4", question="missed", gold=["epsilon"], kind="paraphrase"),
        EvalItem(id="5", question="fourth", gold=["delta"], kind="paraphrase"),
        EvalItem(id="6", question="silent", gold=["alpha"], kind="lexical"),
        EvalItem(id="7", question="right-abstention", gold=[], kind="offtopic"),
        EvalItem(id="8", question="wrong-answer", gold=[], kind="offtopic"),
    ]
    retriever = ScriptedRetriever(answers)
    report = evaluate(retriever, items)  # type: ignore[arg-type]

    assert {k for _, k in retriever.asked} == {3}
    assert [r.rank for r in report.results] == [1, 3, 2, None, None, None, None, None]
    assert [r.answered for r in report.results] == [True] * 5 + [False, False, True]

    a = report.answerable
    assert a.count == 6
    assert a.hit_at_1 == pytest.approx(1 / 6)
    assert a.hit_at_3 == pytest.approx(3 / 6)
    assert a.mrr == pytest.approx((1 + 1 / 3 + 1 / 2) / 6)

    lexical, paraphrase = report.by_kind["lexical"], report.by_kind["paraphrase"]
    assert (lexical.count, paraphrase.count) == (3, 3)
    assert lexical.hit_at_1 == pytest.approx(1 / 3)
    assert lexical.mrr == pytest.approx((1 + 1 / 3) / 3)
    assert paraphrase.hit_at_3 == pytest.approx(1 / 3)
    assert "offtopic" not in report.by_kind

    assert report.unanswerable_count == 2
    # Abstained: "silent" (wrongly) and "right-abstention" (rightly).
    assert report.abstention_precision == pytest.approx(1 / 2)
    # Unanswerable: "right-abstention" (abstained) and "wrong-answer" (answered).
    assert report.abstention_recall == pytest.approx(1 / 2)
    assert report.abstained_by_kind == {"lexical": (1, 3), "paraphrase": (0, 3), "offtopic": (1, 2)}

    text = format_report(report, verbose=True)
    assert "hit@1 0.167" in text
    assert "wrong-answer" in text and "missed" in text
    assert ": first" not in text  # a rank-1 item is not a miss


def test_a_larger_k_reaches_deeper_hits() -> None:
    retriever = ScriptedRetriever({"q": answered("q", "a", "b", "c", "delta")})
    items = [EvalItem(id="1", question="q", gold=["delta"])]
    assert evaluate(retriever, items).answerable.mrr == 0.0  # type: ignore[arg-type]
    report = evaluate(retriever, items, k=5)  # type: ignore[arg-type]
    assert report.results[0].rank == 4
    assert report.answerable.mrr == pytest.approx(1 / 4)
    assert report.answerable.hit_at_3 == 0.0


def test_perfect_abstention_and_no_abstention() -> None:
    retriever = ScriptedRetriever({"a": answered("a", "alpha"), "b": abstained("b")})
    report = evaluate(
        retriever,  # type: ignore[arg-type]
        [EvalItem(id="1", question="a", gold=["alpha"]), EvalItem(id="2", question="b", gold=[])],
    )
    assert report.answerable.hit_at_1 == 1.0
    assert (report.abstention_precision, report.abstention_recall) == (1.0, 1.0)

    everything_answered = evaluate(
        ScriptedRetriever({"a": answered("a", "x")}),  # type: ignore[arg-type]
        [EvalItem(id="1", question="a", gold=[])],
    )
    assert everything_answered.abstention_recall == 0.0


@pytest.mark.parametrize(
    "gold",
    [
        "The APMBC was adopted",
        "the apmbc WAS adopted",
        "the   APMBC\nwas\tadopted",
        "  The APMBC was adopted  ",
    ],
)
def test_gold_matching_ignores_case_and_white_space(gold: str) -> None:
    answer = answered("q", "Nothing here.", "In short:  The APMBC\n was adopted in 1997.")
    assert gold_rank(answer, [gold]) == 2


def test_gold_rank_is_the_first_hit_holding_any_gold_string() -> None:
    answer = answered("q", "one two", "three four", "two three")
    assert gold_rank(answer, ["three", "one"]) == 1
    assert gold_rank(answer, ["four"]) == 2
    assert gold_rank(answer, ["five"]) is None
    assert gold_rank(abstained("q"), ["one"]) is None


def test_gold_must_be_contiguous_text() -> None:
    answer = answered("q", "The APMBC was adopted in 1997.")
    assert gold_rank(answer, ["APMBC adopted"]) is None


def test_load_items_reads_a_question_file(tmp_path: Path) -> None:
    path = tmp_path / "qa.json"
    path.write_text(
        json.dumps(
            [
                {"id": "a", "question": "What?", "gold": ["x"], "kind": "lexical"},
                {"id": "b", "question": "Why?", "gold": []},
            ]
        ),
        encoding="utf-8",
    )
    items = load_items(path)
    assert [(i.id, i.gold, i.kind) for i in items] == [
        ("a", ["x"], "lexical"),
        ("b", [], "unknown"),
    ]


def test_evaluate_with_a_real_retriever_on_files(tmp_path: Path) -> None:
    (tmp_path / "winter.txt").write_text(
        "Winter clearance\n\n"
        "Snow and ice cover the ground for months in the north, hiding devices from deminers.\n",
        encoding="utf-8",
    )
    (tmp_path / "treaty.txt").write_text(
        "The treaty\n\n"
        "The APMBC was adopted in 1997 and prohibits the use of anti-personnel mines.\n",
        encoding="utf-8",
    )
    corpus = load_corpus(tmp_path)
    assert corpus.problems == ()
    retriever = build_retriever(corpus, EngineSettings())
    items = [
        EvalItem(id="1", question="What hides devices from deminers?", gold=["snow and ice"]),
        EvalItem(id="2", question="When was the Ottawa treaty adopted?", gold=["adopted in 1997"]),
        EvalItem(id="3", question="how do I bake sourdough bread", gold=[]),
    ]
    report = evaluate(retriever, items)
    assert report.answerable.hit_at_1 == 1.0
    assert report.answerable.mrr == 1.0
    assert (report.abstention_precision, report.abstention_recall) == (1.0, 1.0)
