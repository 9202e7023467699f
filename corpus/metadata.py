"""Document metadata: the sidecar file format, and merging what each source of metadata says.

A document `NAME.EXT` may have a sidecar `NAME.meta.toml` next to it, e.g.::

    title = "Why Nordic governments must uphold the global ban on anti-personnel mines"
    date = 2026-04-02
    publisher = "ICRC Humanitarian Law & Policy Blog"
    url = "https://blogs.icrc.org/law-and-policy/..."      # only when known
    categories = ["Analysis", "Landmines and the Law"]
    tags = ["landmines", "IHL"]
    related = ["Erik Tollefsen, Pete Evans, Do anti-personnel mines ...?, November 26, 2025"]

    [[authors]]
    name = "Anders Ladekarl"
    role = "Secretary General, Danish Red Cross Society"

Every key is optional. The sidecar wins over what the file itself says (HTML meta tags, PDF
info, markdown front matter), which wins over what is inferred from the text.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from corpus.blocks import LoadError
from corpus.models import Author

SIDECAR_SUFFIX = ".meta.toml"


class DocumentMetadata(BaseModel):
    """Metadata as any one source gives it; None or empty means "this source does not say"."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    authors: list[Author] = []
    date: dt.date | None = None
    publisher: str | None = None
    url: str | None = None
    categories: list[str] = []
    tags: list[str] = []
    related: list[str] = []
    reading_time: str | None = None  # as the page says it: "9 mins read"

    @field_validator("authors", mode="before")
    @classmethod
    def _names_as_authors(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("date", mode="before")
    @classmethod
    def _date_from_datetime(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str) and len(value) > 10 and value[4:5] == "-":
            return value[:10]
        return value

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value

    def merged_over(self, fallback: DocumentMetadata) -> DocumentMetadata:
        """This metadata, with each field it leaves unsaid taken from `fallback`."""
        fields = {
            name: getattr(self, name) or getattr(fallback, name)
            for name in DocumentMetadata.model_fields
        }
        return DocumentMetadata(**fields)


def sidecar_path(document_path: Path) -> Path:
    return document_path.with_name(document_path.stem + SIDECAR_SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> DocumentMetadata:
    """The sidecar's metadata; LoadError with the line or field at fault when malformed."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise LoadError("metadata sidecar is not valid UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise LoadError(f"metadata sidecar is not valid TOML: {error}") from None
    try:
        return DocumentMetadata.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise LoadError(f"metadata sidecar field '{where}': {first['msg']}") from None


def metadata_from_loader(found: dict[str, Any]) -> DocumentMetadata:
    """What a file format carried (HTML meta tags, PDF info); unusable values are dropped."""
    usable: dict[str, Any] = {}
    for name, value in found.items():
        if name not in DocumentMetadata.model_fields:
            continue
        try:
            DocumentMetadata.model_validate({name: value})
        except ValidationError:
            continue
        usable[name] = value
    return DocumentMetadata.model_validate(usable)
