"""Settings placeholder; replaced by the pydantic-settings object."""

from __future__ import annotations

import os
from pathlib import Path


def corpus_dir_from_environment() -> Path | None:
    value = os.environ.get("BOT_CORPUS_DIR")
    return Path(value) if value else None
