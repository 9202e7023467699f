"""Which document a metadata question means, by words or by meaning, on its own."""

from __future__ import annotations

from corpus import default_corpus_dir, load_corpus
from retrieval.analyzer import Analyzer
from retrieval.engine import EngineSettings, build_retriever
from retrieval.naming import DocumentNaming


def test_without_the_semantic_layer_a_description_names_no_document() -> None:
    corpus = load_corpus(default_corpus_dir())
    documents = {d.id: d for d in corpus.documents}
    lexical = DocumentNaming(documents, Analyzer(), None, cosine=0.35, margin=0.05)
    question = "who wrote the piece telling the Nordic governments to stick with the mine ban?"
    assert lexical.meant(question, "authors") is None
    hybrid = build_retriever(corpus, EngineSettings()).naming
    assert hybrid.meant(question, "authors") == list(documents)
    # A book on another subject: the one title is not close, whatever the margin.
    assert hybrid.meant("who wrote the lord of the rings?", "authors") is None
