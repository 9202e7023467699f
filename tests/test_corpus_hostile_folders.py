"""A corpus folder as careless editors, sync tools and attackers leave it, and a cache that
was damaged or outlived its code: the bot starts, serves only the files' own words, and
says what it refused."""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from pathlib import Path

import pytest

import retrieval.cache
from bot.cli import main
from bot.library import Library
from corpus import default_corpus_dir, load_corpus

QUESTION = "What did military leadership in Estonia and Latvia say about anti-personnel mines?"
SECRET = "root:x:0:0:the secret line that must never be quoted"


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(default_corpus_dir(), tmp_path / "corpus"))


def quotes(library: Library, question: str = QUESTION) -> list[str]:
    return [hit.quote for hit in library.snapshot.retriever.search(question, k=10).hits]


def test_file_names_that_are_not_utf8_neither_crash_nor_load(
    corpus_dir: Path, tmp_path: Path
) -> None:
    for name in (b".~lock\xff#", b"notes\xff.txt"):
        (corpus_dir / os.fsdecode(name)).write_bytes(b"Mines are quoted from here.\n")
    library = Library(corpus_dir, tmp_path / "data")
    report = library.load()
    assert report.documents == 1
    problems = {p.file: p.reason for p in report.problems}
    assert problems == {"notes\\xff.txt": "the file name is not valid UTF-8; rename it"}
    assert main(["index", "--corpus", str(corpus_dir), "--lexical"]) == 0


def test_files_appearing_and_vanishing_during_loads_do_not_fail_them(
    corpus_dir: Path, tmp_path: Path
) -> None:
    stop = threading.Event()

    def churn() -> None:
        number = 0
        while not stop.is_set():
            path = corpus_dir / f"tmp-{number % 5}.txt"
            path.write_text("A temporary file about mines, being written.\n", "utf-8")
            path.unlink(missing_ok=True)
            number += 1

    worker = threading.Thread(target=churn)
    worker.start()
    try:
        failures = 0
        for _ in range(40):
            try:
                Library(corpus_dir, tmp_path / "data").load()
            except Exception:
                failures += 1
    finally:
        stop.set()
        worker.join()
    assert failures == 0


def test_a_link_out_of_the_folder_is_not_followed(corpus_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "passwd"
    outside.write_text(f"{SECRET}\n\nMilitary leadership in Estonia and Latvia said so.\n")
    (corpus_dir / "notes.txt").symlink_to(outside)
    (corpus_dir / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    inside = corpus_dir / "inside.txt"
    inside.write_text("Snow hides mines from deminers in the far north for months.\n")
    (corpus_dir / "alias.txt").symlink_to(inside)  # a link within the folder is fine

    corpus = load_corpus(corpus_dir)
    assert {d.source_file for d in corpus.documents} >= {"inside.txt", "alias.txt"}
    assert all(SECRET not in d.text for d in corpus.documents)
    reasons = {p.file: p.reason for p in corpus.problems}
    assert "outside the corpus folder" in reasons["notes.txt"]
    assert "not followed" in reasons["elsewhere"]
    library = Library(corpus_dir, tmp_path / "data")
    library.load()
    assert all(SECRET not in q for q in quotes(library, "root secret line"))


def test_two_copies_of_a_file_give_each_quote_once_and_are_reported(corpus_dir: Path) -> None:
    (seed,) = [p for p in corpus_dir.iterdir() if p.suffix == ".txt"]
    shutil.copy(seed, corpus_dir / "copy.txt")
    corpus = load_corpus(corpus_dir)
    assert len(corpus.documents) == 2
    assert any("the same content as" in p.reason for p in corpus.problems)
    library = Library(corpus_dir)
    library.load()
    found = quotes(library)
    assert len(found) == len(set(found))


def cache_entry(data: Path) -> Path:
    (entry,) = [p for p in (data / "index-cache").iterdir() if not p.name.startswith(".")]
    return entry


@pytest.mark.parametrize(
    "damage",
    ["truncate index", "empty index", "drop a passage", "edit a passage", "no manifest"],
)
def test_a_damaged_cache_is_rebuilt_with_one_log_line(
    corpus_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    data = tmp_path / "data"
    Library(corpus_dir, data).load()
    entry = cache_entry(data)
    index, corpus_json = entry / "index.npz", entry / "corpus.json"
    if damage == "truncate index":
        index.write_bytes(index.read_bytes()[: index.stat().st_size // 2])
    elif damage == "empty index":
        index.write_bytes(b"")
    elif damage == "no manifest":
        (entry / "manifest.json").unlink()
    else:
        cached = json.loads(corpus_json.read_text("utf-8"))
        if damage == "drop a passage":
            cached["passages"].pop()
        else:
            passage = next(p for p in cached["passages"] if "Estonia" in p["text"])
            passage["text"] = passage["text"].replace("not militarily", "absolutely")
        corpus_json.write_text(json.dumps(cached), "utf-8")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        library = Library(corpus_dir, data)
        report = library.load()
    assert not report.from_cache
    assert len([r for r in caplog.records if "rebuilding the index cache" in r.getMessage()]) == 1
    found = quotes(library)
    assert any("not militarily necessary" in q for q in found)
    assert all("absolutely necessary" not in q for q in found)
    assert Library(corpus_dir, data).load().from_cache  # the rebuilt entry is good


def test_a_cache_written_by_other_code_is_not_served(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    Library(corpus_dir, data).load()
    assert Library(corpus_dir, data).load().from_cache
    monkeypatch.setattr(retrieval.cache, "code_fingerprint", lambda: "0.2.0+another-chunker")
    assert not Library(corpus_dir, data).load().from_cache


def test_a_cache_whose_file_changed_behind_it_is_not_served(
    corpus_dir: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    Library(corpus_dir, data).load()
    (seed,) = [p for p in corpus_dir.iterdir() if p.suffix == ".txt"]
    stat = seed.stat()
    # An edit that keeps the size and the modification time: the key cannot see it.
    text = seed.read_text("utf-8").replace("not militarily necessary", "not militarily nekessary")
    seed.write_text(text, "utf-8")
    os.utime(seed, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert seed.stat().st_size == stat.st_size
    library = Library(corpus_dir, data)
    assert not library.load().from_cache
    found = quotes(library)
    assert any("not militarily nekessary" in q for q in found)
    assert all("not militarily necessary" not in q for q in found)


def test_a_data_folder_that_cannot_be_used_degrades_to_no_cache(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    real_is_dir, real_mkdir = Path.is_dir, Path.mkdir

    def guard(path: Path) -> None:
        # What a folder the bot may not traverse does, even to root (tests run as root).
        if blocked in path.parents:
            raise PermissionError(13, "Permission denied", str(path))

    def is_dir(path: Path) -> bool:
        guard(path)
        return real_is_dir(path)

    def mkdir(path: Path, *args: object, **kwargs: object) -> None:
        guard(path)
        real_mkdir(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "is_dir", is_dir)
    monkeypatch.setattr(Path, "mkdir", mkdir)
    library = Library(corpus_dir, blocked / "data")
    report = library.load()
    assert report.documents == 1
    assert any("Estonia" in q for q in quotes(library))


def test_the_cli_answers_from_the_same_cache_as_the_bot(
    corpus_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    for name in ("BOT_CORPUS_DIR", "BOT_SEMANTIC", "BOT_EMBEDDING_MODEL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["ask", "--json", "--corpus", str(corpus_dir), QUESTION]) == 0
    first = json.loads(capsys.readouterr().out)
    entry = cache_entry(tmp_path / "data")
    written = (entry / "manifest.json").stat().st_mtime_ns
    assert main(["ask", "--json", "--corpus", str(corpus_dir), QUESTION]) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert cache_entry(tmp_path / "data") == entry  # read, not rebuilt
    assert (entry / "manifest.json").stat().st_mtime_ns == written


def test_a_quote_that_is_not_its_sources_words_is_never_shown(
    corpus_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    library = Library(corpus_dir)
    library.load()
    retriever = library.snapshot.retriever
    (doc_id,) = retriever.documents
    # Whatever went wrong upstream, the document the hit cites no longer holds its words.
    retriever.documents[doc_id] = retriever.documents[doc_id].model_copy(
        update={"text": "Something else entirely."}
    )
    with caplog.at_level(logging.ERROR):
        answer = retriever.search(QUESTION)
    assert all(hit.kind == "metadata" for hit in answer.hits)
    assert "not in its source" in caplog.text


def test_a_word_pasted_680_times_is_searched_once(corpus_dir: Path) -> None:
    library = Library(corpus_dir)
    library.load()
    retriever = library.snapshot.retriever
    question = " ".join(["mines"] * 680)
    query = retriever.lexical.query(retriever.corrector.correct(question).text)
    assert len(query.terms) == len(set(query.terms)) <= 64
    assert retriever.search(question).answered
