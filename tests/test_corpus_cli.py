"""`ihlbot index`: what a corpus editor sees after dropping files into the corpus folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

ARTICLE = """\
Why Nordic governments must uphold the global ban on anti-personnel mines

April 2, 2026, Analysis / Disarmament

9 mins read

Anders Ladekarl
Secretary General, Danish Red Cross Society

Eero Rämö
Secretary General, Finnish Red Cross Society

The security concerns in our region are real and must be taken seriously. We need to see the \
world as it is, not as we might wish it to be. Yet it is difficult to see how withdrawing from \
the APMBC would enhance security in the Nordic region, Europe, or globally.

Interoperability and the APMBC

A closer look at interoperability in international law and practice shows that these \
challenges are neither unique nor especially difficult to manage. Multinational operations \
frequently involve partners with varying legal obligations and interpretations of shared \
duties.

Upholding humanity in conflict

Even as the security situation in our region becomes increasingly volatile, we call on all \
remaining Nordic governments to remain steadfast in their commitment to the Anti-Personnel \
Mine Ban Convention and to the protection of civilians it secures.

Tags: landmines, IHL
"""


def test_index_reports_each_document_and_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nordic.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "nordic.meta.toml").write_text(
        'publisher = "ICRC Humanitarian Law & Policy Blog"\n'
        'url = "https://blogs.icrc.org/law-and-policy/nordic"\n',
        encoding="utf-8",
    )
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9".encode("latin-1") + b" au lait " * 10)
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")

    code = main(["index", "--corpus", str(tmp_path)])
    out = capsys.readouterr().out

    assert code == 0
    assert "Why Nordic governments must uphold the global ban on anti-personnel mines" in out
    assert "Anders Ladekarl (Secretary General, Danish Red Cross Society)" in out
    assert "Eero Rämö (Secretary General, Finnish Red Cross Society)" in out
    assert "2026-04-02" in out
    assert "ICRC Humanitarian Law & Policy Blog" in out
    assert "https://blogs.icrc.org/law-and-policy/nordic" in out
    assert "sections:  2" in out
    assert "Interoperability and the APMBC" in out
    assert "Upholding humanity in conflict" in out
    assert "passages:  3 " in out
    assert "1 document(s), 3 passage(s), 2 problem(s)" in out
    problem_lines = [line for line in out.splitlines() if "skipped:" in line]
    assert len(problem_lines) == 2
    assert any("latin1.txt" in line and "UTF-8" in line for line in problem_lines)
    assert any("notes.docx" in line and ".docx" in line for line in problem_lines)


def test_index_shows_a_sidecar_warning_and_still_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nordic.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "nordic.meta.toml").write_text('url = "blogs.icrc.org/nordic"\n', encoding="utf-8")
    code = main(["index", "--corpus", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    (warning,) = [line for line in out.splitlines() if "warning:" in line]
    assert "nordic.meta.toml" in warning
    assert "url" in warning
    assert "url:" not in out  # no address was invented


def test_index_without_documents_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    code = main(["index", "--corpus", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "0 document(s), 0 passage(s), 1 problem(s)" in out
    assert "empty.txt" in out


def test_index_of_a_missing_folder_fails_with_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    code = main(["index", "--corpus", str(missing)])
    out = capsys.readouterr().out
    assert code == 1
    assert str(missing) in out
    assert "does not exist" in out
