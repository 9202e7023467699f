"""A file replaced whole or not at all: a failed write keeps the old file and leaves no
temporary file beside it (a corpus folder would otherwise collect them)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pytest

from retrieval.atomic import write_atomically


def test_a_write_replaces_the_file_whole(tmp_path: Path) -> None:
    file = tmp_path / "state.json"
    file.write_bytes(b"old")
    write_atomically(file, lambda out: out.write(b"new"))
    assert file.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    file = tmp_path / "state.json"
    file.write_bytes(b"old")

    def half_then_fail(out: BinaryIO) -> None:
        out.write(b"ne")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(file, half_then_fail, prefix=".upload-")
    assert file.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
