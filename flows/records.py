"""The plain records that flow between stages.

Every stage takes and returns these slotted, frozen dataclasses: they pickle cheaply (Prefect and Dask move
them between tasks) and carry no connections, models or DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file found by discovery."""

    uri: str  # absolute path of the file (the article's source_uri)
    path: str
    kind: str  # "text" or "html"
    compressed: bool
    size: int
    content_hash: str  # sha256 of the file's bytes as stored (compressed or not)


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A decoded input: text (or HTML) ready for extraction and cleaning."""

    article_id: str
    source_uri: str
    source_name: str
    kind: str  # "text" or "html"
    content_hash: str
    encoding: str
    text: str  # decoded, normalised text; for HTML the markup itself


@dataclass(frozen=True, slots=True)
class RemovedSpan:
    """A piece of boilerplate taken out of a document, with the rule that took it."""

    text: str
    rule_id: str
    reason: str
    position: int  # code-point offset of the span in the text the cleaner was given


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article, as written to the `articles` table."""

    article_id: str
    source_uri: str
    source_name: str
    kind: str
    title: str | None
    body: str
    author: str | None
    published_at: str | None  # ISO date or datetime as found in the page; None when unknown
    url: str | None
    language: str | None
    word_count: int
    content_hash: str
    encoding: str
    cleaner_version: str


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """One removed span, tied to its article."""

    article_id: str
    source_uri: str
    text: str
    rule_id: str
    reason: str
    position: int


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that could not become an article, and why."""

    source_uri: str
    content_hash: str
    reason: str  # snake_case
    detail: str


@dataclass(frozen=True, slots=True)
class Mention:
    """One named-entity occurrence in an article body."""

    article_id: str
    source_uri: str
    entity_id: str
    name: str  # normalised name the entity is keyed on
    text: str  # exact surface text: body[start_char:end_char]
    label: str
    start_char: int
    end_char: int
    sentence: str


@dataclass(frozen=True, slots=True)
class CleanedBatch:
    """What extraction and cleaning made of one batch."""

    articles: list[Article]
    boilerplate: list[Boilerplate]
    rejects: list[Reject]
