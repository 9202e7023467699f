"""Source documents in, clean citable passages out."""

from __future__ import annotations

from corpus.loading import load_corpora, load_corpus
from corpus.models import Author, Corpus, Document, LoadProblem, Passage, Section
from corpus.paths import default_corpus_dir

__all__ = [
    "Author",
    "Corpus",
    "Document",
    "LoadProblem",
    "Passage",
    "Section",
    "default_corpus_dir",
    "load_corpora",
    "load_corpus",
]
