"""Parquet files: each table's Arrow schema (from its definition in `tables.py`), rows to Arrow, atomic writes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from presswork.storage.tables import TABLES

# One Arrow schema per table, from its definition: the schema every data file of the table is written with.
SCHEMAS: dict[str, pa.Schema] = {name: table.schema for name, table in TABLES.items()}


def schema_digest(schema: pa.Schema) -> str:
    """Fingerprint a schema as written to Parquet: the name of the table's zero-row schema file."""
    return hashlib.sha256(schema.serialize().to_pybytes()).hexdigest()[:12]


class MissingColumn(ValueError):
    """A row handed to `to_table` lacks a column of the table."""


def to_table(rows: Sequence[Any], schema: pa.Schema, constants: Mapping[str, Any] | None = None) -> pa.Table:
    """Build a table from dataclass records or from dicts (all rows alike), adding constant columns.

    Every column of `schema` must be a constant, a field of every record or a key of every dict (None for no
    value): a misspelt or forgotten field raises MissingColumn instead of becoming a column of nulls.
    """
    constants = dict(constants or {})
    dicts = bool(rows) and isinstance(rows[0], Mapping)
    columns: dict[str, list[Any]] = {}
    for name in schema.names:
        if name in constants:
            columns[name] = [constants[name]] * len(rows)
            continue
        try:
            columns[name] = [row[name] for row in rows] if dicts else [getattr(row, name) for row in rows]
        except (KeyError, AttributeError, TypeError):
            index = _first_without(rows, name, dicts)
            if index is None:
                raise  # not a missing column: an error of the row's own
            raise MissingColumn(
                f"row {index} ({type(rows[index]).__name__}) has no {name!r}, a column of the table "
                "(give every column, None for no value)"
            ) from None
    return pa.Table.from_pydict(columns, schema=schema)


def _first_without(rows: Sequence[Any], name: str, dicts: bool) -> int | None:
    """Return the index of the first row without the column `name`, or None if every row has it."""
    for index, row in enumerate(rows):
        is_dict = isinstance(row, Mapping)
        present = (is_dict and name in row) if dicts else (not is_dict and hasattr(row, name))
        if not present:
            return index
    return None


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


def release_unused_memory() -> None:
    """Give back to the system the memory Arrow's allocator holds but no longer uses.

    Arrow's default allocator (mimalloc in the Linux wheels) keeps freed memory for reuse, per thread. The flow's
    process writes every batch's files from a pool of threads and held about 120 MB more by 1,000 documents than
    with this called after each file (`write_rows`); merging (`compaction.py`) calls it after each member.
    About a microsecond when there is nothing to give back.
    """
    pa.default_memory_pool().release_unused()
