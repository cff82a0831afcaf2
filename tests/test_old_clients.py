"""Old DuckDB clients: the catalogue opens, and every view answers, in DuckDB 1.5 (what BI tools bundle).

presswork writes with DuckDB 2.0, whose own storage format 1.x clients refuse ("version number 69"); the
catalogue is written in an older format (`presswork.storage.views.STORAGE_VERSION`). These tests run the real DuckDB 1.5.6
CLI (the `duckdb-cli` dev dependency, which puts a `duckdb` command next to the venv's python) in its own
process and working directory, as a dashboard or a shell user would.
"""

from __future__ import annotations

import json
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from presswork.storage.views import load_views, publish_views, sql_dir_default
from presswork.storage.warehouse import open_layout

from .conftest import query_in_subprocess

OLD_CLI = Path(sys.executable).parent / "duckdb"
OLD_VERSION = "v1.5.6"


@pytest.fixture(scope="module")
def old_cli() -> Path:
    """The DuckDB 1.5.6 CLI; a missing or different one fails the tests (CI installs the dev extras)."""
    if not OLD_CLI.exists():
        pytest.fail(f"{OLD_CLI} is missing: install the dev extras (`pip install -e '.[dev]'`, duckdb-cli==1.5.6)")
    done = subprocess.run([str(OLD_CLI), "--version"], capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0 or not done.stdout.startswith(f"{OLD_VERSION} "):
        pytest.fail(f"{OLD_CLI} --version says {done.stdout.strip() or done.stderr.strip()!r}, not {OLD_VERSION}")
    return OLD_CLI


def old_cli_args(cli: Path, catalog: Path) -> list[str]:
    # -no-init: a developer's ~/.duckdbrc must not change the output; -json: parseable rows.
    return [str(cli), "-no-init", "-bail", "-readonly", "-json", str(catalog)]


def query_old_cli(cli: Path, catalog: Path, sql: str, cwd: Path) -> list[dict]:
    """Run one query in the old CLI, opening the catalogue read-only, and return its rows."""
    done = subprocess.run(
        [*old_cli_args(cli, catalog), "-c", sql],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and not done.stderr, f"DuckDB {OLD_VERSION} failed on {sql!r}: {done.stderr}"
    return json.loads(done.stdout)


def catalog_views(catalog: Path) -> list[str]:
    """The catalogue's views, as the current (Python) DuckDB client lists them."""
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        rows = con.execute("select view_name from duckdb_views() where not internal order by view_name").fetchall()
    finally:
        con.close()
    return [name for (name,) in rows]


def test_every_view_answers_the_same_in_duckdb_1_5(seed_warehouse: Path, old_cli: Path, tmp_path: Path):
    catalog = seed_warehouse / "presswork.duckdb"
    views = catalog_views(catalog)
    assert views == sorted(view.name for view in load_views(sql_dir_default()))
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        for view in views:
            # cwd is another directory: the views must reach their Parquet files by absolute path.
            rows = query_old_cli(old_cli, catalog, f"select count(*) as n from {view}", tmp_path)
            assert len(rows) == 1 and isinstance(rows[0]["n"], int), (view, rows)
            assert rows[0]["n"] == con.execute(f"select count(*) from {view}").fetchone()[0], view
            # count(*) alone lets the optimizer skip columns; counting each column evaluates every expression
            # (casts, aggregates) in the old client, and the column names and types must match too.
            (old,) = query_old_cli(old_cli, catalog, f"select count(columns(*)) from {view}", tmp_path)
            assert tuple(old.values()) == con.execute(f"select count(columns(*)) from {view}").fetchone(), view
            described = query_old_cli(old_cli, catalog, f"describe {view}", tmp_path)
            old_columns = [(row["column_name"], row["column_type"]) for row in described]
            assert old_columns == [row[:2] for row in con.execute(f"describe {view}").fetchall()], view
    finally:
        con.close()


class HeldReader:
    """An old-client shell holding the catalogue open read-only, answering one query at a time over a pipe."""

    def __init__(self, cli: Path, catalog: Path, cwd: Path) -> None:
        args = [arg for arg in old_cli_args(cli, catalog) if arg != "-json"] + ["-csv", "-noheader"]
        self.process = subprocess.Popen(
            args, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def query(self, sql: str, timeout: float = 60.0) -> str:
        """Send one single-value query and return its value (the shell flushes each result)."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(sql.rstrip(";") + ";\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert ready, f"the held reader did not answer {sql!r} in {timeout}s"
        line = self.process.stdout.readline()
        assert line, f"the held reader died: {self.process.stderr.read() if self.process.stderr else ''}"
        return line.strip()

    def close(self) -> tuple[int, str]:
        """End the shell; return its exit code and stderr."""
        assert self.process.stdin
        self.process.stdin.close()
        code = self.process.wait(timeout=60)
        return code, self.process.stderr.read() if self.process.stderr else ""


@pytest.fixture
def copied_warehouse(seed_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the seed warehouse, so republishing does not disturb the shared one."""
    root = tmp_path / "wh"
    shutil.copytree(seed_warehouse, root, symlinks=True)  # `current` stays a relative symlink
    (root / ".catalog-digest").unlink()  # the copied views read the seed warehouse's files: point them here
    assert publish_views(open_layout(root)) is True
    return root


def test_republishing_does_not_break_a_reader_in_another_process(copied_warehouse: Path, old_cli: Path, tmp_path: Path):
    layout = open_layout(copied_warehouse)
    sql = tmp_path / "sql"
    for view in load_views(sql_dir_default()):
        target = sql / view.layer / view.path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(view.select)
    (sql / "marts" / "sources.sql").write_text(
        "-- Sources and their article counts.\n-- Grain: one row per source.\n"
        "select source_name, count(*) as articles from stg_articles group by source_name\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = layout.catalog.stat().st_ino
    reader = HeldReader(old_cli, layout.catalog, elsewhere)  # a dashboard on an old driver, left open
    try:
        assert reader.query("select count(*) from articles") == "5"
        started = time.monotonic()
        assert publish_views(layout, sql) is True  # never waits for, nor fails on, the reader's lock
        assert time.monotonic() - started < 30
        assert layout.catalog.stat().st_ino != before, "the catalogue must be a new file, renamed over the old"
        # The reader still has the old file: its views work and it does not see the new one.
        assert reader.query("select count(*) from articles") == "5"
        assert reader.query("select count(*) from duckdb_views() where view_name = 'sources'") == "0"
        # A new connection, old client or new, opens the new file.
        assert query_old_cli(old_cli, layout.catalog, "select articles from sources", elsewhere) == [{"articles": 5}]
        assert query_in_subprocess(layout.catalog, "select articles from sources", elsewhere) == [(5,)]
    finally:
        code, errors = reader.close()
    assert (code, errors) == (0, "")
    assert not list(copied_warehouse.glob(".presswork.duckdb.*")), "the temporary catalogue (or its WAL) was left"
