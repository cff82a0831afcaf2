"""The SQL layer: file conventions, the column docs (docs/views.md), and idempotent publishing."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from presswork.storage.views import load_views, publish_views, sql_dir_default
from presswork.storage.warehouse import open_layout

from .conftest import REPO, query_in_subprocess

VIEWS = load_views(sql_dir_default())
PUBLIC = [v.name for v in VIEWS if v.layer == "marts"]
VIEWS_DOC = REPO / "docs" / "views.md"


def documented_columns() -> dict[str, list[tuple[str, str]]]:
    """Parse the '## `view`' sections of docs/views.md into (column, type) lists."""
    text = VIEWS_DOC.read_text(encoding="utf-8")
    docs: dict[str, list[tuple[str, str]]] = {}
    for match in re.finditer(r"^## `(\w+)`\n(.*?)(?=^##|\Z)", text, re.MULTILINE | re.DOTALL):
        rows = re.findall(r"^\| (\w+) \| ([A-Z][A-Z (),\[\]]*?) \|", match.group(2), re.MULTILINE)
        docs[match.group(1)] = rows
    return docs


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.name)
def test_view_files_follow_the_conventions(view):
    header = [line for line in view.select.splitlines() if line.startswith("-- ")]
    assert view.select.startswith("-- ") and any("Grain:" in line for line in header)
    assert "group by 1" not in view.select.lower()
    assert not re.search(r",\s*\n\s*from\b", view.select), "trailing comma before from"
    if view.layer == "staging":
        assert view.name.startswith("stg_") and "{{ source(" in view.select
    else:
        assert "{{ source(" not in view.select and view.select.rstrip().endswith("select * from final")


def test_docs_document_every_public_view_and_column(seed_warehouse: Path):
    docs = documented_columns()
    assert sorted(docs) == sorted(PUBLIC)
    con = duckdb.connect(str(seed_warehouse / "presswork.duckdb"), read_only=True)
    try:
        for view in PUBLIC:
            actual = [(name, kind) for name, kind, *_ in con.execute(f"describe {view}").fetchall()]
            assert docs[view] == actual, view
    finally:
        con.close()


def test_republishing_the_same_sql_changes_nothing(seed_warehouse: Path):
    layout = open_layout(seed_warehouse)
    before = layout.catalog.stat()
    assert publish_views(layout) is False
    after = layout.catalog.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_changed_sql_is_published_by_replacing_the_file(seed_warehouse: Path, tmp_path: Path):
    sql = tmp_path / "sql"
    for view in VIEWS:
        target = sql / view.layer / view.path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(view.select)
    (sql / "marts" / "sources.sql").write_text(
        "-- Sources and their article counts.\n-- Grain: one row per source.\n"
        "with articles as (\n    select * from stg_articles\n),\n\n"
        "final as (\n    select source_name, count(*) as articles from articles group by source_name\n)\n\n"
        "select * from final\n"
    )
    layout = open_layout(seed_warehouse)
    reader = duckdb.connect(str(layout.catalog), read_only=True)  # a dashboard holding the old catalogue
    try:
        assert publish_views(layout, sql) is True
        assert reader.execute("select count(*) from articles").fetchone() == (5,)
        # A new connection from another process sees the new view. (Within one process DuckDB reuses the
        # already-open database, so the old definitions stay until every connection to it is closed.)
        assert query_in_subprocess(layout.catalog, "select articles from sources", tmp_path) == [(5,)]
    finally:
        reader.close()
        assert publish_views(layout) is True  # back to the shipped SQL for the other tests


def test_a_missing_layer_folder_is_an_error_not_an_empty_catalogue(tmp_path: Path):
    (tmp_path / "staging").mkdir()
    with pytest.raises(FileNotFoundError, match="marts"):
        load_views(tmp_path)


def test_every_example_query_in_the_docs_runs(seed_warehouse: Path):
    text = VIEWS_DOC.read_text(encoding="utf-8")
    queries = re.findall(r'presswork sql "(.*?)"', text[text.index("## Example queries") :], re.DOTALL)
    assert len(queries) >= 8
    con = duckdb.connect(str(seed_warehouse / "presswork.duckdb"), read_only=True)
    try:
        for query in queries:
            con.execute(query).fetchall()  # raises on a query that no longer fits the views
    finally:
        con.close()
