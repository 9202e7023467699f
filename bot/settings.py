"""All configuration, from the environment or a `.env` file, in one validated object."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from corpus import default_corpus_dir
from retrieval.engine import EngineSettings

DEFAULT_API_URL = "https://api.telegram.org/bot"
_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")


class SettingsError(Exception):
    """A missing or malformed setting, explained in one line for the person running the bot."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")

    token: SecretStr | None = None
    api_url: str = DEFAULT_API_URL
    # /add may fetch from loopback and private networks (intranet deployments, tests).
    allow_private_urls: bool = False
    # Where files are downloaded from; None: BOT_API_URL with its final "bot" made "file/bot".
    api_file_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    corpus_dir: Path = Field(default_factory=default_corpus_dir)
    data_dir: Path = Field(default_factory=lambda: Path.home() / ".local" / "state" / "ihlbot")
    # Telegram's broadcast limit; 0 lifts the bot's own throttle (benchmarks, local servers).
    max_messages_per_second: float = Field(default=30.0, ge=0)
    # The semantic layer (sentence embeddings beside BM25); "off" answers from words only.
    semantic: bool = True
    # A folder with model.onnx and tokenizer.json; None: the model shipped in retrieval/model.
    embedding_model: Path | None = None
    # How long questions (for More-sources buttons and /stats) and votes are kept.
    keep_questions_days: int = Field(default=90, ge=1, le=3650)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            bad = [part for part in parts if not part.lstrip("-").isdigit()]
            if bad:
                raise ValueError(f"not numeric user ids: {', '.join(bad)}")
            return frozenset(int(part) for part in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("api_url", "api_file_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @property
    def file_url(self) -> str:
        """`https://api.telegram.org/file/bot` for `https://api.telegram.org/bot`."""
        if self.api_file_url:
            return self.api_file_url
        base = self.api_url.removesuffix("bot")
        return f"{base}file/bot" if base != self.api_url else f"{self.api_url.rstrip('/')}/file/bot"

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_SHAPE.match(value.get_secret_value().strip()):
            # The value itself is never echoed: it may be a real token with a typo.
            raise ValueError("does not look like a bot token from @BotFather (digits:letters)")
        return value

    def engine(self, *, lexical: bool = False) -> EngineSettings:
        """How retrieval is built: embeddings kept in the data folder, by content."""
        return EngineSettings(
            semantic=self.semantic and not lexical,
            model_dir=self.embedding_model,
            embeddings_dir=self.data_dir / "embeddings",
        )

    def require_token(self) -> str:
        if self.token is None:
            raise SettingsError(
                "BOT_TOKEN is not set: create a bot with @BotFather and put its token in "
                "the environment or in a .env file"
            )
        return self.token.get_secret_value().strip()


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, or SettingsError naming the variable at fault."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = "BOT_" + "_".join(str(part) for part in first["loc"]).upper()
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} is invalid: {message}") from None


def corpus_dir_from_environment() -> Path | None:
    """The configured corpus folder for the command line (which needs no token)."""
    return load_settings().corpus_dir
