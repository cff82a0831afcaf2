"""The plain records that flow between stages.

Every stage takes and returns these slotted, frozen dataclasses: they pickle cheaply (Prefect and Dask move
them between tasks) and carry no connections, models or DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file found by discovery."""

    uri: str  # absolute path of the file: the input_uri of everything read from it
    path: str
    kind: str  # "text", "html", "jsonl" or "warc"
    compressed: bool
    size: int
    content_hash: str  # sha256 of the file's bytes as stored (compressed or not)


@dataclass(frozen=True, slots=True)
class RawDocument:
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
class InputFile:
    """What one input file held: the unit of incremental processing."""

    input_uri: str
    input_hash: str  # sha256 of the file's bytes as stored
    kind: str
    size_bytes: int
    documents: int  # documents (records) read from it
    skipped_records: int  # WARC records that are not HTML responses; JSONL blank lines are not counted


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
class Boilerplate:
    """One removed span, tied to its article."""

    article_id: str
    input_uri: str
    text: str
    rule_id: str
    reason: str
    position: int


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that could not become an article, and why."""

    source_uri: str
    input_uri: str
    content_hash: str
    reason: str  # snake_case
    detail: str


@dataclass(frozen=True, slots=True)
class Mention:
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
class Acronym:
    """An acronym defined in an article: 'International Criminal Court (ICC)'."""

    article_id: str
    input_uri: str
    short: str
    long: str


@dataclass(frozen=True, slots=True)
class FoundEntities:
    """What the entity stage found in a batch."""

    mentions: list[Mention]
    acronyms: list[Acronym]
    seconds: float = 0.0  # time the stage took


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One distinct line of a document, hashed: the corpus statistics behind repeated-line boilerplate."""

    article_id: str
    input_uri: str
    source_name: str
    line_hash: int


@dataclass(frozen=True, slots=True)
class CleanedBatch:
    """What extraction and cleaning made of one batch."""

    articles: list[Article]
    boilerplate: list[Boilerplate]
    rejects: list[Reject]
    source_lines: list[SourceLine] = field(default_factory=list)
    seconds: float = 0.0  # time the stage took
