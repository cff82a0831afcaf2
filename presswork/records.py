"""The plain records that flow between stages.

Every stage takes and returns these slotted, frozen dataclasses: they pickle cheaply (Prefect and Dask move
them between tasks) and carry no connections, models or DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Record:
    """Base of the records: one pickles as its class and its field values, in order.

    A slotted dataclass otherwise pickles through the `__getstate__`/`__setstate__` that `dataclasses` writes,
    which call `dataclasses.fields()` for every object: unpickling the mentions a worker sends back took twice
    as long (py-spy showed it in the main process).
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class SourceFile(Record):
    """One input file found by discovery."""

    uri: str  # absolute path of the file: the input_uri of everything read from it
    path: str
    kind: str  # "text", "html", "jsonl" or "warc"
    compressed: bool
    size: int
    content_hash: str  # sha256 of the file's bytes as stored (compressed or not)


@dataclass(frozen=True, slots=True)
class RawDocument(Record):
    """A decoded document (a file, or one record of a JSONL or WARC file) ready for extraction and cleaning."""

    article_id: str
    source_uri: str  # the file's path, or the record's URL
    input_uri: str  # the file it came from
    source_name: str
    kind: str  # "text" or "html"
    content_hash: str  # sha256 of the document's own bytes (decompressed file, or the record's payload)
    encoding: str
    text: str  # decoded, normalised text; for HTML the markup itself
    url: str | None = None  # known from the record (JSONL `url`, WARC target URI)
    title: str | None = None  # known from the record (JSONL `title`)
    published_at: str | None = None  # known from the record (JSONL `published_at`)


@dataclass(frozen=True, slots=True)
class InputFile(Record):
    """What one input file held: the unit of incremental processing."""

    input_uri: str
    input_hash: str  # sha256 of the file's bytes as stored
    kind: str
    size_bytes: int
    documents: int  # documents (records) read from it
    skipped_records: int  # WARC records that are not HTML responses; JSONL blank lines are not counted


@dataclass(frozen=True, slots=True)
class RemovedSpan(Record):
    """A piece of boilerplate taken out of a document, with the rule that took it."""

    text: str
    rule_id: str
    reason: str
    position: int  # code-point offset of the span in the text the cleaner was given


@dataclass(frozen=True, slots=True)
class Article(Record):
    """A cleaned article, as written to the `articles` table."""

    article_id: str
    source_uri: str
    input_uri: str
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
class Boilerplate(Record):
    """One removed span, tied to its article."""

    article_id: str
    input_uri: str
    text: str
    rule_id: str
    reason: str
    position: int


@dataclass(frozen=True, slots=True)
class Reject(Record):
    """An input that could not become an article, and why."""

    source_uri: str
    input_uri: str
    content_hash: str
    reason: str  # snake_case
    detail: str


@dataclass(frozen=True, slots=True)
class Mention(Record):
    """One named-entity occurrence in an article body."""

    article_id: str
    input_uri: str
    name: str  # normalised name (no article, possessive or title); resolved to an entity at commit
    text: str  # exact surface text: body[start_char:end_char]
    label: str  # the model's label for this mention
    start_char: int
    end_char: int
    sentence: str
    vote_label: str  # the label this mention votes for (context can correct the model: "in Ulaanbaatar" is a place)


@dataclass(frozen=True, slots=True)
class Acronym(Record):
    """An acronym defined in an article: 'International Criminal Court (ICC)'."""

    article_id: str
    input_uri: str
    short: str
    long: str


@dataclass(frozen=True, slots=True)
class FoundEntities(Record):
    """What the entity stage found in a batch."""

    mentions: list[Mention]
    acronyms: list[Acronym]
    rejects: list[Reject] = field(default_factory=list)  # articles NER failed on: they are not committed
    seconds: float = 0.0  # time the stage took


@dataclass(frozen=True, slots=True)
class SourceLine(Record):
    """One distinct line of a document, hashed: the corpus statistics behind repeated-line boilerplate."""

    article_id: str
    input_uri: str
    source_name: str
    line_hash: int


@dataclass(frozen=True, slots=True)
class CleanedBatch(Record):
    """What extraction and cleaning made of one batch."""

    articles: list[Article]
    boilerplate: list[Boilerplate]
    rejects: list[Reject]
    source_lines: list[SourceLine] = field(default_factory=list)
    seconds: float = 0.0  # time the stage took


@dataclass(frozen=True, slots=True)
class NearDuplicate(Record):
    """An article that nearly repeats an earlier one: a reprint, linked to the earliest copy."""

    article_id: str
    input_uri: str
    duplicate_of: str
    similarity: float  # estimated Jaccard similarity of word shingles with the copy it matched


@dataclass(frozen=True, slots=True)
class StoryArticle(Record):
    """An article's place in a story."""

    article_id: str
    input_uri: str
    story_id: str
    similarity: float  # to the story when the article joined; 1.0 for the article that started it
    seen_at: datetime  # the article's time for grouping: publication time, else the run's start (UTC)


@dataclass(frozen=True, slots=True)
class ArticleSignature(Record):
    """An article's MinHash signature, kept so later runs find its reprints."""

    article_id: str
    input_uri: str
    seen_at: datetime
    signature: bytes
