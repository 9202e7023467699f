"""The on-disk index cache: reused while the corpus is unchanged, rebuilt when it changes,
ignored when damaged."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.library import Library, index_settings
from corpus import default_corpus_dir
from retrieval.cache import IndexCache, corpus_key, fingerprinted_sources
from retrieval.search import RetrievalConfig, Retriever

QUESTION = "What did military leadership in Estonia and Latvia say about anti-personnel mines?"


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(default_corpus_dir(), tmp_path / "corpus"))


def test_a_cached_index_answers_exactly_like_a_fresh_one(corpus_dir: Path, tmp_path: Path) -> None:
    first = Library(corpus_dir, tmp_path / "data")
    assert not first.load().from_cache
    entries = list((tmp_path / "data" / "index-cache").iterdir())
    assert len(entries) == 1

    second = Library(corpus_dir, tmp_path / "data")
    assert second.load().from_cache
    fresh, cached = first.snapshot.retriever, second.snapshot.retriever
    assert cached.index is not fresh.index
    assert cached.corpus == fresh.corpus
    assert cached.index.term_ids == fresh.index.term_ids
    for name in ("indptr", "postings", "weights", "absent", "doc_freq", "idf", "doc_len", "tf"):
        assert np.array_equal(getattr(cached.index, name), getattr(fresh.index, name)), name
    assert cached.search(QUESTION) == fresh.search(QUESTION)
    # The speller's vocabulary comes from the cache too, and corrects as a fresh one does.
    misspelt = "what are smrat mines"
    assert cached.search(misspelt) == fresh.search(misspelt)
    assert cached.search(misspelt).corrections


def test_a_changed_file_makes_a_new_key_and_only_the_newest_entry_stays(
    corpus_dir: Path, tmp_path: Path
) -> None:
    library = Library(corpus_dir, tmp_path / "data")
    config = index_settings(RetrievalConfig(), library.engine)
    before = corpus_key(corpus_dir, config)
    assert corpus_key(corpus_dir, config) == before
    library.load()

    extra = corpus_dir / "note.md"
    extra.write_text("# Note\n\nAnti-personnel mines are banned by the Ottawa Convention.\n")
    os.utime(extra, ns=(1, 1))
    assert corpus_key(corpus_dir, config) != before
    report = library.load()
    assert not report.from_cache
    assert report.documents == 2
    entries = [p.name for p in (tmp_path / "data" / "index-cache").iterdir()]
    assert entries == [corpus_key(corpus_dir, config)]


def test_a_damaged_entry_is_rebuilt_not_fatal(corpus_dir: Path, tmp_path: Path) -> None:
    Library(corpus_dir, tmp_path / "data").load()
    (entry,) = (tmp_path / "data" / "index-cache").iterdir()
    (entry / "index.npz").write_bytes(b"not an npz file")
    assert IndexCache(tmp_path / "data" / "index-cache").load(entry.name) is None

    library = Library(corpus_dir, tmp_path / "data")
    assert not library.load().from_cache
    assert library.snapshot.retriever.search(QUESTION).answered


def test_an_unwritable_cache_folder_only_costs_the_cache(corpus_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    library = Library(corpus_dir, blocker)
    library.load()
    assert library.snapshot.retriever.search(QUESTION).answered


def test_an_index_of_another_corpus_is_refused(corpus_dir: Path) -> None:
    library = Library(corpus_dir)
    library.load()
    snapshot = library.snapshot
    smaller = snapshot.corpus.model_copy(update={"passages": snapshot.corpus.passages[:3]})
    with pytest.raises(ValueError, match="does not match"):
        Retriever(smaller, index=snapshot.retriever.index)


def test_a_hybrid_start_from_the_cache_does_not_split_the_passages_again(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Library(corpus_dir, tmp_path / "data")  # semantic layer on: every passage split
    assert not first.load().from_cache
    fresh = first.snapshot.retriever

    def no_splitting(text: str) -> list[tuple[int, int]]:
        raise AssertionError("split a passage the cache had the sentences of")

    with monkeypatch.context() as patched:
        patched.setattr("retrieval.units.sentence_spans", no_splitting)
        second = Library(corpus_dir, tmp_path / "data")
        assert second.load().from_cache
    cached = second.snapshot.retriever
    assert [u.sentences for u in cached.units] == [u.sentences for u in fresh.units]
    assert cached.search(QUESTION) == fresh.search(QUESTION)


def test_damaged_cached_sentences_are_found_again_not_fatal(
    corpus_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fresh = Library(corpus_dir, tmp_path / "data")
    fresh.load()
    (entry,) = (tmp_path / "data" / "index-cache").iterdir()
    (entry / "sentences.npz").write_bytes(b"not an npz file")
    library = Library(corpus_dir, tmp_path / "data")
    with caplog.at_level("WARNING"):
        assert library.load().from_cache  # the rest of the entry is sound
    assert "cached sentence spans" in caplog.text
    units = library.snapshot.retriever.units
    assert [u.sentences for u in units] == [u.sentences for u in fresh.snapshot.retriever.units]
    assert library.snapshot.retriever.search(QUESTION) == fresh.snapshot.retriever.search(QUESTION)


def test_a_words_only_build_keeps_no_sentences_it_never_split(
    corpus_dir: Path, tmp_path: Path
) -> None:
    from retrieval.engine import EngineSettings

    Library(corpus_dir, tmp_path / "data", EngineSettings(semantic=False)).load()
    (entry,) = (tmp_path / "data" / "index-cache").iterdir()
    assert not (entry / "sentences.npz").exists()


def test_switching_the_semantic_layer_or_model_reuses_the_entry_and_hybrid_completes_it(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BOT_SEMANTIC does not shape the corpus, the index or the speller: a words-only
    build serves a hybrid start, which adds the sentence spans it had to find, so the
    next hybrid start splits nothing; and the words-only start after it still hits."""
    from retrieval.engine import EngineSettings

    data = tmp_path / "data"
    words_only = EngineSettings(semantic=False)
    assert not Library(corpus_dir, data, words_only).load().from_cache
    hybrid = Library(corpus_dir, data)
    assert hybrid.load().from_cache
    (entry,) = (data / "index-cache").iterdir()
    assert (entry / "sentences.npz").exists()

    def no_splitting(text: str) -> list[tuple[int, int]]:
        raise AssertionError("split a passage the cache had the sentences of")

    with monkeypatch.context() as patched:
        patched.setattr("retrieval.units.sentence_spans", no_splitting)
        again = Library(corpus_dir, data)
        assert again.load().from_cache
    assert again.snapshot.retriever.search(QUESTION) == hybrid.snapshot.retriever.search(QUESTION)
    assert Library(corpus_dir, data, words_only).load().from_cache
    other_model = EngineSettings(semantic=False, model_dir=tmp_path / "another-model")
    assert Library(corpus_dir, data, other_model).load().from_cache
    assert [p.name for p in (data / "index-cache").iterdir()] == [entry.name]


def test_the_cycle_collector_is_paused_while_a_snapshot_is_built_and_restored_after(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import bot.library
    from retrieval.engine import build_retriever

    enabled_during: list[bool] = []

    def recording(*args: object, **kwargs: object) -> Retriever:
        enabled_during.append(gc.isenabled())
        return build_retriever(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("bot.library.build_retriever", recording)
    assert gc.isenabled()
    Library(corpus_dir, tmp_path / "data").load()
    assert enabled_during == [False]
    assert gc.isenabled()

    def failing(*args: object, **kwargs: object) -> Retriever:
        raise RuntimeError("the build failed")

    monkeypatch.setattr("bot.library.build_retriever", failing)
    with pytest.raises(RuntimeError):
        bot.library.build_snapshot(corpus_dir)
    assert gc.isenabled(), "a failed build left the collector off"


def test_the_code_in_the_key_is_what_shapes_an_index_not_the_benchmarks(tmp_path: Path) -> None:
    for name in ("corpus/chunking.py", "retrieval/search.py", "retrieval/bench_scale.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("# code\n")
    covered = [p.relative_to(tmp_path).as_posix() for p in fingerprinted_sources(tmp_path)]
    assert covered == ["corpus/chunking.py", "retrieval/search.py"]
    shipped = {p.name for p in fingerprinted_sources()}
    assert {"search.py", "cache.py", "analyzer.py", "chunking.py"} <= shipped
    assert not any(name.startswith("bench") for name in shipped)
