"""Storage is used through one small interface: write rows, commit, the current snapshot's files, the version.

Links, the `current` symlink and the zero-row schema files stay inside presswork/storage; a test reads the rest
of the code to hold that line.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from presswork.records import Acronym, Mention, SourceLine
from presswork.storage import views, warehouse
from presswork.storage.tables import TABLES

from .conftest import REPO, query_in_subprocess

WHEN = datetime(2026, 11, 25, tzinfo=UTC)
RUN = {"run_id": "r1", "ingested_at": WHEN}
# What only storage may know: how a snapshot is made of links and how `current` points at one.
STORAGE_INTERNALS = re.compile(
    "|".join(
        [
            r"_empty-",  # the zero-row schema files that keep the views bound
            r"\breadlink\b",
            r"symlink",
            r"\bos\.link\b",
            r"\bst_nlink\b",
            r"\bst_ino\b",
            r"\.current\b",
            r"\.snapshots\b",
            r"\.data_file\(",
        ]
    )
)
# The modules of storage that the rest of presswork may import.
INTERFACE = {"presswork.storage.warehouse", "presswork.storage.views", "presswork.storage.tables"}


def outside_storage() -> list[Path]:
    package = REPO / "presswork"
    return sorted(
        [p for p in package.rglob("*.py") if not p.is_relative_to(package / "storage")]
        + [*(REPO / "flows").glob("*.py")]
    )


@pytest.mark.parametrize("path", outside_storage(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_outside_storage_knows_how_snapshots_are_made(path: Path):
    source = path.read_text(encoding="utf-8")
    assert STORAGE_INTERNALS.findall(source) == []
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    storage = {name for name in imported if name.startswith("presswork.storage.")}
    assert {name for name in storage if not any(name.startswith(i) for i in INTERFACE)} == set()


def test_before_the_first_commit_there_is_no_version_and_no_file(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    assert warehouse.version(layout) is None
    assert all(warehouse.snapshot_files(layout, table) == [] for table in TABLES)


def test_written_rows_are_seen_only_once_committed(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    lines = [SourceLine("a1", "/in/a", "wire", 7)]
    written = warehouse.write_rows(layout, "source_lines", "k1", lines, RUN)
    assert warehouse.snapshot_files(layout, "source_lines") == []
    with warehouse.run_lock(layout):
        first = warehouse.commit(layout, {"source_lines": [written]}, set(), "r1")
        views.publish_views(layout)
    assert warehouse.version(layout) == first
    [committed] = warehouse.snapshot_files(layout, "source_lines")
    assert committed.name == written.name and pq.read_table(committed).column("line_hash").to_pylist() == [7]
    seen = views.catalog_version(layout)
    with warehouse.run_lock(layout):
        second = warehouse.commit(layout, {}, set(), "r2")
    assert second > first and warehouse.version(layout) == second
    assert views.catalog_version(layout) != seen  # a reader's cache key moves with every commit


def test_an_empty_commit_lists_no_file_but_every_view_binds(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    with warehouse.run_lock(layout):
        warehouse.commit(layout, {}, set(), "empty")
        views.publish_views(layout)
    assert all(warehouse.snapshot_files(layout, table) == [] for table in TABLES)
    counts = query_in_subprocess(
        layout.catalog, "select (select count(*) from articles), (select count(*) from entities)", tmp_path
    )
    assert counts == [(0, 0)]


def test_derive_sees_the_data_files_of_the_snapshot_to_be_and_replaces_its_tables(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    mentions = [
        Mention("a1", "/in/a", "Alice", "Alice", "PERSON", 0, 5, "Alice came.", "PERSON"),
        Mention("a1", "/in/a", "Alice", "Alice", "ORG", 9, 14, "Alice came.", "ORG"),
    ]
    acronyms = [Acronym("a1", "/in/a", "UN", "United Nations"), Acronym("a2", "/in/b", "UN", "United Nations")]
    seen: list[dict[str, list[Path]]] = []

    def derive(tables: dict[str, list[Path]], snapshot_id: str) -> dict[str, list[Path]]:
        seen.append({table: list(paths) for table, paths in tables.items()})
        votes = warehouse.name_votes(tables["entity_mentions"])
        pairs = warehouse.acronym_definitions(tables["acronyms"])
        rows = [{"name": n, "entity_id": n.lower(), "entity_name": n, "entity_label": None} for n in sorted(votes)]
        rows += [
            {"name": short, "entity_id": long, "entity_name": long, "entity_label": "ORG"} for short, long in pairs
        ]
        return {"entity_names": [warehouse.write_rows(layout, "entity_names", snapshot_id, rows)]}

    for key in ("k1", "k2"):  # the same rows twice, from a second input file the second time
        new = {
            "entity_mentions": [warehouse.write_rows(layout, "entity_mentions", key, mentions, RUN)],
            "acronyms": [warehouse.write_rows(layout, "acronyms", key, acronyms, RUN)],
        }
        with warehouse.run_lock(layout):
            warehouse.commit(layout, new, set(), key, derive)
    assert all(pq.read_metadata(path).num_rows > 0 for tables in seen for paths in tables.values() for path in paths)
    assert len(seen[-1]["entity_mentions"]) == 2 and seen[-1]["entity_names"] == []
    [names] = warehouse.snapshot_files(layout, "entity_names")  # the previous commit's file is not carried over
    assert pq.read_table(names).column("name").to_pylist() == ["Alice", "UN"]
    assert warehouse.name_votes(warehouse.snapshot_files(layout, "entity_mentions")) == {
        "Alice": {"PERSON": 2, "ORG": 2}
    }


def test_source_line_counts_are_plain_counts_without_the_replaced_inputs(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    lines = [
        SourceLine("a1", "/in/a", "wire", 7),
        SourceLine("a1", "/in/a", "wire", 9),
        SourceLine("a2", "/in/b", "wire", 7),
        SourceLine("a3", "/in/c", "blog", 7),
    ]
    with warehouse.run_lock(layout):
        new = {"source_lines": [warehouse.write_rows(layout, "source_lines", "k", lines, RUN)]}
        warehouse.commit(layout, new, set(), "r1")
    counts = warehouse.source_line_counts(layout, set())
    assert counts.documents == {"wire": 2, "blog": 1} and counts.lines == {("wire", 7): 2}
    without_b = warehouse.source_line_counts(layout, {"/in/b"})
    assert without_b.documents == {"wire": 1, "blog": 1} and without_b.lines == {}
