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
    Budgets,
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
    Logistic,
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
        for stage in ("answer", "topic"):
            assert set(data[mode][stage]["weights"]) == set(FEATURES)
            assert 0.0 <= data[mode][stage]["threshold"] < 1.0
    models = load_decision_models()
    assert models.for_mode(True) is models.hybrid and models.for_mode(False) is models.lexical


def test_more_evidence_means_a_higher_probability() -> None:
    model = load_decision_models().hybrid
    weak = evidence(semantic=0.2, coverage=0.1, centroid=0.05)
    strong = evidence(semantic=0.8, coverage=0.9, centroid=0.5, known=1.0)
    for stage in (model.answer, model.topic):
        assert stage.probability(strong) > stage.probability(weak)
    # A name no source mentions, or a missing count, weighs against an answer.
    assert model.answer.probability(evidence(semantic=0.6, named_gap=1.0)) < (
        model.answer.probability(evidence(semantic=0.6))
    )
    # Likeness to everyday questions on other subjects weighs against the topic.
    assert model.topic.probability(evidence(semantic=0.6, background=0.8)) < (
        model.topic.probability(evidence(semantic=0.6, background=0.2))
    )


def _logistic(first_weight: float, threshold: float) -> Logistic:
    return Logistic((first_weight,) + (0.0,) * (len(FEATURES) - 1), 0.0, threshold)


def test_a_question_is_answered_only_when_it_passes_both_models() -> None:
    """The first feature is `semantic`: p = sigmoid(weight x semantic)."""
    on, off = _logistic(10.0, 0.5), _logistic(-10.0, 0.5)
    strong = evidence(semantic=0.5, known=1.0)
    assert DecisionModel(answer=on, topic=on).answers(strong)
    assert not DecisionModel(answer=on, topic=off).answers(strong)
    assert not DecisionModel(answer=off, topic=on).answers(strong)
    assert "p(on topic)=0.99/0.50" in DecisionModel(answer=on, topic=on).explain(strong)


def test_a_decision_file_round_trips_and_rejects_unknown_features(tmp_path: Path) -> None:
    answer = Logistic(tuple(float(i) for i in range(len(FEATURES))), -1.5, 0.25)
    model = DecisionModel(answer=answer, topic=Logistic(answer.weights[::-1], 0.5, 0.1))
    path = tmp_path / "decision.json"
    save_decision_models(DecisionModels(model, model), path, {"note": "test"})
    assert load_decision_models(path).hybrid == model
    good = path.read_text("utf-8")
    for stage in ("answer", "topic"):
        for wrong in ("colour", "answer_type"):
            bad = json.loads(good)
            bad["hybrid"][stage]["weights"][wrong] = 1.0
            path.write_text(json.dumps(bad), "utf-8")
            with pytest.raises(ValueError, match="decision weights"):
                load_decision_models(path)
    missing = json.loads(good)
    del missing["lexical"]["topic"]["weights"]["known"]
    path.write_text(json.dumps(missing), "utf-8")
    with pytest.raises(ValueError, match="decision weights"):
        load_decision_models(path)
    # A file of the single-model format, from before the topic gate, is refused clearly.
    single = json.loads(good)
    single["hybrid"] = single["hybrid"]["answer"]
    path.write_text(json.dumps(single), "utf-8")
    with pytest.raises(ValueError, match="'answer' and a 'topic'"):
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
    assert answer.why and answer.why.startswith("p(on topic)=")


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
    """Answerable questions with stronger evidence than unanswerable ones, overlapping;
    the unanswerable ones half in-domain, half off-topic (the weakest)."""
    rng = np.random.default_rng(seed)
    values = {
        "paraphrase": rng.normal(0.6, 0.15, answerable),
        "unanswerable_indomain": rng.normal(0.4, 0.15, unanswerable // 2),
        OFFTOPIC_KIND: rng.normal(0.25, 0.15, unanswerable - unanswerable // 2),
    }
    samples: list[Sample] = []
    for kind, drawn in values.items():
        for v in drawn:
            samples.append(
                _sample(len(samples), float(v), answerable=kind == "paraphrase", kind=kind)
            )
    return samples


def test_the_thresholds_refuse_at_most_the_budget_of_answerable_training_questions() -> None:
    train = _samples(1, 400, 200)
    model = fitted(train, ridge=1.0, budgets=Budgets(topic=0.005, answer=0.005))
    refused, offtopic, indomain = outcome(model, train)
    # Both models rank by the same evidence here, so the two budgets refuse the same ones.
    assert refused <= 0.005 * 400
    # The budget is spent: the thresholds are not pushed below every answerable question.
    assert refused >= 1
    assert offtopic > 25 and indomain > 5  # the weakest evidence of each kind gets no quote


def test_one_outlier_does_not_set_the_threshold() -> None:
    """An answerable question with no evidence at all (its best hit is the wrong passage)
    must not drag the thresholds to zero and with them every abstention."""
    train = _samples(2, 400, 200)
    with_outlier = [*train, _sample(999, -1.0, answerable=True)]
    budgets = Budgets(topic=0.005, answer=0.005)
    with_it, without = (fitted(s, ridge=1.0, budgets=budgets) for s in (with_outlier, train))
    assert with_it.answer.threshold > 0.5 * without.answer.threshold
    assert with_it.topic.threshold > 0.5 * without.topic.threshold


def test_a_question_sharing_no_word_with_the_sources_is_never_answered(hybrid: Retriever) -> None:
    model = load_decision_models().hybrid
    strong = evidence(semantic=0.9, semantic_passage=0.9, centroid=0.5)
    assert model.answers(dataclasses.replace(strong, known=0.5))
    assert not model.answers(dataclasses.replace(strong, known=0.0))
    for gibberish in ("xxxx", "zzzz zzzz", "asdfgh qwerty"):
        result = hybrid.search(gibberish)
        assert not result.answered and result.hits == (), gibberish


def _outcomes(train: list[Sample], dev: list[Sample]) -> list[tuple[int, int, int]]:
    pairs = [Budgets(topic=t, answer=a) for t in BUDGETS for a in BUDGETS]
    return [outcome(fitted(train, 1.0, budgets), dev) for budgets in pairs]


def test_the_budgets_are_chosen_on_dev_by_refusals_first() -> None:
    # 100 answerable dev questions: 0.5% of them is under one.
    train, dev = _samples(3, 300, 150), _samples(4, 100, 50)
    model, budgets = calibrate(train, dev)
    assert budgets.topic in BUDGETS and budgets.answer in BUDGETS
    assert outcome(model, dev)[0] == min(refused for refused, _, _ in _outcomes(train, dev))


def test_among_the_fewest_refusals_the_most_off_topic_abstention_is_taken() -> None:
    train, dev = _samples(7, 300, 150), _samples(107, 600, 300)
    outcomes = _outcomes(train, dev)
    fewest = min(refused for refused, _, _ in outcomes)
    model, _ = calibrate(train, dev)
    refused, offtopic, _ = outcome(model, dev)
    assert refused == fewest
    assert offtopic == max(off for r, off, _ in outcomes if r == fewest)
    # Not idle: a candidate refusing more would have abstained on more off-topic questions.
    assert any(r > refused and off > offtopic for r, off, _ in outcomes)
