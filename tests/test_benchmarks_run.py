"""The benchmarks still run against the code they measure (a rename in the store or the
index broke `retrieval.bench` once, unnoticed until the next measurement). Tiny sizes,
no figure checked: speed lives in the benchmarks themselves."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from retrieval import bench, bench_scale, bench_store


def test_the_index_benchmark_runs_every_engine(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if importlib.util.find_spec("bm25s") is None:  # the peer is in the bench extra only

        class StandInPeer(bench.Ours):
            name = "bm25s"

        monkeypatch.setattr(bench, "Bm25s", StandInPeer)
    bench.main(["--sizes", "300", "--queries", "5", "--repeats", "1", "--no-memory"])
    table = capsys.readouterr().out
    for engine in ("ours", "bm25s", "rank-bm25", "search", "search+vec"):
        assert f" {engine} " in table


def test_the_store_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_store.main(["--texts", "600", "--runs", "1"]) == 0
    assert "| cache hit |" in capsys.readouterr().out


def test_the_scale_benchmark_runs_a_user_s_commands(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for extra in ("bm25s", "onnx"):  # the bench extra only
        pytest.importorskip(extra)
    bench_scale.main(
        ["--passages", "600", "--questions", "4", "--runs", "1", "--work", str(tmp_path)]
    )
    table = capsys.readouterr().out
    for row in ("hybrid ", "words only ", "bm25s "):
        assert row in table
    assert "nan" not in table.split("words only / bm25s")[1]
    assert list((tmp_path / "data" / "embeddings").iterdir())  # the stand-in model embedded
