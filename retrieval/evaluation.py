"""Measuring retrieval on a question file: hit@1, hit@3, MRR, and abstention.

The file is a JSON list of {"id", "question", "gold": [strings], "kind"}; an item with no
gold strings must get no answer. A hit counts when one gold string occurs in the hit's
passage text, compared without regard to case or white space.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, TypeAdapter

from retrieval.models import Answer
from retrieval.search import Retriever


class EvalItem(BaseModel):
    id: str
    question: str
    gold: list[str]
    kind: str = "unknown"


class ItemResult(BaseModel):
    item: EvalItem
    answered: bool
    rank: int | None  # 1-based rank of the first hit holding a gold string


class Scores(BaseModel):
    count: int
    hit_at_1: float
    hit_at_3: float
    mrr: float


class EvalReport(BaseModel):
    answerable: Scores
    by_kind: dict[str, Scores]
    unanswerable_count: int
    abstention_precision: float
    abstention_recall: float
    abstained_by_kind: dict[str, tuple[int, int]]  # kind -> (abstained, total)
    results: list[ItemResult]


def load_items(path: Path) -> list[EvalItem]:
    return TypeAdapter(list[EvalItem]).validate_python(json.loads(path.read_text("utf-8")))


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def gold_rank(answer: Answer, gold: list[str]) -> int | None:
    wanted = [_normalise(g) for g in gold]
    for rank, hit in enumerate(answer.hits, start=1):
        text = _normalise(hit.text)
        if any(g in text for g in wanted):
            return rank
    return None


def _scores(results: list[ItemResult]) -> Scores:
    n = len(results)
    ranks = [r.rank for r in results]
    return Scores(
        count=n,
        hit_at_1=sum(1 for r in ranks if r == 1) / n if n else 0.0,
        hit_at_3=sum(1 for r in ranks if r is not None and r <= 3) / n if n else 0.0,
        mrr=sum(1 / r for r in ranks if r) / n if n else 0.0,
    )


def evaluate(retriever: Retriever, items: list[EvalItem], k: int = 3) -> EvalReport:
    results = []
    for item in items:
        answer = retriever.search(item.question, k=k)
        rank = gold_rank(answer, item.gold) if item.gold and answer.answered else None
        results.append(ItemResult(item=item, answered=answer.answered, rank=rank))
    answerable = [r for r in results if r.item.gold]
    unanswerable = [r for r in results if not r.item.gold]
    kinds: dict[str, list[ItemResult]] = defaultdict(list)
    for result in answerable:
        kinds[result.item.kind].append(result)
    abstained = [r for r in results if not r.answered]
    abstained_by_kind: dict[str, tuple[int, int]] = {}
    for result in results:
        done, total = abstained_by_kind.get(result.item.kind, (0, 0))
        abstained_by_kind[result.item.kind] = (done + (not result.answered), total + 1)
    right_abstentions = sum(1 for r in abstained if not r.item.gold)
    return EvalReport(
        answerable=_scores(answerable),
        by_kind={kind: _scores(group) for kind, group in sorted(kinds.items())},
        unanswerable_count=len(unanswerable),
        abstention_precision=right_abstentions / len(abstained) if abstained else 1.0,
        abstention_recall=right_abstentions / len(unanswerable) if unanswerable else 1.0,
        abstained_by_kind=abstained_by_kind,
        results=results,
    )


def format_report(report: EvalReport, *, verbose: bool = False) -> str:
    a = report.answerable
    lines = [
        f"answerable items: {a.count}",
        f"  hit@1 {a.hit_at_1:.3f}   hit@3 {a.hit_at_3:.3f}   MRR {a.mrr:.3f}",
        "by kind:",
    ]
    for kind, s in report.by_kind.items():
        lines.append(
            f"  {kind:<22} n={s.count:<3} hit@1 {s.hit_at_1:.3f}  hit@3 "
            f"{s.hit_at_3:.3f}  MRR {s.mrr:.3f}"
        )
    lines.append(f"unanswerable items: {report.unanswerable_count}")
    lines.append(
        f"  abstention precision {report.abstention_precision:.3f}   "
        f"recall {report.abstention_recall:.3f}"
    )
    for kind, (done, total) in sorted(report.abstained_by_kind.items()):
        lines.append(f"  {kind:<22} abstained {done}/{total}")
    if verbose:
        lines.append("misses:")
        for r in report.results:
            wrong = (r.item.gold and r.rank != 1) or (not r.item.gold and r.answered)
            if wrong:
                got = "abstained" if not r.answered else f"rank {r.rank}"
                lines.append(f"  {r.item.id} [{r.item.kind}] {got}: {r.item.question}")
    return "\n".join(lines)
