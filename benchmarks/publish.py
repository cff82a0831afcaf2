"""How long publishing takes as the warehouse grows: the commit that makes a run's files visible.

Builds warehouses holding F data files per table (hard links of one small Parquet file per table, so building
is quick; a commit only links files and never reads them), then times `warehouse.commit` of one more batch:
linking every file of the new snapshot, writing its manifest, fsyncs, and the atomic switch of `current`,
followed by `views.publish_views` (which rebuilds the DuckDB catalogue only when the SQL changed). Entity
resolution, which runs inside the commit in a real run, is left out here: it is timed on its own as the
`resolve` stage (and by `benchmarks/entities.py`).

A warehouse gains about one file per table per batch of 200 documents, so F = 10,000 is about two million
documents ingested in batches of 200, or far fewer documents in many small runs.

Run:
    .venv/bin/python benchmarks/publish.py [--files 100 1000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from flows import views, warehouse
from flows.parquet import SCHEMAS, to_table, write_table

TABLES = [table for table in SCHEMAS if table not in warehouse.DERIVED_TABLES]


def build(root: Path, files: int) -> warehouse.Layout:
    """A warehouse whose current snapshot holds `files` data files per table."""
    layout = warehouse.open_layout(root)
    constants = {"run_id": "bench", "ingested_at": datetime.now(UTC)}
    batches: dict[str, list[Path]] = {}
    for table in TABLES:
        first = write_table(to_table([], SCHEMAS[table], constants), layout.data_file(table, "b0"))
        paths = [first]
        for number in range(1, files):
            path = layout.data_file(table, f"b{number}")
            os.link(first, path)
            paths.append(path)
        batches[table] = paths
    with warehouse.run_lock(layout):
        warehouse.commit(layout, batches, set(), "build")
        views.publish_views(layout)
    return layout


def time_publish(layout: warehouse.Layout, run: int) -> float:
    """Commit one more batch (one new file per table) and refresh the views; return the seconds."""
    constants = {"run_id": f"run{run}", "ingested_at": datetime.now(UTC)}
    new = {
        table: [write_table(to_table([], SCHEMAS[table], constants), layout.data_file(table, f"new{run}"))]
        for table in TABLES
    }
    with warehouse.run_lock(layout):
        started = time.perf_counter()
        warehouse.commit(layout, new, set(), f"run{run}")
        views.publish_views(layout)
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[100, 1000, 10000], help="data files per table")
    parser.add_argument("--repeat", type=int, default=3, help="publishes timed per size; the median is shown")
    args = parser.parse_args(argv)
    print(f"{'files per table':>16}{'files in snapshot':>19}{'publish s (median)':>20}{'max s':>8}")
    for files in args.files:
        with tempfile.TemporaryDirectory(prefix="presswork-publish-") as scratch:
            layout = build(Path(scratch) / "warehouse", files)
            seconds = sorted(time_publish(layout, run) for run in range(args.repeat))
            median = seconds[len(seconds) // 2]
            total = files * len(TABLES)
            print(f"{files:>16,}{total:>19,}{median:>20.3f}{seconds[-1]:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
