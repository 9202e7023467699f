"""A rebuild after some files changed reuses what the unchanged ones gave, and serves
exactly what a build from nothing would."""

from __future__ import annotations

import logging
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

import corpus.loading
from bot.library import Library
from corpus import default_corpus_dir, load_corpus
from retrieval.scoring import BM25Params, Variant
from retrieval.sparse import SparseBM25
from retrieval.spelling import SpellingCorrector

QUESTIONS = (
    "What did military leadership in Estonia and Latvia say about anti-personnel mines?",
    "What does the note say about clearance deadlines?",
    "Which treaty bans cluster munitions?",
    "How long do victims need assistance?",
)


def _same_index(rebuilt: SparseBM25, built: SparseBM25) -> None:
    """Equal up to the numbering of the terms."""
    assert set(rebuilt.term_ids) == set(built.term_ids)
    assert np.array_equal(rebuilt.doc_len, built.doc_len)
    for term, i in rebuilt.term_ids.items():
        j = built.term_ids[term]
        mine = slice(rebuilt.indptr[i], rebuilt.indptr[i + 1])
        theirs = slice(built.indptr[j], built.indptr[j + 1])
        assert np.array_equal(rebuilt.postings[mine], built.postings[theirs]), term
        assert np.array_equal(rebuilt.weights[mine], built.weights[theirs]), term
        assert np.array_equal(rebuilt.tf[mine], built.tf[theirs]), term
        assert rebuilt.idf[i] == built.idf[j]
        assert rebuilt.absent[i] == built.absent[j]
        assert rebuilt.doc_freq[i] == built.doc_freq[j]


@pytest.mark.parametrize("shuffled", [False, True])
@pytest.mark.parametrize("variant", [Variant.BM25PLUS, Variant.BM25L])
def test_a_rebuilt_index_equals_a_built_one(variant: Variant, shuffled: bool) -> None:
    rng = random.Random(3)
    words = [f"w{i}" for i in range(60)]
    old = [rng.choices(words, k=rng.randint(1, 30)) for _ in range(40)]
    params = BM25Params(variant, k1=1.5, b=0.5)
    index = SparseBM25.build(old, params)
    # Passages dropped (with every passage holding "w59"), maybe reordered, and new ones whose
    # terms the old index never saw.
    survivors = [i for i in range(40) if i % 3 and "w59" not in old[i]]
    if shuffled:  # the kept passages in another order than before
        rng.shuffle(survivors)
    new_texts = [["brand", "new", "new"], ["w1", "novel"]]
    order: list[int | None] = [*survivors[:5], None, *survivors[5:], None]
    kept = np.array([-1 if i is None else i for i in order], dtype=np.int64)
    fresh_texts = iter(new_texts)
    fresh = {p: next(fresh_texts) for p, i in enumerate(order) if i is None}
    passages = [old[i] if i is not None else fresh[p] for p, i in enumerate(order)]

    rebuilt = index.rebuilt(kept, fresh)
    _same_index(rebuilt, SparseBM25.build(passages, params))
    assert "w59" not in rebuilt.term_ids  # a term no passage holds any more is gone
    terms = ["w1", "new", "w7", "w7"]
    assert np.array_equal(rebuilt.scores(terms), SparseBM25.build(passages, params).scores(terms))


def test_a_passage_is_lent_once_only() -> None:
    index = SparseBM25.build([["a"], ["b"]], BM25Params())
    with pytest.raises(ValueError):
        index.rebuilt(np.array([0, 0]), {})
    with pytest.raises(ValueError):
        index.rebuilt(np.array([0, 1]), {1: ["c"]})


def _folder(tmp_path: Path) -> Path:
    folder = Path(shutil.copytree(default_corpus_dir(), tmp_path / "corpus"))
    (folder / "note.md").write_text(
        "# Clearance\n\nStates must clear mined areas within ten years. Extensions are "
        "requested from the meeting of states parties.\n",
        "utf-8",
    )
    (folder / "victims.md").write_text(
        "# Victim assistance\n\nVictims need assistance for life: medical care, "
        "rehabilitation and support for their families.\n",
        "utf-8",
    )
    return folder


def test_a_reload_after_one_file_changed_loads_and_analyses_only_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _folder(tmp_path)
    library = Library(folder, tmp_path / "data")
    library.load()

    (folder / "note.md").write_text(
        "# Clearance\n\nStates must clear mined areas within ten years. The Cluster "
        "Munition Convention bans cluster munitions.\n",
        "utf-8",
    )
    loaded: list[str] = []
    real = corpus.loading.load_document

    def recording(path: Path, **kwargs: object) -> object:
        loaded.append(path.name)
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(corpus.loading, "load_document", recording)
    with caplog.at_level(logging.INFO, logger="retrieval.engine"):
        report = library.load()
    assert not report.from_cache
    assert loaded == ["note.md"]
    after = library.snapshot.retriever
    (line,) = [r.getMessage() for r in caplog.records if "units anew" in r.getMessage()]
    analysed, total = (int(w) for w in line.split() if w.isdigit())
    assert 0 < analysed < total / 4
    assert len(after.units) == total

    monkeypatch.undo()
    scratch = Library(Path(shutil.copytree(folder, tmp_path / "copy")), tmp_path / "data2")
    scratch.load()
    fresh = scratch.snapshot.retriever
    assert after.corpus.documents == fresh.corpus.documents
    assert after.corpus.passages == fresh.corpus.passages
    _same_index(after.index, fresh.index)
    assert after.corrector.speller.state() == fresh.corrector.speller.state()
    assert after.search("what about trevaty bans") == fresh.search("what about trevaty bans")
    assert [u.sentences for u in after.units] == [u.sentences for u in fresh.units]
    for question in QUESTIONS:
        assert after.search(question) == fresh.search(question), question
    assert after.search("which convention bans cluster munitions").hits

    # Restarted on the same files, the rebuilt entry is a cache hit like any other.
    again = Library(folder, tmp_path / "data")
    assert again.load().from_cache
    assert again.snapshot.retriever.search(QUESTIONS[1]) == after.search(QUESTIONS[1])


def test_a_changed_or_added_sidecar_reloads_its_document(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    first = load_corpus(folder)
    (folder / "note.meta.toml").write_text('title = "Clearance deadlines"\n', "utf-8")
    second = load_corpus(folder, previous=first)
    note = next(d for d in second.documents if d.source_file == "note.md")
    assert note.title == "Clearance deadlines"
    assert note.sidecar_sha256 is not None
    victims = next(d for d in second.documents if d.source_file == "victims.md")
    assert victims is next(d for d in first.documents if d.source_file == "victims.md")

    (folder / "note.meta.toml").write_text('title = "Ten years to clear"\n', "utf-8")
    third = load_corpus(folder, previous=second)
    assert next(d for d in third.documents if d.id == note.id).title == "Ten years to clear"

    (folder / "note.meta.toml").unlink()
    fourth = load_corpus(folder, previous=third)
    assert fourth == load_corpus(folder)
    (folder / "note.meta.toml").write_text("title = [not toml", "utf-8")  # broken: a problem
    fifth = load_corpus(folder, previous=fourth)
    assert fifth == load_corpus(folder)
    assert any("note.meta.toml" in p.file for p in fifth.problems)
    assert load_corpus(folder, previous=fifth) == load_corpus(folder)


def test_a_failure_to_reuse_costs_only_the_reuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _folder(tmp_path)
    library = Library(folder, tmp_path / "data")
    library.load()
    (folder / "victims.md").write_text("# Victims\n\nSurvivors need care for life.\n", "utf-8")

    def broken(*args: object) -> object:
        raise IndexError("a bug in the reuse")

    monkeypatch.setattr("retrieval.engine.reused_index", broken)
    report = library.load()
    assert report.documents == 3 and not report.from_cache
    assert "could not reuse the previous index" in caplog.text
    scratch = Library(Path(shutil.copytree(folder, tmp_path / "copy")), tmp_path / "data2")
    scratch.load()
    _same_index(library.snapshot.retriever.index, scratch.snapshot.retriever.index)
    question = "how long do survivors need care"
    assert library.snapshot.retriever.search(question) == scratch.snapshot.retriever.search(
        question
    )


def test_removing_a_document_analyses_nothing_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _folder(tmp_path)
    library = Library(folder, tmp_path / "data")
    library.load()
    note = next(d for d in library.snapshot.corpus.documents if d.source_file == "note.md")
    library.removed.add(note, by=1)
    with caplog.at_level(logging.INFO, logger="retrieval.engine"):
        assert library.load().documents == 2
    (line,) = [r.getMessage() for r in caplog.records if "units anew" in r.getMessage()]
    assert line.startswith("indexed 0 of ")
    (tmp_path / "copy").mkdir()
    for path in folder.iterdir():
        if not path.name.startswith("note."):
            shutil.copy(path, tmp_path / "copy" / path.name)
    scratch = Library(tmp_path / "copy", tmp_path / "data2")
    scratch.load()
    _same_index(library.snapshot.retriever.index, scratch.snapshot.retriever.index)
    rebuilt, fresh = library.snapshot.retriever, scratch.snapshot.retriever
    assert rebuilt.corrector.speller.state() == fresh.corrector.speller.state()


def test_an_updated_speller_is_the_speller_of_the_new_words() -> None:
    old = "Ottawa treaty Ottawa ottawa clearance Finland Finland mines mines".split()
    gone, came = ["Ottawa", "mines", "Finland", "Finland"], ["Chile", "treaty", "ottawa"]
    left = list(old)
    for word in gone:
        left.remove(word)
    updated = SpellingCorrector(old).updated(gone, came)
    assert updated.state() == SpellingCorrector(left + came).state()
    assert "finland" not in updated.state()["counts"]  # type: ignore[operator]
    assert updated.correct("Chilee", lambda word: True, proper_name=True) == "chile"
    # "Ottawa" is now written lower-case as often as not: no longer a name.
    assert updated.correct("Otawa", lambda word: True, proper_name=True) is None
