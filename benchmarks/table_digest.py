"""Print a digest of every table of a warehouse, to show two builds made the same rows from the same inputs.

For each view of the catalogue: its row count and a sha256 of its rows, sorted, leaving out the columns that
differ from run to run by design (run ids, ingestion times, timings). Two warehouses built from the same
inputs by two versions of presswork print the same lines exactly when every table holds the same rows.

    python benchmarks/table_digest.py warehouse/ > before.txt
    ... change the code, build again ...
    python benchmarks/table_digest.py warehouse/ > after.txt && diff before.txt after.txt
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import duckdb

# Columns whose values belong to one run, not to the data: ids and times of the run, and its measurements.
# `first_seen` and `last_seen` of entities fall back to the ingestion time for undated articles.
RUN_COLUMNS = frozenset(
    {
        "run_id",
        "ingested_at",
        "seen_at",
        "started_at",
        "finished_at",
        "duration_s",
        "stage_seconds",
        "presswork_version",
        "first_ingested_at",
        "last_ingested_at",
        "first_seen",
        "last_seen",
    }
)


def table_digests(catalog: Path) -> list[tuple[str, int, str]]:
    """Return (view, rows, digest) for every view of the catalogue but the staging ones."""
    connection = duckdb.connect(str(catalog), read_only=True)
    connection.execute("set enable_progress_bar = false")
    views = [
        row[0]
        for row in connection.execute(
            "select view_name from duckdb_views() where not internal and view_name not like 'stg_%' order by 1"
        ).fetchall()
    ]
    out: list[tuple[str, int, str]] = []
    for view in views:
        columns = [row[0] for row in connection.execute(f'describe "{view}"').fetchall() if row[0] not in RUN_COLUMNS]
        listed = ", ".join(f'"{c}"' for c in columns)
        rows = connection.execute(f'select {listed} from "{view}" order by all').fetchall()
        digest = hashlib.sha256()
        for row in rows:
            digest.update(repr(row).encode())
        out.append((view, len(rows), digest.hexdigest()[:16]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path, help="warehouse folder (holding presswork.duckdb)")
    args = parser.parse_args(argv)
    catalog = args.warehouse / "presswork.duckdb"
    if not catalog.exists():
        print(f"no catalogue at {catalog}", file=sys.stderr)
        return 2
    for view, rows, digest in table_digests(catalog):
        print(f"{view:<24} {rows:>9} {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
