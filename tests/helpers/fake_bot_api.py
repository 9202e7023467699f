"""A local fake of the Telegram Bot API for end-to-end tests and load benchmarks.

The real python-telegram-bot ``Application`` is pointed at it with
``ApplicationBuilder().base_url(server.base_url)``, so it speaks the real wire format: the
same URLs, form or JSON parameters, ``{"ok": ..., "result": ...}`` answers, Telegram's error
texts and HTTP statuses, and Telegram's HTML rules (ported from TDLib's ``parse_html``), so
that a reply Telegram would refuse fails here too.

The server runs in its own thread with its own event loop, so a busy bot or test loop never
starves it, and the other way round.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, Self

from aiohttp import web

__all__ = [
    "FakeBotApi",
    "HtmlParseError",
    "RecordedCall",
    "parse_telegram_html",
    "utf16_len",
]

_LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]

MAX_MESSAGE_UTF16 = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_CHARS = 200
MAX_INLINE_RESULTS = 50
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses larger files

METHODS = tuple(
    [
        "getMe",
        "getUpdates",
        "deleteWebhook",
        "getWebhookInfo",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
        "sendChatAction",
        "answerCallbackQuery",
        "answerInlineQuery",
        "getFile",
        "close",
        "logOut",
    ]
)
# Telegram matches method names case-insensitively.
_CANONICAL = {name.lower(): name for name in METHODS}

# Parameters that are plain strings on the wire; everything else PTB JSON-encodes.
_STRING_PARAMS = frozenset(
    [
        "text",
        "parse_mode",
        "query",
        "caption",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "next_offset",
        "url",
        "action",
        "language_code",
        "business_connection_id",
        "message_effect_id",
        "switch_pm_text",
        "switch_pm_parameter",
    ]
)
_CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
_BUTTON_ACTIONS = frozenset(
    [
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    ]
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?![\w@])")
_BOT_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")

_NGINX_PAGE = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# --------------------------------------------------------------------------------------------
# Telegram's HTML parse mode, after TDLib's parse_html (td/telegram/MessageEntity.cpp).


class HtmlParseError(ValueError):
    """Telegram's reason for refusing HTML; the API prefixes it with "can't parse entities: "."""


_HTML_TAGS = frozenset(
    [
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    ]
)
_SIMPLE_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
# TDLib's is_space(); "\0" also stands for the end of the text, which TDLib reads as NUL.
_SPACES = frozenset(" \t\r\n\v\0")
_NAME_TOKEN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MARKUP_CHARS = re.compile(r"[<&]")


class _OpenTag(NamedTuple):
    tag: str
    argument: str
    utf16_offset: int
    out_index: int


def _at(text: str, i: int) -> str:
    return text[i] if i < len(text) else "\0"


def _byte_offset(text: str, i: int) -> int:
    return len(text[:i].encode("utf-8", "surrogatepass"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at ``text[pos] == "&"`` like TDLib.

    Returns the character and the index after the reference, or None when TDLib keeps the
    "&" as a literal character (unknown names, "&" followed by a space, ...).
    """
    end = pos + 1
    if _at(text, end) == "#":
        end += 1
        digits = _HEX_DIGITS if _at(text, end) == "x" else _DIGITS
        if digits is _HEX_DIGITS:
            end += 1
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
        number = text[start:end]
        code = int(number, 16 if digits is _HEX_DIGITS else 10) if number else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end] in _ASCII_LETTERS:
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if _at(text, end) == ";":
        end += 1
    return char, end


def _attribute_value(text: str, i: int) -> tuple[str, int]:
    """Read an attribute value at ``i``: a lowercased name token or a quoted string."""
    quote = _at(text, i)
    if quote not in ("'", '"'):
        begin = i
        while _at(text, i) in _NAME_TOKEN:
            i += 1
        if _at(text, i) not in _SPACES and text[i] != ">":
            raise HtmlParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(text, begin)}"
            )
        return text[begin:i].lower(), i
    i += 1
    value: list[str] = []
    while i < len(text) and text[i] != quote:
        if text[i] == "&" and (decoded := _decode_entity(text, i)) is not None:
            value.append(decoded[0])
            i = decoded[1]
            continue
        value.append(text[i])
        i += 1
    if i < len(text):
        i += 1
    return "".join(value), i


def _start_tag(text: str, begin: int, out_index: int, utf16_offset: int) -> tuple[_OpenTag, int]:
    """Parse the start tag at ``text[begin] == "<"``; returns it and the index of its ">"."""
    n = len(text)
    offset = _byte_offset(text, begin)
    i = begin + 1
    while _at(text, i) not in _SPACES and text[i] != ">":
        i += 1
    if i >= n:
        raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
    tag = text[begin + 1 : i].lower()
    if tag not in _HTML_TAGS:
        raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {offset}')

    argument = ""
    while _at(text, i) != ">":
        while i < n and text[i] in _SPACES:
            i += 1
        if _at(text, i) == ">":
            break
        name_begin = i
        while _at(text, i) not in _SPACES and text[i] not in "=>/\"'":
            i += 1
        name = text[name_begin:i]
        if not name:
            raise HtmlParseError(f'Empty attribute name in the tag "{tag}" at byte offset {offset}')
        while i < n and text[i] in _SPACES:
            i += 1
        if _at(text, i) != "=":
            if i >= n:
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {offset}')
            if tag == "blockquote" and name == "expandable":
                argument = "1"
            continue
        i += 1
        while i < n and text[i] in _SPACES:
            i += 1
        if i >= n:
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {offset}')
        value, i = _attribute_value(text, i)
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
        if (tag, name) in (("a", "href"), ("tg-emoji", "emoji-id")):
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value.removeprefix("language-")
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value.removeprefix("tg-")
        elif tag == "blockquote" and name == "expandable":
            argument = "1"
    if tag == "span" and argument != "spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    return _OpenTag(tag, argument, utf16_offset, out_index), i


def _close_entity(entities: list[JSONDict], open_tag: _OpenTag, length: int, url: str) -> None:
    """Add the entity a closed tag makes, merging <pre><code class=...> like TDLib."""
    tag, argument, offset = open_tag.tag, open_tag.argument, open_tag.utf16_offset
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    entity: JSONDict = {"offset": offset, "length": length}
    if tag in _SIMPLE_ENTITY_TYPES:
        entity["type"] = _SIMPLE_ENTITY_TYPES[tag]
    elif tag == "a":
        if not url:
            return
        entity.update(type="text_link", url=url)
    elif tag == "tg-emoji":
        if not argument.isascii() or not argument.isdigit() or not 0 < int(argument) < 2**63:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entity.update(type="custom_emoji", custom_emoji_id=argument)
    elif tag == "blockquote":
        entity["type"] = "expandable_blockquote" if argument else "blockquote"
    elif tag == "pre":
        if last is not None and same_span and last["type"] == "code" and "language" in last:
            last["type"] = "pre"
            return
        entity["type"] = "pre"
    else:  # code
        if last is not None and same_span and last["type"] == "pre" and argument:
            last["language"] = argument
            return
        entity["type"] = "code"
        if argument:
            entity["language"] = argument  # dropped at the end unless a <pre> takes it
    entities.append(entity)


def parse_telegram_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram's HTML parse mode: the plain text and Bot API entities (UTF-16 offsets).

    Raises HtmlParseError with Telegram's wording where Telegram refuses the text. Like
    Telegram, unknown named references ("&nbsp;") and a lone "&" stay literal.
    """
    out: list[str] = []
    entities: list[JSONDict] = []
    stack: list[_OpenTag] = []
    utf16_offset = 0
    decoded_surrogate = False
    n = len(text)
    i = 0
    while i < n:
        match = _MARKUP_CHARS.search(text, i)
        stop = match.start() if match else n
        if stop > i:
            chunk = text[i:stop]
            out.append(chunk)
            utf16_offset += utf16_len(chunk)
            i = stop
            continue
        if text[i] == "&":
            decoded = _decode_entity(text, i)
            char, i = decoded if decoded else ("&", i + 1)
            decoded_surrogate |= 0xD800 <= ord(char) <= 0xDFFF
            out.append(char)
            utf16_offset += utf16_len(char)
            continue
        if _at(text, i + 1) != "/":
            open_tag, i = _start_tag(text, i, len(out), utf16_offset)
            stack.append(open_tag)
            i += 1
            continue
        begin, offset = i, _byte_offset(text, i)
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {offset}")
        i += 1
        while _at(text, i) not in _SPACES and text[i] != ">":
            i += 1
        end_name = text[begin + 2 : i].lower()
        while i < n and text[i] in _SPACES:
            i += 1
        if _at(text, i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {offset}")
        open_tag = stack.pop()
        if end_name and end_name != open_tag.tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{open_tag.tag}>", '
                f'found "</{end_name}>"'
            )
        if utf16_offset > open_tag.utf16_offset:
            url = open_tag.argument or "".join(out[open_tag.out_index :])
            _close_entity(entities, open_tag, utf16_offset - open_tag.utf16_offset, url)
        i += 1
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    if decoded_surrogate:
        raise HtmlParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Strip surrounding whitespace as Telegram stores messages, keeping entities aligned."""
    trimmed = text.strip()
    if len(trimmed) == len(text) or not entities:
        return trimmed, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(trimmed)
    kept: list[JSONDict] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return trimmed, kept


def _auto_entities(text: str) -> list[JSONDict]:
    """The mention and bot_command entities Telegram adds to an incoming text."""
    found: list[JSONDict] = []
    for kind, pattern in (("bot_command", _BOT_COMMAND), ("mention", _MENTION)):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
    found.sort(key=lambda e: e["offset"])
    return found


# --------------------------------------------------------------------------------------------
# The server.


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One Bot API request as the fake answered it.

    ``time`` is ``time.monotonic()`` when the request arrived. ``result`` is the JSON result
    of a successful call (for getUpdates, the list of delivered update_ids, to keep the hot
    path light); ``description`` is the error text of a failed one.
    """

    method: str
    params: dict[str, Any]
    time: float
    status: int
    result: Any = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.status == 200


class _ApiError(Exception):
    """An error answer in Telegram's format."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _bad(reason: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {reason}")


@dataclass(slots=True)
class _Fault:
    status: int
    count: int
    retry_after: int | None
    description: str | None


@dataclass(slots=True)
class _Answer:
    status: int
    body: str
    content_type: str = "application/json"
    result: Any = None
    description: str | None = None


def _as_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    return None


def _decode_param(name: str, value: Any) -> Any:
    """Undo PTB's form encoding: every non-string parameter arrives JSON-encoded."""
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _read_params(request: web.Request) -> JSONDict:
    raw: JSONDict = dict(request.query)
    if request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise _bad("can't parse JSON object")
            raw.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                raw[key] = value if isinstance(value, str) else f"<file {key}>"
    return {key: _decode_param(key, value) for key, value in raw.items()}


def _reply_target(params: JSONDict) -> int | None:
    reply = params.get("reply_parameters")
    if isinstance(reply, dict):
        return _as_int(reply.get("message_id"))
    return _as_int(params.get("reply_to_message_id"))


def _without_reply(message: JSONDict) -> JSONDict:
    """A copy fit to embed as reply_to_message: Telegram nests replies one level only."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}


@dataclass(slots=True)
class _State:
    """Everything the handlers and the push_* methods share, guarded by FakeBotApi._lock."""

    updates: deque[tuple[int, str]] = field(default_factory=deque)
    next_update_id: int = 1
    update_pushed_at: dict[int, float] = field(default_factory=dict)
    message_pushed_at: dict[tuple[int, int], float] = field(default_factory=dict)
    push_order: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    chats: dict[int, JSONDict] = field(default_factory=dict)
    last_message_id: dict[int, int] = field(default_factory=dict)
    messages: dict[tuple[int, int], JSONDict] = field(default_factory=dict)
    callback_query_ids: set[str] = field(default_factory=set)
    inline_query_ids: set[str] = field(default_factory=set)
    query_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    commands: dict[str, list[JSONDict]] = field(default_factory=dict)
    calls: list[RecordedCall] = field(default_factory=list)
    calls_by_method: dict[str, list[RecordedCall]] = field(default_factory=dict)
    faults: dict[str, deque[_Fault]] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    # file_id -> (file_path, bytes, the size Telegram states)
    files: dict[str, tuple[str, bytes, int]] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)  # file paths fetched


class FakeBotApi:
    """A fake Telegram Bot API server on 127.0.0.1 for PTB, run in a thread of its own.

    Use ``with FakeBotApi(token) as api:`` (or ``start()``/``stop()``) and build the bot with
    ``base_url=api.base_url``. Push updates with the ``push_*`` methods, inspect what the bot
    did with ``calls``/``calls_for``/``sent_messages``/``wait_for_calls``, and inject faults
    with ``fail_next``/``delay``. All public methods are thread-safe.
    """

    def __init__(
        self,
        token: str,
        *,
        bot_id: int = 7000001,
        first_name: str = "IHL Test Bot",
        username: str = "ihl_test_bot",
        can_join_groups: bool = True,
        can_read_all_group_messages: bool = False,
        supports_inline_queries: bool = True,
    ) -> None:
        self._token = token
        self._bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self._me: JSONDict = {
            **self._bot_user,
            "can_join_groups": can_join_groups,
            "can_read_all_group_messages": can_read_all_group_messages,
            "supports_inline_queries": supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._lock = threading.RLock()
        self._state = _State()
        self._handlers: dict[str, Callable[[JSONDict], Any]] = {
            "getMe": lambda _: dict(self._me),
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "getFile": self._get_file,
            "close": lambda _: True,
            "logOut": lambda _: True,
        }
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._closing: asyncio.Event | None = None
        self._pollers: set[asyncio.Future[None]] = set()
        self._port = 0

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Start serving on an OS-chosen port; returns once the port is bound."""
        if self._thread is not None:
            raise RuntimeError("FakeBotApi is already started")
        ready = threading.Event()
        errors: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve, args=(ready, errors), name="FakeBotApi", daemon=True
        )
        self._thread.start()
        ready.wait()
        if errors:
            self._thread.join()
            self._thread = None
            raise RuntimeError("FakeBotApi failed to start") from errors[0]

    def stop(self) -> None:
        """Answer pending long polls, close the server and end its thread."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        self._thread = self._loop = None
        self._port = 0

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The value for PTB's ``base_url``: PTB appends ``{token}/{method}``."""
        if not self._port:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def bot_user(self) -> JSONDict:
        """The bot's User object, as it appears in ``from`` of its messages."""
        return dict(self._bot_user)

    def _serve(self, ready: threading.Event, errors: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._open())
        except BaseException as exc:  # handed to start(), which raises it
            errors.append(exc)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _open(self) -> None:
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        # No access log: the benchmark's hot path must stay light.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def _shutdown(self) -> None:
        if self._closing is not None:
            self._closing.set()
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with ``status``.

        429 answers Telegram's flood-control JSON with ``parameters.retry_after`` (default 1).
        5xx without a description answers an nginx HTML page, as the proxy in front of
        Telegram does (PTB raises NetworkError after failing to parse it); with a description,
        or for other statuses, Telegram's JSON error.
        """
        name = self._canonical(method)
        with self._lock:
            faults = self._state.faults.setdefault(name, deque())
            faults.append(_Fault(status, count, retry_after, description))

    def delay(self, method: str, seconds: float) -> None:
        """Make every later call of ``method`` take ``seconds`` longer (0 removes the delay)."""
        name = self._canonical(method)
        with self._lock:
            if seconds > 0:
                self._state.delays[name] = seconds
            else:
                self._state.delays.pop(name, None)

    @staticmethod
    def _canonical(method: str) -> str:
        name = _CANONICAL.get(method.lower())
        if name is None:
            raise ValueError(f"FakeBotApi does not implement {method!r}")
        return name

    def _fault_answer(self, fault: _Fault) -> _Answer:
        if fault.status == 429:
            retry_after = fault.retry_after or 1
            description = fault.description or f"Too Many Requests: retry after {retry_after}"
            return self._error_answer(_ApiError(429, description, {"retry_after": retry_after}))
        if fault.status >= 500 and fault.description is None:
            phrase = _DEFAULT_DESCRIPTIONS.get(fault.status, "Server Error")
            page = _NGINX_PAGE.format(status=fault.status, phrase=phrase)
            return _Answer(fault.status, page, "text/html", description=phrase)
        description = fault.description or _DEFAULT_DESCRIPTIONS.get(fault.status, "Error")
        return self._error_answer(_ApiError(fault.status, description))

    # ---------------------------------------------------------------- recorded calls

    @property
    def calls(self) -> list[RecordedCall]:
        """A snapshot of every call so far, in the order they were answered."""
        with self._lock:
            return list(self._state.calls)

    def calls_for(self, method: str) -> list[RecordedCall]:
        """A snapshot of the calls of one method (any status)."""
        name = _CANONICAL.get(method.lower(), method)
        with self._lock:
            return list(self._state.calls_by_method.get(name, ()))

    def clear_calls(self) -> None:
        """Forget recorded calls, e.g. between a benchmark's warm-up and its measurement."""
        with self._lock:
            self._state.calls.clear()
            self._state.calls_by_method.clear()

    def sent_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """The parameters of successful sendMessage calls, optionally for one chat."""
        return [
            call.params
            for call in self.calls_for("sendMessage")
            if call.ok and (chat_id is None or _as_int(call.params.get("chat_id")) == chat_id)
        ]

    def get_message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """The message as Telegram now stores it (text after edits), or None if absent."""
        with self._lock:
            message = self._state.messages.get((chat_id, message_id))
            return json.loads(json.dumps(message)) if message is not None else None

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for polling, not for one await
        predicate: Callable[[RecordedCall], bool] | None = None,
    ) -> list[RecordedCall]:
        """Wait until at least ``count`` calls of ``method`` (matching ``predicate``) arrived.

        Returns all such calls. Polls, so it works from any event loop.
        """
        deadline = time.monotonic() + timeout
        name = _CANONICAL.get(method.lower(), method)
        matching: list[RecordedCall] = []
        scanned = 0
        while True:
            with self._lock:  # only look at calls not scanned yet: benchmarks wait for thousands
                new = self._state.calls_by_method.get(name, [])[scanned:]
            scanned += len(new)
            matching += [c for c in new if predicate is None or predicate(c)]
            if len(matching) >= count:
                return matching
            if time.monotonic() >= deadline:
                seen = "\n".join(
                    f"  {c.method} {c.status} {json.dumps(c.params, default=str)[:200]}"
                    for c in self.calls[-30:]
                )
                raise AssertionError(
                    f"expected {count} {method} call(s) within {timeout}s, got {len(matching)}; "
                    f"last calls seen:\n{seen or '  (none)'}"
                )
            await asyncio.sleep(0.01)

    @property
    def update_pushed_at(self) -> dict[int, float]:
        """update_id -> time.monotonic() when it was pushed."""
        with self._lock:
            return dict(self._state.update_pushed_at)

    @property
    def message_pushed_at(self) -> dict[tuple[int, int], float]:
        """(chat_id, message_id) of each pushed message -> time.monotonic() of its push."""
        with self._lock:
            return dict(self._state.message_pushed_at)

    def reply_latencies(self) -> dict[tuple[int, int], float]:
        """Seconds from each pushed text message to the first sendMessage answering it.

        A send naming a reply target (reply_parameters / reply_to_message_id) answers that
        message; any other send answers the oldest unanswered text pushed before it in its
        chat. Keys are (chat_id, message_id); unanswered messages are absent.
        """
        with self._lock:
            pushed = dict(self._state.message_pushed_at)
            order = {chat: list(keys) for chat, keys in self._state.push_order.items()}
            sends = [c for c in self._state.calls_by_method.get("sendMessage", ()) if c.ok]
        answered: dict[tuple[int, int], float] = {}
        cursor: dict[int, int] = {}
        for call in sorted(sends, key=lambda c: c.time):
            chat_id = _as_int(call.params.get("chat_id"))
            if chat_id is None:
                continue
            target = _reply_target(call.params)
            if target is not None:
                key = (chat_id, target)
                if key in pushed and key not in answered:
                    answered[key] = call.time - pushed[key]
                continue
            queue, k = order.get(chat_id, []), cursor.get(chat_id, 0)
            while k < len(queue) and queue[k] in answered:
                k += 1
            if k < len(queue) and pushed[queue[k]] <= call.time:
                answered[queue[k]] = call.time - pushed[queue[k]]
                k += 1
            cursor[chat_id] = k
        return answered

    # ---------------------------------------------------------------- pushing updates

    def push_update(self, update: JSONDict) -> int:
        """Queue a raw update (``update_id`` is assigned if missing); returns its update_id."""
        now = time.monotonic()
        with self._lock:
            state = self._state
            update_id = _as_int(update.get("update_id"))
            if update_id is None:
                update_id = state.next_update_id
            state.next_update_id = max(state.next_update_id, update_id + 1)
            payload = {**update, "update_id": update_id}
            state.updates.append((update_id, json.dumps(payload, ensure_ascii=False)))
            state.update_pushed_at[update_id] = now
            message = payload.get("message")
            if isinstance(message, dict) and "chat" in message and "message_id" in message:
                # Remember chat and message so the bot can answer and reply to them.
                key = (int(message["chat"]["id"]), int(message["message_id"]))
                state.chats.setdefault(key[0], dict(message["chat"]))
                state.messages[key] = message
                self._next_message_id(key[0], key[1])
                state.message_pushed_at.setdefault(key, now)
                if "text" in message:
                    state.push_order.setdefault(key[0], []).append(key)
        self._notify_pollers()
        return update_id

    def push_message(
        self,
        text: str,
        *,
        chat_id: int,
        user_id: int,
        chat_type: str = "private",
        first_name: str = "Ann",
        username: str | None = None,
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
        entities: list[JSONDict] | None = None,
        message_id: int | None = None,
    ) -> int:
        """Queue a user's text message; returns its update_id.

        Mentions and /commands get Telegram's entities (UTF-16 offsets) unless ``entities``
        is given. ``reply_to_message_id`` embeds that stored message (e.g. the bot's).
        """
        with self._lock:
            message = self._user_message(
                chat_id, user_id, chat_type, first_name, username, chat_title, message_id
            )
            message["text"] = text
            found = _auto_entities(text) if entities is None else entities
            if found:
                message["entities"] = found
            if reply_to_message_id is not None:
                replied = self._state.messages.get((chat_id, reply_to_message_id))
                if replied is None:
                    raise ValueError(f"no message {reply_to_message_id} in chat {chat_id}")
                message["reply_to_message"] = _without_reply(replied)
            return self.push_update({"message": message})

    def push_edited_message(
        self,
        text: str,
        *,
        chat_id: int,
        message_id: int,
        entities: list[JSONDict] | None = None,
    ) -> int:
        """Queue the edit of a message the user pushed earlier; returns its update_id."""
        with self._lock:
            message = self._state.messages.get((chat_id, message_id))
            if message is None or message.get("from", {}).get("is_bot"):
                raise ValueError(f"no user message {message_id} in chat {chat_id}")
            message["text"] = text
            found = _auto_entities(text) if entities is None else entities
            if found:
                message["entities"] = found
            else:
                message.pop("entities", None)
            message["edit_date"] = int(time.time())
            return self.push_update({"edited_message": dict(message)})

    def push_sticker(
        self,
        chat_id: int,
        user_id: int,
        *,
        chat_type: str = "private",
        first_name: str = "Ann",
        username: str | None = None,
        chat_title: str | None = None,
    ) -> int:
        """Queue a sticker message (no text); returns its update_id."""
        with self._lock:
            message = self._user_message(
                chat_id, user_id, chat_type, first_name, username, chat_title, None
            )
            message["sticker"] = {
                "file_id": f"sticker-{message['message_id']}",
                "file_unique_id": f"st{message['message_id']}",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
            return self.push_update({"message": message})

    def push_photo(
        self,
        chat_id: int,
        user_id: int,
        *,
        caption: str | None = None,
        chat_type: str = "private",
        first_name: str = "Ann",
        username: str | None = None,
        chat_title: str | None = None,
    ) -> int:
        """Queue a photo message (no text, optional caption); returns its update_id."""
        with self._lock:
            message = self._user_message(
                chat_id, user_id, chat_type, first_name, username, chat_title, None
            )
            mid = message["message_id"]
            message["photo"] = [  # Telegram sends each photo in several sizes
                dict(file_id=f"photo-{mid}-{w}", file_unique_id=f"p{w}-{mid}", width=w, height=w)
                for w in (90, 800)
            ]
            if caption is not None:
                message["caption"] = caption
            return self.push_update({"message": message})

    def push_document(
        self,
        chat_id: int,
        user_id: int,
        *,
        file_name: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        file_size: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """Queue a file sent as a document; `file_size` may claim more than `content` holds
        (to test a size check without 20 MB of data). Returns its update_id."""
        with self._lock:
            message = self._user_message(chat_id, user_id, chat_type, "Ann", None, None, None)
            mid = message["message_id"]
            file_id = f"doc-{chat_id}-{mid}"
            size = len(content) if file_size is None else file_size
            path = f"documents/file_{mid}{Path(file_name).suffix}"
            self._state.files[file_id] = (path, content, size)
            message["document"] = {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": size,
            }
            return self.push_update({"message": message})

    @property
    def downloads(self) -> list[str]:
        with self._lock:
            return list(self._state.downloads)

    def _get_file(self, params: JSONDict) -> JSONDict:
        found = self._state.files.get(str(params.get("file_id")))
        if found is None:
            raise _bad("invalid file_id")
        path, _, size = found
        if size > MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        return {
            "file_id": params["file_id"],
            "file_unique_id": f"u{params['file_id']}",
            "file_size": size,
            "file_path": path,
        }

    def _download(self, file_path: str) -> web.Response:
        with self._lock:
            for path, content, _ in self._state.files.values():
                if path == file_path:
                    self._state.downloads.append(path)
                    return web.Response(body=content, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    def push_callback_query(
        self,
        data: str,
        *,
        user_id: int,
        chat_id: int,
        message_id: int,
        first_name: str = "Ann",
        username: str | None = None,
    ) -> int:
        """Queue a press on a button of a stored bot message; returns its update_id."""
        with self._lock:
            message = self._state.messages.get((chat_id, message_id))
            if message is None:
                raise ValueError(f"no message {message_id} in chat {chat_id}")
            query_id = f"cbq-{next(self._state.query_ids)}"
            self._state.callback_query_ids.add(query_id)
            query = {
                "id": query_id,
                "from": self._user(user_id, first_name, username),
                "message": _without_reply(message),
                "chat_instance": f"ci{chat_id}",
                "data": data,
            }
            return self.push_update({"callback_query": query})

    def push_inline_query(
        self,
        query: str,
        *,
        user_id: int,
        offset: str = "",
        first_name: str = "Ann",
        username: str | None = None,
    ) -> int:
        """Queue an inline query ("@bot query" typed in any chat); returns its update_id."""
        with self._lock:
            query_id = f"ilq-{next(self._state.query_ids)}"
            self._state.inline_query_ids.add(query_id)
            inline = {
                "id": query_id,
                "from": self._user(user_id, first_name, username),
                "query": query,
                "offset": offset,
                "chat_type": "sender",
            }
            return self.push_update({"inline_query": inline})

    @staticmethod
    def _user(user_id: int, first_name: str, username: str | None) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        user["language_code"] = "en"
        return user

    def _user_message(
        self,
        chat_id: int,
        user_id: int,
        chat_type: str,
        first_name: str,
        username: str | None,
        chat_title: str | None,
        message_id: int | None,
    ) -> JSONDict:
        """A new user message in a (re)registered chat; the caller holds the lock."""
        chat: JSONDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
            if username:
                chat["username"] = username
        else:
            chat["title"] = chat_title or "Test group"
        self._state.chats[chat_id] = chat
        return {
            "message_id": self._next_message_id(chat_id, message_id),
            "from": self._user(user_id, first_name, username),
            "chat": dict(chat),
            "date": int(time.time()),
        }

    def _next_message_id(self, chat_id: int, wanted: int | None = None) -> int:
        last = self._state.last_message_id.get(chat_id, 0)
        message_id = last + 1 if wanted is None else wanted
        self._state.last_message_id[chat_id] = max(last, message_id)
        return message_id

    def _notify_pollers(self) -> None:
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(self._wake_pollers)

    def _wake_pollers(self) -> None:
        for poller in self._pollers:
            if not poller.done():
                poller.set_result(None)

    # ---------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        # PTB requests f"{base_url}{token}/{method}", i.e. /bot<token>/<method>.
        path = request.path
        if path.startswith(f"/file/bot{self._token}/"):  # downloads, as api.telegram.org/file
            return self._download(path.removeprefix(f"/file/bot{self._token}/"))
        token, _, method = path.removeprefix("/bot").partition("/")
        name = _CANONICAL.get(method.lower(), method)
        params: JSONDict = {}
        try:
            params = await _read_params(request)
            if not path.startswith("/bot"):
                raise _ApiError(404, "Not Found")
            if token != self._token:
                raise _ApiError(401, "Unauthorized")
            if method.lower() not in _CANONICAL:
                raise _ApiError(404, "Not Found")
            answer = await self._dispatch(name, params)
        except _ApiError as exc:
            answer = self._error_answer(exc)
        except Exception as exc:  # a bug in the fake: answer and record it, don't hang PTB
            _LOGGER.exception("FakeBotApi failed on %s", name)
            answer = self._error_answer(_ApiError(500, f"Internal Server Error: {exc!r}"))
        call = RecordedCall(name, params, arrived, answer.status, answer.result, answer.description)
        with self._lock:
            self._state.calls.append(call)
            self._state.calls_by_method.setdefault(name, []).append(call)
        return web.Response(
            text=answer.body, status=answer.status, content_type=answer.content_type
        )

    async def _dispatch(self, name: str, params: JSONDict) -> _Answer:
        with self._lock:
            pause = self._state.delays.get(name, 0.0)
        if pause:
            await self._sleep(pause)
        fault = None
        with self._lock:
            faults = self._state.faults.get(name)
            if faults:
                fault = faults[0]
                fault.count -= 1
                if fault.count <= 0:
                    faults.popleft()
        if fault is not None:
            return self._fault_answer(fault)
        if name == "getUpdates":
            return await self._get_updates(params)
        with self._lock:
            result = self._handlers[name](params)
        body = json.dumps({"ok": True, "result": result}, ensure_ascii=False)
        return _Answer(200, body, result=result)

    @staticmethod
    def _error_answer(error: _ApiError) -> _Answer:
        payload: JSONDict = {
            "ok": False,
            "error_code": error.status,
            "description": error.description,
        }
        if error.parameters:
            payload["parameters"] = error.parameters
        return _Answer(error.status, json.dumps(payload), description=error.description)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when the server shuts down."""
        if self._closing is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), seconds)

    async def _get_updates(self, params: JSONDict) -> _Answer:
        """Long polling: hold the request until an update arrives or ``timeout`` passes."""
        offset = _as_int(params.get("offset")) or 0
        limit = min(max(_as_int(params.get("limit")) or 100, 1), 100)
        timeout = params.get("timeout") or 0
        timeout = min(max(float(timeout), 0.0), 50.0) if isinstance(timeout, int | float) else 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            with self._lock:
                batch = self._take_updates(offset, limit)
            remaining = deadline - loop.time()
            closing = self._closing is not None and self._closing.is_set()
            if batch or remaining <= 0 or closing:
                break
            poller: asyncio.Future[None] = loop.create_future()
            self._pollers.add(poller)
            try:
                await asyncio.wait((poller,), timeout=remaining)
            finally:
                self._pollers.discard(poller)
        body = '{"ok":true,"result":[' + ",".join(text for _, text in batch) + "]}"
        return _Answer(200, body, result=[update_id for update_id, _ in batch])

    def _take_updates(self, offset: int, limit: int) -> list[tuple[int, str]]:
        """Drop the updates ``offset`` confirms, then return up to ``limit`` of the rest."""
        updates = self._state.updates
        if offset > 0:
            while updates and updates[0][0] < offset:
                updates.popleft()
        elif offset < 0:
            while len(updates) > -offset:
                updates.popleft()
        return list(itertools.islice(updates, limit))

    # ---------------------------------------------------------------- method handlers
    # They run on the server thread with the lock held.

    def _delete_webhook(self, params: JSONDict) -> bool:
        if params.get("drop_pending_updates") is True:
            self._state.updates.clear()
        return True

    def _get_webhook_info(self, _params: JSONDict) -> JSONDict:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._state.updates),
        }

    @staticmethod
    def _commands_key(params: JSONDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
                str(command.get("command", "")).lower()
            ):
                raise _bad("BOT_COMMAND_INVALID")
        self._state.commands[self._commands_key(params)] = commands
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return self._state.commands.get(self._commands_key(params), [])

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self._state.commands.pop(self._commands_key(params), None)
        return True

    def _chat(self, params: JSONDict) -> JSONDict:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        chat_id = _as_int(raw)
        chat = self._state.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise _bad("chat not found")
        return chat

    @staticmethod
    def _render(text: Any, parse_mode: Any, entities: Any) -> tuple[str, list[JSONDict]]:
        """Text and entities as Telegram would store them, or Telegram's 400."""
        if text is None or text == "":
            raise _bad("message text is empty")
        text = str(text)
        mode = str(parse_mode).lower() if parse_mode else ""
        if mode == "html":
            try:
                text, entities = parse_telegram_html(text)
            except HtmlParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        elif mode not in ("", "markdown", "markdownv2"):  # Markdown is stored unparsed
            raise _bad("unsupported parse_mode")
        text, entities = _trim(text, entities if isinstance(entities, list) else [])
        if not text:
            raise _bad("message text is empty")
        if utf16_len(text) > MAX_MESSAGE_UTF16:
            raise _bad("message is too long")
        return text, entities

    @staticmethod
    def _inline_keyboard(markup: Any) -> JSONDict | None:
        """Validate reply_markup; return it if it is an inline keyboard (kept on the message)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
        for button in itertools.chain.from_iterable(rows):
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not _BUTTON_ACTIONS.intersection(button):
                raise _bad(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 0 < len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise _bad("BUTTON_DATA_INVALID")
        return markup

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        text, entities = self._render(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        keyboard = self._inline_keyboard(params.get("reply_markup"))
        replied = self._replied_message(chat["id"], params)
        message: JSONDict = {
            "message_id": self._next_message_id(chat["id"]),
            "from": dict(self._bot_user),
            "chat": dict(chat),
            "date": int(time.time()),
        }
        if replied is not None:
            message["reply_to_message"] = replied
        message["text"] = text
        if entities:
            message["entities"] = entities
        if keyboard is not None:
            message["reply_markup"] = keyboard
        self._state.messages[(chat["id"], message["message_id"])] = message
        return dict(message)  # a snapshot: later edits change the stored one

    def _replied_message(self, chat_id: int, params: JSONDict) -> JSONDict | None:
        target = _reply_target(params)
        if target is None:
            return None
        reply = params.get("reply_parameters")
        allow = (reply if isinstance(reply, dict) else params).get("allow_sending_without_reply")
        replied = self._state.messages.get((chat_id, target))
        if replied is None:
            if allow is True:
                return None
            raise _bad("message to be replied not found")
        return _without_reply(replied)

    def _stored_bot_message(self, params: JSONDict, missing: str) -> JSONDict:
        chat_id = _as_int(params.get("chat_id"))
        message_id = _as_int(params.get("message_id"))
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = self._state.messages.get((chat_id or 0, message_id))
        if message is None:
            raise _bad(missing)
        if not message["from"].get("is_bot"):
            raise _bad("message can't be edited")
        return message

    def _edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        text, entities = self._render(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        keyboard = self._inline_keyboard(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._stored_bot_message(params, "message to edit not found")
        if (
            message.get("text") == text
            and message.get("entities", []) == entities
            and message.get("reply_markup") == keyboard
        ):
            raise _bad(_NOT_MODIFIED)
        message["text"] = text
        self._set_optional(message, "entities", entities or None)
        self._set_optional(message, "reply_markup", keyboard)
        message["edit_date"] = int(time.time())
        return dict(message)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        keyboard = self._inline_keyboard(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._stored_bot_message(params, "message to edit not found")
        if message.get("reply_markup") == keyboard:
            raise _bad(_NOT_MODIFIED)
        self._set_optional(message, "reply_markup", keyboard)
        message["edit_date"] = int(time.time())
        return dict(message)

    @staticmethod
    def _set_optional(message: JSONDict, key: str, value: Any) -> None:
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value

    def _delete_message(self, params: JSONDict) -> bool:
        key = (_as_int(params.get("chat_id")) or 0, _as_int(params.get("message_id")) or 0)
        if self._state.messages.pop(key, None) is None:
            raise _bad("message to delete not found")
        return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _answer_callback_query(self, params: JSONDict) -> bool:
        if params.get("callback_query_id") not in self._state.callback_query_ids:
            raise _bad(_QUERY_INVALID)
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER_CHARS:
            raise _bad("MESSAGE_TOO_LONG")
        return True

    def _answer_inline_query(self, params: JSONDict) -> bool:
        if params.get("inline_query_id") not in self._state.inline_query_ids:
            raise _bad(_QUERY_INVALID)
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad("RESULTS_TOO_MUCH")
        if len({str(r.get("id")) for r in results if isinstance(r, dict)}) != len(results):
            raise _bad("RESULT_ID_DUPLICATE")
        for result in results:
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                self._render(
                    content["message_text"], content.get("parse_mode"), content.get("entities")
                )
            self._inline_keyboard(result.get("reply_markup"))
        return True
