"""Compaction: small files merge so a snapshot's file count stays bounded, and no row is lost, duplicated or
changed, whether the warehouse is read by DuckDB from another process, edited inputs replace rows in merged
files, or a merge fails half way."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from presswork.storage import compaction, views, warehouse
from presswork.storage.compaction import FAN_IN, MAX_MERGE_BYTES, FileSize, compact, plan_merges, tier
from presswork.storage.parquet import SCHEMAS

from .conftest import query_in_subprocess

WHEN = datetime(2026, 11, 25, tzinfo=UTC)


def article_rows(batch: int, count: int = 3) -> list[dict[str, object]]:
    return [
        {
            "article_id": f"a{batch}-{n}",
            "source_uri": f"/in/{batch}-{n}.txt",
            "input_uri": f"/in/{batch}-{n}.txt",
            "source_name": "in",
            "kind": "text",
            "title": f"Story {batch}.{n}",
            "body": f"Body of story {batch}.{n} " * 20,
            "author": None,
            "published_at": None,
            "url": None,
            "language": "en",
            "word_count": 100 + n,
            "content_hash": f"h{batch}-{n}",
            "encoding": "utf-8",
            "cleaner_version": "1",
        }
        for n in range(count)
    ]


def input_row(article: dict[str, object]) -> dict[str, object]:
    return {
        "input_uri": article["input_uri"],
        "input_hash": f"h{article['article_id']}",
        "kind": "text",
        "size_bytes": 100,
        "documents": 1,
        "skipped_records": 0,
    }


def write_batch(layout: warehouse.Layout, batch: int) -> dict[str, list[Path]]:
    """One batch's files: a few articles and their inputs rows (every other table gets no file)."""
    constants = {"run_id": f"run{batch}", "ingested_at": WHEN}
    rows = article_rows(batch)
    inputs = [input_row(row) for row in rows]
    return {
        "articles": [warehouse.write_rows(layout, "articles", f"b{batch}", rows, constants)],
        "inputs": [warehouse.write_rows(layout, "inputs", f"b{batch}", inputs, constants)],
    }


def rows_of(paths: list[Path]) -> list[dict[str, object]]:
    return [row for path in paths for row in pq.read_table(path).to_pylist()]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=2 * MAX_MERGE_BYTES)),
        max_size=60,
    )
)
def test_after_planned_merges_no_tier_is_full_and_no_merge_is_too_big(sizes: list[tuple[int, int]]):
    files = [FileSize(Path(f"f{i}"), rows, size) for i, (rows, size) in enumerate(sizes)]
    # Apply the plan repeatedly, as compact() does, a merged file holding its members' rows and bytes.
    rounds = 0
    while groups := plan_merges(files):
        rounds += 1
        assert rounds < 100
        by_path = {f.path: f for f in files}
        for group in groups:
            members = [by_path[p] for p in group]
            merged = FileSize(
                Path(f"m{rounds}-{group[0]}"), sum(m.rows for m in members), sum(m.bytes for m in members)
            )
            assert len(group) >= 2 and merged.bytes <= MAX_MERGE_BYTES
            assert len({tier(m.rows) for m in members}) == 1, "a merge mixes tiers"
            files = [f for f in files if f.path not in set(group)] + [merged]
    per_tier: dict[int, int] = {}
    for file in files:
        if file.bytes < MAX_MERGE_BYTES:
            per_tier[tier(file.rows)] = per_tier.get(tier(file.rows), 0) + 1
    assert all(count < FAN_IN for count in per_tier.values())
    assert sum(f.rows for f in files) == sum(rows for rows, _ in sizes), "rows appeared or vanished"


def test_merging_keeps_every_row_in_order_and_leaves_the_members_alone(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    files = [write_batch(layout, b)["articles"][0] for b in range(FAN_IN + 3)]
    before = rows_of(files)
    stats = [(p, p.stat().st_mtime_ns, p.read_bytes()) for p in files]
    merged_list, merges = compact(files, SCHEMAS["articles"], "0000000001", layout.data / "articles", {})
    assert len(merged_list) == 1 and len(merges) == 1 and merges[0].members == tuple(files)
    assert rows_of(merged_list) == before
    assert pq.read_schema(merged_list[0]) == SCHEMAS["articles"]
    assert all(p.stat().st_mtime_ns == m and p.read_bytes() == data for p, m, data in stats)


def test_members_of_large_rows_are_read_in_small_batches_so_no_row_group_holds_a_whole_member(tmp_path: Path):
    # A batch file of raw pages holds 10-15 MB of text in one row group; reading it whole, with the next member
    # still pending, made row groups (and the merging process) grow with the members' size.
    layout = warehouse.open_layout(tmp_path / "wh")
    members = []
    for b in range(3):
        rows = article_rows(b, 200)
        for n, row in enumerate(rows):
            row["body"] = f"{b}.{n} " + "text of a long page " * 3_000  # about 60 KB a row, 12 MB a member
        constants = {"run_id": f"run{b}", "ingested_at": WHEN}
        members.append(warehouse.write_rows(layout, "articles", f"big{b}", rows, constants))
    meta = pq.read_metadata(members[0])
    assert meta.num_row_groups == 1 and meta.row_group(0).total_byte_size > 10 << 20
    assert 16 <= compaction.batch_rows(meta) <= 200 * compaction.READ_BATCH_BYTES // (10 << 20) + 1
    merged = compaction.merge_files(members, SCHEMAS["articles"], layout.data / "articles" / "merged.parquet")
    out = pq.read_metadata(merged)
    groups = [out.row_group(i).total_byte_size for i in range(out.num_row_groups)]
    assert max(groups) <= compaction.ROW_GROUP_BYTES + 2 * compaction.READ_BATCH_BYTES
    assert rows_of([merged]) == rows_of(members)


def test_nothing_is_merged_below_the_fan_in(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    files = [write_batch(layout, b)["articles"][0] for b in range(FAN_IN - 1)]
    assert compact(files, SCHEMAS["articles"], "1", layout.data / "articles", {}) == (files, [])


def test_files_of_an_older_schema_merge_with_nulls_and_foreign_ones_are_left_alone(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    files = [write_batch(layout, b)["articles"][0] for b in range(FAN_IN)]
    older = pq.read_table(files[0]).drop_columns(["cleaner_version", "encoding"])  # written before they existed
    pq.write_table(older, files[0])
    foreign = pq.read_table(files[1]).append_column("retired_column", pa.array(["x"] * 3))
    pq.write_table(foreign, files[1])
    keyless = pq.read_table(files[2]).drop_columns(["article_id"])  # a required column is missing
    pq.write_table(keyless, files[2])
    result, merges = compact(files, SCHEMAS["articles"], "1", layout.data / "articles", {})
    assert len(merges) == 1 and files[1] in result and files[2] in result
    assert not {files[1], files[2]} & set(merges[0].members)
    merged = pq.read_table(merges[0].merged)
    assert merged.schema == SCHEMAS["articles"] and merged.num_rows == 3 * (FAN_IN - 2)
    assert merged.slice(0, 3).column("cleaner_version").null_count == 3


def test_many_commits_keep_the_file_count_bounded_and_every_row_readable(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    batches = 5 * FAN_IN + 3
    for batch in range(batches):
        with warehouse.run_lock(layout):
            warehouse.commit(layout, write_batch(layout, batch), set(), f"run{batch}")
            views.publish_views(layout)
        assert len(warehouse.snapshot_files(layout, "articles")) < FAN_IN  # every file is in tier 0
    counts = query_in_subprocess(
        layout.catalog,
        "select count(*), count(distinct article_id), (select count(*) from inputs) from articles",
        tmp_path,
    )
    assert counts == [(3 * batches, 3 * batches, 3 * batches)]
    assert len(warehouse.known_inputs(layout)) == 3 * batches
    manifest = json.loads((warehouse.current_snapshot(layout) / "manifest.json").read_text())
    for table in ("articles", "inputs"):  # the row counts a commit trusts instead of reading footers
        recorded = manifest["rows"][table]
        assert recorded == {p.name: pq.read_metadata(p).num_rows for p in warehouse.snapshot_files(layout, table)}


def test_an_edited_input_replaces_its_rows_inside_a_merged_file(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    with warehouse.run_lock(layout):
        warehouse.commit(layout, _many_batches(layout, FAN_IN), set(), "first")
    merged = [p for p in warehouse.snapshot_files(layout, "articles") if p.name.startswith("c")]
    assert len(merged) == 1
    edited = "/in/2-1.txt"
    constants = {"run_id": "edit", "ingested_at": WHEN}
    row = {**article_rows(2)[1], "title": "Edited story"}
    new = {"articles": [warehouse.write_rows(layout, "articles", "e", [row], constants)]}
    with warehouse.run_lock(layout):
        warehouse.commit(layout, new, {edited}, "edit")
    rows = rows_of(warehouse.snapshot_files(layout, "articles"))
    assert len(rows) == 3 * FAN_IN
    assert [r["title"] for r in rows if r["input_uri"] == edited] == ["Edited story"]
    assert merged[0].exists() and pq.read_table(merged[0]).num_rows == 3 * FAN_IN  # immutable


def test_a_merge_that_fails_leaves_the_warehouse_at_its_last_commit(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    with warehouse.run_lock(layout):
        warehouse.commit(layout, _many_batches(layout, FAN_IN - 1), set(), "first")
    before = warehouse.current_snapshot(layout)
    broken = write_batch(layout, 99)["articles"][0]
    data = bytearray(broken.read_bytes())
    data[8:200] = bytes(192)  # a damaged data page; the footer (and so the schema) still reads
    broken.write_bytes(bytes(data))
    with warehouse.run_lock(layout), pytest.raises((pa.ArrowException, OSError)):
        warehouse.commit(layout, {"articles": [broken]}, set(), "second")
    assert warehouse.current_snapshot(layout) == before
    assert len(rows_of(warehouse.snapshot_files(layout, "articles"))) == 3 * (FAN_IN - 1)
    assert not list((layout.data / "articles").glob(".*.tmp")), "the half-written merge was left behind"
    linked = {p.name for p in warehouse.snapshot_files(layout, "articles")}
    assert not any(name.startswith("c") for name in linked)


def _many_batches(layout: warehouse.Layout, count: int) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {}
    for batch in range(count):
        for table, paths in write_batch(layout, batch).items():
            files.setdefault(table, []).extend(paths)
    return files


def test_merged_names_are_unique_per_snapshot_and_members():
    a = [Path("x.parquet"), Path("y.parquet")]
    assert compaction.merged_name("1", a) != compaction.merged_name("2", a)
    assert compaction.merged_name("1", a) != compaction.merged_name("1", a[:1])


def test_a_run_merging_its_own_files_first_commits_the_same_rows(tmp_path: Path):
    """`compact_new_files` (a run merges its batch files while its story step works) then `commit`: the same
    rows in the same order as committing the batch files directly, and the snapshot's file count as bounded."""
    direct, early = warehouse.open_layout(tmp_path / "direct"), warehouse.open_layout(tmp_path / "early")
    with warehouse.run_lock(direct), warehouse.run_lock(early):
        for layout in (direct, early):  # a first run, whose files are carried over by the second
            warehouse.commit(layout, _many_batches(layout, FAN_IN // 2), set(), "first")
        files = {layout: {"articles": [], "inputs": []} for layout in (direct, early)}
        for layout in (direct, early):
            for batch in range(100, 100 + 2 * FAN_IN + 1):
                for table, paths in write_batch(layout, batch).items():
                    files[layout][table].extend(paths)
        merged = warehouse.compact_new_files(early, files[early])
        assert len(merged["articles"]) < len(files[early]["articles"])
        assert rows_of(merged["articles"]) == rows_of(files[early]["articles"])
        warehouse.commit(direct, files[direct], set(), "second")
        warehouse.commit(early, merged, set(), "second")
    for table in ("articles", "inputs"):
        expected = rows_of(warehouse.snapshot_files(direct, table))
        assert rows_of(warehouse.snapshot_files(early, table)) == expected
        assert len(expected) == 3 * (FAN_IN // 2 + 2 * FAN_IN + 1)
        tiers = [compaction.tier(pq.read_metadata(p).num_rows) for p in warehouse.snapshot_files(early, table)]
        assert max(tiers.count(level) for level in tiers) < FAN_IN
