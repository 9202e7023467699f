"""Fit the decision to answer on training questions; choose its settings on dev questions.

    python -m retrieval.calibrate            # uses eval/suites.toml's train and dev files

For every question the retriever ranks passages as usual; the evidence for its best hit
(`retrieval.decision.Evidence`) is paired with what kind of question it is. Two logistic
regressions (Newton's method, a small ridge penalty, standardised features) are fitted on
the training files: the topic gate, on-topic questions (answerable or not) against
off-topic ones, on all of them; the answer model, answerable against in-domain unanswerable
questions, on the on-topic ones. (Pairing the evidence instead with whether the best hit's
passage holds the answer did as well on dev, but refused vague questions on the subject,
"what do the sources say about mines?", which no file has and a reader must get passages
for.)

Each model's threshold is where at most a budget (0.25%, 0.5%, 1% or 2%) of the answerable
training questions fall below it: the share of people who would be told "not covered"
although a source answers them, stated and measured instead of pretended zero. An earlier
rule, "below the least probable answerable question of train and dev", was set by one
question: with each new file a new outlier (a question whose best hit is the wrong
passage) pulled it towards zero, and with it the abstention on off-topic questions (8 of
81 abstained after the third training round), while unseen questions were still refused
(6 of 220 on the held-out files of that rule). The pair of budgets is chosen on the dev
files, in the order of what matters to a reader: fewest answerable dev questions told
"not covered", then most off-topic questions without a quote, then most in-domain ones.
(For a day, dev refusals within 0.5% of the answerable dev questions counted as none,
to buy off-topic abstention. A decision chosen that way on a model fine-tuned with hard
negatives refused 2 of 88 answerable questions of the sixteenth held-out round, where the
strict rule's refused 1; with the shipped model both rules take the same budgets.
docs/retrieval-measurements.md.) The budgets and the dev figures
are written beside the models.

Questions answered from metadata are not decided by the model and are left out. Both the
hybrid and the lexical-only model are fitted; the result is written to
`retrieval/decision.json` with the figures it was chosen on.

The shipped embedding model is fine-tuned on the training questions
(`scripts/finetune_model.py`), so its similarities on them are higher than on a question
it never saw: a decision fitted on those would trust similarity too much and refuse
unseen questions. `--fold-models A B` (models each fine-tuned without one fold of the
training questions, `finetune_model.py --fold K/2`) gives every training question the
evidence of the model that did not learn it: cross-fitting. Dev questions are seen by no
model and use the shipped one.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpus import load_corpora
from retrieval.decision import (
    DEFAULT_DECISION_FILE,
    FEATURES,
    DecisionModel,
    DecisionModels,
    Evidence,
    Logistic,
    save_decision_models,
)
from retrieval.engine import EngineSettings, build_retriever
from retrieval.evaluation import OFFTOPIC_KIND, EvalItem, load_items, load_suites

# Held-out files already run once: they no longer measure unseen questions, and their 2,566
# blind questions (1,679 answerable) teach the embedding model more than the 899 of the
# training files alone. The decision is still fitted on the training files only: fitted on
# both, it abstained on 31 of 169 unanswerable in-domain dev questions instead of 34 (hybrid)
# and refused 20 of 94 off-topic ones instead of 22 (lexical), with no answerable one refused
# either way.
SPENT_HELDOUT_FILES = (
    "heldout_qa.json",
    "heldout2_qa.json",
    "heldout3_qa.json",
    "heldout4_qa.json",
    "heldout5_qa.json",
    "heldout6_qa.json",
    "heldout7_qa.json",
    "heldout8_qa.json",
    "heldout9_qa.json",
    "heldout10_qa.json",
    "heldout11_qa.json",
    "heldout12_qa.json",
    "heldout13_qa.json",
    "heldout14_qa.json",
    "heldout15_qa.json",
    "heldout16_qa.json",
    "keywords_heldout_qa.json",
    "multi_heldout_qa.json",
    "multi_heldout2_qa.json",
    "multi_heldout3_qa.json",
    "multi_heldout4_qa.json",
    "multi_heldout5_qa.json",
    "multi_heldout6_qa.json",
    "multi_heldout7_qa.json",
    "multi_heldout8_qa.json",
    "multi_heldout9_qa.json",
    "multi_heldout10_qa.json",
    "multi_heldout11_qa.json",
    "multi_heldout12_qa.json",
    "multi_heldout13_qa.json",
    "multi_heldout14_qa.json",
    "multi_heldout15_qa.json",
    "multi_heldout16_qa.json",
    "multi_heldout17_qa.json",
    "multi_heldout18_qa.json",
)
# Run once after the shipped model was trained on the list above: heldout17, heldout18,
# multi_heldout19, multi_heldout20 (4 December), heldout19 and multi_heldout21 (6 December)
# are spent too. Trained on (2,682 pairs against 2,407) on 7 December, they changed no figure
# of the 304 answerable questions no choice used (hit@1 276, hit@3 292, quote hit@1 273
# either way), so the model was not replaced: docs/retrieval-measurements.md.
DECISION_TRAIN_FILES = (
    "train_qa.json",
    "train2_qa.json",
    "multi_train_qa.json",
    "related_train_qa.json",
    "related_train2_qa.json",
    "train3_qa.json",
    "keywords_train_qa.json",
    "train4_qa.json",
    "legacy_dev_qa.json",
    "public_qa.json",
)
TRAIN_FILES = (*DECISION_TRAIN_FILES, *SPENT_HELDOUT_FILES)
DEV_FILES = (
    "dev_qa.json",
    "multi_dev_qa.json",
    "related_dev_qa.json",
    "dev3_qa.json",
    "keywords_dev_qa.json",
    "dev4_qa.json",
    "dev5_qa.json",
    "dev6_qa.json",
    "dev7_qa.json",
)
RIDGE = 1.0
# Shares of answerable training questions a threshold may refuse.
BUDGETS = (0.0025, 0.005, 0.01, 0.02)


@dataclass(frozen=True)
class Sample:
    item: EvalItem
    file: str
    features: list[float]

    @property
    def answerable(self) -> bool:
        return bool(self.item.gold)

    @property
    def offtopic(self) -> bool:
        return not self.answerable and self.item.kind == OFFTOPIC_KIND


def fold_of(file_name: str, item_id: str, folds: int) -> int:
    """A training question's fold: fixed by its file and id, shared with the fine-tuning."""
    digest = hashlib.blake2b(f"{file_name}/{item_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % folds


def collect(
    suite_files: Sequence[str],
    suites_path: Path,
    semantic: bool,
    fold_models: Sequence[Path] = (),
) -> list[Sample]:
    """Evidence for each question; with `fold_models`, from the model of its fold."""
    samples: list[Sample] = []
    settings = [EngineSettings(semantic=semantic, model_dir=m, threads=2) for m in fold_models]
    for suite in load_suites(suites_path):
        if suite.file.name not in suite_files:
            continue
        corpus = load_corpora(suite.corpus)
        retrievers = [
            build_retriever(corpus, s) for s in settings or [EngineSettings(semantic, threads=2)]
        ]
        for item in load_items(suite.file):
            fold = fold_of(suite.file.name, item.id, len(retrievers))
            assessed = retrievers[fold].assess(item.question)
            if assessed.evidence is None:
                continue
            samples.append(Sample(item, suite.file.name, assessed.evidence.vector()))
    return samples


def fit_logistic(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], ridge: float = RIDGE
) -> tuple[npt.NDArray[np.float64], float]:
    """Weights and bias in the features' own units (standardised inside, for the fit)."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.eye(z.shape[1]) * ridge
    penalty[-1, -1] = 0.0  # the bias is not penalised
    for _ in range(100):
        p = 1 / (1 + np.exp(-z @ w))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = w[:-1] / std
    bias = float(w[-1] - (w[:-1] * mean / std).sum())
    return weights, bias


def probabilities(model: Logistic, samples: list[Sample]) -> list[float]:
    x = np.array([s.features for s in samples])
    z = model.bias + x @ np.array(model.weights)
    return [float(v) for v in 1 / (1 + np.exp(-z))]


def outcome(model: DecisionModel, samples: list[Sample]) -> tuple[int, int, int]:
    """(answerable refused, off-topic abstained, in-domain abstained)."""
    refused = offtopic = indomain = 0
    for sample in samples:
        if model.answers(Evidence(*sample.features)):
            continue
        if sample.answerable:
            refused += 1
        elif sample.offtopic:
            offtopic += 1
        else:
            indomain += 1
    return refused, offtopic, indomain


def summary(model: DecisionModel, samples: list[Sample]) -> dict[str, str]:
    refused, offtopic, indomain = outcome(model, samples)
    answerable = sum(s.answerable for s in samples)
    offtopic_total = sum(s.offtopic for s in samples)
    return {
        "answerable refused": f"{refused}/{answerable}",
        "off-topic abstained": f"{offtopic}/{offtopic_total}",
        "in-domain abstained": f"{indomain}/{len(samples) - answerable - offtopic_total}",
    }


@dataclass(frozen=True)
class Budgets:
    """The share of answerable training questions each model's threshold may refuse."""

    topic: float
    answer: float


def fitted(train: list[Sample], ridge: float, budgets: Budgets) -> DecisionModel:
    """Both models fitted on `train`, each threshold refusing its budget of the answerable
    training questions (the least probable ones)."""
    return _decision(_unthresholded(train, ridge), train, budgets)


def _decision(
    unthresholded: tuple[Logistic, Logistic], train: list[Sample], budgets: Budgets
) -> DecisionModel:
    topic, answer = unthresholded
    return DecisionModel(
        answer=_thresholded(answer, train, budgets.answer),
        topic=_thresholded(topic, train, budgets.topic),
    )


def _unthresholded(train: list[Sample], ridge: float) -> tuple[Logistic, Logistic]:
    """The topic gate (on topic against off-topic, all questions) and the answer model
    (answerable against in-domain unanswerable, the on-topic questions)."""
    on_topic = [s for s in train if not s.offtopic]
    return (
        _fit(train, [not s.offtopic for s in train], ridge),
        _fit(on_topic, [s.answerable for s in on_topic], ridge),
    )


def _fit(samples: list[Sample], labels: list[bool], ridge: float) -> Logistic:
    x = np.array([s.features for s in samples])
    weights, bias = fit_logistic(x, np.array(labels, dtype=float), ridge)
    return Logistic(tuple(float(w) for w in weights), bias, 0.0)


def _thresholded(model: Logistic, train: list[Sample], budget: float) -> Logistic:
    p_answerable = sorted(
        q for q, s in zip(probabilities(model, train), train, strict=True) if s.answerable
    )
    threshold = p_answerable[int(budget * len(p_answerable))]
    # Rounded down: rounded to nearest, it could rise above the question it is set at and
    # refuse one more than the budget.
    return Logistic(model.weights, model.bias, math.floor(threshold * 1e6) / 1e6)


def calibrate(train: list[Sample], dev: list[Sample]) -> tuple[DecisionModel, Budgets]:
    """The models and the pair of budgets of `BUDGETS` that do best on dev: fewest
    answerable questions refused, then most off-topic abstained, then most in-domain
    abstained. (One fit of each model; the budgets differ only in the thresholds.)"""

    def order(candidate: tuple[DecisionModel, Budgets]) -> tuple[int, int, int]:
        refused, offtopic, indomain = outcome(candidate[0], dev)
        return refused, -offtopic, -indomain

    unthresholded = _unthresholded(train, RIDGE)
    pairs = (Budgets(topic=t, answer=a) for t, a in itertools.product(BUDGETS, BUDGETS))
    candidates = ((_decision(unthresholded, train, budgets), budgets) for budgets in pairs)
    return min(candidates, key=order)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", type=Path, default=Path("eval/suites.toml"))
    parser.add_argument("--out", type=Path, default=DEFAULT_DECISION_FILE)
    parser.add_argument(
        "--fold-models",
        type=Path,
        nargs="*",
        default=[],
        help="model K fine-tuned without fold K of the training questions (cross-fitting)",
    )
    args = parser.parse_args(argv)
    models: dict[str, DecisionModel] = {}
    notes: dict[str, object] = {
        "fitted_on": list(DECISION_TRAIN_FILES),
        "threshold_chosen_on": list(DEV_FILES),
        "cross_fitted_folds": len(args.fold_models),
    }
    for mode, semantic in (("hybrid", True), ("lexical", False)):
        train = collect(
            DECISION_TRAIN_FILES, args.suites, semantic, args.fold_models if semantic else ()
        )
        dev = collect(DEV_FILES, args.suites, semantic)
        model, budgets = calibrate(train, dev)
        models[mode] = model
        notes[f"{mode}_refusal_budgets"] = {"topic": budgets.topic, "answer": budgets.answer}
        notes[f"{mode}_train"] = summary(model, train)
        notes[f"{mode}_dev"] = summary(model, dev)
        print(mode, json.dumps(model.to_json()), "train", notes[f"{mode}_train"])
        print(mode, "dev", notes[f"{mode}_dev"])
    save_decision_models(DecisionModels(models["hybrid"], models["lexical"]), args.out, notes)
    print(f"wrote {args.out} ({', '.join(FEATURES)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
