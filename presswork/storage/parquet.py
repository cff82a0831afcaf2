"""Parquet tables: one explicit pyarrow schema per table, written atomically."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

_RUN_COLUMNS = [pa.field("run_id", pa.string(), nullable=False), pa.field("ingested_at", pa.timestamp("us", tz="UTC"))]

RAW_DOCUMENTS = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("input_uri", pa.string(), nullable=False),
        pa.field("source_name", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("content_hash", pa.string()),
        pa.field("encoding", pa.string()),
        pa.field("text", pa.large_string()),
        *_RUN_COLUMNS,
    ]
)
ARTICLES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("input_uri", pa.string(), nullable=False),
        pa.field("source_name", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("title", pa.string()),
        pa.field("body", pa.large_string()),
        pa.field("author", pa.string()),
        pa.field("published_at", pa.string()),
        pa.field("url", pa.string()),
        pa.field("language", pa.string()),
        pa.field("word_count", pa.int32()),
        pa.field("content_hash", pa.string()),
        pa.field("encoding", pa.string()),
        pa.field("cleaner_version", pa.string()),
        *_RUN_COLUMNS,
    ]
)
BOILERPLATE = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("input_uri", pa.string(), nullable=False),
        pa.field("text", pa.string()),
        pa.field("rule_id", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("position", pa.int32()),
        *_RUN_COLUMNS,
    ]
)
ENTITY_MENTIONS = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("input_uri", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("text", pa.string()),
        pa.field("label", pa.string()),
        pa.field("start_char", pa.int32()),
        pa.field("end_char", pa.int32()),
        pa.field("sentence", pa.string()),
        pa.field("vote_label", pa.string()),
        *_RUN_COLUMNS,
    ]
)
REJECTS = pa.schema(
    [
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("input_uri", pa.string(), nullable=False),
        pa.field("content_hash", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("detail", pa.string()),
        *_RUN_COLUMNS,
    ]
)
ACRONYMS = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("input_uri", pa.string(), nullable=False),
        pa.field("short", pa.string()),
        pa.field("long", pa.string()),
        *_RUN_COLUMNS,
    ]
)
# Derived from all mentions at every commit (not per input): which entity each normalised name belongs to.
ENTITY_NAMES = pa.schema(
    [
        pa.field("name", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("entity_name", pa.string()),
        pa.field("entity_label", pa.string()),
    ]
)
SOURCE_LINES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("input_uri", pa.string(), nullable=False),
        pa.field("source_name", pa.string()),
        pa.field("line_hash", pa.int64()),
        *_RUN_COLUMNS,
    ]
)
INPUTS = pa.schema(
    [
        pa.field("input_uri", pa.string(), nullable=False),
        pa.field("input_hash", pa.string(), nullable=False),
        pa.field("kind", pa.string()),
        pa.field("size_bytes", pa.int64()),
        pa.field("documents", pa.int32()),
        pa.field("skipped_records", pa.int32()),
        *_RUN_COLUMNS,
    ]
)
RUNS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("started_at", pa.timestamp("us", tz="UTC")),
        pa.field("finished_at", pa.timestamp("us", tz="UTC")),
        pa.field("status", pa.string()),
        pa.field("inputs", pa.int32()),
        pa.field("processed", pa.int32()),
        pa.field("unchanged", pa.int32()),
        pa.field("articles", pa.int32()),
        pa.field("rejects", pa.int32()),
        pa.field("boilerplate", pa.int32()),
        pa.field("mentions", pa.int32()),
        pa.field("entities", pa.int32()),
        pa.field("duration_s", pa.float64()),
        pa.field("rejects_by_reason", pa.map_(pa.string(), pa.int32())),
        pa.field("stage_seconds", pa.map_(pa.string(), pa.float64())),
        pa.field("cleaner_version", pa.string()),
        pa.field("presswork_version", pa.string()),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "raw_documents": RAW_DOCUMENTS,
    "articles": ARTICLES,
    "boilerplate": BOILERPLATE,
    "entity_mentions": ENTITY_MENTIONS,
    "rejects": REJECTS,
    "acronyms": ACRONYMS,
    "entity_names": ENTITY_NAMES,
    "source_lines": SOURCE_LINES,
    "inputs": INPUTS,
    "runs": RUNS,
}


def to_table(rows: Sequence[Any], schema: pa.Schema, constants: Mapping[str, Any] | None = None) -> pa.Table:
    """Build a table from dataclass records or from dicts (all rows alike), adding constant columns."""
    constants = dict(constants or {})
    dicts = bool(rows) and isinstance(rows[0], Mapping)
    columns: dict[str, list[Any]] = {}
    for name in schema.names:
        if name in constants:
            columns[name] = [constants[name]] * len(rows)
        elif dicts:
            columns[name] = [row.get(name) for row in rows]
        else:
            columns[name] = [getattr(row, name, None) for row in rows]
    return pa.Table.from_pydict(columns, schema=schema)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write; on success fsync it and rename it into place, on error
    delete it. Readers never see a half-written file under the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield temporary
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write_table(table: pa.Table, path: Path) -> Path:
    """Write a Parquet file (zstd) atomically."""
    with atomic_path(path) as temporary:
        pq.write_table(table, temporary, compression="zstd")
    return path
