"""Each table is defined once (presswork/storage/tables.py); the schemas, staging views, records and docs agree."""

from __future__ import annotations

import dataclasses
import typing
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from presswork.entities.resolve import Resolved
from presswork.records import (
    Acronym,
    Article,
    ArticleSignature,
    Boilerplate,
    InputFile,
    Mention,
    NearDuplicate,
    RawDocument,
    Record,
    Reject,
    SourceLine,
    StoryArticle,
)
from presswork.storage import views, warehouse
from presswork.storage.parquet import SCHEMAS, MissingColumn, schema_digest, to_table
from presswork.storage.tables import RUN_COLUMN_NAMES, TABLES, Kind, Table, render_reference

from .conftest import REPO

# The format on disk: the digest of each table's Arrow schema, which names its zero-row file (`_empty-<digest>`).
# A change here is a change of every warehouse's files (old files must still merge: compaction._fits); make it
# on purpose, never as a side effect of editing a description.
SCHEMA_DIGESTS = {
    "raw_documents": "4ce8d42256f9",
    "articles": "e4d08e12a4c9",
    "boilerplate": "3cf586b0277b",
    "entity_mentions": "3491eddb756b",
    "rejects": "9c0c6eedd2b4",
    "acronyms": "26f343091e25",
    "entity_names": "7b633441a920",
    "source_lines": "a06f2dc9ae5f",
    "inputs": "db0d9dc814e1",
    "near_duplicates": "95bdd588af07",
    "story_articles": "6a60cd9e5c1e",
    "article_signatures": "cd9fa774ff59",
    "story_state": "a6968996697e",
    "story_vocabulary": "ef0c2f73753e",
    "runs": "6bec795444f6",
}
# The record each table's rows are written from. `runs` is written from a dict (test_run_row_has_the_columns),
# the state tables from the clustering's own rows (tests/test_stories.py).
RECORDS: dict[str, type] = {
    "raw_documents": RawDocument,
    "articles": Article,
    "boilerplate": Boilerplate,
    "entity_mentions": Mention,
    "rejects": Reject,
    "acronyms": Acronym,
    "entity_names": Resolved,
    "source_lines": SourceLine,
    "inputs": InputFile,
    "near_duplicates": NearDuplicate,
    "story_articles": StoryArticle,
    "article_signatures": ArticleSignature,
}
# Fields a record carries that its table does not store: metadata a JSONL or WARC record gives, passed on to
# the article (which stores it) rather than kept with the raw text.
EXTRA_FIELDS: dict[type, tuple[str, ...]] = {RawDocument: ("url", "title", "published_at")}
# What staging changes on purpose; every other column keeps its name, place and type.
STAGING_RENAMES = {("raw_documents", "text"): "raw_text", ("rejects", "ingested_at"): "seen_at"}
STAGING_CASTS = {("articles", "published_at"): "TIMESTAMP"}  # the page's ISO string, try_cast
WHEN = datetime(2026, 11, 25, tzinfo=UTC)


def empty_warehouse(root: Path) -> warehouse.Layout:
    """A warehouse with one commit of no rows and the real views: every view binds, to the defined columns."""
    layout = warehouse.open_layout(root)
    with warehouse.run_lock(layout):
        warehouse.commit(layout, {}, set(), "empty")
        views.publish_views(layout)
    return layout


@pytest.fixture(scope="module")
def empty_layout(tmp_path_factory: pytest.TempPathFactory) -> warehouse.Layout:
    return empty_warehouse(tmp_path_factory.mktemp("empty-warehouse"))


# --- the definitions and what is derived from them --------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda t: t.name)
def test_the_arrow_schema_is_the_definition_and_unchanged_on_disk(table: Table):
    assert SCHEMAS[table.name].equals(table.schema, check_metadata=True)
    assert schema_digest(table.schema) == SCHEMA_DIGESTS[table.name], "the on-disk format of the table changed"
    assert len(set(table.column_names)) == len(table.columns), "a column is defined twice"


def test_kinds_decide_which_tables_a_commit_replaces_rows_of():
    assert set(SCHEMA_DIGESTS) == set(TABLES)
    assert set(warehouse.PER_INPUT_TABLES) == {t.name for t in TABLES.values() if t.kind is Kind.PER_INPUT}
    assert warehouse.DERIVED_TABLES == ("entity_names",)
    assert [t.name for t in TABLES.values() if t.kind is Kind.RUN] == ["runs"]
    assert warehouse.STATE_TABLES == ("story_state", "story_vocabulary")
    for table in TABLES.values():
        # A commit drops a reprocessed input's rows by this column, so every row of a per-input table has it.
        has_input = "input_uri" in table.column_names and not table.schema.field("input_uri").nullable
        assert has_input == (table.kind is Kind.PER_INPUT), table.name
        if table.kind is Kind.PER_INPUT:
            assert table.column_names[-2:] == RUN_COLUMN_NAMES, table.name


# --- records ---------------------------------------------------------------------------------------------------


def _python_type(kind: pa.DataType) -> type:
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return str
    if pa.types.is_integer(kind):
        return int
    if pa.types.is_floating(kind):
        return float
    if pa.types.is_binary(kind):
        return bytes
    if pa.types.is_timestamp(kind):
        return datetime
    raise AssertionError(f"no record type for {kind}")


def _unwrap(annotation: object) -> tuple[object, bool]:
    """The annotation's type without `| None`, and whether it had it."""
    args = typing.get_args(annotation)
    if type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return inner, True
    return annotation, False


def test_every_table_but_runs_is_written_from_a_record():
    assert set(RECORDS) == set(TABLES) - {"runs", *warehouse.STATE_TABLES}


@pytest.mark.parametrize(("name", "cls"), RECORDS.items(), ids=list(RECORDS))
def test_record_fields_are_the_table_columns(name: str, cls: type):
    table = TABLES[name]
    fields = [f.name for f in dataclasses.fields(cls) if f.name not in EXTRA_FIELDS.get(cls, ())]
    assert fields == list(table.record_columns)
    hints = typing.get_type_hints(cls)
    for column in table.columns:
        if column.name not in hints:
            continue  # a run column
        kind, optional = _unwrap(hints[column.name])
        assert kind is _python_type(column.arrow_type), f"{cls.__name__}.{column.name}"
        assert column.nullable or not optional, f"{cls.__name__}.{column.name} may be None, the column may not"


def test_run_row_has_the_columns():
    from presswork.orchestration.batches import RunSummary
    from presswork.orchestration.flow import _run_row

    row = _run_row(RunSummary(run_id="r", warehouse="w"), WHEN)
    assert list(row) == list(TABLES["runs"].column_names)
    assert to_table([row], SCHEMAS["runs"]).num_rows == 1


# --- writing: a missing field is an error, never a column of nulls ---------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class MisspeltBoilerplate(Record):
    article_id: str
    input_uri: str
    text: str
    rule_id: str
    reason: str
    postion: int  # sic


def _boilerplate(**changes: object) -> dict[str, object]:
    row = {"article_id": "a", "input_uri": "/in/a", "text": "Subscribe!", "rule_id": "r", "reason": "x", "position": 3}
    return {**row, **changes}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [MisspeltBoilerplate("a", "/in/a", "Subscribe!", "r", "x", 3)],
            "row 0 (MisspeltBoilerplate) has no 'position'",
        ),
        ([_boilerplate(), {k: v for k, v in _boilerplate().items() if k != "reason"}], "row 1 (dict) has no 'reason'"),
        ([Boilerplate("a", "/in/a", "Subscribe!", "r", "x", 3), _boilerplate()], "row 1 (dict) has no 'article_id'"),
    ],
    ids=["misspelt-field", "dict-without-key", "dict-among-records"],
)
def test_a_row_without_a_column_is_an_error(rows: list[object], message: str):
    with pytest.raises(MissingColumn, match=message.replace("(", r"\(").replace(")", r"\)")):
        to_table(rows, SCHEMAS["boilerplate"], {"run_id": "r", "ingested_at": WHEN})


def test_none_is_a_value_and_run_columns_come_from_the_constants():
    rows = [_boilerplate(text=None), Boilerplate("b", "/in/b", "x", "r", "y", 0)]
    table = to_table(rows[:1], SCHEMAS["boilerplate"], {"run_id": "r", "ingested_at": WHEN})
    assert table.column("text").to_pylist() == [None] and table.column("run_id").to_pylist() == ["r"]
    assert to_table(rows[1:], SCHEMAS["boilerplate"], {"run_id": "r", "ingested_at": WHEN}).num_rows == 1
    with pytest.raises(MissingColumn, match="'run_id'"):
        to_table(rows[1:], SCHEMAS["boilerplate"])


def test_a_row_without_a_column_writes_no_file(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    with pytest.raises(MissingColumn):
        warehouse.write_rows(layout, "boilerplate", "k", [{"article_id": "a"}], {"run_id": "r", "ingested_at": WHEN})
    assert not list(layout.root.rglob("*.parquet"))


# --- the staging views ------------------------------------------------------------------------------------------


def _duckdb_columns(table: Table) -> list[tuple[str, str]]:
    """The columns and types DuckDB reads from a file of the table."""
    connection = duckdb.connect()
    try:
        connection.register("stored", table.schema.empty_table())
        return [(name, kind) for name, kind, *_ in connection.execute("describe stored").fetchall()]
    finally:
        connection.close()


def test_staging_views_are_the_tables_with_a_view():
    staging = {v.name: v for v in views.load_views(views.sql_dir_default()) if v.layer == "staging"}
    assert sorted(staging) == sorted(f"stg_{t.name}" for t in TABLES.values() if t.view)
    for (table, column), _ in [*STAGING_RENAMES.items(), *STAGING_CASTS.items()]:
        assert column in TABLES[table].column_names, f"{table}.{column} is no column"


@pytest.mark.parametrize("table", [t for t in TABLES.values() if t.view], ids=lambda t: t.name)
def test_a_staging_view_reads_its_table_with_the_defined_columns_and_grain(empty_layout, table: Table):
    view = next(v for v in views.load_views(views.sql_dir_default()) if v.name == f"stg_{table.name}")
    assert f"-- Grain: {table.grain}.\n" in view.select, "the view's grain is not the table's"
    assert f"{{{{ source('{table.name}') }}}}" in view.select
    expected = [
        (STAGING_RENAMES.get((table.name, name), name), STAGING_CASTS.get((table.name, name), kind))
        for name, kind in _duckdb_columns(table)
    ]
    connection = views.connect_readonly(empty_layout)
    try:
        actual = [(name, kind) for name, kind, *_ in connection.execute(f"describe {view.name}").fetchall()]
    finally:
        connection.close()
    assert actual == expected


# --- the reference ------------------------------------------------------------------------------------------------


def test_the_committed_reference_is_generated_from_the_definitions():
    committed = (REPO / "docs" / "tables.md").read_text(encoding="utf-8")
    assert committed == render_reference(), (
        "docs/tables.md is stale: python -m presswork.storage.tables > docs/tables.md"
    )
