"""Files replaced whole or not at all.

The index cache, the embedding store, uploads and the removal list are read by processes
that may start while they are being written: each is written to a temporary file beside
its place, then renamed over it, so a reader sees the old file or the new one. A write
that fails leaves no temporary file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomically(
    file: Path, write: Callable[[BinaryIO], object], prefix: str = ".writing-"
) -> None:
    """Replace `file` with what `write` puts in the binary handle it is given."""
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=file.suffix, dir=file.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        Path(temporary).replace(file)
    finally:
        Path(temporary).unlink(missing_ok=True)
