"""What the dashboard's pages share: escaped HTML from data, charts, the day filter, and the warehouse `Source`."""

from __future__ import annotations

import datetime as dt
import html
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
from streamlit.delta_generator import DeltaGenerator

from presswork.app.dashboard import queries
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


# ---------------------------------------------------------------------------------------------------------------
# Pure helpers: HTML built from data, everything escaped.


def label_colour(label: str) -> str:
    return LABEL_COLOURS.get(label, OTHER_COLOUR)


@dataclass(frozen=True, slots=True)
class Link:
    """A table cell that links to another page of the app (`html_table` escapes both parts)."""

    href: str
    text: str


def page_href(page: str, **params: str) -> str:
    """A link to another page of the app, relative so it works under any base URL."""
    query = "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())
    return f"{page}?{query}" if query else page


def html_table(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], css_class: str = "pw-table", wrap: Sequence[str] = ()
) -> str:
    """A plain HTML table with every cell escaped (NULL shows as an em dash, a `Link` as a link).

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
    if isinstance(value, Link):
        return f'<a href="{html.escape(value.href)}" target="_self">{html.escape(value.text)}</a>'
    if isinstance(value, dt.datetime):
        return html.escape(value.isoformat(sep=" ", timespec="seconds"))
    return html.escape(str(value))


def unique_labels(labels: dict[str, str]) -> dict[str, str]:
    """Make picker labels distinct (Streamlit tells options apart by their label): repeats get their id."""
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {key: label if seen[label] == 1 else f"{label} · {key}" for key, label in labels.items()}


def picker(title: str, labels: dict[str, str], param: str) -> str:
    """A select box over `labels` (key -> label, made unique) that follows and sets the URL's `param`.

    It opens on the key the URL names when it is among the options (a link from another page), else on the
    first, and writes the choice back, so the page can be bookmarked and linked.
    """
    labels = unique_labels(labels)
    options = list(labels)
    wanted = st.query_params.get(param)
    chosen = st.selectbox(
        title, options, index=options.index(wanted) if wanted in options else 0, format_func=labels.__getitem__
    )
    if chosen != wanted:
        st.query_params[param] = chosen
    return chosen


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
        """Answer a query from `queries`; the same question on the same data version is cached."""
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


def day_filter(source: Source, where: DeltaGenerator) -> tuple[dt.date | None, dt.date | None]:
    """Draw the day range picker in `where`; return its bounds, None where it does not narrow the data."""
    bounds = source.fetch(queries.day_bounds)
    if bounds is None:
        return None, None
    # No key: when a run adds a day, the widget is new and its default range covers the new day too.
    days = where.date_input("Days", value=bounds, min_value=bounds[0], max_value=bounds[1])
    # While a range is being picked the widget holds only its first day.
    picked = tuple(days) if isinstance(days, tuple | list) else (days,)
    # A bound at the edge of the data filters nothing: leave it out, which spares the queries a join.
    start = picked[0] if picked and picked[0] > bounds[0] else None
    end = picked[1] if len(picked) > 1 and picked[1] < bounds[1] else None
    return start, end


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
    """Articles per day (its other columns in the tooltip): bars over a few weeks, else a line.

    A line through one or two days says nothing.
    """
    base = alt.Chart(chart_data(trend)).encode(
        x=day_axis(trend.num_rows),
        y=alt.Y("articles:Q", title="articles", axis=alt.Axis(tickMinStep=1)),
        tooltip=["day:N", *(f"{name}:Q" for name in trend.column_names if name != "day")],
    )
    chart = base.mark_bar() if trend.num_rows <= FEW_DAYS else base.mark_line(point=True)
    return chart.properties(height=260)


def show_chart(chart: alt.Chart) -> None:
    st.altair_chart(chart, width="stretch")
