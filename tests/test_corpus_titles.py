"""Titles guessed from a document's text are bounded in characters, not only in words."""

from __future__ import annotations

from pathlib import Path

from corpus import load_corpus
from corpus.assemble import MAX_INFERRED_TITLE


def test_a_pasted_paragraph_as_heading_gives_a_bounded_title(tmp_path: Path) -> None:
    heading = "Mines " + "x" * 5000 + " and more words after it"
    (tmp_path / "a.md").write_text(f"# {heading}\n\nSnow hides mines from deminers.\n", "utf-8")
    (tmp_path / "b.txt").write_text("Minefield" * 900 + "\n\nSnow hides mines in winter.\n")
    titles = [d.title for d in load_corpus(tmp_path).documents]
    assert len(titles) == 2
    for title in titles:
        assert 0 < len(title) <= MAX_INFERRED_TITLE and title.endswith("…")
