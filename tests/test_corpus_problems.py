"""Broken files are reported by name with a reason a corpus editor can act on, and skipped;
the good files beside them still load."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import Corpus, LoadProblem, load_corpus

GOOD = (
    "Each State Party undertakes never under any circumstances to use anti-personnel mines. "
    "It also undertakes never to develop, produce, acquire, stockpile, retain or transfer them "
    "to anyone, directly or indirectly.\n"
)

ONLY_FURNITURE = """\
Why Nordic governments must uphold the global ban on anti-personnel mines

April 2, 2026, Analysis / Disarmament / Humanitarian Action / IHL / Landmines and the Law

9 mins read

Anders Ladekarl
Secretary General, Danish Red Cross Society

See also

- Erik Tollefsen, Pete Evans, *Do anti-personnel mines still have military utility?*, 2025

Tags: landmines, IHL
"""

# name -> (content, words the reason must contain, case-insensitive)
BROKEN: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "latin1.txt": ("Café au lait, naïve: saved in Latin-1.".encode("latin-1"), ("utf-8",)),
    "corrupt.pdf": (b"%PDF-1.4\n1 0 obj garbage \x8f\x90 endobj\ntrailer <<>>\n", ("pdf",)),
    "not-a-pdf.pdf": (b"Just some words, saved with the wrong extension.", ("not a pdf",)),
    "empty.txt": (b"", ("empty",)),
    "blank.md": (b"  \n\n\t \r\n   \n", ("empty",)),
    "binary.txt": (b"Some text\x00\x00with NUL bytes in it.", ("nul",)),
    "report.docx": (b"PK\x03\x04 a Word file", (".docx", "unsupported")),
    "furniture.txt": (ONLY_FURNITURE.encode(), ("no text", "furniture")),
    "broken-page.html": (
        b"<html><body><nav>Home</nav><script>x()</script></body></html>",
        ("no text",),
    ),
}


def _problem(corpus: Corpus, name: str) -> LoadProblem:
    (problem,) = [p for p in corpus.problems if p.file == name]
    return problem


@pytest.fixture
def messy(tmp_path: Path) -> Corpus:
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "also-good.md").write_text(f"# Also good\n\n{GOOD}", encoding="utf-8")
    for name, (content, _) in BROKEN.items():
        (tmp_path / name).write_bytes(content)
    return load_corpus(tmp_path)


def test_good_files_load_beside_broken_ones(messy: Corpus) -> None:
    assert sorted(d.source_file for d in messy.documents) == ["good.txt", "nested/also-good.md"]
    assert len(messy.passages) == 2


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_file_is_reported_and_skipped(messy: Corpus, name: str) -> None:
    problem = _problem(messy, name)
    assert problem.skipped
    assert problem.reason
    for word in BROKEN[name][1]:
        assert word in problem.reason.lower()
    assert all(d.source_file != name for d in messy.documents)


def test_every_problem_is_one_file(messy: Corpus) -> None:
    assert sorted(p.file for p in messy.problems) == sorted(BROKEN)


def test_invalid_utf8_reason_gives_the_offset(tmp_path: Path) -> None:
    data = "Mines in Lebanon: the Conventión was acceded to in 2025.".encode("latin-1")
    (tmp_path / "lebanon.txt").write_bytes(data)
    (problem,) = load_corpus(tmp_path).problems
    offset = data.index("ó".encode("latin-1"))
    assert problem.file == "lebanon.txt"
    assert "UTF-8" in problem.reason
    assert f"offset {offset}" in problem.reason


def test_a_utf8_bom_is_not_a_problem(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    corpus = load_corpus(tmp_path)
    assert corpus.problems == ()
    assert corpus.documents[0].text.startswith("Each State Party")


def test_a_malformed_sidecar_is_reported_but_the_document_loads(tmp_path: Path) -> None:
    (tmp_path / "ottawa.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "ottawa.meta.toml").write_text('title = "Unclosed\n', encoding="utf-8")
    corpus = load_corpus(tmp_path)
    (document,) = corpus.documents
    assert document.source_file == "ottawa.txt"
    (problem,) = corpus.problems
    assert not problem.skipped
    assert "ottawa.txt" in problem.file
    assert "ottawa.meta.toml" in problem.file
    assert "TOML" in problem.reason
    assert "line 1" in problem.reason


@pytest.mark.parametrize(
    ("sidecar", "field"),
    [
        ('date = "the second of April"\n', "date"),
        ("authors = 3\n", "authors"),
        ('titel = "Typo in the key"\n', "titel"),
    ],
)
def test_a_sidecar_with_a_bad_field_names_the_field(
    tmp_path: Path, sidecar: str, field: str
) -> None:
    (tmp_path / "ottawa.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "ottawa.meta.toml").write_text(sidecar, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert len(corpus.documents) == 1
    (problem,) = corpus.problems
    assert not problem.skipped
    assert f"'{field}" in problem.reason


def test_a_missing_corpus_folder_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    corpus = load_corpus(missing)
    assert corpus.documents == ()
    assert corpus.passages == ()
    (problem,) = corpus.problems
    assert problem.file == str(missing)
    assert "does not exist" in problem.reason


def test_a_file_instead_of_a_folder_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "corpus.txt"
    path.write_text(GOOD, encoding="utf-8")
    corpus = load_corpus(path)
    assert corpus.documents == ()
    assert len(corpus.problems) == 1


def test_hidden_files_readmes_and_orphan_sidecars_are_not_documents(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "README.md").write_text("# About this folder\n\nDrop files here.\n")
    (tmp_path / "orphan.meta.toml").write_text('title = "No document"\n', encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [d.source_file for d in corpus.documents] == ["good.txt"]
    assert corpus.problems == ()
