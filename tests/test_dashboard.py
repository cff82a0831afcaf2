"""The dashboard: its SQL on tiny inline tables, its HTML helpers, and its pages through Streamlit's AppTest."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psutil
import pytest
from streamlit.testing.v1 import AppTest

from presswork.app.dashboard import queries
from presswork.app.dashboard.launcher import streamlit_command, streamlit_environment
from presswork.app.dashboard.queries import EntityFilter, Mention, Removal
from presswork.app.dashboard.screens.article import highlight_mentions, mark_removals
from presswork.app.dashboard.screens.search import highlight_words, snippet
from presswork.app.dashboard.screens.stories import story_articles_table, story_list
from presswork.app.dashboard.widgets import Link, html_table, page_href
from presswork.storage.views import connect_readonly

from .conftest import PRESSWORK, run_cli
from .test_tables import empty_warehouse

APP = Path(__file__).resolve().parent.parent / "presswork" / "app" / "dashboard" / "app.py"
SCRIPT_HEADLINE = "<script>alert(1)</script> Mayor Opens New Bridge in Springfield"
# A plain-text article whose headline, body and boilerplate all carry markup: the dashboard must show it as text.
SCRIPT_ARTICLE = f"""{SCRIPT_HEADLINE}

The mayor of Springfield, Jane Holloway, opened the new Riverside Bridge on Monday after three years of construction. <img src=x onerror=alert(2)> The bridge links the old town with the harbour district and carries trams, bikes and cars.

Residents from Shelbyville came to watch the ceremony, and the Springfield Chamber of Commerce said the bridge would bring new shops and **more visitors** to the harbour, with $5 fares.

Subscribe to our newsletter! <b onmouseover=alert(3)>Sign up now</b>
"""
_BUILT: dict[str, Path] = {}


def build_script_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with one article full of markup, built by the real flow once per session."""
    if "script" not in _BUILT:
        from presswork.orchestration.flow import presswork
        from presswork.orchestration.settings import RunSettings

        inputs = tmp_path_factory.mktemp("script-input")
        (inputs / "bridge.txt").write_text(SCRIPT_ARTICLE, encoding="utf-8")
        root = tmp_path_factory.mktemp("script-warehouse")
        presswork(RunSettings(inputs=[str(inputs)], warehouse=str(root)))
        _BUILT["script"] = root
    return _BUILT["script"]


@pytest.fixture(scope="session")
def script_warehouse(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_script_warehouse(tmp_path_factory)


def seed_ids(warehouse: Path) -> dict[str, str]:
    """Ids the pages are opened with: the seed article 000 and the entity Vladimir Putin."""
    connection = duckdb.connect(str(warehouse / "presswork.duckdb"), read_only=True)
    try:
        article = connection.execute("select article_id from articles where title like 'Putin meets%'").fetchall()
        entity = connection.execute(
            "select entity_id from entities where name = 'Vladimir Putin' and label = 'PERSON'"
        ).fetchall()
    finally:
        connection.close()
    return {"article": article[0][0], "entity": entity[0][0]}


def seed_story(warehouse: Path) -> str | None:
    """The biggest story's id, or None while the pipeline assigns no stories."""
    connection = duckdb.connect(str(warehouse / "presswork.duckdb"), read_only=True)
    try:
        rows = connection.execute("select story_id from stories order by article_count desc, story_id").fetchall()
    finally:
        connection.close()
    return rows[0][0] if rows else None


# --- SQL, on tables small enough to check by hand --------------------------------------------------------------


# The views the dashboard reads; the tiny tables below take their names, columns and types.
TINY_VIEWS = (
    "articles",
    "entity_mentions",
    "stg_entity_names",
    "entities",
    "boilerplate",
    "rejects",
    "runs",
    "raw_documents",
    "stories",
    "story_articles",
    "near_duplicates",
)


@pytest.fixture(scope="module")
def view_columns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each view's column definitions, from the real SQL over an empty warehouse (so from the table definitions)."""
    layout = empty_warehouse(tmp_path_factory.mktemp("empty-warehouse"))
    connection = connect_readonly(layout)
    try:
        return {
            view: ", ".join(f'"{name}" {kind}' for name, kind, *_ in connection.execute(f"describe {view}").fetchall())
            for view in TINY_VIEWS
        }
    finally:
        connection.close()


@pytest.fixture
def tiny(view_columns: dict[str, str]) -> duckdb.DuckDBPyConnection:
    """Tables with the views' names, columns and types, holding three articles and three entities.

    Rows are inserted by column name; a column a test does not need stays NULL.
    """
    connection = duckdb.connect()
    # The day must not depend on the session's time zone: ingested_at is a UTC instant.
    connection.execute("set TimeZone = 'America/New_York'")
    for view, columns in view_columns.items():
        connection.execute(f"create table {view} ({columns})")
    connection.execute(
        """
        insert into articles by name
        select * from (values
            ('a1', '/in/wire/a1.txt', 'wire', 'text', 'Bridge opens', 'Alice opened the bridge in Paris.',
             null, null, null, 'en', 6, 'h1', 'utf-8', '1', 'r1', timestamptz '2024-03-02 03:30:00+00'),
            ('a2', '/in/wire/a2.txt', 'wire', 'text', null, 'Fares rose 100% after Alice met Acme_Corp.',
             null, null, null, 'en', 7, 'h2', 'utf-8', '1', 'r1', timestamptz '2024-03-04 12:00:00+00'),
            ('a3', '/in/blog/a3.html', 'blog', 'html', 'Acme results', 'Acme sold 1000 bridges.',
             'Bob', timestamp '2024-03-04 08:00:00', 'https://example.org/a3', 'en', 4, 'h3', 'utf-8', '1', 'r1',
             timestamptz '2024-05-01 12:00:00+00')
        ) as t(
            article_id, source_uri, source_name, kind, title, body, author, published_at, url, language,
            word_count, content_hash, encoding, cleaner_version, run_id, ingested_at
        )
        """
    )
    connection.execute(
        """
        insert into entity_mentions by name
        select * from (values
            ('a1', 'x', 'Alice', 'Alice', 'PERSON', 0, 5),
            ('a1', 'y', 'Paris', 'Paris', 'GPE', 27, 32),
            ('a2', 'x', 'Alice', 'Alice', 'PERSON', 26, 31),
            ('a2', 'x', 'Alice', 'Alice', 'PERSON', 26, 31),
            ('a2', 'z', 'Acme Corp', 'Acme_Corp', 'PERSON', 36, 45),
            ('a3', 'z', 'Acme', 'Acme', 'ORG', 0, 4)
        ) as t(article_id, entity_id, name, text, label, start_char, end_char)
        """
    )
    # The resolution: "Acme Corp" is Acme, an ORG, although the model called that one mention a PERSON.
    connection.execute(
        """
        insert into stg_entity_names by name
        select * from (values
            ('Alice', 'x', 'Alice', 'PERSON'),
            ('Paris', 'y', 'Paris', 'GPE'),
            ('Acme', 'z', 'Acme', 'ORG'),
            ('Acme Corp', 'z', 'Acme', 'ORG')
        ) as t(name, entity_id, entity_name, entity_label)
        """
    )
    connection.execute(
        """
        insert into entities by name
        select entity_id, mode(name) as name, any_value(label) as label, list(distinct text order by text) as aliases,
            count(distinct article_id) as article_count, count(*) as mention_count
        from entity_mentions group by entity_id
        """
    )
    connection.execute(
        "insert into boilerplate by name select * from (values ('a1', 'Subscribe!', 'subscribe_prompt', "
        "'subscribe_line', 40)) as t(article_id, text, reason, rule_id, position)"
    )
    connection.execute("insert into rejects by name select 'f.txt' as source_uri, 'too_short' as reason")
    connection.execute(
        "insert into runs by name select 'r1' as run_id, timestamptz '2024-05-01 12:00:00+00' as started_at"
    )
    connection.execute("insert into raw_documents by name select 'a1' as article_id, 'raw' as raw_text")
    # Two stories: s1 holds a1 and its reprint a2 (seen two days apart), s2 holds a3 alone. a1 was seen at 03:30
    # UTC on 2 March, the evening of 1 March in New York: story days are UTC days.
    connection.execute(
        """
        insert into story_articles by name
        select * from (values
            ('s1', 'a1', 1.0, timestamptz '2024-03-02 03:30:00+00', 'wire', 'Bridge opens', null),
            ('s1', 'a2', 0.9, timestamptz '2024-03-04 12:00:00+00', 'wire', null, 'a1'),
            ('s2', 'a3', 1.0, timestamptz '2024-03-04 08:00:00+00', 'blog', 'Acme results', null)
        ) as t(story_id, article_id, similarity, seen_at, source_name, title, duplicate_of)
        """
    )
    connection.execute(
        "insert into near_duplicates by name select 'a2' as article_id, 'a1' as duplicate_of, 0.9 as similarity"
    )
    connection.execute(
        """
        insert into stories by name
        select * from (values
            ('s1', 'Bridge opens', timestamptz '2024-03-02 03:30:00+00', timestamptz '2024-03-04 12:00:00+00',
             2, 1, ['Alice', 'Acme', 'Paris'], 1),
            ('s2', null, timestamptz '2024-03-04 08:00:00+00', timestamptz '2024-03-04 08:00:00+00',
             1, 1, ['Acme'], 0)
        ) as t(story_id, headline, first_seen, last_seen, article_count, source_count, top_entities, reprint_count)
        """
    )
    yield connection
    connection.close()


def test_day_is_publication_date_else_utc_ingest_day(tiny):
    rows = queries.recent_articles(tiny).to_pylist()
    days = {row["article_id"]: row["day"] for row in rows}
    # a1: ingested 03:30 UTC on 2 March (22:30 on 1 March in New York); a3: published 4 March, ingested in May.
    assert days == {"a1": dt.date(2024, 3, 2), "a2": dt.date(2024, 3, 4), "a3": dt.date(2024, 3, 4)}
    assert {row["article_id"]: row["title"] for row in rows}["a2"] == "(no title) a2.txt"
    assert queries.day_bounds(tiny) == (dt.date(2024, 3, 2), dt.date(2024, 3, 4))


def test_overview_counts(tiny):
    totals = queries.totals(tiny)
    assert (totals.articles, totals.sources, totals.entities, totals.mentions, totals.rejects) == (3, 2, 3, 6, 1)
    assert totals.stories == 2
    per_day = queries.articles_per_day(tiny, top_sources=1).to_pylist()
    assert per_day == [
        {"day": dt.date(2024, 3, 2), "source_name": "wire", "articles": 1},
        {"day": dt.date(2024, 3, 4), "source_name": "other", "articles": 1},
        {"day": dt.date(2024, 3, 4), "source_name": "wire", "articles": 1},
    ]
    assert queries.articles_per_source(tiny).to_pylist()[0] == {"source_name": "wire", "articles": 2}
    assert queries.rejects_by_reason(tiny).to_pylist() == [{"reason": "too_short", "inputs": 1}]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (EntityFilter(), [("x", 2, 3), ("z", 2, 2), ("y", 1, 1)]),
        (EntityFilter(labels=("GPE", "ORG")), [("z", 2, 2), ("y", 1, 1)]),  # the entity's label, not a mention's
        (EntityFilter(start=dt.date(2024, 3, 3)), [("z", 2, 2), ("x", 1, 2)]),
        (EntityFilter(end=dt.date(2024, 3, 2)), [("x", 1, 1), ("y", 1, 1)]),
        (EntityFilter(start=dt.date(2025, 1, 1)), []),
    ],
)
def test_top_entities_by_articles_then_mentions(tiny, selection, expected):
    rows = queries.top_entities(tiny, selection).to_pylist()
    assert [(r["entity_id"], r["articles"], r["mentions"]) for r in rows] == expected


def test_entity_trend_fills_days_without_mentions(tiny):
    rows = queries.entity_trend(tiny, "x", EntityFilter()).to_pylist()
    assert rows == [
        {"day": dt.date(2024, 3, 2), "articles": 1, "mentions": 1},
        {"day": dt.date(2024, 3, 3), "articles": 0, "mentions": 0},
        {"day": dt.date(2024, 3, 4), "articles": 1, "mentions": 2},
    ]


def test_cooccurrence_counts_shared_articles(tiny):
    rows = queries.cooccurring_entities(tiny, "x", EntityFilter()).to_pylist()
    assert [(r["name"], r["shared_articles"]) for r in rows] == [("Acme", 1), ("Paris", 1)]
    only_later = queries.cooccurring_entities(tiny, "x", EntityFilter(start=dt.date(2024, 3, 3))).to_pylist()
    assert [r["name"] for r in only_later] == ["Acme"]
    assert queries.cooccurring_entities(tiny, "x", EntityFilter(labels=("GPE",))).to_pylist()[0]["name"] == "Paris"


def test_entity_lookups(tiny):
    summary = queries.entity_summary(tiny, "z")
    assert summary is not None and (summary.name, summary.label) == ("Acme", "ORG")
    assert summary.aliases == ("Acme", "Acme_Corp") and summary.article_count == 2
    assert queries.entity_summary(tiny, "nope") is None
    assert queries.find_entities(tiny, "corp").to_pylist() == [
        {"entity_id": "z", "name": "Acme", "label": "ORG", "articles": 2}
    ]
    assert queries.entity_labels(tiny) == ["GPE", "ORG", "PERSON"]
    assert [r["article_id"] for r in queries.entity_articles(tiny, "z", EntityFilter()).to_pylist()] == ["a2", "a3"]


def test_article_and_its_audit_trail(tiny):
    article = queries.article(tiny, "a3")
    assert article is not None and article.author == "Bob" and article.day == dt.date(2024, 3, 4)
    assert queries.article(tiny, "nope") is None
    mentions = queries.article_mentions(tiny, "a2")
    assert [(m.entity_id, m.name, m.label) for m in mentions] == [
        ("x", "Alice", "PERSON"),
        ("x", "Alice", "PERSON"),
        ("z", "Acme", "ORG"),
    ]
    assert queries.article_removals(tiny, "a1") == [Removal(40, "subscribe_prompt", "subscribe_line", "Subscribe!")]
    assert queries.raw_text(tiny, "a1") == "raw"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, ["s1", "s2"]),  # the bigger story first
        (dt.date(2024, 3, 3), None, ["s1", "s2"]),  # s1 runs from 2 to 4 March: it overlaps
        (dt.date(2024, 3, 3), dt.date(2024, 3, 3), ["s1"]),  # a day inside s1, with no article of its own
        (None, dt.date(2024, 3, 2), ["s1"]),
        (None, dt.date(2024, 3, 1), []),  # a1's day is 2 March in UTC, whatever the session's time zone
        (dt.date(2024, 3, 5), None, []),
    ],
)
def test_stories_overlapping_the_days(tiny, start, end, expected):
    assert [row["story_id"] for row in queries.stories(tiny, start, end).to_pylist()] == expected


def test_story_listing_and_lookup(tiny):
    s1, s2 = queries.stories(tiny, None, None).to_pylist()
    assert s1 == {
        "story_id": "s1",
        "headline": "Bridge opens",
        "sources": ["wire"],
        "articles": 2,
        "source_count": 1,
        "reprints": 1,
        "first_seen": dt.datetime(2024, 3, 2, 3, 30),  # naive UTC, not the session's New York time
        "last_seen": dt.datetime(2024, 3, 4, 12, 0),
    }
    assert s2["headline"] == queries.NO_HEADLINE and s2["sources"] == ["blog"]
    assert queries.stories(tiny, None, None, limit=1).num_rows == 1
    story = queries.story(tiny, "s1")
    assert story is not None and story.top_entities == ("Alice", "Acme", "Paris") and story.reprint_count == 1
    assert story.first_seen == dt.datetime(2024, 3, 2, 3, 30)
    assert queries.story(tiny, "nope") is None


def test_story_articles_mark_reprints(tiny):
    rows = queries.story_articles(tiny, "s1").to_pylist()
    assert [(r["article_id"], r["title"], r["similarity"], r["duplicate_of"]) for r in rows] == [
        ("a1", "Bridge opens", 1.0, None),
        ("a2", "(no title) a2.txt", 0.9, "a1"),
    ]
    assert (rows[1]["original_title"], rows[1]["original_source"]) == ("Bridge opens", "wire")
    assert rows[0]["original_title"] is None and rows[1]["seen_at"] == dt.datetime(2024, 3, 4, 12, 0)


def test_story_entities_and_timeline(tiny):
    entities = queries.story_entities(tiny, "s1").to_pylist()
    # By articles, then mentions (Alice's three), with ids and labels to link them.
    assert [(r["entity_id"], r["name"], r["label"], r["articles"]) for r in entities] == [
        ("x", "Alice", "PERSON", 2),
        ("z", "Acme", "ORG", 1),
        ("y", "Paris", "GPE", 1),
    ]
    assert queries.story_timeline(tiny, "s1").to_pylist() == [
        {"day": dt.date(2024, 3, 2), "articles": 1, "reprints": 0},
        {"day": dt.date(2024, 3, 3), "articles": 0, "reprints": 0},
        {"day": dt.date(2024, 3, 4), "articles": 1, "reprints": 1},
    ]
    assert queries.story_timeline(tiny, "nope").num_rows == 0


def test_entity_stories_and_article_story(tiny):
    rows = queries.entity_stories(tiny, "z", EntityFilter()).to_pylist()
    assert [(r["story_id"], r["headline"], r["articles"], r["article_count"]) for r in rows] == [
        ("s1", "Bridge opens", 1, 2),
        ("s2", queries.NO_HEADLINE, 1, 1),
    ]
    assert rows[0]["first_seen"] == dt.datetime(2024, 3, 2, 3, 30)
    later = queries.entity_stories(tiny, "x", EntityFilter(start=dt.date(2024, 3, 5))).to_pylist()
    assert later == []
    assert queries.article_story(tiny, "a2") == queries.ArticleStory("s1", "Bridge opens", 2, "a1", "Bridge opens")
    assert queries.article_story(tiny, "a1") == queries.ArticleStory("s1", "Bridge opens", 2, None, None)
    assert queries.article_story(tiny, "nope") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("alice", ["a2", "a1"]),  # newest first (neither headline has the word)
        ("BRIDGE", ["a1", "a3"]),  # the headline match first
        ("alice paris", ["a1"]),  # every word
        ("100%", ["a2"]),  # % is literal, not a wildcard (a3 has "1000")
        ("acme_corp", ["a2"]),  # _ is literal too
        ("nothing-like-this", []),
        ("", []),
    ],
)
def test_search_needs_every_word(tiny, typed, expected):
    total, hits = queries.search_articles(tiny, queries.search_words(typed))
    assert [hit.article_id for hit in hits] == expected and total == len(expected)


def test_search_counts_beyond_the_limit(tiny):
    total, hits = queries.search_articles(tiny, ["a"], limit=1)
    assert total == 3 and len(hits) == 1


def test_search_words_are_distinct_and_bounded():
    assert queries.search_words("  Putin putin  ICC ") == ("Putin", "ICC")
    assert len(queries.search_words(" ".join(f"w{i}" for i in range(20)))) == queries.MAX_SEARCH_WORDS


# --- HTML helpers ----------------------------------------------------------------------------------------------


def test_body_is_escaped_and_mentions_marked():
    body = "Alice met <b>Bob</b> & Carol."
    mentions = [Mention("x", "Alice", "PERSON", 0, 5), Mention("c", "Carol", "PERSON", 23, 28)]
    out = highlight_mentions(body, mentions)
    assert "&lt;b&gt;Bob&lt;/b&gt; &amp; " in out and "<b>" not in out
    assert out.count("<mark") == 2 and 'href="entities?entity=x"' in out


def test_overlapping_or_out_of_range_mentions_stay_unmarked():
    out = highlight_mentions("Alice Smith", [Mention("a", "A", "PERSON", 0, 11), Mention("b", "S", "PERSON", 6, 11)])
    assert out.count("<mark") == 1
    assert highlight_mentions("short", [Mention("a", "A", "ORG", 2, 99)]).count("<mark") == 0


def test_removals_struck_through_where_they_were():
    raw = "Title\nSubscribe <now>!\nBody text."
    removals = [Removal(6, "subscribe_prompt", "subscribe_line", "Subscribe <now>!"), Removal(0, "x", "y", "Nope")]
    out, unplaced = mark_removals(raw, removals)
    assert "<del" in out and "Subscribe &lt;now&gt;!</del>" in out and "subscribe_prompt" in out
    assert unplaced == 1


def test_search_helpers_escape_and_highlight():
    assert (
        highlight_words("<i>Putin</i> putin", ["PUTIN"]) == "&lt;i&gt;<mark>Putin</mark>&lt;/i&gt; <mark>putin</mark>"
    )
    text = "word " * 100 + "needle " + "word " * 100
    cut = snippet(text, ["needle"], width=60)
    assert "needle" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) <= 62


def test_tables_and_links_escape_everything():
    out = html_table(["a"], [["<script>x</script>"], [None], [Link('x?a="1"&b', "<i>t</i>")]])
    assert "&lt;script&gt;" in out and "<script>" not in out and "—" in out
    assert '<a href="x?a=&quot;1&quot;&amp;b" target="_self">&lt;i&gt;t&lt;/i&gt;</a>' in out
    assert page_href("article", article="a b&c") == "article?article=a%20b%26c"


def test_story_tables_link_and_mark_reprints():
    seen = dt.datetime(2024, 3, 4, 12, 0)
    members = [
        {
            "article_id": "a1",
            "source_name": "wire",
            "title": "<b>Bridge</b>",
            "seen_at": seen,
            "similarity": 1.0,
            "duplicate_of": None,
            "original_title": None,
            "original_source": None,
        },
        {
            "article_id": "a 2",
            "source_name": None,
            "title": "Copy",
            "seen_at": seen,
            "similarity": 0.8765,
            "duplicate_of": "a1",
            "original_title": "<b>Bridge</b>",
            "original_source": "wire",
        },
    ]
    out = story_articles_table(members)
    assert "<b>" not in out and "&lt;b&gt;Bridge&lt;/b&gt;" in out
    assert 'href="article?article=a%202"' in out and "0.88" in out and "2024-03-04 12:00:00" in out
    # The reprint links to the article it copies; the original has no "reprint of".
    assert out.count('href="article?article=a1"') == 2 and "&lt;b&gt;Bridge&lt;/b&gt; · wire</a>" in out
    listed = story_list(
        [
            {
                "story_id": "s/1",
                "headline": "<script>",
                "sources": ["wire", "blog"],
                "articles": 2,
                "source_count": 2,
                "reprints": 1,
                "first_seen": seen,
                "last_seen": seen,
            }
        ]
    )
    assert 'href="stories?story=s%2F1"' in listed and "&lt;script&gt;" in listed and "wire, blog" in listed


# --- the launcher ----------------------------------------------------------------------------------------------


def test_streamlit_runs_headless_private_and_local():
    command = streamlit_command(8123, "127.0.0.1")
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[1:5] == ["-m", "streamlit", "run", str(APP)]
    assert flags["--browser.gatherUsageStats"] == "false" and flags["--server.headless"] == "true"
    assert flags["--server.address"] == "127.0.0.1" and flags["--server.port"] == "8123"
    env = streamlit_environment(Path("/w"), {"PATH": "/bin"})
    assert env["PRESSWORK_WAREHOUSE"] == "/w" and env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] == "false"


def test_no_pages_folder_beside_the_entry_script():
    # Streamlit takes a pages/ folder there for its old multipage mode: a fresh server's first request for a page
    # would run pages/<name>.py itself and show a blank page (the pages live in screens/ instead).
    assert not (APP.parent / "pages").exists()


def test_dashboard_without_a_warehouse_says_so(tmp_path: Path):
    done = run_cli("dashboard", "--warehouse", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "no warehouse" in done.stderr and "Traceback" not in done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def dashboard_server(warehouse: Path, cwd: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run `presswork dashboard` on 127.0.0.1 and a free port until the block ends, also when it fails."""
    port = free_port()
    log = cwd / f"dashboard-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(PRESSWORK), "dashboard", "--warehouse", str(warehouse), "--port", str(port)],
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown can stop Streamlit with it
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 90
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"presswork dashboard exited with {process.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not answer in 90 s:\n{log.read_text()}")
            time.sleep(0.3)
        yield url, process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # a Streamlit left behind by a failed check


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
            return response.read() == b"ok"
    except OSError:
        return False


def test_stopping_the_command_stops_streamlit(seed_warehouse: Path, tmp_path: Path):
    """A service manager sends SIGTERM to `presswork dashboard` alone; Streamlit must not outlive it."""
    with dashboard_server(seed_warehouse, tmp_path) as (_, process):
        children = psutil.Process(process.pid).children(recursive=True)
        assert children, "streamlit should run as a child process"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) is not None
        _, alive = psutil.wait_procs(children, timeout=20)
        assert not alive


# --- the pages, through Streamlit's AppTest --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _restore_main_module() -> Iterator[None]:
    """Put pytest's `__main__` back after each test.

    Streamlit's script runner installs the app script as `sys.modules["__main__"]` and leaves it there; a process
    pool started later with the spawn method (the HTML extraction workers) re-runs `__main__` in every worker,
    and an AppTest script does not run outside AppTest: every worker died and later tests failed.
    """
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def _render(name: str, root: str) -> None:
    from presswork.app.dashboard.app import render_page

    render_page(name, root)


def page(name: str, warehouse: Path, **params: str) -> AppTest:
    app = AppTest.from_function(_render, args=(name, str(warehouse)), default_timeout=60)
    app.query_params.update(params)
    return app.run()


def html_of(app: AppTest) -> str:
    return "\n".join(element.value for element in app.get("html"))


def assert_no_exception(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def test_app_opens_on_the_overview(seed_warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PRESSWORK_WAREHOUSE", str(seed_warehouse))
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert_no_exception(app)
    assert app.title[0].value == "Overview"
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Articles"] == "5" and metrics["Rejected inputs"] == "0" and metrics["Boilerplate removed"] == "17"
    assert len(app.get("vega_lite_chart")) == 2  # per day, per source (no rejects: a success note instead)
    assert "No input was rejected." in [s.value for s in app.success]
    runs = app.dataframe[0].value
    assert list(runs["status"]) == ["completed"] and list(runs["articles"]) == [5]
    assert any("ingested (UTC)" in caption.value for caption in app.caption)


def test_entities_page_shows_an_entity(seed_warehouse: Path):
    putin = seed_ids(seed_warehouse)["entity"]
    app = page("entities", seed_warehouse, entity=putin)
    assert_no_exception(app)
    top = app.dataframe[0].value
    assert top["name"].iloc[0] == "Vladimir Putin" and top["articles"].iloc[0] == 5
    assert app.selectbox[0].value == putin
    shown = html_of(app)
    assert 'class="pw-entity-name"' in shown and "Vladimir Putin" in shown and "pw-aliases" in shown
    assert ">Mongolia</a>" in shown  # co-occurs in all five articles
    assert len(app.get("vega_lite_chart")) == 3  # top entities, trend, co-occurrence
    assert shown.count('href="article?article=') == 5


def test_entities_page_filters_by_label(seed_warehouse: Path):
    app = page("entities", seed_warehouse)
    app.multiselect(key="labels").set_value(["GPE"]).run()
    assert_no_exception(app)
    assert set(app.dataframe[0].value["label"]) == {"GPE"}
    assert app.query_params["entity"] == app.selectbox[0].value  # the chosen entity is in the URL


def test_entities_page_finds_by_alias(seed_warehouse: Path):
    app = page("entities", seed_warehouse)
    app.text_input(key="find_entity").input("khurelsukh").run()
    assert_no_exception(app)
    assert app.selectbox[0].options and all("Khurelsukh" in option for option in app.selectbox[0].options)


def test_article_page_shows_text_entities_and_audit(seed_warehouse: Path):
    article_id = seed_ids(seed_warehouse)["article"]
    app = page("article", seed_warehouse, article=article_id)
    assert_no_exception(app)
    shown = html_of(app)
    assert "Putin meets Mongolian president amid war crime allegations" in shown
    assert shown.count("<mark") > 10 and 'title="PERSON: Vladimir Putin"' in shown
    assert 'class="pw-audit"' in shown and "photo_caption" in shown and "caption" in shown
    assert 'class="pw-meta"' in shown and "seeds" in shown
    assert "<del" in shown  # the input with its removals struck through
    assert any(sub.value.startswith("Removed boilerplate (") for sub in app.subheader)


def test_article_page_without_an_id_picks_the_latest(seed_warehouse: Path):
    app = page("article", seed_warehouse)
    assert_no_exception(app)
    assert len(app.selectbox[0].options) == 5
    assert app.query_params["article"] == app.selectbox[0].value


def test_stories_page_shows_the_biggest_story(seed_warehouse: Path):
    app = page("stories", seed_warehouse)
    assert_no_exception(app)
    assert app.title[0].value == "Stories"
    story = seed_story(seed_warehouse)
    if story is None:  # a warehouse from before the pipeline assigned stories
        assert "No story in the selected days." in [info.value for info in app.info]
        return
    # The seeds are five articles about one event: one story of five.
    assert app.selectbox[0].value == story and app.query_params["story"] == story
    shown = html_of(app)
    assert 'class="pw-stories"' in shown and f'href="stories?story={story}"' in shown
    assert 'class="pw-story-headline"' in shown and 'class="pw-story-articles"' in shown
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Articles"] == "5"
    assert shown.count('href="article?article=') >= 5  # each article, and the originals of reprints
    assert ">Vladimir Putin</a>" in shown  # the top entity (five articles, most mentions), linked to its page
    assert len(app.get("vega_lite_chart")) == 1  # the timeline


def test_stories_page_opens_a_linked_story(seed_warehouse: Path):
    story = seed_story(seed_warehouse)
    app = page("stories", seed_warehouse, story=story or "no-such-story")
    assert_no_exception(app)
    if story is None:
        assert "No story with that id; pick one below." in [warning.value for warning in app.warning]
        return
    assert app.selectbox[0].value == story


def test_entity_and_article_link_to_their_story(seed_warehouse: Path):
    story = seed_story(seed_warehouse)
    ids = seed_ids(seed_warehouse)
    entity = page("entities", seed_warehouse, entity=ids["entity"])
    article = page("article", seed_warehouse, article=ids["article"])
    assert_no_exception(entity)
    assert_no_exception(article)
    assert "Stories" in [sub.value for sub in entity.subheader]
    if story is None:
        assert "pw-entity-stories" not in html_of(entity) and "pw-article-story" not in html_of(article)
        return
    assert f'href="stories?story={story}"' in html_of(entity)
    assert f'href="stories?story={story}"' in html_of(article)


def test_search_page_finds_every_word(seed_warehouse: Path):
    app = page("search", seed_warehouse, q="putin warrant")
    assert_no_exception(app)
    assert any(c.value.startswith("5 articles contain every word") for c in app.caption)
    assert html_of(app).count("<li") == 5
    app = page("search", seed_warehouse, q="zanzibar")
    assert any(c.value.startswith("0 articles") for c in app.caption)


def test_no_warehouse_is_an_error_not_a_crash(tmp_path: Path):
    app = page("overview", tmp_path / "nowhere")
    assert_no_exception(app)
    assert "No warehouse" in app.error[0].value


def test_markup_in_the_data_shows_as_text(script_warehouse: Path):
    app = page("article", script_warehouse)
    assert_no_exception(app)
    shown = html_of(app)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Mayor Opens New Bridge in Springfield" in shown
    assert "&lt;img src=x onerror=alert(2)&gt;" in shown
    assert "&lt;b onmouseover=alert(3)&gt;" in shown  # the removed boilerplate, in the audit table
    assert "<script" not in shown and "<img" not in shown and "<b " not in shown
    search = page("search", script_warehouse, q="bridge")
    results = html_of(search)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in results and "<script" not in results


def test_picker_labels_are_distinct():
    from presswork.app.dashboard.widgets import unique_labels

    assert unique_labels({"a": "Same", "b": "Same", "c": "Other"}) == {"a": "Same · a", "b": "Same · b", "c": "Other"}
