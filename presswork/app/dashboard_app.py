"""The presswork dashboard: a Streamlit app over the warehouse views, read-only.

Started by `presswork dashboard` (presswork/app/dashboard.py), which passes the warehouse in $PRESSWORK_WAREHOUSE.
Four pages: Overview, Entities, Article, Search. Every number comes from `dashboard_queries` (SQL run by
DuckDB); this module only lays results out.

Safety: text from the data (headlines, bodies, names, removed boilerplate) reaches the page only as escaped HTML
(`html.escape`) or as cells of a dataframe or chart, never as Markdown, since Markdown would interpret `*`, `$`
and links in a headline and raw HTML could run script.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import quote

import altair as alt
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import streamlit as st

from presswork.app import dashboard_queries as queries
from presswork.app.config import default_warehouse
from presswork.app.dashboard_queries import EntityFilter, Mention, Removal, SearchHit
from presswork.storage.warehouse import Layout

P = ParamSpec("P")
T = TypeVar("T")

DAY_NOTE = (
    "Day = the publication date, or the day the input was ingested (UTC) when it has none, as for every "
    "plain-text input."
)
# Background colours for entity labels, light enough to keep black text readable.
LABEL_COLOURS = {
    "PERSON": "#fde68a",
    "ORG": "#bfdbfe",
    "GPE": "#bbf7d0",
    "NORP": "#fbcfe8",
    "LOC": "#c7d2fe",
    "FAC": "#fed7aa",
    "PRODUCT": "#e9d5ff",
    "EVENT": "#fecaca",
    "WORK_OF_ART": "#99f6e4",
    "LAW": "#d9f99d",
    "LANGUAGE": "#e5e7eb",
}
OTHER_COLOUR = "#e5e7eb"
FEW_DAYS = 62  # up to two months a day axis has a band (a bar) per day; longer spans become a time axis
PICK_LIMIT = 200  # articles offered in the Article page's picker; Search reaches the rest


# ---------------------------------------------------------------------------------------------------------------
# Pure helpers: HTML built from data, everything escaped.


def label_colour(label: str) -> str:
    return LABEL_COLOURS.get(label, OTHER_COLOUR)


def page_href(page: str, **params: str) -> str:
    """A link to another page of the app, relative so it works under any base URL."""
    query = "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())
    return f"{page}?{query}" if query else page


def highlight_mentions(body: str, mentions: Sequence[Mention]) -> str:
    """Return the body as HTML with every entity mention marked in its label's colour and linked to its page."""
    parts: list[str] = []
    cursor = 0
    for mention in sorted(mentions, key=lambda m: (m.start_char, m.end_char)):
        # spaCy's entities never overlap and offsets are exact (a test checks it), but a bad row must not break
        # the page's HTML: such a mention stays unmarked, its text shown as it is.
        if mention.start_char < cursor or not mention.start_char < mention.end_char <= len(body):
            continue
        surface = body[mention.start_char : mention.end_char]
        parts.append(html.escape(body[cursor : mention.start_char]))
        parts.append(
            f'<a class="pw-entity" href="{html.escape(page_href("entities", entity=mention.entity_id))}" '
            'style="color:inherit;text-decoration:none" '
            f'target="_self" title="{html.escape(mention.label)}: {html.escape(mention.name)}">'
            f'<mark style="background:{label_colour(mention.label)};padding:0 2px;border-radius:3px;color:#111">'
            f"{html.escape(surface)}</mark></a>"
        )
        cursor = mention.end_char
    parts.append(html.escape(body[cursor:]))
    return (
        '<div class="pw-body" style="white-space:pre-wrap;line-height:1.65;font-size:1.02rem">'
        + "".join(parts)
        + "</div>"
    )


def mark_removals(raw_text: str, removals: Sequence[Removal]) -> tuple[str, int]:
    """Return the decoded input as HTML with each removed span struck through and labelled with its reason.

    Positions are offsets into the decoded text of plain-text inputs; a span whose text is not found at its
    position (HTML inputs: positions refer to the extracted text, not the markup) is not marked, and counted.
    """
    parts: list[str] = []
    cursor = 0
    unplaced = 0
    for removal in sorted(removals, key=lambda r: r.position):
        end = removal.position + len(removal.text)
        if removal.position < cursor or raw_text[removal.position : end] != removal.text:
            unplaced += 1
            continue
        parts.append(html.escape(raw_text[cursor : removal.position]))
        parts.append(
            f'<del title="{html.escape(removal.reason)} ({html.escape(removal.rule_id)})" '
            'style="background:#fee2e2;color:#991b1b">'
            f"{html.escape(removal.text)}</del>"
            f'<sup style="color:#991b1b;font-size:0.7rem"> {html.escape(removal.reason)}</sup>'
        )
        cursor = end
    parts.append(html.escape(raw_text[cursor:]))
    body = "".join(parts)
    return f'<div class="pw-raw" style="white-space:pre-wrap;font-size:0.9rem">{body}</div>', unplaced


def word_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """A case-insensitive pattern matching any of the words, longest first (as the search matched them)."""
    if not words:
        return None
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in ordered), re.IGNORECASE)


def highlight_words(text: str, words: Sequence[str]) -> str:
    """Return text as HTML with every occurrence of the words marked."""
    pattern = word_pattern(words)
    if pattern is None:
        return html.escape(text)
    parts: list[str] = []
    cursor = 0
    for match in pattern.finditer(text):
        parts.append(html.escape(text[cursor : match.start()]))
        parts.append(f"<mark>{html.escape(match.group())}</mark>")
        cursor = match.end()
    parts.append(html.escape(text[cursor:]))
    return "".join(parts)


def snippet(body: str, words: Sequence[str], width: int = 260) -> str:
    """The part of body around the first matched word (plain text, whole words, '…' where cut)."""
    pattern = word_pattern(words)
    match = pattern.search(body) if pattern else None
    centre = match.start() if match else 0
    start = max(0, centre - width // 3)
    end = min(len(body), start + width)
    if start > 0:
        start = body.find(" ", start) + 1 or start
    if end < len(body):
        end = body.rfind(" ", start, end) if body.rfind(" ", start, end) > start else end
    text = " ".join(body[start:end].split())
    return ("…" if start > 0 else "") + text + ("…" if end < len(body) else "")


def html_table(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], css_class: str = "pw-table", wrap: Sequence[str] = ()
) -> str:
    """A plain HTML table with every cell escaped (NULL shows as an em dash).

    Line breaks in a value show. Only the `wrap` columns (long free text, paths) may break inside words; the
    others keep words whole.
    """
    wrapping = {index + 1 for index, column in enumerate(columns) if column in wrap}
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(value)}</td>" for value in row) + "</tr>" for row in rows)
    wrap_css = "".join(f".{css_class} td:nth-child({index}){{overflow-wrap:anywhere}}" for index in sorted(wrapping))
    return (
        f'<table class="{css_class}" style="border-collapse:collapse;width:100%;font-size:0.9rem">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<style>.{css_class} th,.{css_class} td{{border-bottom:1px solid #e5e7eb;padding:4px 8px;"
        f"text-align:left;vertical-align:top;white-space:pre-line}}{wrap_css}</style>"
    )


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return html.escape(value.isoformat(sep=" ", timespec="seconds"))
    return html.escape(str(value))


def unique_labels(labels: dict[str, str]) -> dict[str, str]:
    """Make picker labels distinct (Streamlit tells options apart by their label): repeats get their id."""
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {key: label if seen[label] == 1 else f"{label} · {key}" for key, label in labels.items()}


def label_chip(label: str) -> str:
    return (
        f'<span style="background:{label_colour(label)};border-radius:4px;padding:1px 6px;font-size:0.8rem;'
        f'color:#111">{html.escape(label)}</span>'
    )


def link_list(items: Sequence[tuple[str, str, str]], inline: bool = False) -> str:
    """An HTML list of (href, text, note) links, all escaped; `inline` runs them on as one paragraph."""
    links = [
        f'<a href="{html.escape(href)}" target="_self">{html.escape(text)}</a>'
        f' <span style="color:#6b7280">{html.escape(note)}</span>'
        for href, text, note in items
    ]
    if inline:
        return '<p class="pw-links" style="line-height:1.8">' + " &nbsp;·&nbsp; ".join(links) + "</p>"
    items_html = "".join(f"<li>{link}</li>" for link in links)
    return f'<ul class="pw-links" style="margin:0;padding-left:1.2rem">{items_html}</ul>'


# ---------------------------------------------------------------------------------------------------------------
# Reading the warehouse: one short-lived read-only connection per query, answers cached per data version.


# The spinner shows only on a cache miss: the first view of a page after a run, which on 100,000 articles can
# take seconds for the entity counts; every later view of the same data comes from the cache.
@st.cache_data(show_spinner="Querying the warehouse…", max_entries=512, ttl=dt.timedelta(hours=1))
def _cached(name: str, root: str, version: str, args: tuple[Any, ...], _query: Callable[..., Any]) -> Any:
    """Run a query; `name`, `root`, `version` and `args` are the cache key (`_query` is not hashed)."""
    with queries.open_warehouse(Layout(Path(root))) as connection:
        return _query(connection, *args)


@dataclass(frozen=True, slots=True)
class Source:
    """The warehouse a page reads, and the version of its data when the page started rendering."""

    layout: Layout
    version: str

    def fetch(
        self, query: Callable[Concatenate[duckdb.DuckDBPyConnection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Answer a query from `dashboard_queries`; the same question on the same data version is cached."""
        if kwargs:
            raise TypeError("pass query arguments positionally, they are the cache key")
        name = f"{query.__module__}.{query.__qualname__}"
        return _cached(name, str(self.layout.root), self.version, tuple(args), query)


def open_source(root: str | Path) -> Source | None:
    """The warehouse at `root`, or None (with an error on the page) when there is none."""
    layout = Layout(Path(root).expanduser().resolve())
    if not layout.catalog.exists():
        st.error(f"No warehouse at `{layout.root}` (no {layout.catalog.name}). Run `presswork run` first.")
        return None
    return Source(layout, queries.warehouse_version(layout))


# ---------------------------------------------------------------------------------------------------------------
# Charts.


def chart_data(table: pa.Table) -> pa.Table:
    """The table with its date columns as ISO strings ('2024-09-03').

    A date travels to the browser as a point in time and Vega-Lite would show it in the viewer's time zone (the
    previous day, west of UTC); a date-only ISO string is read as UTC midnight and shown with `utc` time units.
    """
    for index, field in enumerate(table.schema):
        if pa.types.is_date(field.type):
            table = table.set_column(index, field.name, pc.cast(table.column(index), pa.string()))
    return table


def bar_chart(table: pa.Table, category: str, value: str, colour: str | None = None, title: str = "") -> alt.Chart:
    """Horizontal bars in the table's order (the queries rank them, ties included), one readable row each."""
    encoding: dict[str, Any] = {
        "x": alt.X(f"{value}:Q", title=title or value, axis=alt.Axis(tickMinStep=1)),
        "y": alt.Y(f"{category}:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
        "tooltip": list(table.column_names),
    }
    if colour:
        present = sorted(set(table.column(colour).to_pylist()))
        encoding["color"] = alt.Color(
            f"{colour}:N",
            scale=alt.Scale(domain=present, range=[label_colour(label) for label in present]),
            legend=alt.Legend(orient="bottom", title=None),
        )
    return alt.Chart(chart_data(table)).mark_bar().encode(**encoding).properties(height=alt.Step(22))


def day_axis(days: int) -> alt.X:
    """A day axis: one band per day for a few weeks (a single day would be a hairline on a time scale)."""
    if days <= FEW_DAYS:
        return alt.X("day:O", title=None, axis=alt.Axis(labelAngle=-45))
    return alt.X("utcyearmonthdate(day):T", title=None)


def trend_chart(trend: pa.Table) -> alt.Chart:
    """Articles per day: bars over a few weeks (a line through one or two days says nothing), else a line."""
    base = alt.Chart(chart_data(trend)).encode(
        x=day_axis(trend.num_rows),
        y=alt.Y("articles:Q", title="articles", axis=alt.Axis(tickMinStep=1)),
        tooltip=["day:N", "articles:Q", "mentions:Q"],
    )
    chart = base.mark_bar() if trend.num_rows <= FEW_DAYS else base.mark_line(point=True)
    return chart.properties(height=260)


def show_chart(chart: alt.Chart) -> None:
    st.altair_chart(chart, width="stretch")


# ---------------------------------------------------------------------------------------------------------------
# Pages.


def overview_page(source: Source) -> None:
    """What the warehouse holds, how it grows, what was rejected, and the last runs."""
    st.title("Overview")
    totals = source.fetch(queries.totals)
    columns = st.columns(6)
    columns[0].metric("Articles", f"{totals.articles:,}")
    columns[1].metric("Sources", f"{totals.sources:,}")
    columns[2].metric("Entities", f"{totals.entities:,}")
    columns[3].metric("Mentions", f"{totals.mentions:,}")
    columns[4].metric("Boilerplate removed", f"{totals.boilerplate_spans:,}")
    columns[5].metric("Rejected inputs", f"{totals.rejects:,}")

    left, right = st.columns([3, 2])
    with left:
        st.subheader("Articles per day")
        per_day = source.fetch(queries.articles_per_day, 8)
        if per_day.num_rows:
            chart = (
                alt.Chart(chart_data(per_day))
                .mark_bar()
                .encode(
                    x=day_axis(len(set(per_day.column("day").to_pylist()))),
                    y=alt.Y("articles:Q", title="articles", axis=alt.Axis(tickMinStep=1)),
                    color=alt.Color("source_name:N", title="source"),
                    tooltip=["day:N", "source_name:N", "articles:Q"],
                )
                .properties(height=280)
            )
            show_chart(chart)
        else:
            st.info("No articles yet.")
        st.caption(DAY_NOTE + " The eight biggest sources are shown; the rest are summed as 'other'.")
    with right:
        st.subheader("Articles per source")
        per_source = source.fetch(queries.articles_per_source, 20)
        if per_source.num_rows:
            show_chart(bar_chart(per_source, "source_name", "articles"))

    left, right = st.columns([2, 3])
    with left:
        st.subheader("Rejects by reason")
        rejects = source.fetch(queries.rejects_by_reason)
        if rejects.num_rows:
            show_chart(bar_chart(rejects, "reason", "inputs"))
        else:
            st.success("No input was rejected.")
    with right:
        st.subheader("Last runs")
        runs = source.fetch(queries.recent_runs, 20)
        st.dataframe(
            runs,
            hide_index=True,
            column_config={
                "started_at": st.column_config.DatetimeColumn("started", format="YYYY-MM-DD HH:mm:ss"),
                "duration_s": st.column_config.NumberColumn("seconds", format="%.1f"),
            },
        )
        st.caption(
            "A run is recorded in the same commit as its data, so every run listed completed; a run that failed "
            "committed nothing (see its log or the Prefect UI)."
        )


def _entity_filter(source: Source) -> EntityFilter:
    """Draw the label and day filters; return what they select."""
    labels = source.fetch(queries.entity_labels)
    bounds = source.fetch(queries.day_bounds)
    left, right = st.columns([3, 2])
    chosen = left.multiselect("Labels", labels, placeholder="All labels", key="labels")
    start = end = None
    if bounds is not None:
        # No key: when a run adds a day, the widget is new and its default range covers the new day too.
        days = right.date_input("Days", value=bounds, min_value=bounds[0], max_value=bounds[1])
        # While a range is being picked the widget holds only its first day.
        picked = tuple(days) if isinstance(days, tuple | list) else (days,)
        # A bound at the edge of the data filters nothing: leave it out, which spares the queries a join.
        start = picked[0] if picked and picked[0] > bounds[0] else None
        end = picked[1] if len(picked) > 1 and picked[1] < bounds[1] else None
    st.caption(DAY_NOTE)
    return EntityFilter(labels=tuple(chosen), start=start, end=end)


def entities_page(source: Source) -> None:
    """The top entities, then one entity (from the URL, the top list or a name search) in detail."""
    st.title("Entities")
    selection = _entity_filter(source)
    top = source.fetch(queries.top_entities, selection, 50)
    if not top.num_rows:
        st.info("No entity is mentioned in the selected days and labels.")
        return
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Top entities by articles")
        show_chart(bar_chart(top.slice(0, 20), "name", "articles", colour="label", title="articles"))
    with right:
        st.subheader("Top 50")
        st.dataframe(top.drop_columns(["entity_id"]), hide_index=True, height=420)

    st.divider()
    names = {row["entity_id"]: row for row in top.to_pylist()}
    wanted = st.query_params.get("entity")
    looked_up = st.text_input("Find an entity by name or alias", key="find_entity")
    if looked_up.strip():
        found = source.fetch(queries.find_entities, looked_up.strip(), 20)
        names = {row["entity_id"]: row for row in found.to_pylist()}
        if not names:
            st.info("No entity name or alias contains that.")
            return
    if wanted and wanted not in names and not looked_up.strip():
        # Linked from another page (or a bookmark): the entity may be outside the top list.
        summary = source.fetch(queries.entity_summary, wanted)
        if summary is not None:
            names = {
                wanted: {"name": summary.name, "label": summary.label, "articles": summary.article_count},
                **names,
            }
    labels = unique_labels(
        {key: f"{row['name']} ({row['label']}), {row['articles']} articles" for key, row in names.items()}
    )
    options = list(labels)
    chosen = st.selectbox(
        "Entity",
        options,
        index=options.index(wanted) if wanted in options else 0,
        format_func=lambda key: labels[key],
    )
    if chosen != wanted:
        st.query_params["entity"] = chosen
    entity_detail(source, chosen, selection)


def entity_detail(source: Source, entity_id: str, selection: EntityFilter) -> None:
    """One entity: aliases, articles per day, the entities it shares articles with, its latest articles."""
    summary = source.fetch(queries.entity_summary, entity_id)
    if summary is None:
        st.warning("That entity is not in the warehouse (any more).")
        return
    st.html(
        f'<h2 class="pw-entity-name" style="margin-bottom:0">{html.escape(summary.name)} '
        f"{label_chip(summary.label)}</h2>"
    )
    columns = st.columns(2)
    columns[0].metric("Articles (all days)", f"{summary.article_count:,}")
    columns[1].metric("Mentions (all days)", f"{summary.mention_count:,}")
    aliases = "".join(
        f'<span style="border:1px solid #d1d5db;border-radius:4px;padding:1px 6px;margin:2px;display:inline-block">'
        f"{html.escape(alias)}</span>"
        for alias in summary.aliases
    )
    st.html(f'<div class="pw-aliases"><b>Aliases</b> (every surface form seen): {aliases}</div>')

    left, right = st.columns(2)
    with left:
        st.subheader("Trend")
        trend = source.fetch(queries.entity_trend, entity_id, selection)
        if trend.num_rows:
            show_chart(trend_chart(trend))
            st.caption("Articles that mention it, per day (mentions in the tooltip). " + DAY_NOTE)
        else:
            st.info("Not mentioned in the selected days.")
    with right:
        st.subheader("Mentioned together with")
        together = source.fetch(queries.cooccurring_entities, entity_id, selection, 15)
        if together.num_rows:
            show_chart(bar_chart(together, "name", "shared_articles", colour="label", title="shared articles"))
            st.html(
                link_list(
                    [
                        (page_href("entities", entity=row["entity_id"]), row["name"], f"{row['label']}")
                        for row in together.to_pylist()
                    ],
                    inline=True,
                )
            )
        else:
            st.info("No other entity in its articles (with the selected labels and days).")

    st.subheader("Articles")
    articles = source.fetch(queries.entity_articles, entity_id, selection, 50)
    if not articles.num_rows:
        st.info("No article mentions it in the selected days.")
        return
    st.html(
        link_list(
            [
                (
                    page_href("article", article=row["article_id"]),
                    row["title"],
                    f"{row['source_name'] or ''} · {row['day']} · {row['mentions']} mentions",
                )
                for row in articles.to_pylist()
            ]
        )
    )


def article_page(source: Source) -> None:
    """Pick an article (from the URL or the latest ones) and show it."""
    st.title("Article")
    recent = source.fetch(queries.recent_articles, PICK_LIMIT)
    titles = {
        row["article_id"]: f"{row['title']} · {row['source_name'] or ''} · {row['day']}" for row in recent.to_pylist()
    }
    wanted = st.query_params.get("article")
    if wanted and wanted not in titles:
        found = source.fetch(queries.article, wanted)
        if found is None:
            st.warning("No article with that id; pick one below or use Search.")
        else:
            titles = {wanted: found.title or "(no title)", **titles}
    if not titles:
        st.info("No articles yet.")
        return
    titles = unique_labels(titles)
    options = list(titles)
    chosen = st.selectbox(
        f"Article (the latest {PICK_LIMIT}; Search finds the rest)",
        options,
        index=options.index(wanted) if wanted in options else 0,
        format_func=lambda key: titles[key],
    )
    if chosen != wanted:
        st.query_params["article"] = chosen
    article_detail(source, chosen)


def article_detail(source: Source, article_id: str) -> None:
    """The cleaned text with its entities, the boilerplate removed from it, and its metadata."""
    article = source.fetch(queries.article, article_id)
    if article is None:
        st.warning("That article is not in the warehouse (any more).")
        return
    mentions = source.fetch(queries.article_mentions, article_id)
    removals = source.fetch(queries.article_removals, article_id)
    title = article.title or f"(no title) {Path(article.source_uri).name}"
    st.html(f'<h2 class="pw-title">{html.escape(title)}</h2>')

    # The audit trail sits beside the text it explains, not below a long article.
    left, right = st.columns([4, 3])
    with left:
        st.subheader("Cleaned text")
        legend = " ".join(label_chip(label) for label in sorted({m.label for m in mentions}))
        st.html(f'<div class="pw-legend">Entities, by label: {legend}</div>')
        st.html(highlight_mentions(article.body, mentions))
        if article.kind == "text" and removals:
            input_with_removals(source, article_id, removals)
    with right:
        removed_boilerplate(removals)
        article_entities(mentions)
        st.subheader("Metadata")
        st.html(html_table(["field", "value"], article_fields(article), css_class="pw-meta", wrap=["value"]))


def removed_boilerplate(removals: Sequence[Removal]) -> None:
    st.subheader(f"Removed boilerplate ({len(removals)} span{'' if len(removals) == 1 else 's'})")
    if not removals:
        st.success("Nothing was removed from this article.")
        return
    per_reason: dict[str, int] = {}
    for removal in removals:
        per_reason[removal.reason] = per_reason.get(removal.reason, 0) + 1
    ranked = sorted(per_reason.items(), key=lambda item: (-item[1], item[0]))
    show_chart(
        bar_chart(pa.table({"reason": [r for r, _ in ranked], "spans": [n for _, n in ranked]}), "reason", "spans")
    )
    st.html(
        html_table(
            ["reason and rule", "removed text", "at"],
            [(f"{r.reason}\n{r.rule_id}", r.text, r.position) for r in removals],
            css_class="pw-audit",
            wrap=["removed text"],
        )
    )
    st.caption(
        "rule: an id in presswork/clean/rules.py or a step of presswork/clean/cleaner.py; "
        "at: code-point offset in the text the cleaner was given."
    )


def input_with_removals(source: Source, article_id: str, removals: Sequence[Removal]) -> None:
    with st.expander("The input, with what was removed struck through"):
        raw = source.fetch(queries.raw_text, article_id)
        if raw is None:
            st.info("The decoded input is not in the warehouse.")
            return
        marked, unplaced = mark_removals(raw, removals)
        if unplaced:
            st.caption(f"{unplaced} removed spans could not be placed in the input and are not marked.")
        st.html(marked)


def article_entities(mentions: Sequence[Mention]) -> None:
    st.subheader("Entities in this article")
    counts: dict[tuple[str, str, str], int] = {}
    for mention in mentions:
        key = (mention.entity_id, mention.name, mention.label)
        counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))
    st.html(
        link_list(
            [(page_href("entities", entity=eid), name, f"{label} · {n}") for (eid, name, label), n in ranked],
            inline=True,
        )
    )


def article_fields(article: queries.Article) -> list[tuple[str, Any]]:
    return [
        ("source", article.source_name),
        ("kind", article.kind),
        ("author", article.author),
        ("published", article.published_at),
        ("ingested", article.ingested_at),
        ("day", article.day),
        ("url", article.url),
        ("language", article.language),
        ("words", article.word_count),
        ("encoding", article.encoding),
        ("cleaner version", article.cleaner_version),
        ("input", article.source_uri),
        ("content hash", article.content_hash),
        ("article id", article.article_id),
        ("run", article.run_id),
    ]


def search_page(source: Source) -> None:
    """Articles that contain every word typed, in title or body."""
    st.title("Search")
    typed = st.text_input(
        "Words in title or body (every word must occur; case-insensitive)",
        value=st.query_params.get("q", ""),
        placeholder="e.g. Putin warrant",
    )
    if typed != st.query_params.get("q", ""):
        st.query_params["q"] = typed
    words = queries.search_words(typed)
    if not words:
        st.caption("Type one or more words.")
        return
    total, hits = source.fetch(queries.search_articles, words, 50)
    shown = f"; the first {len(hits)} are shown" if total > len(hits) else ""
    st.caption(f"{total:,} articles contain every word{shown}. Headlines that contain them all come first.")
    st.html(search_results(hits, words))


def search_results(hits: Sequence[SearchHit], words: Sequence[str]) -> str:
    """The hits as an HTML list: linked, highlighted headline, source and day, highlighted snippet."""
    items = [
        f'<li style="margin-bottom:0.8rem"><a href="{html.escape(page_href("article", article=hit.article_id))}" '
        f'target="_self" style="font-weight:600">{highlight_words(hit.title, words)}</a>'
        f' <span style="color:#6b7280">{html.escape(hit.source_name or "")} · {hit.day or ""}</span>'
        f'<div style="color:#374151">{highlight_words(snippet(hit.body, words), words)}</div></li>'
        for hit in hits
    ]
    return '<ol class="pw-results">' + "".join(items) + "</ol>"


PAGES: dict[str, tuple[str, Callable[[Source], None]]] = {
    # url path: (title, page). No Material icons: the browser fetches the current page's icon, as its favicon,
    # from fonts.gstatic.com, and the dashboard must work offline (a browser test checks every request).
    "overview": ("Overview", overview_page),
    "entities": ("Entities", entities_page),
    "article": ("Article", article_page),
    "search": ("Search", search_page),
}


def render_page(name: str, root: str | Path) -> None:
    """Render one page on its own (what AppTest drives); the app itself goes through `main`."""
    source = open_source(root)
    if source is not None:
        PAGES[name][1](source)


def _sidebar(source: Source) -> None:
    snapshot = source.version.split("@")[0]  # the version is `<snapshot>@<catalogue>`
    st.sidebar.caption(f"Warehouse `{source.layout.root}` (read-only), snapshot {snapshot}.")
    st.sidebar.caption("Each page shows the latest committed run as of its last refresh or click.")


def main() -> None:
    """The app as `streamlit run` runs it: the warehouse from $PRESSWORK_WAREHOUSE, four pages."""
    # An emoji favicon is an inline SVG (a Material icon would be fetched from the internet).
    st.set_page_config(page_title="presswork", page_icon="📰", layout="wide")
    source = open_source(default_warehouse())
    if source is None:
        st.stop()
    _sidebar(source)

    def bind(page: Callable[[Source], None]) -> Callable[[], None]:
        return lambda: page(source)

    navigation = st.navigation(
        [
            st.Page(bind(page), title=title, url_path=path, default=(path == "overview"))
            for path, (title, page) in PAGES.items()
        ]
    )
    navigation.run()


if __name__ == "__main__":
    main()
