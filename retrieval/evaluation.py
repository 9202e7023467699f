"""Measuring retrieval on question files, as a reader would judge the answers.

A file is a JSON list of {"id", "question", "gold": [strings], "kind"}; an item with no gold
strings must get no answer. Two levels are counted:

* passage: a gold string occurs in the hit's passage (the right passage was found);
* quote: a gold string occurs in the sentence(s) the bot shows (the reader sees the answer).

Both compare without regard to case or white space. Unanswerable items are split by kind
into off-topic ("unanswerable_offtopic") and in-domain (any other kind without gold).
`eval/suites.toml` names each file with the corpus folders it is asked against, so that
`ihlbot eval` prints every file's figures in one run.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, TypeAdapter

from retrieval.models import Answer

OFFTOPIC_KIND = "unanswerable_offtopic"


class Searcher(Protocol):
    def search(self, question: str, k: int = 3, offset: int = 0) -> Answer: ...


class EvalItem(BaseModel):
    id: str
    question: str
    gold: list[str]
    kind: str = "unknown"


class ItemResult(BaseModel):
    item: EvalItem
    answered: bool
    rank: int | None  # 1-based rank of the first hit whose passage holds a gold string
    quote_rank: int | None = None  # ... whose shown quote holds one


class Scores(BaseModel):
    count: int
    hit_at_1: float
    hit_at_3: float
    mrr: float
    quote_at_1: float = 0.0
    quote_at_3: float = 0.0


class EvalReport(BaseModel):
    answerable: Scores
    by_kind: dict[str, Scores]
    refused: int  # answerable items told "not covered"
    unanswerable_count: int
    abstention_precision: float
    abstention_recall: float
    abstained_offtopic: tuple[int, int]  # (abstained, total)
    abstained_indomain: tuple[int, int]
    abstained_by_kind: dict[str, tuple[int, int]]  # kind -> (abstained, total)
    results: list[ItemResult]


class Suite(BaseModel):
    file: Path
    corpus: list[Path]
    heldout: bool = False


def load_items(path: Path) -> list[EvalItem]:
    return TypeAdapter(list[EvalItem]).validate_python(json.loads(path.read_text("utf-8")))


def load_suites(path: Path) -> list[Suite]:
    """The suites of a suites.toml, with paths relative to its folder."""
    data = tomllib.loads(path.read_text("utf-8"))
    suites = TypeAdapter(list[Suite]).validate_python(data.get("suite", []))
    base = path.parent
    return [
        Suite(file=base / s.file, corpus=[base / f for f in s.corpus], heldout=s.heldout)
        for s in suites
    ]


def normalise_for_matching(text: str) -> str:
    """How a gold string is matched: case and runs of spaces do not count."""
    return " ".join(text.casefold().split())


def _first_rank(texts: list[str], gold: list[str]) -> int | None:
    wanted = [normalise_for_matching(g) for g in gold]
    for rank, text in enumerate(texts, start=1):
        normal = normalise_for_matching(text)
        if any(g in normal for g in wanted):
            return rank
    return None


def gold_rank(answer: Answer, gold: list[str]) -> int | None:
    return _first_rank([hit.text for hit in answer.hits], gold)


def quote_rank(answer: Answer, gold: list[str]) -> int | None:
    return _first_rank([hit.quote for hit in answer.hits], gold)


def _scores(results: list[ItemResult]) -> Scores:
    n = len(results)

    def share(test: Callable[[ItemResult], bool]) -> float:
        return sum(1 for r in results if test(r)) / n if n else 0.0

    return Scores(
        count=n,
        hit_at_1=share(lambda r: r.rank == 1),
        hit_at_3=share(lambda r: r.rank is not None and r.rank <= 3),
        mrr=sum(1 / r.rank for r in results if r.rank) / n if n else 0.0,
        quote_at_1=share(lambda r: r.quote_rank == 1),
        quote_at_3=share(lambda r: r.quote_rank is not None and r.quote_rank <= 3),
    )


def unreachable(items: list[EvalItem], texts: Iterable[str]) -> list[str]:
    """Ids of the answerable items whose gold strings no search unit holds: no ranking can
    hit them (a gold copied with the source file's markup, or from a line the corpus
    drops), so the file needs fixing before it can measure anything."""
    normal = [normalise_for_matching(text) for text in texts]
    return [
        item.id
        for item in items
        if item.gold
        and not any(normalise_for_matching(g) in text for g in item.gold for text in normal)
    ]


def evaluate(retriever: Searcher, items: list[EvalItem], k: int = 3) -> EvalReport:
    results = []
    for item in items:
        answer = retriever.search(item.question, k=k)
        ranks: tuple[int | None, int | None] = (None, None)
        if item.gold and answer.answered:
            ranks = (gold_rank(answer, item.gold), quote_rank(answer, item.gold))
        results.append(
            ItemResult(item=item, answered=answer.answered, rank=ranks[0], quote_rank=ranks[1])
        )
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

    def count(group: list[ItemResult]) -> tuple[int, int]:
        return sum(1 for r in group if not r.answered), len(group)

    return EvalReport(
        answerable=_scores(answerable),
        by_kind={kind: _scores(group) for kind, group in sorted(kinds.items())},
        refused=sum(1 for r in answerable if not r.answered),
        unanswerable_count=len(unanswerable),
        abstention_precision=right_abstentions / len(abstained) if abstained else 1.0,
        abstention_recall=right_abstentions / len(unanswerable) if unanswerable else 1.0,
        abstained_offtopic=count([r for r in unanswerable if r.item.kind == OFFTOPIC_KIND]),
        abstained_indomain=count([r for r in unanswerable if r.item.kind != OFFTOPIC_KIND]),
        abstained_by_kind=abstained_by_kind,
        results=results,
    )


def format_report(report: EvalReport, *, verbose: bool = False) -> str:
    a = report.answerable
    off, off_total = report.abstained_offtopic
    ind, ind_total = report.abstained_indomain
    lines = [
        f"answerable items: {a.count}",
        f"  passage  hit@1 {a.hit_at_1:.3f}   hit@3 {a.hit_at_3:.3f}   MRR {a.mrr:.3f}",
        f"  quote    hit@1 {a.quote_at_1:.3f}   hit@3 {a.quote_at_3:.3f}",
        f'  told "not covered": {report.refused} of {a.count}',
        "by kind (passage hit@1, hit@3; quote hit@1):",
    ]
    for kind, s in report.by_kind.items():
        lines.append(
            f"  {kind:<22} n={s.count:<3} hit@1 {s.hit_at_1:.3f}  hit@3 "
            f"{s.hit_at_3:.3f}  quote@1 {s.quote_at_1:.3f}"
        )
    lines.append(f"unanswerable items: {report.unanswerable_count}")
    lines.append(f"  off-topic abstained {off}/{off_total}   in-domain abstained {ind}/{ind_total}")
    lines.append(
        f"  abstention precision {report.abstention_precision:.3f}   "
        f"recall {report.abstention_recall:.3f}"
    )
    if verbose:
        lines.append("misses:")
        for r in report.results:
            wrong = (r.item.gold and r.quote_rank != 1) or (not r.item.gold and r.answered)
            if wrong:
                got = (
                    "abstained"
                    if not r.answered
                    else f"passage rank {r.rank}, quote rank {r.quote_rank}"
                )
                lines.append(f"  {r.item.id} [{r.item.kind}] {got}: {r.item.question}")
    return "\n".join(lines)
