"""The semantic layer: the shipped ONNX model, the embedding store, and the fallback to
words only when the model is missing or broken."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.library import Library
from corpus import default_corpus_dir, load_corpus
from retrieval.embedding import DEFAULT_MODEL_DIR, EmbeddingModel, ModelUnavailable, load_model
from retrieval.embedding_store import EmbeddingStore
from retrieval.engine import EngineSettings, build_retriever
from retrieval.semantic import SemanticIndex, background_questions
from retrieval.units import units_for


@pytest.fixture(scope="module")
def model() -> EmbeddingModel:
    loaded = load_model()
    assert loaded is not None, "the shipped model must load"
    return loaded


class CountingModel:
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, model: EmbeddingModel) -> None:
        self._model = model
        self.model_id = model.model_id
        self.dimension = model.dimension
        self.folder = model.folder
        self.embedded: list[str] = []

    def embed(self, texts: list[str], *, batch_size: int = 1) -> np.ndarray:
        self.embedded.extend(texts)
        return self._model.embed(texts, batch_size=batch_size)


def test_embeddings_are_unit_vectors_and_meaning_is_closer_than_words(
    model: EmbeddingModel,
) -> None:
    vectors = model.embed(
        [
            "Parliamentarians proposed to withdraw from the Convention.",
            "MPs want to pull out of the treaty.",
            "Parliament debated the budget for schools.",
        ]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_a_texts_vector_does_not_depend_on_the_texts_embedded_with_it(
    model: EmbeddingModel,
) -> None:
    texts = ["short", "a much longer sentence about anti-personnel mines and their victims", "x y"]
    together = model.embed(texts)
    alone = np.vstack([model.embed([t]) for t in texts])
    assert np.array_equal(together, alone)  # the cache may serve either
    batched = model.embed(texts, batch_size=2)  # grouped by length, each row its own text
    assert (np.sum(batched * alone, axis=1) > 0.97).all()
    assert model.embed([]).shape == (0, 384)


def test_a_missing_or_broken_model_is_one_log_line_and_words_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "model.onnx").write_bytes(b"not an onnx file")
    shutil.copy(DEFAULT_MODEL_DIR / "tokenizer.json", broken / "tokenizer.json")
    with pytest.raises(ModelUnavailable):
        EmbeddingModel(broken)
    corpus = load_corpus(default_corpus_dir())
    for folder in (broken, tmp_path / "no-such-model"):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            retriever = build_retriever(corpus, EngineSettings(model_dir=folder))
        assert retriever.semantic is None
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1 and "semantic search is off" in warnings[0].getMessage()
        answer = retriever.search("What did military leadership in Estonia and Latvia say?")
        assert answer.answered and "Estonia" in answer.hits[0].quote


def test_semantic_off_builds_no_semantic_index() -> None:
    corpus = load_corpus(default_corpus_dir())
    assert build_retriever(corpus, EngineSettings(semantic=False)).semantic is None
    assert build_retriever(corpus, EngineSettings()).semantic is not None


def test_a_question_is_embedded_once_however_many_steps_ask_for_it(
    model: EmbeddingModel,
) -> None:
    """Ranking, naming a document and checking a metadata field each ask for the
    question's vector: one model run serves them all, and nobody can alter it."""
    corpus = load_corpus(default_corpus_dir())
    index = build_retriever(corpus, EngineSettings()).semantic
    assert index is not None
    counting = CountingModel(model)
    counted = dataclasses.replace(index, model=counting)  # type: ignore[arg-type]
    question = "how long does it take to read the post?"
    first = counted.embed_question(question)
    assert np.array_equal(counted.embed_question(question), first)
    assert counting.embedded == [question]
    assert np.allclose(first, model.embed([question])[0])
    with pytest.raises(ValueError):
        first[0] = 0.0
    counted.embed_question("another question")
    assert counting.embedded == [question, "another question"]
    # One full retrieval runs the model once for its question.
    retriever = build_retriever(corpus, EngineSettings())
    counting.embedded.clear()
    object.__setattr__(retriever, "semantic", counted)
    retriever.naming.semantic = counted
    # (its words name no document, so the field check asks the question's meaning too)
    asked = "How many months after a state notifies does leaving the Convention take effect?"
    retriever.search(asked)
    assert counting.embedded.count(asked) == 1


def test_the_store_embeds_a_text_once_and_a_changed_file_only_anew(
    model: EmbeddingModel, tmp_path: Path
) -> None:
    counting = CountingModel(model)
    store_dir = tmp_path / "embeddings"
    first = EmbeddingStore(store_dir).vectors(counting, ["alpha text", "beta text"])  # type: ignore[arg-type]
    assert counting.embedded == ["alpha text", "beta text"]
    counting.embedded.clear()
    again = EmbeddingStore(store_dir).vectors(counting, ["beta text", "alpha text", "gamma"])  # type: ignore[arg-type]
    assert counting.embedded == ["gamma"]
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[1], first[0])


def test_a_changed_list_replaces_the_stored_pair_whole_copied_in_blocks(
    model: EmbeddingModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_dir = tmp_path / "embeddings"
    monkeypatch.setattr("retrieval.embedding_store._BLOCK", 2)  # copied in several blocks
    first = EmbeddingStore(store_dir).vectors(model, ["one", "two", "three", "four", "five"])
    second = EmbeddingStore(store_dir).vectors(model, ["five", "six", "one", "four", "three"])
    assert np.array_equal(second[[0, 2, 3, 4]], first[[4, 0, 3, 2]])
    assert not second.flags.writeable
    names = sorted(p.name for p in store_dir.iterdir())
    assert len(names) == 2 and not any(n.startswith(".") for n in names), names
    assert np.array_equal(EmbeddingStore(store_dir).vectors(model, ["six", "one"]), second[1:3])

    # A store folder that cannot be written: the vectors are still served.
    def unwritable(*args: object, **kwargs: object) -> object:
        raise PermissionError("read-only file system")

    monkeypatch.setattr("retrieval.atomic.tempfile.mkstemp", unwritable)
    served = EmbeddingStore(store_dir).vectors(model, ["seven", "one"])
    assert np.array_equal(served[1], first[0])
    assert np.allclose(served[0], model.embed(["seven"])[0], atol=1e-6)


def test_two_models_share_a_store_folder_without_deleting_each_others_vectors(
    model: EmbeddingModel, tmp_path: Path
) -> None:
    """Switching BOT_EMBEDDING_MODEL back must find the first model's vectors still there,
    and a model's own older build must still be cleaned away."""
    store_dir = tmp_path / "embeddings"
    first, second = CountingModel(model), CountingModel(model)
    second.model_id = first.model_id + "-b"  # a model whose id starts like the other's
    texts = ["alpha text", "beta text"]
    EmbeddingStore(store_dir).vectors(first, texts)  # type: ignore[arg-type]
    EmbeddingStore(store_dir).vectors(second, texts)  # type: ignore[arg-type]
    EmbeddingStore(store_dir).vectors(second, [*texts, "gamma"])  # type: ignore[arg-type]
    first.embedded.clear()
    again = EmbeddingStore(store_dir).vectors(first, texts)  # type: ignore[arg-type]
    assert first.embedded == [], "the other model's build deleted this model's vectors"
    assert np.allclose(again, model.embed(texts), atol=1e-6)
    names = sorted(p.name for p in store_dir.iterdir())
    assert len(names) == 4, names  # each model's keys and its latest vectors, no older build
    assert sum(n.startswith(second.model_id) and n.endswith(".npy") for n in names) == 1, names


def test_an_unchanged_list_is_found_whole_and_any_other_text_by_text(
    model: EmbeddingModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart with the same texts in the same order needs no key per text; a list
    that differs only in order, or only in where one text ends, must not be taken for it."""
    counting = CountingModel(model)
    store_dir = tmp_path / "embeddings"
    texts = ["mines", "laid", "clearance"]
    first = EmbeddingStore(store_dir).vectors(counting, texts)  # type: ignore[arg-type]
    assert not first.flags.writeable, "callers share the stored vectors: they must not change"

    def no_keys(texts: list[str]) -> list[bytes]:
        raise AssertionError("looked texts up one by one for an unchanged list")

    with monkeypatch.context() as patched:
        patched.setattr("retrieval.embedding_store._text_keys", no_keys)
        again = EmbeddingStore(store_dir).vectors(counting, texts)  # type: ignore[arg-type]
    assert np.array_equal(again, first)

    # The same characters, cut elsewhere: two new texts, and the unchanged one found.
    counting.embedded.clear()
    recut = EmbeddingStore(store_dir).vectors(counting, ["mine", "slaid", "clearance"])  # type: ignore[arg-type]
    assert counting.embedded == ["mine", "slaid"]
    assert np.array_equal(recut[2], first[2])
    assert np.allclose(recut[:2], model.embed(["mine", "slaid"]), atol=1e-6)
    # The first texts in another order: found one by one, each its own vector.
    EmbeddingStore(store_dir).vectors(counting, texts)  # type: ignore[arg-type]
    counting.embedded.clear()
    reordered = EmbeddingStore(store_dir).vectors(counting, texts[::-1])  # type: ignore[arg-type]
    assert counting.embedded == []
    assert np.array_equal(reordered, first[::-1])


def test_a_reload_after_one_file_changed_embeds_only_that_files_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model: EmbeddingModel
) -> None:
    corpus_dir = Path(shutil.copytree(default_corpus_dir(), tmp_path / "corpus"))
    (corpus_dir / "note.md").write_text(
        "# Clearance in winter\n\nSnow hides mines from deminers for months in the far north.\n",
        "utf-8",
    )
    counting = CountingModel(model)
    monkeypatch.setattr("retrieval.engine.embedding_model", lambda settings: counting)
    library = Library(corpus_dir, tmp_path / "data")
    library.load()
    assert any("Snow hides mines" in text for text in counting.embedded)
    # The seed article's vectors ship with the package: they are never embedded here.
    assert all("Estonia" not in text for text in counting.embedded)

    counting.embedded.clear()
    (corpus_dir / "note.md").write_text(
        "# Clearance in winter\n\nIce and snow hide mines from deminers for months.\n", "utf-8"
    )
    library.load()
    assert counting.embedded, "the changed file was not embedded"
    assert all("Estonia" not in text for text in counting.embedded), "unchanged text re-embedded"
    assert any("Ice and snow hide mines" in text for text in counting.embedded)


def test_a_damaged_store_is_rebuilt_not_fatal(
    model: EmbeddingModel, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store_dir = tmp_path / "embeddings"
    EmbeddingStore(store_dir).vectors(model, ["alpha text"])
    (stored,) = store_dir.glob("*.npz")
    stored.write_bytes(stored.read_bytes()[:100])
    counting = CountingModel(model)
    with caplog.at_level(logging.WARNING):
        vectors = EmbeddingStore(store_dir).vectors(counting, ["alpha text"])  # type: ignore[arg-type]
    assert counting.embedded == ["alpha text"]
    assert "damaged embedding store" in caplog.text
    assert np.allclose(vectors, model.embed(["alpha text"]), atol=1e-6)


def test_damaged_or_missing_vectors_beside_good_keys_are_rebuilt_not_fatal(
    model: EmbeddingModel, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store_dir = tmp_path / "embeddings"
    EmbeddingStore(store_dir).vectors(model, ["alpha text", "beta text"])
    (vectors_file,) = store_dir.glob("*.npy")
    vectors_file.write_bytes(vectors_file.read_bytes()[:-100])  # cut short
    counting = CountingModel(model)
    with caplog.at_level(logging.WARNING):
        vectors = EmbeddingStore(store_dir).vectors(counting, ["alpha text", "beta text"])  # type: ignore[arg-type]
    assert counting.embedded == ["alpha text", "beta text"]
    assert "damaged embedding store" in caplog.text
    assert np.allclose(vectors, model.embed(["alpha text", "beta text"]), atol=1e-6)
    # The rewrite left one pair of files, and a store without its vectors file is a miss.
    assert len(list(store_dir.glob("*.npy"))) == len(list(store_dir.glob("*.npz"))) == 1
    next(store_dir.glob("*.npy")).unlink()
    counting.embedded.clear()
    EmbeddingStore(store_dir).vectors(counting, ["alpha text"])  # type: ignore[arg-type]
    assert counting.embedded == ["alpha text"]


def test_a_store_written_with_its_vectors_inside_the_archive_is_still_read(
    model: EmbeddingModel, tmp_path: Path
) -> None:
    """Stores written before the vectors had a file of their own: an upgrade must not
    embed a large corpus again."""
    from retrieval.embedding_store import list_digest

    store_dir = tmp_path / "embeddings"
    store_dir.mkdir()
    texts = ["alpha text", "beta text"]
    vectors = model.embed(texts)
    from retrieval.embedding_store import _key_array, _text_keys

    np.savez(
        store_dir / f"{model.model_id}.npz",
        keys=_key_array(_text_keys(texts)),
        vectors=vectors,
        digest=np.frombuffer(list_digest(texts), dtype=np.uint8),
    )
    counting = CountingModel(model)
    again = EmbeddingStore(store_dir, shipped=None).vectors(counting, texts[::-1])  # type: ignore[arg-type]
    assert counting.embedded == []
    assert np.array_equal(again, vectors[::-1])


def test_the_shipped_store_covers_the_shipped_seeds(model: EmbeddingModel) -> None:
    """Fails when the seeds, the chunker or the model change without
    `python -m retrieval.embedding_store` being run: the first answer would then wait."""
    from retrieval.embedding_store import SHIPPED_STORE
    from retrieval.units import units_for

    counting = CountingModel(model)
    store = EmbeddingStore(None)  # nothing on disk but the shipped vectors
    units = units_for(load_corpus(default_corpus_dir()))
    texts = [u.embed_text for u in units] + [t for u in units for t in u.sentence_embed_texts()]
    texts += background_questions()
    shipped = store.vectors(counting, texts)  # type: ignore[arg-type]
    assert (SHIPPED_STORE / f"{model.model_id}.npz").is_file()
    assert counting.embedded == [], "the shipped seed embeddings are stale"
    # The int8 kernels round differently by CPU (seen 4 December 2026 on an AVX2-only CPU,
    # most likely against one with VNNI): vectors made on another machine agree to a cosine
    # of 0.98, not bit for bit; a store made by another model or of other texts falls far lower.
    assert (np.sum(shipped * model.embed(texts), axis=1) >= 0.97).all()


def test_the_index_finds_the_shipped_store_whole_without_making_its_texts(
    model: EmbeddingModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh install's first start takes the shipped vectors by the digest of what makes
    the texts; it neither makes the sentence texts nor looks them up one by one."""

    def not_called(*args: object) -> None:
        raise AssertionError("the texts were made or looked up one by one")

    monkeypatch.setattr("retrieval.embedding_store._text_keys", not_called)
    monkeypatch.setattr("retrieval.units.SearchUnit.sentence_embed_texts", not_called)
    units = units_for(load_corpus(default_corpus_dir()))
    index = SemanticIndex.build(units, model, EmbeddingStore(None))
    assert index.sentence_vectors.shape[0] == sum(len(u.sentences) for u in units)
    monkeypatch.undo()
    first = units[0]
    made_here = model.embed(first.sentence_embed_texts()[:1])[0]
    assert float(index.sentence_vectors[0] @ made_here) >= 0.97  # as above: CPU rounding


def test_a_unit_whose_sentences_are_cut_elsewhere_is_embedded_anew(
    model: EmbeddingModel, tmp_path: Path
) -> None:
    """The digest covers the sentence spans: the same passages cut into other sentences
    are new texts, not the stored ones."""
    units = units_for(load_corpus(default_corpus_dir()))
    store_dir = tmp_path / "embeddings"
    SemanticIndex.build(units, model, EmbeddingStore(store_dir, shipped=None))
    first = units[0]
    (a, b), *rest = first.sentences
    recut = dataclasses.replace(first, given_sentences=((a, b - 1), *rest))
    counting = CountingModel(model)
    index = SemanticIndex.build(
        (recut, *units[1:]),
        counting,
        EmbeddingStore(store_dir, shipped=None),  # type: ignore[arg-type]
    )
    assert counting.embedded == [first.text[a : b - 1]]
    assert np.allclose(
        index.sentence_vectors[0], model.embed([first.text[a : b - 1]])[0], atol=1e-6
    )


def test_the_background_is_nearer_to_everyday_questions_than_to_questions_on_the_sources(
    model: EmbeddingModel,
) -> None:
    """The off-topic evidence: none of these questions is in the background file; each
    everyday one is nearer to some background question than any on-topic one is."""
    index = SemanticIndex.build(
        units_for(load_corpus(default_corpus_dir())), model, EmbeddingStore(None)
    )
    assert len(index.background) == len(background_questions()) >= 400

    def nearest(question: str) -> float:
        return index.background_similarity(index.embed_question(question))

    everyday = [
        "what should I plant in a shady corner of my garden",
        "cheap flights to Lisbon in May",
    ]
    on_topic = [
        "why do anti-personnel mines keep killing after a war ends",
        "who wrote this article",
    ]
    assert min(map(nearest, everyday)) > max(map(nearest, on_topic))


def test_the_background_file_is_a_list_of_questions(tmp_path: Path) -> None:
    broken = tmp_path / "background.json"
    broken.write_text('{"not": "a list"}', encoding="utf-8")
    with pytest.raises(ValueError, match="list of strings"):
        background_questions(broken)


def test_rows_are_copied_in_runs_and_scattered_alike() -> None:
    from retrieval.embedding_store import _copy_rows

    rng = np.random.default_rng(5)
    source = rng.standard_normal((500, 4)).astype(np.float32)
    positions = np.concatenate([np.arange(0, 200), [250, 203, 201], np.arange(300, 450)])
    rows = np.concatenate([np.arange(100, 300), [7, 3, 0], np.arange(350, 500)])
    out = np.zeros((460, 4), dtype=np.float32)
    _copy_rows(out, positions, source, rows)
    expected = np.zeros_like(out)
    expected[positions] = source[rows]
    assert np.array_equal(out, expected)
