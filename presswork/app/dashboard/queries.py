"""The dashboard's questions, as SQL over the warehouse views, answered by DuckDB.

Every function takes an open (read-only) connection and returns a small result: the aggregation, filtering and
limits happen in DuckDB, so a page runs the same few queries and fetches the same few rows with 100 articles or
100,000, and nothing here loads a whole table into Python. Parameters are always bound (`$name`), never
pasted into the SQL.

Entity trends and co-occurrence are computed here from `entity_mentions` and `articles`, for one entity and the
selected days and labels. The marts `entity_daily` and `entity_cooccurrence` hold the same figures for every
entity; `entity_trend` and `cooccurring_entities` can read them instead (only their SQL changes, not their
results) once those filter as cheaply: the co-occurrence mart pairs every two entities of every article before
any filter applies, and `entity_daily` counts a day in the session's time zone where the pages use UTC.

Stories take their headline and sizes from the `stories` mart, and their top entities (with the ids a link needs,
which the mart's `top_entities` names lack) from `entity_mentions`. The mart ranks entities through the `entities`
mart, which DuckDB aggregates in full even for a query that reads no `top_entities`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from presswork.storage.views import catalog_version, connect_readonly
from presswork.storage.warehouse import Layout

# The day an article counts for: its publication date, else the day the run that ingested it started (UTC).
# Plain-text inputs carry no date, so for them (the seeds) this is the ingest day; the pages say so.
ARTICLE_DAY = "cast(coalesce(published_at, timezone('UTC', ingested_at)) as date)"


def display_title(table: str = "") -> str:
    """A headline to show for every article of `table` (an alias, or none when only one table has a title).

    Plain-text inputs without a headline-like first line have no title.
    """
    prefix = f"{table}." if table else ""
    return f"coalesce({prefix}title, '(no title) ' || regexp_extract({prefix}source_uri, '[^/]+$'))"


DISPLAY_TITLE = display_title()
# Shared by the queries that filter by day: one row per article with its day and source.
_ARTICLE_DAYS = f"""
article_days as (
    select
        article_id,
        coalesce(source_name, '(unknown)') as source_name,
        {ARTICLE_DAY} as day
    from articles
)"""
# `$start`/`$end` may be NULL (no bound); the casts give DuckDB a type for a NULL parameter.
_DAY_IN_RANGE = (
    "(cast($start as date) is null or day >= cast($start as date))"
    " and (cast($end as date) is null or day <= cast($end as date))"
)
_NO_CONDITION = "true"
# A story's days run from its first article's day to its last's, in UTC: `seen_at` is the article's time, the
# publication time else the start of the run that found it, so the same day as ARTICLE_DAY.
_STORY_IN_RANGE = (
    "(cast($start as date) is null or cast(timezone('UTC', s.last_seen) as date) >= cast($start as date))"
    " and (cast($end as date) is null or cast(timezone('UTC', s.first_seen) as date) <= cast($end as date))"
)
NO_HEADLINE = "(no headline)"  # a story whose articles all lack a title
# An entity's name and label are the resolved ones (the canonical name, the label its mentions voted for), not
# those of one mention. They are read from the name resolution (`stg_entity_names`, one row per distinct name,
# a few thousand rows), not from the `entities` mart: that view aggregates every mention of the warehouse and
# DuckDB does not push an entity filter through it (seconds per question on 100,000 articles).
_ENTITY_NAMES = """
entity_names as (
    select entity_id, any_value(entity_name) as name, any_value(entity_label) as label
    from stg_entity_names
    group by entity_id
)"""
MAX_SEARCH_WORDS = 8  # each word is one more scan predicate; more than this is a paste, not a search


@dataclass(frozen=True, slots=True)
class EntityFilter:
    """What the Entities page is narrowed to: labels (none = all) and an inclusive day range."""

    labels: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None

    def day_params(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end}

    def article_condition(self, column: str = "article_id") -> tuple[str, dict[str, Any]]:
        """A predicate on `column` keeping articles of the selected days, and its parameters.

        Without a day bound it is `true`: joining 7 million mentions to every article only to keep them all
        doubles the cost of the heaviest queries (seen on 100,000 articles).
        """
        if self.start is None and self.end is None:
            return _NO_CONDITION, {}
        return (
            f"{column} in (select article_id from article_days where {_DAY_IN_RANGE})",
            self.day_params(),
        )

    def label_condition(self, column: str = "label") -> tuple[str, dict[str, Any]]:
        """A predicate on `column` keeping the selected labels (all when none is selected), and its parameters."""
        if not self.labels:
            return _NO_CONDITION, {}
        return f"list_contains(cast($labels as varchar[]), {column})", {"labels": list(self.labels)}


@dataclass(frozen=True, slots=True)
class Totals:
    articles: int
    sources: int
    entities: int
    mentions: int
    rejects: int
    boilerplate_spans: int
    stories: int
    runs: int
    last_run_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class EntitySummary:
    entity_id: str
    name: str
    label: str
    aliases: tuple[str, ...]
    article_count: int
    mention_count: int


@dataclass(frozen=True, slots=True)
class Article:
    article_id: str
    title: str | None
    body: str
    source_uri: str
    source_name: str | None
    kind: str | None
    author: str | None
    published_at: dt.datetime | None
    url: str | None
    language: str | None
    word_count: int | None
    content_hash: str | None
    encoding: str | None
    cleaner_version: str | None
    run_id: str | None
    ingested_at: dt.datetime | None
    day: dt.date | None


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention, `body[start_char:end_char]`, with its entity's name and label."""

    entity_id: str
    name: str
    label: str
    start_char: int
    end_char: int


@dataclass(frozen=True, slots=True)
class Removal:
    """One removed span of boilerplate: `raw_text[position:position + len(text)]` for text inputs."""

    position: int
    reason: str
    rule_id: str
    text: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: str
    title: str
    source_name: str | None
    day: dt.date | None
    body: str
    title_match: bool


@dataclass(frozen=True, slots=True)
class Story:
    """One story as the `stories` view has it; its first and last seen are UTC (naive)."""

    story_id: str
    headline: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    article_count: int
    source_count: int
    top_entities: tuple[str, ...]
    reprint_count: int


@dataclass(frozen=True, slots=True)
class ArticleStory:
    """The story an article belongs to, and the article it reprints (each None when there is none)."""

    story_id: str | None
    headline: str | None
    article_count: int | None
    duplicate_of: str | None
    original_title: str | None


@contextmanager
def open_warehouse(layout: Layout) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a short-lived read-only connection, so a catalogue replaced by rename is picked up next time."""
    connection = connect_readonly(layout)
    try:
        yield connection
    finally:
        connection.close()


def warehouse_version(layout: Layout) -> str:
    """Name the data a query would see now (`<snapshot>@<catalogue>`): equal versions give equal answers."""
    return catalog_version(layout)


def _table(connection: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> pa.Table:
    return connection.sql(sql, params=params or {}).to_arrow_table()


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
    return connection.execute(sql, params or {}).fetchall()


def totals(connection: duckdb.DuckDBPyConnection) -> Totals:
    """Count what the warehouse holds."""
    row = _rows(
        connection,
        """
        select
            (select count(*) from articles) as articles,
            (select count(distinct source_name) from articles) as sources,
            -- The resolution has one row per distinct name of any mention: its entities are those mentioned.
            (select count(distinct entity_id) from stg_entity_names) as entities,
            (select count(*) from entity_mentions) as mentions,
            (select count(*) from rejects) as rejects,
            (select count(*) from boilerplate) as boilerplate_spans,
            -- Not the `stories` mart: its top entities aggregate every mention of the warehouse.
            (select count(distinct story_id) from story_articles) as stories,
            (select count(*) from runs) as runs,
            (select max(started_at) from runs) as last_run_at
        """,
    )[0]
    return Totals(*row)


def articles_per_day(connection: duckdb.DuckDBPyConnection, top_sources: int = 8) -> pa.Table:
    """Articles per day and source; sources beyond the `top_sources` biggest are summed as 'other'."""
    return _table(
        connection,
        f"""
        with {_ARTICLE_DAYS},

        top_sources as (
            select source_name
            from article_days
            group by source_name
            order by count(*) desc, source_name
            limit $top_sources
        ),

        labelled as (
            select
                day,
                case when source_name in (select source_name from top_sources) then source_name else 'other' end
                    as source_name
            from article_days
        ),

        final as (
            select day, source_name, count(*) as articles
            from labelled
            group by day, source_name
        )

        select * from final order by day, source_name
        """,
        {"top_sources": top_sources},
    )


def articles_per_source(connection: duckdb.DuckDBPyConnection, limit: int = 20) -> pa.Table:
    """The sources with the most articles."""
    return _table(
        connection,
        """
        select coalesce(source_name, '(unknown)') as source_name, count(*) as articles
        from articles
        group by coalesce(source_name, '(unknown)')
        order by articles desc, source_name
        limit $limit
        """,
        {"limit": limit},
    )


def rejects_by_reason(connection: duckdb.DuckDBPyConnection) -> pa.Table:
    """Rejected inputs per reason."""
    return _table(
        connection,
        "select reason, count(*) as inputs from rejects group by reason order by inputs desc, reason",
    )


def recent_runs(connection: duckdb.DuckDBPyConnection, limit: int = 20) -> pa.Table:
    """The latest committed runs, newest first."""
    return _table(
        connection,
        """
        select
            started_at, status, inputs, processed, unchanged, articles, rejects, boilerplate, mentions,
            entities, duration_s, run_id
        from runs
        order by started_at desc
        limit $limit
        """,
        {"limit": limit},
    )


def entity_labels(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Every entity label, the one with the most entities first."""
    rows = _rows(
        connection,
        f"with {_ENTITY_NAMES} select label from entity_names group by label order by count(*) desc, label",
    )
    return [label for (label,) in rows]


def day_bounds(connection: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date] | None:
    """The first and last article day, or None for an empty warehouse."""
    first, last = _rows(connection, f"select min({ARTICLE_DAY}), max({ARTICLE_DAY}) from articles")[0]
    return None if first is None else (first, last)


def top_entities(connection: duckdb.DuckDBPyConnection, selection: EntityFilter, limit: int = 50) -> pa.Table:
    """The entities in the most articles (then most mentions) among the selected days and labels."""
    in_days, day_params = selection.article_condition()
    with_label, label_params = selection.label_condition()
    return _table(
        connection,
        f"""
        with {_ARTICLE_DAYS},

        {_ENTITY_NAMES},

        counts as (
            select entity_id, count(distinct article_id) as articles, count(*) as mentions
            from entity_mentions
            where {in_days}
            group by entity_id
        ),

        final as (
            select counts.entity_id, entity_names.name, entity_names.label, counts.articles, counts.mentions
            from counts
            inner join entity_names on counts.entity_id = entity_names.entity_id
            where {with_label}
        )

        select * from final order by articles desc, mentions desc, name limit $limit
        """,
        {**day_params, **label_params, "limit": limit},
    )


def entity_summary(connection: duckdb.DuckDBPyConnection, entity_id: str) -> EntitySummary | None:
    """One entity with its aliases and all-time counts, or None when the id is unknown.

    The same figures as the `entities` view, computed for the one entity (see _ENTITY_NAMES for why).
    """
    rows = _rows(
        connection,
        f"""
        with {_ENTITY_NAMES},

        counts as (
            select
                list(distinct text order by text) as aliases,
                count(distinct article_id) as article_count,
                count(*) as mention_count
            from entity_mentions
            where entity_id = $entity_id
        )

        select entity_names.name, entity_names.label, counts.aliases, counts.article_count, counts.mention_count
        from counts
        inner join entity_names on entity_names.entity_id = $entity_id
        where counts.mention_count > 0
        """,
        {"entity_id": entity_id},
    )
    if not rows:
        return None
    name, label, aliases, article_count, mention_count = rows[0]
    return EntitySummary(entity_id, name, label, tuple(aliases or ()), article_count, mention_count)


def find_entities(connection: duckdb.DuckDBPyConnection, words: str, limit: int = 20) -> pa.Table:
    """Entities whose name, or a name resolved to them, contains `words` (case-insensitive), most frequent first."""
    return _table(
        connection,
        f"""
        with {_ENTITY_NAMES},

        matched as (
            select distinct entity_id
            from stg_entity_names
            where contains(lower(name), lower($words)) or contains(lower(entity_name), lower($words))
        ),

        counts as (
            select entity_id, count(distinct article_id) as articles
            from entity_mentions
            where entity_id in (select entity_id from matched)
            group by entity_id
        ),

        final as (
            select counts.entity_id, entity_names.name, entity_names.label, counts.articles
            from counts
            inner join entity_names on counts.entity_id = entity_names.entity_id
        )

        select * from final order by articles desc, name limit $limit
        """,
        {"words": words, "limit": limit},
    )


def _filled_days(*columns: str) -> str:
    """The CTEs that end a per-day series: every day from the CTE `per_day`'s first to its last, with 0 for the
    `columns` on days it lacks, ordered by day (charts should show quiet days as quiet, not skip them)."""
    filled = ",\n".join(f"coalesce(per_day.{column}, 0) as {column}" for column in columns)
    return f"""days as (
            select cast(unnest(generate_series(min(day), max(day), interval 1 day)) as date) as day
            from per_day
        ),

        final as (
            select days.day, {filled}
            from days
            left join per_day on days.day = per_day.day
        )

        select * from final order by day"""


def entity_trend(connection: duckdb.DuckDBPyConnection, entity_id: str, selection: EntityFilter) -> pa.Table:
    """Articles and mentions of one entity per day, with zero days filled in between its first and last."""
    return _table(
        connection,
        f"""
        with {_ARTICLE_DAYS},

        per_article as (
            select article_id, count(*) as mentions
            from entity_mentions
            where entity_id = $entity_id
            group by article_id
        ),

        per_day as (
            select d.day, count(*) as articles, cast(sum(p.mentions) as bigint) as mentions
            from per_article as p
            inner join article_days as d on p.article_id = d.article_id
            where {_DAY_IN_RANGE}
            group by d.day
        ),

        {_filled_days("articles", "mentions")}
        """,
        {**selection.day_params(), "entity_id": entity_id},
    )


def cooccurring_entities(
    connection: duckdb.DuckDBPyConnection, entity_id: str, selection: EntityFilter, limit: int = 20
) -> pa.Table:
    """The entities that share the most articles with one entity, among the selected days and labels."""
    in_days, day_params = selection.article_condition()
    with_label, label_params = selection.label_condition()
    return _table(
        connection,
        f"""
        with {_ARTICLE_DAYS},

        {_ENTITY_NAMES},

        target_articles as (
            select distinct article_id
            from entity_mentions
            where entity_id = $entity_id and {in_days}
        ),

        counts as (
            select entity_id, count(distinct article_id) as shared_articles, count(*) as mentions
            from entity_mentions
            where article_id in (select article_id from target_articles) and entity_id <> $entity_id
            group by entity_id
        ),

        final as (
            select
                counts.entity_id, entity_names.name, entity_names.label, counts.shared_articles, counts.mentions
            from counts
            inner join entity_names on counts.entity_id = entity_names.entity_id
            where {with_label}
        )

        select * from final order by shared_articles desc, mentions desc, name limit $limit
        """,
        {**day_params, **label_params, "entity_id": entity_id, "limit": limit},
    )


def entity_articles(
    connection: duckdb.DuckDBPyConnection, entity_id: str, selection: EntityFilter, limit: int = 50
) -> pa.Table:
    """The latest articles that mention one entity, among the selected days."""
    return _table(
        connection,
        f"""
        with per_article as (
            select article_id, count(*) as mentions
            from entity_mentions
            where entity_id = $entity_id
            group by article_id
        ),

        final as (
            select
                a.article_id,
                {DISPLAY_TITLE} as title,
                a.source_name,
                {ARTICLE_DAY} as day,
                p.mentions
            from per_article as p
            inner join articles as a on p.article_id = a.article_id
        )

        select * from final where {_DAY_IN_RANGE} order by day desc, mentions desc, title limit $limit
        """,
        {**selection.day_params(), "entity_id": entity_id, "limit": limit},
    )


def recent_articles(connection: duckdb.DuckDBPyConnection, limit: int = 200) -> pa.Table:
    """The latest articles (by day), for picking one."""
    return _table(
        connection,
        f"""
        select article_id, {DISPLAY_TITLE} as title, source_name, {ARTICLE_DAY} as day
        from articles
        order by day desc, title, article_id
        limit $limit
        """,
        {"limit": limit},
    )


def article(connection: duckdb.DuckDBPyConnection, article_id: str) -> Article | None:
    """One article with its metadata, or None when the id is unknown."""
    rows = _rows(
        connection,
        f"""
        select
            article_id, title, body, source_uri, source_name, kind, author, published_at, url, language,
            word_count, content_hash, encoding, cleaner_version, run_id, ingested_at, {ARTICLE_DAY} as day
        from articles
        where article_id = $article_id
        """,
        {"article_id": article_id},
    )
    return Article(*rows[0]) if rows else None


def article_mentions(connection: duckdb.DuckDBPyConnection, article_id: str) -> list[Mention]:
    """The entity mentions of one article, in body order, each with its entity's name and label."""
    rows = _rows(
        connection,
        f"""
        with {_ENTITY_NAMES}

        select m.entity_id, entity_names.name, entity_names.label, m.start_char, m.end_char
        from entity_mentions as m
        inner join entity_names on m.entity_id = entity_names.entity_id
        where m.article_id = $article_id
        order by m.start_char, m.end_char
        """,
        {"article_id": article_id},
    )
    return [Mention(*row) for row in rows]


def article_removals(connection: duckdb.DuckDBPyConnection, article_id: str) -> list[Removal]:
    """The boilerplate removed from one article, in input order."""
    rows = _rows(
        connection,
        """
        select position, reason, rule_id, text
        from boilerplate
        where article_id = $article_id
        order by position, rule_id
        """,
        {"article_id": article_id},
    )
    return [Removal(*row) for row in rows]


def raw_text(connection: duckdb.DuckDBPyConnection, article_id: str) -> str | None:
    """The decoded input of one article (for HTML inputs: the markup), or None."""
    rows = _rows(
        connection, "select raw_text from raw_documents where article_id = $article_id", {"article_id": article_id}
    )
    return rows[0][0] if rows else None


def search_words(query: str) -> tuple[str, ...]:
    """Split a search box's text into distinct words (at most MAX_SEARCH_WORDS), keeping their order."""
    words: list[str] = []
    for word in query.split():
        if word.casefold() not in (w.casefold() for w in words):
            words.append(word)
    return tuple(words[:MAX_SEARCH_WORDS])


def like_pattern(word: str) -> str:
    """An ILIKE pattern (escape character `\\`) matching `word` anywhere, its `%` and `_` taken literally."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"


def search_articles(
    connection: duckdb.DuckDBPyConnection, words: Sequence[str], limit: int = 50
) -> tuple[int, list[SearchHit]]:
    """Articles whose title or body contains every word (case-insensitive): how many, and the best `limit`.

    Headlines that contain every word come first, then the latest. There is no index: each search scans titles
    and bodies once, which DuckDB does in parallel and in about a second for 100,000 articles.
    """
    if not words:
        return 0, []
    params: dict[str, Any] = {f"w{index}": like_pattern(word) for index, word in enumerate(words)}
    # Only placeholder names are generated into the SQL; the words themselves are bound parameters.
    in_body = " and ".join(
        f"(title ilike $w{i} escape '\\' or body ilike $w{i} escape '\\')" for i in range(len(words))
    )
    in_title = " and ".join(f"coalesce(title ilike $w{i} escape '\\', false)" for i in range(len(words)))
    sql = f"""
        with matches as materialized (
            select article_id, {in_title} as title_match, {ARTICLE_DAY} as day
            from articles
            where {in_body}
        ),

        best as (
            select * from matches order by title_match desc, day desc, article_id limit $limit
        ),

        final as (
            select
                a.article_id,
                {DISPLAY_TITLE} as title,
                a.source_name,
                b.day,
                a.body,
                b.title_match,
                (select count(*) from matches) as total
            from best as b
            inner join articles as a on b.article_id = a.article_id
        )

        select * from final order by title_match desc, day desc, article_id
    """
    rows = _rows(connection, sql, {**params, "limit": limit})
    if not rows:
        return 0, []
    hits = [SearchHit(row[0], row[1], row[2], row[3], row[4], bool(row[5])) for row in rows]
    return int(rows[0][6]), hits


# --- stories ---------------------------------------------------------------------------------------------------
# The `stories` view gives each story's headline and sizes. Timestamps leave as naive UTC, so a page shows the
# same time whatever the server's time zone.


def stories(
    connection: duckdb.DuckDBPyConnection, start: dt.date | None, end: dt.date | None, limit: int = 50
) -> pa.Table:
    """The biggest stories whose days overlap `start`..`end` (None: no bound), with their sources' names."""
    return _table(
        connection,
        f"""
        with listed as (
            select *
            from stories as s
            where {_STORY_IN_RANGE}
            order by s.article_count desc, s.last_seen desc, s.story_id
            limit $limit
        ),

        sources as (
            select story_id, list(distinct source_name order by source_name) as sources
            from story_articles
            where story_id in (select story_id from listed) and source_name is not null
            group by story_id
        ),

        final as (
            select
                listed.story_id,
                coalesce(listed.headline, $no_headline) as headline,
                coalesce(sources.sources, []) as sources,
                listed.article_count as articles,
                listed.source_count,
                listed.reprint_count as reprints,
                timezone('UTC', listed.first_seen) as first_seen,
                timezone('UTC', listed.last_seen) as last_seen
            from listed
            left join sources on listed.story_id = sources.story_id
        )

        select * from final order by articles desc, last_seen desc, story_id
        """,
        {"start": start, "end": end, "limit": limit, "no_headline": NO_HEADLINE},
    )


def story(connection: duckdb.DuckDBPyConnection, story_id: str) -> Story | None:
    """One story, or None when the id is unknown."""
    rows = _rows(
        connection,
        """
        select
            story_id, coalesce(headline, $no_headline), timezone('UTC', first_seen), timezone('UTC', last_seen),
            article_count, source_count, top_entities, reprint_count
        from stories
        where story_id = $story_id
        """,
        {"story_id": story_id, "no_headline": NO_HEADLINE},
    )
    if not rows:
        return None
    *head, top, reprints = rows[0]
    return Story(*head, tuple(top or ()), reprints)


def story_articles(connection: duckdb.DuckDBPyConnection, story_id: str) -> pa.Table:
    """The articles of one story in the order they were seen, each reprint with the article it copies."""
    return _table(
        connection,
        f"""
        with members as (
            select article_id, similarity, seen_at, duplicate_of
            from story_articles
            where story_id = $story_id
        ),

        final as (
            select
                members.article_id,
                article.source_name,
                {display_title("article")} as title,
                timezone('UTC', members.seen_at) as seen_at,
                members.similarity,
                members.duplicate_of,
                {display_title("original")} as original_title,
                original.source_name as original_source
            from members
            inner join articles as article on members.article_id = article.article_id
            left join articles as original on members.duplicate_of = original.article_id
        )

        -- Articles of one run without a publication time share a seen_at: the one that started the story first.
        select * from final order by seen_at, similarity desc, article_id
        """,
        {"story_id": story_id},
    )


def story_entities(connection: duckdb.DuckDBPyConnection, story_id: str, limit: int = 10) -> pa.Table:
    """The entities the most articles of one story mention (then the most mentions), with ids and labels."""
    return _table(
        connection,
        f"""
        with {_ENTITY_NAMES},

        counts as (
            select entity_id, count(distinct article_id) as articles, count(*) as mentions
            from entity_mentions
            where article_id in (select article_id from story_articles where story_id = $story_id)
            group by entity_id
        ),

        final as (
            select counts.entity_id, entity_names.name, entity_names.label, counts.articles, counts.mentions
            from counts
            inner join entity_names on counts.entity_id = entity_names.entity_id
        )

        -- Ties broken by mentions, as on the Entities page: by name alone, the seeds' story of Putin's visit
        -- ranked ten entities in all five articles ahead of him.
        select * from final order by articles desc, mentions desc, name, entity_id limit $limit
        """,
        {"story_id": story_id, "limit": limit},
    )


def story_timeline(connection: duckdb.DuckDBPyConnection, story_id: str) -> pa.Table:
    """Articles (and reprints among them) of one story per UTC day, with zero days filled in between."""
    return _table(
        connection,
        f"""
        with per_day as (
            select
                cast(timezone('UTC', seen_at) as date) as day,
                count(*) as articles,
                count(duplicate_of) as reprints
            from story_articles
            where story_id = $story_id
            group by day
        ),

        {_filled_days("articles", "reprints")}
        """,
        {"story_id": story_id},
    )


def entity_stories(
    connection: duckdb.DuckDBPyConnection, entity_id: str, selection: EntityFilter, limit: int = 20
) -> pa.Table:
    """The stories with the most articles that mention one entity, among those overlapping the selected days."""
    return _table(
        connection,
        f"""
        with per_story as (
            select story_id, count(distinct article_id) as articles
            from story_articles
            where article_id in (select article_id from entity_mentions where entity_id = $entity_id)
            group by story_id
        ),

        final as (
            select
                s.story_id,
                coalesce(s.headline, $no_headline) as headline,
                per_story.articles,
                s.article_count,
                timezone('UTC', s.first_seen) as first_seen
            from per_story
            inner join stories as s on per_story.story_id = s.story_id
            where {_STORY_IN_RANGE}
        )

        select * from final order by articles desc, article_count desc, first_seen desc, story_id limit $limit
        """,
        {**selection.day_params(), "entity_id": entity_id, "limit": limit, "no_headline": NO_HEADLINE},
    )


def article_story(connection: duckdb.DuckDBPyConnection, article_id: str) -> ArticleStory | None:
    """The story of one article and the article it reprints, or None when it has neither."""
    rows = _rows(
        connection,
        f"""
        with target as (
            select cast($article_id as varchar) as article_id
        ),

        final as (
            select
                member.story_id,
                if(member.story_id is null, null, coalesce(s.headline, $no_headline)) as headline,
                s.article_count,
                copy.duplicate_of,
                {display_title("original")} as original_title
            from target
            left join story_articles as member on target.article_id = member.article_id
            left join stories as s on member.story_id = s.story_id
            left join near_duplicates as copy on target.article_id = copy.article_id
            left join articles as original on copy.duplicate_of = original.article_id
        )

        select * from final where story_id is not null or duplicate_of is not null
        """,
        {"article_id": article_id, "no_headline": NO_HEADLINE},
    )
    return ArticleStory(*rows[0]) if rows else None
