"""The whole flow on the seeds, checked the way users check it: from another process and directory."""

from __future__ import annotations

import json
from pathlib import Path

from presswork.orchestration.flow import presswork
from presswork.orchestration.settings import RunSettings

from .conftest import SEEDS, query_in_subprocess, run_cli
from .test_clean import GOLDENS, SEED_NAMES, squash


def test_cli_lists_the_five_seed_articles_from_any_directory(seed_warehouse: Path, tmp_path: Path):
    done = run_cli(
        "sql",
        "select source_uri, title, word_count from articles order by source_uri",
        "--warehouse",
        str(seed_warehouse),
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [Path(r["source_uri"]).name for r in rows] == SEED_NAMES
    assert [r["title"] for r in rows] == [GOLDENS[name]["title"] for name in SEED_NAMES]
    assert all(r["word_count"] > 300 for r in rows)


def test_bodies_are_clean_and_complete(seed_warehouse: Path, tmp_path: Path):
    rows = query_in_subprocess(seed_warehouse / "presswork.duckdb", "select source_uri, body from articles", tmp_path)
    assert len(rows) == 5
    for uri, body in rows:
        golden = GOLDENS[Path(uri).name]
        assert all(squash(s) in squash(body) for s in golden["with"])
        assert not any(squash(s) in squash(body) for s in golden["without"])


def test_mention_offsets_are_exact_in_the_warehouse(seed_warehouse: Path, tmp_path: Path):
    rows = query_in_subprocess(
        seed_warehouse / "presswork.duckdb",
        "select a.body, m.text, m.start_char, m.end_char from entity_mentions m join articles a using (article_id)",
        tmp_path,
    )
    assert len(rows) > 100
    assert all(body[start:end] == text for body, text, start, end in rows)


def test_every_removal_is_recorded_with_a_reason(seed_warehouse: Path, tmp_path: Path):
    rows = query_in_subprocess(
        seed_warehouse / "presswork.duckdb", "select reason, count(*) from boilerplate group by reason", tmp_path
    )
    reasons = dict(rows)
    for reason in (
        "subscribe_prompt",
        "copyright_notice",
        "read_time",
        "comment_prompt",
        "related_links",
        "back_to_top",
        "photo_caption",
        "duplicate_title",
        "publisher_blurb",
        "newsletter_signup",
    ):
        assert reasons.get(reason, 0) >= 1, reason


def test_entities_and_runs_views(seed_warehouse: Path, tmp_path: Path):
    catalog = seed_warehouse / "presswork.duckdb"
    top = query_in_subprocess(
        catalog,
        "select name, label, article_count from entities order by article_count desc, mention_count desc limit 3",
        tmp_path,
    )
    assert ("Vladimir Putin", "PERSON", 5) in top
    runs = query_in_subprocess(catalog, "select status, inputs, articles, rejects from runs", tmp_path)
    assert runs == [("completed", 5, 5, 0)]
    article_entities = query_in_subprocess(
        catalog, "select sum(mention_count) = (select count(*) from entity_mentions) from article_entities", tmp_path
    )
    assert article_entities == [(True,)]


def test_rerun_is_incremental_and_edits_replace(prefect_harness: None, tmp_path: Path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for path in SEEDS.glob("*.txt"):
        (inputs / path.name).write_bytes(path.read_bytes())
    warehouse = tmp_path / "warehouse"
    settings = RunSettings(inputs=[str(inputs)], warehouse=str(warehouse))
    first = presswork(settings)
    assert (first.processed, first.articles) == (5, 5)

    second = presswork(settings)
    assert (second.processed, second.unchanged, second.articles) == (0, 5, 0)

    edited = inputs / "003_57ad9ff1d61e0162.txt"
    edited.write_text(edited.read_text() + "\n\nA new closing paragraph was added by the editor later that day.\n")
    (inputs / "005_new.txt").write_text("A new headline\n\n" + (SEEDS / "004_f6f54117de1a8230.txt").read_text())
    third = presswork(settings)
    assert (third.processed, third.unchanged) == (2, 4)

    catalog = warehouse / "presswork.duckdb"
    counts = query_in_subprocess(
        catalog,
        "select (select count(*) from articles), (select count(distinct article_id) from articles),"
        " (select count(*) from raw_documents), (select count(*) from runs)",
        tmp_path,
    )
    assert counts == [(6, 6, 6, 3)]
    bodies = query_in_subprocess(catalog, f"select body from articles where source_uri = '{edited}'", tmp_path)
    assert len(bodies) == 1 and bodies[0][0].endswith("added by the editor later that day.")
    duplicated = query_in_subprocess(
        catalog,
        "select count(*) from (select article_id, start_char from entity_mentions group by all having count(*) > 1)",
        tmp_path,
    )
    assert duplicated == [(0,)]


def test_views_work_with_no_articles(prefect_harness: None, tmp_path: Path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "short.txt").write_text("Too short to be an article.")
    summary = presswork(RunSettings(inputs=[str(inputs)], warehouse=str(tmp_path / "wh")))
    assert summary.articles == 0
    assert dict(summary.rejects) == {"empty": 1, "too_short": 1}
    catalog = tmp_path / "wh" / "presswork.duckdb"
    for view in ("articles", "boilerplate", "entity_mentions", "entities", "article_entities"):
        assert query_in_subprocess(catalog, f"select count(*) from {view}", tmp_path) == [(0,)]
    # The decoded text of a document rejected after decoding is kept, so it can be re-cleaned later.
    assert query_in_subprocess(catalog, "select count(*) from raw_documents", tmp_path) == [(1,)]
    rejects = query_in_subprocess(catalog, "select reason, detail from rejects order by reason", tmp_path)
    assert [r[0] for r in rejects] == ["empty", "too_short"]
    assert "words after cleaning" in rejects[1][1]
