"""Build the DuckDB catalogue: one view per `sql/` file, staging first, then marts.

A view file holds a single `select`; its name is the file stem. Staging views read Parquet through the
placeholder `{{ source('table') }}`, which becomes a `read_parquet` of the table's files in the current
snapshot, by absolute path, so the views work from any working directory.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from presswork.storage.warehouse import Layout, version

LAYERS = ("staging", "marts")
# The storage format the catalogue is written in. DuckDB 2.0's own format (storage version number 69) is
# refused by every 1.x client, and BI tools bundle old drivers; the catalogue holds only views, so nothing is
# lost by writing the format of DuckDB 1.1 (number 64), which 1.1 and every later DuckDB reads.
# tests/test_old_clients.py opens it with the DuckDB 1.5 CLI.
STORAGE_VERSION = "v1.1.0"
_SOURCE = re.compile(r"\{\{\s*source\(\s*'(\w+)'\s*\)\s*\}\}")


@dataclass(frozen=True, slots=True)
class View:
    name: str
    layer: str
    select: str  # the file's text
    path: Path


def sql_dir_default() -> Path:
    """Return the view SQL that ships inside the package as `presswork.sql` (the repository's `sql/`)."""
    # Through the package, not this file's location: a wheel installed anywhere has it as presswork/sql/.
    folder = resources.files("presswork.sql")
    if not isinstance(folder, Path):  # a zip import: the views would have to be read through Traversable
        raise RuntimeError(f"presswork.sql is not a folder on disk: {folder}")
    return folder


def load_views(sql_dir: Path) -> list[View]:
    """Read the view files in dependency order: staging, then marts, each mart after the views it reads."""
    views: list[View] = []
    for layer in LAYERS:
        if not (sql_dir / layer).is_dir():
            # A catalogue without views would publish "successfully" and break every query afterwards.
            raise FileNotFoundError(f"no {layer} views: {sql_dir / layer} is missing (is presswork installed whole?)")
        layer_views = [
            View(path.stem, layer, path.read_text(encoding="utf-8"), path)
            for path in sorted((sql_dir / layer).glob("*.sql"))
        ]
        views.extend(_dependency_order(layer_views))
    return views


def _dependency_order(views: list[View]) -> list[View]:
    names = {view.name for view in views}
    pending = {view.name: view for view in views}
    ordered: list[View] = []
    while pending:
        ready = [
            view
            for view in pending.values()
            if not any(re.search(rf"\b{dep}\b", _code(view.select)) for dep in names & set(pending) - {view.name})
        ]
        if not ready:
            raise ValueError(f"views depend on each other in a cycle: {sorted(pending)}")
        for view in ready:
            ordered.append(view)
            del pending[view.name]
    return ordered


def _code(select: str) -> str:
    """The SQL without its `--` comments: a view's header may name other views without reading them."""
    return re.sub(r"--[^\n]*", "", select)


def render(view: View, layout: Layout) -> str:
    """Return the `create view` statement for a view file, its Parquet sources made absolute."""

    def source(match: re.Match[str]) -> str:
        pattern = (layout.current / match.group(1) / "*.parquet").as_posix().replace("'", "''")
        return f"read_parquet('{pattern}', union_by_name = true)"

    select = _SOURCE.sub(source, view.select).strip().rstrip(";")
    return f"create or replace view {view.name} as\n{select}"


def catalog_digest(statements: list[str]) -> str:
    """Fingerprint the catalogue's content and format, so changing either republishes it."""
    # The storage version is part of it: a catalogue written in another format must be rewritten even when
    # the SQL is unchanged (e.g. one written in DuckDB 2.0's format, before the format was pinned).
    return hashlib.sha256("\n;\n".join([f"-- storage_version {STORAGE_VERSION}", *statements]).encode()).hexdigest()


def publish_views(layout: Layout, sql_dir: Path | None = None) -> bool:
    """Make `presswork.duckdb` define the views; return True when it had to be rebuilt.

    The catalogue is built in a new file and renamed over the old one: readers that hold the old file open
    keep working (its views read `current`, so they see new data too), and nothing waits for their locks.
    """
    statements = [render(view, layout) for view in load_views(sql_dir or sql_dir_default())]
    digest = catalog_digest(statements)
    marker = layout.root / ".catalog-digest"
    if layout.catalog.exists() and marker.exists() and marker.read_text() == digest:
        return False
    temporary = layout.root / f".{layout.catalog.name}.{os.getpid()}.tmp"
    temporary.unlink(missing_ok=True)
    # The new file is ATTACHed to an in-memory connection, which fixes its storage format, under the name
    # readers give it (the file's stem); USE makes it the default, so the unqualified views land inside it.
    alias = layout.catalog.stem
    path = str(temporary).replace("'", "''")
    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{path}' as \"{alias}\" (storage_version '{STORAGE_VERSION}')")
        connection.execute(f'use "{alias}"')
        for statement in statements:
            connection.execute(statement)
        connection.execute(f'checkpoint "{alias}"')
        connection.execute("use memory")
        connection.execute(f'detach "{alias}"')
    finally:
        connection.close()
    os.replace(temporary, layout.catalog)
    marker.write_text(digest)
    return True


def catalog_version(layout: Layout) -> str:
    """Name the data a read-only connection would see now: `<snapshot id>@<catalogue file id>`.

    It changes with every commit and every rebuilt catalogue (a new file renamed into place), so it is a sound
    cache key: equal versions give equal answers. The snapshot id is "none" before the first commit.
    """
    return f"{version(layout) or 'none'}@{layout.catalog.stat().st_ino}"


def connect_readonly(layout: Layout) -> duckdb.DuckDBPyConnection:
    """Open the catalogue read-only, as `presswork sql` and dashboards do."""
    if not layout.catalog.exists():
        raise FileNotFoundError(f"no warehouse at {layout.root} (no {layout.catalog.name}); run `presswork run` first")
    # No progress bar: DuckDB draws it on stdout for queries over two seconds, into `--format csv/json` output.
    connection = duckdb.connect(str(layout.catalog), read_only=True)
    connection.execute("set enable_progress_bar = false")
    return connection
