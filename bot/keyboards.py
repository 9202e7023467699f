"""The buttons the bot shows (👍 / 👎 and More sources under answers, /remove's choice),
and what a press carries.

Telegram gives a button 64 bytes of data, so a vote button carries the answer's id (the
stored question's id and the offset of the quotes shown), never the question itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.followups import more_callback_data, parse_more_callback

_VOTE = "vote"
UP, DOWN = "👍", "👎"


def answer_id(question_id: str, offset: int) -> str:
    return f"{question_id}.{offset}"


def vote_callback_data(answer: str, up: bool) -> str:
    return f"{_VOTE}:{answer}:{'up' if up else 'down'}"


def parse_vote_callback(data: str | None) -> tuple[str, bool] | None:
    """(answer id, up) from a vote button's data, or None when it is not one."""
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != _VOTE or parts[2] not in ("up", "down") or not parts[1]:
        return None
    return parts[1], parts[2] == "up"


def vote_row(answer: str, voted: bool | None = None) -> list[InlineKeyboardButton]:
    """👍 and 👎; once a vote is counted, its button says so (and both still work, so a
    reader can change their mind)."""
    up = f"{UP} counted" if voted is True else UP
    down = f"{DOWN} counted" if voted is False else DOWN
    return [
        InlineKeyboardButton(up, callback_data=vote_callback_data(answer, True)),
        InlineKeyboardButton(down, callback_data=vote_callback_data(answer, False)),
    ]


def answer_keyboard(question_id: str, offset: int, more_offset: int | None) -> InlineKeyboardMarkup:
    """Under the last message of an answer: the votes, and More sources when there are."""
    rows = [vote_row(answer_id(question_id, offset))]
    if more_offset is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    "More sources ▸", callback_data=more_callback_data(question_id, more_offset)
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def with_vote_shown(
    markup: InlineKeyboardMarkup | None, answer: str, up: bool
) -> InlineKeyboardMarkup:
    """The same keyboard with the vote row marked as counted (other rows kept as they are)."""
    return InlineKeyboardMarkup([vote_row(answer, up), *_rows_without(markup, parse_vote_callback)])


def without_more(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The keyboard after its More-sources button was pressed: the votes only."""
    rows = _rows_without(markup, parse_more_callback)
    return InlineKeyboardMarkup(rows) if rows else None


def _rows_without(
    markup: InlineKeyboardMarkup | None, parse: Callable[[str | None], object]
) -> list[list[InlineKeyboardButton]]:
    """The keyboard's rows but those holding a button whose data `parse` recognises."""
    return [
        list(row)
        for row in (markup.inline_keyboard if markup else ())
        if not any(parse(b.callback_data) for b in row if isinstance(b.callback_data, str))
    ]


def removal_token(doc_id: str) -> str:
    """A short stand-in for a document id in a button (Telegram allows 64 bytes)."""
    return hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).hexdigest()


def removal_keyboard(doc_id: str) -> InlineKeyboardMarkup:
    """Under a /remove confirmation: remove, or keep."""
    token = removal_token(doc_id)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Remove it", callback_data=f"rm:{token}:yes"),
                InlineKeyboardButton("Keep it", callback_data=f"rm:{token}:no"),
            ]
        ]
    )


def parse_removal_callback(data: str | None) -> tuple[str, bool | None]:
    """(document token, True to remove / False to keep / None when malformed)."""
    _, token, choice = ((data or "") + "::").split(":", 3)[:3]
    return token, {"yes": True, "no": False}.get(choice)
