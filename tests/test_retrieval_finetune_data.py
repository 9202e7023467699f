"""What the fine-tuning learns from, and the folds the decision is cross-fitted on.

The fine-tuning itself needs torch and is not run here; what it is fed is the part that
must never go wrong: only training questions, each paired with the sentence that answers
it, and folds that split the questions the same way in both scripts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from retrieval.calibrate import TRAIN_FILES, fold_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import finetune_model

ARTICLE = """# Clearance

Landmine clearance takes many years after a conflict ends. Fields stay unusable and families
cannot return home.

Stockpiles must be destroyed within four years of joining the treaty.
"""


def _suite(tmp_path: Path, train: list[dict[str, object]], dev: list[dict[str, object]]) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "clearance.md").write_text(ARTICLE, encoding="utf-8")
    train_name, dev_name = TRAIN_FILES[0], "dev_qa.json"
    (tmp_path / train_name).write_text(json.dumps(train), encoding="utf-8")
    (tmp_path / dev_name).write_text(json.dumps(dev), encoding="utf-8")
    suites = tmp_path / "suites.toml"
    suites.write_text(
        f'[[suite]]\nfile = "{train_name}"\ncorpus = ["corpus"]\n\n'
        f'[[suite]]\nfile = "{dev_name}"\ncorpus = ["corpus"]\n',
        encoding="utf-8",
    )
    return suites


def _item(
    number: int, question: str, gold: list[str], kind: str = "paraphrase"
) -> dict[str, object]:
    return {"id": f"q{number}", "question": question, "gold": gold, "kind": kind}


def test_pairs_come_from_training_files_only_and_hold_the_gold(tmp_path: Path) -> None:
    suites = _suite(
        tmp_path,
        train=[
            _item(1, "how long until people can go home?", ["many years after a conflict"]),
            _item(2, "when must stockpiles go?", ["within four years"]),
            _item(3, "is Mars red?", []),  # unanswerable: nothing to learn from
            _item(4, "who wrote it?", ["Clearance"], kind="metadata"),
        ],
        dev=[_item(5, "a dev question about stockpiles", ["within four years"])],
    )
    pairs = finetune_model.training_pairs(suites)
    questions = [q for q, _ in pairs]
    assert questions == ["how long until people can go home?", "when must stockpiles go?"]
    assert pairs[0][1].startswith("Landmine clearance takes many years")
    assert "Fields stay unusable" not in pairs[0][1], "the sentence, not the passage"
    assert pairs[1][1] == "Stockpiles must be destroyed within four years of joining the treaty."


def test_folds_split_the_questions_in_two_disjoint_halves(tmp_path: Path) -> None:
    items = [_item(n, f"question {n} about clearance", ["many years after"]) for n in range(40)]
    suites = _suite(tmp_path, train=items, dev=[])
    everything = {q for q, _ in finetune_model.training_pairs(suites)}
    kept = [{q for q, _ in finetune_model.training_pairs(suites, (k, 2))} for k in (0, 1)]
    assert kept[0] and kept[1]
    assert kept[0].isdisjoint(kept[1])
    assert kept[0] | kept[1] == everything
    # Model K was trained without fold K: calibrate asks it about exactly those questions.
    for k in (0, 1):
        left_out = everything - kept[k]
        ids = {f"q{n}" for n in range(40) if f"question {n} about clearance" in left_out}
        assert all(fold_of(TRAIN_FILES[0], i, 2) == k for i in ids)


@pytest.mark.parametrize("folds", [2, 3, 5])
def test_fold_of_is_stable_and_in_range(folds: int) -> None:
    seen = [fold_of("train_qa.json", f"a{n:03d}", folds) for n in range(200)]
    assert seen == [fold_of("train_qa.json", f"a{n:03d}", folds) for n in range(200)]
    assert set(seen) == set(range(folds))
    assert fold_of("train_qa.json", "a001", folds) == fold_of("train_qa.json", "a001", folds)


def test_answerability_negatives_are_in_domain_training_questions_outside_the_fold(
    tmp_path: Path,
) -> None:
    train = [
        _item(1, "how long until people can go home?", ["many years after a conflict"]),
        *(_item(n, f"who paid for clearance number {n}?", []) for n in range(2, 30)),
        _item(30, "best pizza in town?", [], kind="unanswerable_offtopic"),
    ]
    suites = _suite(tmp_path, train=train, dev=[_item(40, "a dev question?", [])])
    everything = finetune_model.unanswerable_questions(suites)
    assert everything == [f"who paid for clearance number {n}?" for n in range(2, 30)]
    kept = [set(finetune_model.unanswerable_questions(suites, (k, 2))) for k in (0, 1)]
    assert kept[0] and kept[1] and kept[0].isdisjoint(kept[1])
    assert kept[0] | kept[1] == set(everything)
