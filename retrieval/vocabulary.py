"""The domain vocabulary (stop words, concepts, expansions, metadata intents) read from data.

The vocabulary lives in `vocabulary.toml` so that a domain expert can extend it without
touching code; this module only parses and checks it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

DEFAULT_VOCABULARY = Path(__file__).with_name("vocabulary.toml")
CONCEPT_PREFIX = "="


@dataclass(frozen=True)
class Concept:
    """Terms that name one thing; each adds the token `=id` where it occurs."""

    id: str
    terms: tuple[str, ...]
    case_sensitive: frozenset[str] = frozenset()
    # A named thing (a treaty, weapon, organisation, country): a question naming it cannot
    # be answered by sources that never mention it.
    names_a_thing: bool = True

    @property
    def token(self) -> str:
        return CONCEPT_PREFIX + self.id


@dataclass(frozen=True)
class Expansion:
    """One-way implication: where any `sources` occurs, the `targets` tokens are added."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Intent:
    """How a question asks for one metadata field of a document."""

    field: str
    patterns: tuple[re.Pattern[str], ...]

    def matches(self, question: str) -> bool:
        lowered = question.lower()
        return any(pattern.search(lowered) for pattern in self.patterns)


@dataclass(frozen=True)
class Vocabulary:
    stopwords: frozenset[str]
    document_words: frozenset[str]
    metadata_filler: frozenset[str] = frozenset()
    concepts: tuple[Concept, ...] = ()
    expansions: tuple[Expansion, ...] = ()
    intents: tuple[Intent, ...] = field(default=())

    def concept(self, token: str) -> Concept | None:
        """The concept behind a `=id` token."""
        return self._by_token.get(token)

    @cached_property
    def _by_token(self) -> dict[str, Concept]:
        return {c.token: c for c in self.concepts}


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


def parse_vocabulary(text: str) -> Vocabulary:
    """Parse vocabulary TOML; ValueError names the entry at fault."""
    data = tomllib.loads(text)
    retired = sorted({"synonym", "topic_words"} & set(data))
    if retired:
        # Word lists chosen by looking at failures generalised worse than the semantic
        # layer does (docs/retrieval-measurements.md): the vocabulary holds facts only.
        raise ValueError(f"{', '.join(retired)}: the vocabulary holds names and acronyms only")
    concepts = []
    for entry in data.get("concept", []):
        if not entry.get("id") or not entry.get("terms"):
            raise ValueError(f"concept needs an id and terms: {entry!r}")
        concepts.append(
            Concept(
                id=str(entry["id"]),
                terms=tuple(entry["terms"]),
                case_sensitive=frozenset(entry.get("case_sensitive", [])),
            )
        )
    ids = [concept.id for concept in concepts]
    if len(ids) != len(set(ids)):
        raise ValueError(f"concept ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
    expansions = [
        Expansion(sources=tuple(entry["from"]), targets=tuple(entry["to"]))
        for entry in data.get("expand", [])
    ]
    intents = []
    for entry in data.get("intent", []):
        try:
            patterns = tuple(re.compile(p) for p in entry["patterns"])
        except re.error as error:
            raise ValueError(f"intent {entry.get('field')!r}: bad pattern: {error}") from None
        intents.append(Intent(field=str(entry["field"]), patterns=patterns))
    return Vocabulary(
        stopwords=_words(data.get("stopwords", "")),
        document_words=_words(data.get("document_words", "")),
        metadata_filler=_words(data.get("metadata_filler", "")),
        concepts=tuple(concepts),
        expansions=tuple(expansions),
        intents=tuple(intents),
    )


@cache
def load_vocabulary(path: Path = DEFAULT_VOCABULARY) -> Vocabulary:
    return parse_vocabulary(path.read_text(encoding="utf-8"))
