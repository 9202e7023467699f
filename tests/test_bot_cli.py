"""`ihlbot ask` and `ihlbot eval` in the terminal, on the shipped corpus."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from corpus import Corpus, default_corpus_dir, load_corpus

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "What did military leadership in Estonia and Latvia say about anti-personnel mines?"
UNANSWERABLE = "How do I make a sourdough starter?"
HIT_KEYS = {"doc_id", "title", "section", "passage_id", "score", "quote", "text"}
TITLE = "Why Nordic governments must uphold the global ban on anti-personnel mines"


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The shipped corpus, whatever BOT_* settings or .env the machine has."""
    for name in (
        "BOT_TOKEN",
        "BOT_CORPUS_DIR",
        "BOT_ADMIN_IDS",
        "BOT_API_URL",
        "BOT_SEMANTIC",
        "BOT_EMBEDDING_MODEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def shipped() -> Corpus:
    return load_corpus(default_corpus_dir())


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def assert_answer_shape(found: dict[str, Any], shipped: Corpus) -> None:
    assert set(found) == {"question", "answered", "hits"}
    passages = {p.id: p for p in shipped.passages}
    for hit in found["hits"]:
        assert set(hit) == HIT_KEYS
        assert hit["quote"] and hit["quote"] in hit["text"]
        assert isinstance(hit["score"], float)
        assert hit["title"] == TITLE
        if hit["passage_id"] in passages:
            assert hit["text"] == passages[hit["passage_id"]].text


def test_ask_json_prints_one_object(capsys: pytest.CaptureFixture[str], shipped: Corpus) -> None:
    assert main(["ask", QUESTION, "--json"]) == 0
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1
    found = json.loads(out)
    assert_answer_shape(found, shipped)
    assert found["question"] == QUESTION and found["answered"] is True
    assert 1 <= len(found["hits"]) <= 3
    assert "military leadership in both Estonia and Latvia" in found["hits"][0]["quote"]
    assert found["hits"][0]["section"] == "Military utility: an outdated weapon in modern warfare"


def test_ask_json_k_limits_hits(capsys: pytest.CaptureFixture[str], shipped: Corpus) -> None:
    assert main(["ask", "anti-personnel mines", "--json", "--k", "5"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert_answer_shape(found, shipped)
    assert len(found["hits"]) == 5
    assert len({hit["passage_id"] for hit in found["hits"]}) == 5


def test_ask_unanswerable_json(capsys: pytest.CaptureFixture[str], shipped: Corpus) -> None:
    assert main(["ask", UNANSWERABLE, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert_answer_shape(found, shipped)
    assert found == {"question": UNANSWERABLE, "answered": False, "hits": []}


def stdin_bytes(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_ask_reads_questions_from_stdin_one_json_per_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], shipped: Corpus
) -> None:
    # A blank line, and a line that is not UTF-8, each still get their line of output.
    data = f"{QUESTION}\n   \n".encode() + b"mines \xff\xfe here\n" + f"{UNANSWERABLE}\n".encode()
    stdin_bytes(monkeypatch, data)
    assert main(["ask"]) == 0
    answers = json_lines(capsys.readouterr().out)
    assert [a["question"] for a in answers] == [
        QUESTION,
        "   ",
        "mines \ufffd\ufffd here",
        UNANSWERABLE,
    ]
    assert [a["answered"] for a in answers][:2] == [True, False]
    assert answers[3]["answered"] is False
    for found in answers:
        assert_answer_shape(found, shipped)


@pytest.mark.parametrize("k", ["0", "-1", "two"])
def test_ask_refuses_a_k_below_one(k: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["ask", "--k", k, QUESTION])
    assert stopped.value.code == 2
    assert "--k" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["ask", "index"])
def test_two_corpus_folders_are_refused_where_one_is_served(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Keeping the last folder silently would answer from half of what was asked for.
    arguments = [command, "--corpus", str(tmp_path / "a"), "--corpus", str(tmp_path / "b")]
    with pytest.raises(SystemExit) as stopped:
        main([*arguments, QUESTION] if command == "ask" else arguments)
    assert stopped.value.code == 2
    assert "one folder" in capsys.readouterr().err


def test_ask_into_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    import subprocess

    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    questions = "\n".join(["smart mines"] * 200) + "\n"
    command = f"{sys.executable} -m bot.cli ask | head -n 1"
    done = subprocess.run(
        ["bash", "-c", command], input=questions, env=env, capture_output=True, text=True
    )
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def test_ask_plain_output_has_the_quote_and_citation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ask", QUESTION]) == 0
    out = capsys.readouterr().out
    assert "\033[" not in out, "no colour codes when stdout is not a terminal"
    assert out.startswith(f"Q: {QUESTION}\n")
    flat = " ".join(out.split())
    first = flat.split("[1] “", 1)[1].split("”", 1)[0]
    assert "Notably, military leadership in both Estonia and Latvia" in first
    assert "Anders Ladekarl, Eero Rämö, Grete Herlofson and Ulrika Modéer" in flat
    assert f"“{TITLE}”" in flat
    assert "ICRC Humanitarian Law & Policy Blog, 2 April 2026" in flat
    assert "§ Military utility: an outdated weapon in modern warfare" in out


def test_ask_plain_unanswerable_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", UNANSWERABLE]) == 0
    out = capsys.readouterr().out
    assert "The sources do not cover this question" in out
    assert TITLE in out
    assert "[1]" not in out


def test_ask_with_an_empty_corpus_folder_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["ask", QUESTION, "--corpus", str(tmp_path / "empty")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no document could be loaded" in captured.err


def test_eval_prints_the_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(ROOT / "eval" / "public_qa.json")]) == 0
    out = capsys.readouterr().out
    number = r"[01]\.\d{3}"
    assert re.search(rf"hit@1 {number}", out)
    assert re.search(rf"hit@3 {number}", out)
    assert re.search(rf"MRR {number}", out)
    assert re.search(rf"abstention precision {number}\s+recall {number}", out)
    assert re.search(r"answerable items: \d+", out)
    assert re.search(r"unanswerable items: \d+", out)


def test_eval_names_gold_strings_that_no_passage_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A gold copied from the source file with its markdown emphasis: the corpus shows the
    # sentence without the asterisks, so no ranking could ever hit it.
    items = [
        {"id": "fine", "question": QUESTION, "gold": ["not militarily necessary"], "kind": "x"},
        {"id": "marked", "question": QUESTION, "gold": ["*not militarily* necessary"], "kind": "x"},
        {"id": "none", "question": UNANSWERABLE, "gold": [], "kind": "unanswerable_offtopic"},
        # The title is answered by name, not searched as a unit: it can be hit.
        {
            "id": "title",
            "question": "What is the article called?",
            "gold": [load_corpus(default_corpus_dir()).documents[0].title],
            "kind": "metadata",
        },
    ]
    (tmp_path / "q.json").write_text(json.dumps(items), "utf-8")
    assert main(["eval", str(tmp_path / "q.json"), "--lexical"]) == 0
    out = capsys.readouterr().out
    assert "gold strings that no passage or field holds: 1 (marked)" in out
    (tmp_path / "q.json").write_text(json.dumps([items[0], items[2]]), "utf-8")
    assert main(["eval", str(tmp_path / "q.json"), "--lexical"]) == 0
    assert "no passage or field holds" not in capsys.readouterr().out


def test_eval_with_a_missing_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", str(tmp_path / "missing.json")]) == 2
    assert "ihlbot: cannot read" in capsys.readouterr().err


def write_suites(tmp_path: Path) -> Path:
    items = [
        {"id": "1", "question": QUESTION, "gold": ["not militarily necessary"], "kind": "lexical"},
        {"id": "2", "question": UNANSWERABLE, "gold": [], "kind": "unanswerable_offtopic"},
    ]
    (tmp_path / "a.json").write_text(json.dumps(items), "utf-8")
    (tmp_path / "b.json").write_text(json.dumps(items[:1]), "utf-8")
    (tmp_path / "held.json").write_text(json.dumps(items[:1]), "utf-8")
    seeds = default_corpus_dir()
    suites = tmp_path / "suites.toml"
    suites.write_text(
        f'[[suite]]\nfile = "a.json"\ncorpus = ["{seeds}"]\n\n'
        f'[[suite]]\nfile = "b.json"\ncorpus = ["{seeds}"]\n\n'
        f'[[suite]]\nfile = "held.json"\ncorpus = ["{seeds}"]\nheldout = true\n',
        "utf-8",
    )
    return suites


def test_eval_prints_every_suite_and_held_out_ones_only_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suites = write_suites(tmp_path)
    assert main(["eval", "--suites", str(suites)]) == 0
    out = capsys.readouterr().out
    headers = re.findall(r"^== (\S+) \((hybrid|lexical);", out, re.MULTILINE)
    assert [(Path(f).name, mode) for f, mode in headers] == [
        ("a.json", "hybrid"),
        ("b.json", "hybrid"),
    ]
    assert "quote    hit@1 1.000" in out and 'told "not covered": 0 of 1' in out
    assert main(["eval", "--suites", str(suites), "--heldout", "--lexical"]) == 0
    out = capsys.readouterr().out
    assert [Path(f).name for f, _ in re.findall(r"^== (\S+) \((\w+);", out, re.M)] == [
        "a.json",
        "b.json",
        "held.json",
    ]
    assert "(lexical;" in out and "(hybrid;" not in out


def test_semantic_off_in_the_environment_answers_from_words_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suites = write_suites(tmp_path)
    monkeypatch.setenv("BOT_SEMANTIC", "off")
    assert main(["eval", "--suites", str(suites)]) == 0
    assert "(lexical;" in capsys.readouterr().out
    assert main(["ask", "--json", QUESTION]) == 0
    assert json.loads(capsys.readouterr().out)["answered"] is True


def one_note_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text("# Winter\n\nSnow hides mines from deminers.\n", "utf-8")
    return corpus


def test_index_builds_embeddings_into_the_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = one_note_corpus(tmp_path)
    assert main(["index", "--corpus", str(corpus)]) == 0
    assert "BM25 and embeddings of" in capsys.readouterr().out
    assert list((tmp_path / "data" / "embeddings").glob("*.npz"))
    assert main(["index", "--corpus", str(corpus), "--lexical"]) == 0
    assert "BM25 only" in capsys.readouterr().out


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_elsewhere() -> None:
    from bot.terminal import progress_reporter

    plain = io.StringIO()
    with progress_reporter("embedding", plain) as report:
        for done in range(0, 1001, 50):
            report(done, 1000)
    lines = plain.getvalue().splitlines()
    assert lines[0] == "embedding: 0/1,000 texts" and lines[-1] == "embedding: 1,000/1,000 texts"
    assert len(lines) == 11  # one per tenth, not one per report

    terminal = FakeTerminal()
    with progress_reporter("embedding", terminal) as report:
        report(500, 1000)
        report(1000, 1000)
    shown = terminal.getvalue()
    # tqdm redraws at most every 0.1 s: here the bar is drawn, then cleared when done.
    assert shown.startswith("\rembedding:") and "0/1000" in shown and "text/s" in shown
    assert shown.endswith("\r") and "texts" not in shown


def test_index_fills_the_cache_that_ask_then_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = one_note_corpus(tmp_path)
    assert main(["index", "--corpus", str(corpus), "--lexical"]) == 0
    assert "built and cached" in capsys.readouterr().out
    assert list((tmp_path / "data" / "index-cache").iterdir())
    # The second run, like `ihlbot ask` and the bot, takes the index from the cache.
    assert main(["index", "--corpus", str(corpus), "--lexical"]) == 0
    assert "read from the cache" in capsys.readouterr().out
    assert main(["ask", "--json", "--lexical", "--corpus", str(corpus), "what hides mines?"]) == 0
    assert json.loads(capsys.readouterr().out)["answered"] is True
