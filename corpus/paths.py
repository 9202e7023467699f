"""Where the shipped seed documents are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def default_corpus_dir() -> Path:
    """`corpus/seeds` in an installed wheel, `seeds/` beside the package in a checkout."""
    installed = _PACKAGE / "seeds"
    return installed if installed.is_dir() else _PACKAGE.parent / "seeds"
