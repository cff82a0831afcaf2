"""The warehouse on disk: immutable Parquet files, snapshots, atomic commits.

Where the truth lives:
- `data/<table>/*.parquet` are immutable data files. A run writes new ones; it never edits one in place.
- `snapshots/<id>/<table>/` holds hard links to the data files that make up one consistent version of every
  table, plus a `manifest.json`. A snapshot directory is complete before it gets its final name.
- `current` is a relative symlink to the newest snapshot. **A commit is one atomic rename of that symlink.**
  Readers resolve it when a query starts, so they see the state before a run or after it, never between.
- `presswork.duckdb` holds only view definitions that read `current/<table>/*.parquet` by absolute path. It is
  rebuilt (in a new file renamed over the old) only when the SQL changes, so a dashboard holding it open
  read-only never blocks a run, and a run never needs a read-write lock on it.
Superseded snapshots are deleted after a grace period; a data file no snapshot links (link count 1) is garbage.

The rest of presswork sees only this interface: `write_rows` (a new data file, invisible until committed),
`commit`, `snapshot_files` (the current snapshot's data files of a table), `version` (which snapshot is
current), the readers built on them (`known_inputs`, `article_hashes`, `source_line_counts`, `name_votes`,
`acronym_definitions`, `state_rows`, `signatures_since`), and the run lock. Links, the `current` symlink and
the zero-row schema files that keep the views bound (`_empty-*`) stay in here.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from presswork.storage import compaction
from presswork.storage.parquet import SCHEMAS, release_unused_memory, schema_digest, to_table, write_table
from presswork.storage.tables import Kind, tables_of
from presswork.workers import default_workers, map_in_workers

CATALOG_NAME = "presswork.duckdb"
# Tables whose rows belong to one input file (column input_uri); a reprocessed input replaces its rows.
PER_INPUT_TABLES = tables_of(Kind.PER_INPUT)
# Tables computed from the others at each commit; their files are replaced, never carried over.
DERIVED_TABLES = tables_of(Kind.DERIVED)
# The story clustering's state: replaced whole when a run writes it, else carried over as it is.
STATE_TABLES = tables_of(Kind.STATE)
# Tables whose small files are merged (`compaction.py`): all but the derived and state ones, rewritten whole.
COMPACTED_TABLES = tuple(t for t in SCHEMAS if t not in DERIVED_TABLES and t not in STATE_TABLES)
_EMPTY_PREFIX = "_empty-"  # the zero-row schema file of a table (`_empty_file`)
Derive = Callable[[dict[str, list[Path]], str], dict[str, list[Path]]]


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Paths of one warehouse."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def snapshots(self) -> Path:
        return self.root / "snapshots"

    @property
    def current(self) -> Path:
        return self.root / "current"

    @property
    def catalog(self) -> Path:
        return self.root / CATALOG_NAME

    @property
    def lock(self) -> Path:
        return self.root / ".presswork.lock"

    def data_file(self, table: str, key: str) -> Path:
        return self.data / table / f"{key}.parquet"


def open_layout(root: str | Path) -> Layout:
    """Return the layout of the warehouse at `root`, creating its folders."""
    layout = Layout(Path(root).expanduser().resolve())
    for folder in (layout.data, layout.snapshots):
        folder.mkdir(parents=True, exist_ok=True)
    return layout


@contextmanager
def run_lock(layout: Layout, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's run lock; raise WarehouseBusy if another run keeps it past `wait_seconds`.

    The lock is an flock on a file: the kernel releases it when a process dies, even by SIGKILL.
    """
    layout.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(layout.lock, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
                    raise WarehouseBusy(
                        f"another presswork run (pid {holder}) is writing to {layout.root}; "
                        "this run did nothing. Try again when it has finished."
                    ) from None
                time.sleep(0.5)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def current_snapshot(layout: Layout) -> Path | None:
    """Return the directory of the committed snapshot, or None before the first commit."""
    if not layout.current.is_symlink():
        return None
    return (layout.root / os.readlink(layout.current)).resolve()


def version(layout: Layout) -> str | None:
    """Return the id of the committed snapshot, or None before the first commit."""
    snapshot = current_snapshot(layout)
    return snapshot.name if snapshot is not None else None


def snapshot_files(layout: Layout, table: str) -> list[Path]:
    """List the data files of `table` in the current snapshot (never its zero-row schema file)."""
    snapshot = current_snapshot(layout)
    if snapshot is None or not (snapshot / table).is_dir():
        return []
    with os.scandir(snapshot / table) as entries:
        return sorted(
            Path(entry.path)
            for entry in entries
            if entry.name.endswith(".parquet") and not entry.name.startswith(_EMPTY_PREFIX)
        )


def write_rows(
    layout: Layout, table: str, key: str, rows: Sequence[Any], constants: Mapping[str, Any] | None = None
) -> Path:
    """Write rows of `table` (records or dicts, see `to_table`) into a new data file named after `key`.

    Nobody sees the file until a `commit` lists it among its new files.
    """
    path = write_table(to_table(rows, SCHEMAS[table], constants), layout.data_file(table, key))
    release_unused_memory()  # the rows' Arrow table, freed now
    return path


def known_inputs(layout: Layout) -> dict[str, str]:
    """Map each input file the warehouse holds to the hash of the content it was processed at."""
    known: dict[str, str] = {}
    for path in snapshot_files(layout, "inputs"):
        data = pq.read_table(path, columns=["input_uri", "input_hash"])
        known.update(zip(data.column("input_uri").to_pylist(), data.column("input_hash").to_pylist(), strict=True))
    return known


def article_hashes(layout: Layout, excluding_inputs: set[str]) -> dict[str, str]:
    """Map the content hash of every article to its source_uri, leaving out articles of `excluding_inputs`."""
    hashes: dict[str, str] = {}
    for path in snapshot_files(layout, "articles"):
        data = pq.read_table(path, columns=["content_hash", "source_uri", "input_uri"])
        for content_hash, source_uri, input_uri in zip(*(c.to_pylist() for c in data.columns), strict=True):
            if input_uri not in excluding_inputs:
                hashes.setdefault(content_hash, source_uri)
    return hashes


@dataclass(frozen=True, slots=True)
class LineCounts:
    """Per source: how many documents it has, and in how many of them each line hash occurs."""

    documents: dict[str, int]
    lines: dict[tuple[str, int], int]  # (source, line hash) -> documents; only lines in two or more


def source_line_counts(layout: Layout, excluding_inputs: set[str]) -> LineCounts:
    """Count, per source, its documents and the documents each line occurs in (lines seen twice or more)."""
    counts = LineCounts({}, {})
    files = snapshot_files(layout, "source_lines")
    if not files:
        return counts
    data = pq.read_table(files, columns=["article_id", "input_uri", "source_name", "line_hash"])
    if excluding_inputs:
        data = data.filter(pc.invert(pc.is_in(data.column("input_uri"), pa.array(sorted(excluding_inputs)))))
    documents = data.group_by("source_name").aggregate([("article_id", "count_distinct")])
    for source, count in zip(*(c.to_pylist() for c in documents.columns), strict=True):
        counts.documents[source] = count
    lines = data.group_by(["source_name", "line_hash"]).aggregate([("article_id", "count_distinct")])
    lines = lines.filter(pc.greater_equal(lines.column("article_id_count_distinct"), 2))
    for source, line, count in zip(
        *(lines.column(n).to_pylist() for n in ("source_name", "line_hash", "article_id_count_distinct")), strict=True
    ):
        counts.lines[(source, line)] = count
    return counts


def name_votes(mention_files: list[Path]) -> dict[str, dict[str, int]]:
    """Count, per normalised name in the mention files, its mentions' votes for each label."""
    if not mention_files:
        return {}
    data = pq.read_table(mention_files, columns=["name", "vote_label"])
    counts = data.group_by(["name", "vote_label"]).aggregate([("name", "count")])
    votes: dict[str, dict[str, int]] = {}
    for name, label, count in zip(
        *(counts.column(c).to_pylist() for c in ("name", "vote_label", "name_count")), strict=True
    ):
        by_label = votes.setdefault(name, {})
        by_label[label] = by_label.get(label, 0) + count
    return votes


def acronym_definitions(acronym_files: list[Path]) -> set[tuple[str, str]]:
    """Return the distinct (short, long) acronym definitions in the acronym files."""
    if not acronym_files:
        return set()
    data = pq.read_table(acronym_files, columns=["short", "long"])
    return set(zip(data.column("short").to_pylist(), data.column("long").to_pylist(), strict=True))


def state_rows(layout: Layout, table: str) -> list[dict[str, Any]]:
    """Return every row of a state table (`story_state`, `story_vocabulary`) of the current snapshot."""
    if table not in STATE_TABLES:
        raise ValueError(f"{table} is not a state table")
    files = snapshot_files(layout, table)
    return pq.read_table(files, schema=SCHEMAS[table]).to_pylist() if files else []


@dataclass(frozen=True, slots=True)
class StoredSignature:
    """An article's reprint signature as stored, with the earliest copy it was linked to (if any)."""

    article_id: str
    seen_at: datetime
    signature: bytes
    duplicate_of: str | None


def signatures_since(layout: Layout, since: datetime | None, excluding_inputs: set[str]) -> list[StoredSignature]:
    """Return the signatures of the articles seen at or after `since` (all when None), oldest first, leaving
    out articles of `excluding_inputs`; each with its `near_duplicates.duplicate_of`."""
    files = snapshot_files(layout, "article_signatures")
    if not files:
        return []
    data = pq.read_table(files, columns=["article_id", "input_uri", "seen_at", "signature"])
    if since is not None:
        since_value = pa.scalar(since, type=data.schema.field("seen_at").type)
        data = data.filter(pc.greater_equal(data.column("seen_at"), since_value))
    if excluding_inputs:
        data = data.filter(pc.invert(pc.is_in(data.column("input_uri"), pa.array(sorted(excluding_inputs)))))
    wanted = set(data.column("article_id").to_pylist())
    originals = _column_map(layout, "near_duplicates", "duplicate_of", wanted)
    rows = sorted(
        zip(*(data.column(c).to_pylist() for c in ("seen_at", "article_id", "signature")), strict=True),
        key=lambda row: (row[0], row[1]),
    )
    return [
        StoredSignature(article_id, seen_at, signature, originals.get(article_id))
        for seen_at, article_id, signature in rows
    ]


def _column_map(layout: Layout, table: str, column: str, article_ids: set[str]) -> dict[str, str]:
    """Map the given articles to a column of a per-article table (those that have a row)."""
    files = snapshot_files(layout, table)
    if not files or not article_ids:
        return {}
    data = pq.read_table(files, columns=["article_id", column])
    data = data.filter(pc.is_in(data.column("article_id"), pa.array(sorted(article_ids), type=pa.string())))
    return dict(zip(data.column("article_id").to_pylist(), data.column(column).to_pylist(), strict=True))


def _empty_file(layout: Layout, table: str) -> Path:
    """A zero-row file with the table's current schema, linked into every snapshot so views always bind."""
    schema = SCHEMAS[table]
    path = layout.data_file(table, f"{_EMPTY_PREFIX}{schema_digest(schema)}")
    if not path.exists():
        write_table(schema.empty_table(), path)
    return path


def _without_uris(path: Path, uris: set[str], layout: Layout, table: str, snapshot_id: str) -> Path | None:
    """Return `path`, or a rewritten copy without rows of the input files `uris` (None if no row remains)."""
    column = pq.read_table(path, columns=["input_uri"]).column("input_uri")
    hit = pc.is_in(column, value_set=pa.array(sorted(uris), type=pa.string()))
    if not pc.any(hit).as_py():
        return path
    data = pq.read_table(path)
    kept = data.filter(pc.invert(hit))
    if kept.num_rows == 0:
        return None
    return write_table(kept, layout.data_file(table, f"{path.stem.split('~')[0]}~{snapshot_id}"))


def _manifest_rows(snapshot: Path | None) -> dict[str, dict[str, int]]:
    """The row count of each data file of a snapshot, as its manifest recorded them (empty if it did not)."""
    if snapshot is None:
        return {}
    try:
        rows = json.loads((snapshot / "manifest.json").read_text()).get("rows", {})
    except (OSError, ValueError):
        return {}
    return rows if isinstance(rows, dict) else {}


def _compact_tables(layout: Layout, tables: dict[str, list[Path]], snapshot_id: str) -> dict[str, dict[str, int]]:
    """Merge small files of every table in place in `tables` (tables in parallel threads; pyarrow releases the
    GIL); return each remaining file's row count, for the manifest."""
    previous = current_snapshot(layout)
    known_rows = _manifest_rows(previous)

    def one(table: str) -> tuple[str, list[Path], dict[str, int]]:
        # Row counts of files carried over unchanged come from the last manifest; new files' footers are read.
        known = known_rows.get(table, {})
        rows = {
            path.name: known[path.name]
            for path in tables[table]
            if path.parent.parent == previous and path.name in known
        }
        files, _ = compaction.compact(tables[table], SCHEMAS[table], snapshot_id, layout.data / table, rows)
        return table, files, {path.name: rows[path.name] for path in files}

    row_counts: dict[str, dict[str, int]] = {}
    with ThreadPoolExecutor(max_workers=default_workers()) as pool:
        for table, files, rows in pool.map(one, COMPACTED_TABLES):
            tables[table] = files
            row_counts[table] = rows
    return row_counts


def compact_new_files(layout: Layout, files: Mapping[str, list[Path]]) -> dict[str, list[Path]]:
    """Merge a run's own small files, table by table (`compaction.py`); return the files to commit instead.

    `commit` merges again, with the snapshot's files, but finds most of the work done: a run calls this while
    its story step works, when a core would otherwise idle. The tables are merged in the worker processes, so
    that the merging's Python (reading and writing record batches) does not hold this process's GIL while the
    story step, pure Python, runs here. Rows and their order are unchanged. Call only while holding the run lock
    (merged files are named after the snapshot the commit will make).
    """
    snapshot_id = _next_snapshot_id(layout)
    compactable = [table for table in files if table in COMPACTED_TABLES]
    jobs = [(layout, table, list(files[table]), snapshot_id) for table in compactable]
    merged = dict(zip(compactable, map_in_workers(_compact_new, jobs), strict=True))
    return {table: merged.get(table, list(paths)) for table, paths in files.items()}


def _compact_new(job: tuple[Layout, str, list[Path], str]) -> list[Path]:
    layout, table, paths, snapshot_id = job
    return compaction.compact(paths, SCHEMAS[table], snapshot_id, layout.data / table, {})[0]


def _next_snapshot_id(layout: Layout) -> str:
    numbers = [int(p.name) for p in layout.snapshots.iterdir() if p.name.isdigit()]
    return f"{max(numbers, default=0) + 1:010d}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(
    layout: Layout,
    new_files: dict[str, list[Path]],
    replaced_uris: set[str],
    run_id: str,
    derive: Derive | None = None,
    seconds: dict[str, float] | None = None,
) -> str:
    """Make a new snapshot of every table and switch `current` to it atomically; return its id.

    The new snapshot holds the current one's files, minus the rows of the input files `replaced_uris` (they
    were processed again), plus `new_files`, with small files merged (`compaction.py`) so the count stays
    bounded. A state table (`Kind.STATE`) in `new_files` replaces the current one whole; one not in it is carried
    over. `derive(files, snapshot_id)` computes the derived tables from the new snapshot's files before
    anything is visible. `seconds`, when given, receives the time spent in `compact`. Call only while holding
    the run lock.
    """
    snapshot_id = _next_snapshot_id(layout)
    staging = layout.snapshots / f".tmp-{snapshot_id}-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    tables: dict[str, list[Path]] = {}
    for table in SCHEMAS:
        members: list[Path] = []
        # A derived table's files are never carried over: `derive` rebuilds them from the other tables.
        replaced_whole = table in DERIVED_TABLES or (table in STATE_TABLES and table in new_files)
        for path in [] if replaced_whole else snapshot_files(layout, table):
            if table in PER_INPUT_TABLES and replaced_uris:
                kept = _without_uris(path, replaced_uris, layout, table, snapshot_id)
                if kept is not None:
                    members.append(kept)
            else:
                members.append(path)
        tables[table] = members + new_files.get(table, [])
    clock = time.perf_counter()
    row_counts = _compact_tables(layout, tables, snapshot_id)
    if seconds is not None:
        seconds["compact"] = seconds.get("compact", 0.0) + time.perf_counter() - clock
    if derive is not None:
        tables.update(derive(tables, snapshot_id))
    try:
        _stage_snapshot(layout, staging, tables, {"snapshot_id": snapshot_id, "run_id": run_id, "rows": row_counts})
    except BaseException:
        # A full disk (or anything else) while staging: leave no half-made snapshot behind, and let it fail.
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final = layout.snapshots / snapshot_id
    os.rename(staging, final)
    _fsync_dir(layout.snapshots)
    link = layout.root / f".current.{os.getpid()}"
    if link.is_symlink():
        link.unlink()
    os.symlink(os.path.relpath(final, layout.root), link)
    os.replace(link, layout.current)
    _fsync_dir(layout.root)
    return snapshot_id


def _stage_snapshot(layout: Layout, staging: Path, tables: dict[str, list[Path]], manifest: dict[str, object]) -> None:
    """Link every table's files into `staging` and write its manifest (with `manifest`'s entries), fsynced."""
    manifest["tables"] = {}
    for table in SCHEMAS:
        folder = staging / table
        folder.mkdir(parents=True)
        names: list[str] = []
        # One link per file and nothing else per file: publishing time is this loop (benchmarks/publish.py).
        for member in [_empty_file(layout, table), *tables[table]]:
            try:
                os.link(member, folder / member.name)
            except FileExistsError:
                raise RuntimeError(f"two data files named {member.name} in one snapshot of {table}") from None
            names.append(member.name)
        manifest["tables"][table] = sorted(names)  # type: ignore[index]
    manifest["committed_at"] = datetime.now(UTC).isoformat()
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    _fsync_dir(staging)


def collect_garbage(layout: Layout, keep: int = 3, grace_seconds: float = 3600.0) -> int:
    """Delete old snapshots and unreferenced data files; return how many files went.

    A snapshot is kept while it is among the newest `keep` or younger than `grace_seconds` (a query that
    started on it may still be reading). A data file goes when no snapshot links it and it is older than the
    grace period, so a file another run is writing right now is never touched. Call while holding the run lock.
    """
    now = time.time()
    current = current_snapshot(layout)
    snapshots = sorted((p for p in layout.snapshots.iterdir() if p.name.isdigit()), key=lambda p: p.name)
    removed = 0
    for snapshot in snapshots[:-keep] if keep else snapshots:
        if snapshot == current or now - snapshot.stat().st_mtime < grace_seconds:
            continue
        shutil.rmtree(snapshot)
        removed += 1
    for leftover in layout.snapshots.glob(".tmp-*"):
        if now - leftover.stat().st_mtime >= grace_seconds:
            shutil.rmtree(leftover)
    for table_dir in layout.data.iterdir() if layout.data.exists() else []:
        for path in table_dir.iterdir():
            stat = path.stat()
            if stat.st_nlink == 1 and now - stat.st_mtime >= grace_seconds:
                path.unlink()
                removed += 1
    return removed
