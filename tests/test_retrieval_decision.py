"""The decision to answer: the fitted model, its file, and what it decides on fixtures."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from corpus import default_corpus_dir, load_corpus
from retrieval.calibrate import (
    BUDGETS,
    Sample,
    calibrate,
    fit_logistic,
    fitted,
    outcome,
)
from retrieval.decision import (
    DEFAULT_DECISION_FILE,
    FEATURES,
    DecisionModel,
    DecisionModels,
    Evidence,
    load_decision_models,
    save_decision_models,
)
from retrieval.engine import EngineSettings, build_retriever
from retrieval.evaluation import OFFTOPIC_KIND, EvalItem
from retrieval.search import Retriever


@pytest.fixture(scope="module")
def hybrid() -> Retriever:
    return build_retriever(load_corpus(default_corpus_dir()), EngineSettings())


@pytest.fixture(scope="module")
def lexical() -> Retriever:
    return build_retriever(load_corpus(default_corpus_dir()), EngineSettings(semantic=False))


def evidence(**values: float) -> Evidence:
    defaults = dict.fromkeys(FEATURES, 0.0)
    return Evidence(**{**defaults, **values})


def test_the_shipped_decision_file_names_every_feature() -> None:
    data = json.loads(DEFAULT_DECISION_FILE.read_text("utf-8"))
    for mode in ("hybrid", "lexical"):
        assert set(data[mode]["weights"]) == set(FEATURES)
        assert 0.0 < data[mode]["threshold"] < 1.0
    models = load_decision_models()
    assert models.for_mode(True) is models.hybrid and models.for_mode(False) is models.lexical


def test_more_evidence_means_a_higher_probability() -> None:
    model = load_decision_models().hybrid
    weak = evidence(semantic=0.2, coverage=0.1, centroid=0.05)
    strong = evidence(semantic=0.8, coverage=0.9, centroid=0.5, known=1.0)
    assert model.probability(strong) > model.probability(weak)
    # A name no source mentions, or a missing count, weighs against answering.
    assert model.probability(evidence(semantic=0.6, named_gap=1.0)) < model.probability(
        evidence(semantic=0.6)
    )


def test_a_decision_file_round_trips_and_rejects_unknown_features(tmp_path: Path) -> None:
    model = DecisionModel(tuple(float(i) for i in range(len(FEATURES))), -1.5, 0.25)
    path = tmp_path / "decision.json"
    save_decision_models(DecisionModels(model, model), path, {"note": "test"})
    assert load_decision_models(path).hybrid == model
    good = path.read_text("utf-8")
    for wrong in ("colour", "answer_type"):
        bad = json.loads(good)
        bad["hybrid"]["weights"][wrong] = 1.0
        path.write_text(json.dumps(bad), "utf-8")
        with pytest.raises(ValueError, match="decision weights"):
            load_decision_models(path)
    missing = json.loads(good)
    del missing["lexical"]["weights"]["known"]
    path.write_text(json.dumps(missing), "utf-8")
    with pytest.raises(ValueError, match="decision weights"):
        load_decision_models(path)


def test_the_fit_separates_separable_evidence() -> None:
    rng = np.random.default_rng(7)
    x = np.vstack([rng.normal(0.2, 0.05, (40, 2)), rng.normal(0.7, 0.05, (40, 2))])
    y = np.array([0.0] * 40 + [1.0] * 40)
    weights, bias = fit_logistic(x, y)
    p = 1 / (1 + np.exp(-(x @ weights + bias)))
    assert (p[y == 1] > 0.5).all() and (p[y == 0] < 0.5).all()


@pytest.mark.parametrize(
    "question",
    [
        "Wasn't the landmine ban just something idealists agreed to when the world was calm?",
        "why do ppl say a mine cant tell a soldier from a kid",
        "Are MPs in Denmark also pushing to leave the treaty?",
    ],
)
def test_answerable_paraphrases_are_answered(hybrid: Retriever, question: str) -> None:
    answer = hybrid.search(question)
    assert answer.answered, answer.why
    assert answer.hits


@pytest.mark.parametrize(
    "question",
    [
        "How do I reverse a list in Python?",
        "What's a good recipe for a sourdough starter?",
        "Best way to treat a wounded dog?",
    ],
)
def test_off_topic_questions_get_no_quote(hybrid: Retriever, question: str) -> None:
    answer = hybrid.search(question)
    assert not answer.answered
    assert answer.hits == () and answer.reason == "not_covered"
    assert answer.why and answer.why.startswith("p=")


def test_lexical_mode_decides_with_its_own_model(lexical: Retriever, hybrid: Retriever) -> None:
    assert lexical.semantic is None and hybrid.semantic is not None
    assert lexical.decision == load_decision_models().lexical
    assessed = lexical.assess("What did military leadership in Estonia and Latvia say?")
    assert assessed.evidence is not None and assessed.evidence.semantic == 0.0
    assert lexical.search("What did military leadership in Estonia and Latvia say?").answered


def _sample(
    index: int, evidence_value: float, *, answerable: bool, kind: str = "paraphrase"
) -> Sample:
    item = EvalItem(id=f"q{index}", question="q", gold=["g"] if answerable else [], kind=kind)
    features = [evidence_value] * len(FEATURES)
    return Sample(item, "file.json", features)


def _samples(seed: int, answerable: int, unanswerable: int) -> list[Sample]:
    """Answerable questions with stronger evidence than unanswerable ones, overlapping."""
    rng = np.random.default_rng(seed)
    return [
        _sample(i, float(v), answerable=True)
        for i, v in enumerate(rng.normal(0.6, 0.15, answerable))
    ] + [
        _sample(answerable + i, float(v), answerable=False, kind=OFFTOPIC_KIND)
        for i, v in enumerate(rng.normal(0.3, 0.15, unanswerable))
    ]


def test_the_threshold_refuses_at_most_the_budget_of_answerable_training_questions() -> None:
    train = _samples(1, 400, 200)
    model = fitted(train, ridge=1.0, budget=0.005)
    refused, offtopic, _ = outcome(model, train)
    assert refused <= 0.005 * 400
    # The budget is spent: the threshold is not pushed below every answerable question.
    assert refused >= 1
    assert offtopic > 50  # the weakest third of the unanswerable evidence gets no quote


def test_one_outlier_does_not_set_the_threshold() -> None:
    """An answerable question with no evidence at all (its best hit is the wrong passage)
    must not drag the threshold to zero and with it every abstention."""
    train = _samples(2, 400, 200)
    with_outlier = [*train, _sample(999, -1.0, answerable=True)]
    with_it, without = (fitted(s, ridge=1.0, budget=0.005) for s in (with_outlier, train))
    assert with_it.threshold > 0.5 * without.threshold


def test_a_question_sharing_no_word_with_the_sources_is_never_answered(hybrid: Retriever) -> None:
    model = load_decision_models().hybrid
    strong = evidence(semantic=0.9, semantic_passage=0.9, centroid=0.5)
    assert model.answers(dataclasses.replace(strong, known=0.5))
    assert not model.answers(dataclasses.replace(strong, known=0.0))
    for gibberish in ("xxxx", "zzzz zzzz", "asdfgh qwerty"):
        result = hybrid.search(gibberish)
        assert not result.answered and result.hits == (), gibberish


def test_the_budget_is_chosen_on_dev_by_refusals_first() -> None:
    train, dev = _samples(3, 300, 150), _samples(4, 100, 50)
    model, budget = calibrate(train, dev)
    assert budget in BUDGETS
    refused = [outcome(fitted(train, 1.0, b), dev)[0] for b in BUDGETS]
    assert outcome(model, dev)[0] == min(refused)
