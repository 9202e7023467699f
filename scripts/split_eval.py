"""Split blind-written question sets into train, dev and held-out files, reproducibly.

Each input file is one helper's questions (written without seeing the code or earlier
failures). Every file is shuffled with a fixed seed and cut 40 / 27 / 33 within each kind,
so that each split has every writer's voice and every kind:

    python scripts/split_eval.py /tmp/blind/out/set_*.json --out eval
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

SHARES = (("train", 0.40), ("dev", 0.27))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    splits: dict[str, list[dict[str, object]]] = {"train": [], "dev": [], "heldout": []}
    rng = random.Random(args.seed)
    for path in sorted(args.inputs):
        by_kind: dict[str, list[dict[str, object]]] = defaultdict(list)
        for item in json.loads(path.read_text("utf-8")):
            by_kind[str(item["kind"])].append(item)
        for kind in sorted(by_kind):
            items = by_kind[kind]
            rng.shuffle(items)
            cut_train = round(len(items) * SHARES[0][1])
            cut_dev = cut_train + round(len(items) * SHARES[1][1])
            splits["train"] += items[:cut_train]
            splits["dev"] += items[cut_train:cut_dev]
            splits["heldout"] += items[cut_dev:]
    for name, items in splits.items():
        items.sort(key=lambda item: str(item["id"]))
        target = args.out / f"{name}_qa.json"
        target.write_text(json.dumps(items, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"{target}: {len(items)} questions")


if __name__ == "__main__":
    main()
