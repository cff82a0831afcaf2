"""Compaction: merge a table's small data files so a snapshot holds a bounded number of them.

Every batch writes one file per table, so without merging the file count grows with every run, and so do the
time to publish a snapshot (one hard link per file) and the time DuckDB spends opening files. Compaction is
size-tiered on row counts (the cost of rewriting a file is its rows; its bytes on disk say little, since text
can compress a hundredfold): files fall into tiers of under 1,024 rows, under 8,192, under 65,536 and so on;
when a tier holds `FAN_IN` files they are merged into one, which lands in the same or the next tier. A table
thus holds at most FAN_IN - 1 files per tier (a handful of tiers), plus files of `MAX_MERGE_BYTES` or more on
disk, which are never rewritten again. Each row is rewritten about once per tier it climbs through: O(log n).

A merge writes a new immutable file (named after the snapshot and its members) and never touches its members:
until the snapshot that lists the merged file is committed, readers and a crashed run see the old files, and
the members become garbage only when no snapshot links them. Rows are copied unchanged, in member order, in
streaming record batches, so memory stays flat whatever the file sizes. Only files whose columns fit the
table's current schema are merged; a file from an older schema with columns the current one lacks is left as is.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from presswork.storage.parquet import atomic_path, release_unused_memory

FAN_IN = 8
TIER_BASE_ROWS = 1024  # tier 0: files of fewer rows
MAX_MERGE_BYTES = 512 << 20  # files this large on disk are left alone, and no merge writes one larger
ROW_GROUP_ROWS = 64_000
ROW_GROUP_BYTES = 16 << 20  # a row group is held in memory while it is written
# A member is read in record batches of about this much uncompressed data (at most READ_BATCH_ROWS rows): a batch
# file of 200 raw pages holds 10-15 MB of text in one row group, and batches of 8,192 rows read it whole.
READ_BATCH_BYTES = 2 << 20
READ_BATCH_ROWS = 8192


@dataclass(frozen=True, slots=True)
class Merge:
    """One merge: `members` (in snapshot order) became `merged`."""

    members: tuple[Path, ...]
    merged: Path


@dataclass(frozen=True, slots=True)
class FileSize:
    path: Path
    rows: int
    bytes: int


def tier(rows: int) -> int:
    """Return the tier of a file of `rows` rows: 0 under TIER_BASE_ROWS, then one per FAN_IN-fold."""
    level = 0
    bound = TIER_BASE_ROWS
    while rows >= bound:
        level += 1
        bound *= FAN_IN
    return level


def plan_merges(files: list[FileSize]) -> list[list[Path]]:
    """Group files into merges: every tier holding FAN_IN or more files is merged, smallest tiers first.

    Files of MAX_MERGE_BYTES or more on disk are never merged. A tier's files are merged in their given order,
    split so no merge outgrows MAX_MERGE_BYTES; a leftover group of fewer than two files is not merged.
    """
    tiers: dict[int, list[FileSize]] = defaultdict(list)
    for file in files:
        if file.bytes < MAX_MERGE_BYTES:
            tiers[tier(file.rows)].append(file)
    groups: list[list[Path]] = []
    for level in sorted(tiers):
        members = tiers[level]
        if len(members) < FAN_IN:
            continue
        group: list[Path] = []
        total = 0
        for file in members:
            path, size = file.path, file.bytes
            if group and total + size > MAX_MERGE_BYTES:
                if len(group) > 1:
                    groups.append(group)
                group, total = [], 0
            group.append(path)
            total += size
        if len(group) > 1:
            groups.append(group)
    return groups


def _fits(schema: pa.Schema, target: pa.Schema) -> bool:
    """True when every column of `schema` is a column of `target` that its values can be cast to, and every
    required column of `target` is there."""
    if any(not field.nullable and schema.get_field_index(field.name) < 0 for field in target):
        return False
    for field in schema:
        index = target.get_field_index(field.name)
        if index < 0:
            return False
        wanted = target.field(index).type
        if field.type != wanted and not (_is_text(field.type) and _is_text(wanted)):
            return False
    return True


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _conform(batch: pa.RecordBatch, target: pa.Schema) -> pa.RecordBatch:
    """Return `batch` with the target's columns in its order: missing ones null, strings widened if needed."""
    columns = []
    for field in target:
        index = batch.schema.get_field_index(field.name)
        if index < 0:
            columns.append(pa.nulls(batch.num_rows, field.type))
        else:
            column = batch.column(index)
            columns.append(column if column.type == field.type else column.cast(field.type))
    return pa.RecordBatch.from_arrays(columns, schema=target)


def merged_name(snapshot_id: str, members: list[Path]) -> str:
    digest = hashlib.sha256("\n".join(path.name for path in members).encode()).hexdigest()[:12]
    return f"c{snapshot_id}-{digest}"


def merge_files(members: list[Path], target: pa.Schema, out: Path) -> Path:
    """Stream the rows of `members`, in order, into one new Parquet file at `out` (written atomically)."""
    pending: list[pa.RecordBatch] = []
    pending_rows = pending_bytes = 0
    with atomic_path(out) as temporary, pq.ParquetWriter(temporary, target, compression="zstd") as writer:

        def flush() -> None:
            nonlocal pending, pending_rows, pending_bytes
            if pending:
                writer.write_table(pa.Table.from_batches(pending, schema=target), row_group_size=ROW_GROUP_ROWS)
            pending, pending_rows, pending_bytes = [], 0, 0

        for member in members:
            with pq.ParquetFile(member) as reader:
                for batch in reader.iter_batches(batch_size=batch_rows(reader.metadata)):
                    batch = _conform(batch, target)
                    pending.append(batch)
                    pending_rows += batch.num_rows
                    pending_bytes += batch.nbytes
                    if pending_rows >= ROW_GROUP_ROWS or pending_bytes >= ROW_GROUP_BYTES:
                        flush()
            # Arrow's allocator keeps what a member's reading freed: merging the 28 raw page files of the N = 5,000
            # benchmark grew a process by about 290 MB, and by about 140 MB with this and the smaller batches.
            release_unused_memory()
        flush()
    release_unused_memory()
    return out


def batch_rows(meta: pq.FileMetaData) -> int:
    """Rows per record batch for reading a file: about READ_BATCH_BYTES of uncompressed data, at most
    READ_BATCH_ROWS rows, at least 16."""
    size = sum(meta.row_group(index).total_byte_size for index in range(meta.num_row_groups))
    if size <= 0 or meta.num_rows <= 0:
        return READ_BATCH_ROWS
    return max(16, min(READ_BATCH_ROWS, meta.num_rows * READ_BATCH_BYTES // size))


def row_count(path: Path) -> int:
    """The number of rows of a Parquet file, from its footer."""
    return pq.read_metadata(path).num_rows


def compact(
    files: list[Path], target: pa.Schema, snapshot_id: str, folder: Path, rows: dict[str, int]
) -> tuple[list[Path], list[Merge]]:
    """Return the table's file list after merging, and the merges done (new files written into `folder`).

    `rows` maps file names to row counts; files missing from it have their footer read, and it gains every
    file's count (the caller keeps it in the snapshot manifest, so a commit reads only new files' footers). The
    list keeps the files' order, a merged file taking the place of its first member. Repeats until no tier is
    full, so one commit leaves at most FAN_IN - 1 mergeable files per tier.
    """
    merges: list[Merge] = []
    current = list(files)
    while True:
        for path in current:
            if path.name not in rows:
                rows[path.name] = row_count(path)
        groups = plan_merges([FileSize(path, rows[path.name], path.stat().st_size) for path in current])
        # Schemas are read only for files about to be merged, so a commit with nothing to merge reads none.
        groups = [[path for path in group if _fits(pq.read_schema(path), target)] for group in groups]
        groups = [group for group in groups if len(group) > 1]
        if not groups:
            return current, merges
        for group in groups:
            merged = merge_files(group, target, folder / f"{merged_name(snapshot_id, group)}.parquet")
            merges.append(Merge(tuple(group), merged))
            rows[merged.name] = sum(rows[path.name] for path in group)
            members = set(group)
            position = min(current.index(path) for path in group)
            current = [path for path in current if path not in members]
            current.insert(position, merged)
