"""Shared test set-up.

PTB_TIMEDELTA opts in to python-telegram-bot's timedelta durations (the v23 behaviour);
without it, PTB itself warns when a 429 is parsed, and the suite treats warnings as errors.
"""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "true")
