"""How long publishing takes as the warehouse grows: the commit that makes a run's files visible.

Grows one warehouse by committing batches, one new data file per table per commit, as runs do, and at each
checkpoint prints how many files the snapshot holds and how long publishing took over the last commits. A
commit here is what a run does after its batches are written: `warehouse.commit` (compaction of small files,
then one hard link per file of the new snapshot, its manifest, fsyncs and the atomic switch of `current`)
followed by `views.publish_views` (which rebuilds the DuckDB catalogue only when the SQL changed) and garbage
collection. They are timed apart:
- publish: linking the snapshot and switching `current`, refreshing the views: what makes a run visible;
- compact: merging small files (`presswork/storage/compaction.py`); most commits merge nothing, some merge a tier;
- cleanup: deleting superseded snapshots and files (with no grace period here, so the disk stays small).
Entity resolution, which runs inside the commit in a real run, is left out: it is timed on its own as the
`resolve` stage (and by `benchmarks/entities.py`).

Each commit's files are copies of one template file per table, made for a batch of `--documents`
documents (one row per document in most tables, 20 in `entity_mentions` and `source_lines`; text is random
words from the seeds, so it compresses like real text). Making them costs next to nothing, while
compaction really reads and rewrites every row. Without compaction the snapshot would hold one
file per table per commit and publishing would grow linearly: about 0.4 s at 1,000 files per table and 5 s
at 10,000 on this machine, before compaction existed.

Run:
    .venv/bin/python benchmarks/publish.py [--commits 100 1000 10000] [--documents 20] [--window 50]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from presswork.storage import views, warehouse
from presswork.storage.parquet import SCHEMAS, to_table, write_table

REPO = Path(__file__).resolve().parent.parent
TABLES = [table for table in SCHEMAS if table not in warehouse.DERIVED_TABLES]
WORDS = sorted({word for path in (REPO / "seeds").glob("*.txt") for word in path.read_text().split()})
# Rows per table in one commit, per document of the batch (a document has dozens of mentions and lines).
ROWS_PER_DOCUMENT = {"entity_mentions": 20, "source_lines": 20, "boilerplate": 3, "runs": 0}


def value(field_name: str, kind: str, number: int) -> object:
    """A plausible value for a column, random words from the seeds, so files compress like real ones."""
    if kind in ("string", "large_string"):
        length = 400 if field_name in ("body", "text") else 3
        pick = random.Random(f"{field_name}{number}").choices
        return " ".join(pick(WORDS, k=length))
    if kind.startswith("int"):
        return number
    if kind.startswith("double"):
        return number / 7
    if kind.startswith("timestamp"):
        return datetime(2026, 1, 1, tzinfo=UTC)
    if kind == "binary":
        return number.to_bytes(8, "little") * 64
    return None


def templates(root: Path, documents: int) -> dict[str, Path]:
    """One Parquet file per table for a batch of `documents`, copied as every commit's new file."""
    made = {}
    for table in TABLES:
        schema = SCHEMAS[table]
        rows = max(1, documents * ROWS_PER_DOCUMENT.get(table, 1))
        constants = {"ingested_at": datetime.now(UTC)} if "ingested_at" in schema.names else {}
        # Every column gets a value (None for maps and lists): the writer refuses a row missing one.
        records = [
            {field.name: value(field.name, str(field.type), n) for field in schema if field.name not in constants}
            for n in range(rows)
        ]
        made[table] = write_table(to_table(records, schema, constants), root / f"{table}.parquet")
    return made


def one_commit(layout: warehouse.Layout, template: dict[str, Path], number: int) -> dict[str, float]:
    """Commit one more batch (one new file per table); return the seconds of each part."""
    new: dict[str, list[Path]] = {}
    for table, path in template.items():
        target = layout.data_file(table, f"batch{number:06d}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)  # a copy, not a link: garbage collection goes by link counts
        new[table] = [target]
    timed: dict[str, float] = {"compact": 0.0}
    with warehouse.run_lock(layout):
        started = time.perf_counter()
        warehouse.commit(layout, new, set(), f"run{number}", seconds=timed)
        views.publish_views(layout)
        committed = time.perf_counter()
        warehouse.collect_garbage(layout, keep=3, grace_seconds=0)
        return {
            "publish": committed - started - timed["compact"],
            "compact": timed["compact"],
            "cleanup": time.perf_counter() - committed,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, nargs="+", default=[100, 1000, 10000], help="checkpoints")
    parser.add_argument("--documents", type=int, default=20, help="documents per commit (one batch of a run)")
    parser.add_argument("--window", type=int, default=50, help="commits before each checkpoint that are summarised")
    args = parser.parse_args(argv)
    checkpoints = sorted(set(args.commits))
    print(
        f"{'commits':>8}{'documents':>12}{'files/table':>13}{'publish s median':>18}{'p95':>7}{'max':>7}"
        f"{'compact s mean':>16}{'max':>7}{'cleanup s':>11}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="presswork-publish-") as scratch:
        template = templates(Path(scratch) / "templates", args.documents)
        layout = warehouse.open_layout(Path(scratch) / "warehouse")
        recent: list[dict[str, float]] = []
        worst_publish = worst_compact = compact_total = 0.0
        for number in range(1, checkpoints[-1] + 1):
            recent.append(one_commit(layout, template, number))
            recent = recent[-args.window :]
            worst_publish = max(worst_publish, recent[-1]["publish"])
            compact_total += recent[-1]["compact"]
            worst_compact = max(worst_compact, recent[-1]["compact"])
            if number in checkpoints:
                publish = sorted(r["publish"] for r in recent)
                compact = [r["compact"] for r in recent]
                files = max(len(warehouse.snapshot_files(layout, table)) for table in TABLES)
                print(
                    f"{number:>8,}{number * args.documents:>12,}{files:>13,}{statistics.median(publish):>18.3f}"
                    f"{publish[int(0.95 * (len(publish) - 1))]:>7.3f}{publish[-1]:>7.3f}"
                    f"{statistics.fmean(compact):>16.3f}{max(compact):>7.3f}"
                    f"{statistics.fmean(r['cleanup'] for r in recent):>11.3f}",
                    flush=True,
                )
        print(
            f"over all {checkpoints[-1]:,} commits: slowest publish {worst_publish:.3f} s; compaction "
            f"{compact_total:.1f} s in total, {compact_total / checkpoints[-1]:.3f} s per commit, "
            f"slowest {worst_compact:.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
