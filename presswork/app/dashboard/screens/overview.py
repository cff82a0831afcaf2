"""The Overview page: what the warehouse holds, how it grows, what was rejected, and the last runs."""

from __future__ import annotations

import altair as alt
import streamlit as st

from presswork.app.dashboard import queries
from presswork.app.dashboard.widgets import DAY_NOTE, Source, bar_chart, chart_data, day_axis, show_chart


def overview_page(source: Source) -> None:
    """What the warehouse holds, how it grows, what was rejected, and the last runs."""
    st.title("Overview")
    totals = source.fetch(queries.totals)
    columns = st.columns(7)
    columns[0].metric("Articles", f"{totals.articles:,}")
    columns[1].metric("Sources", f"{totals.sources:,}")
    columns[2].metric("Stories", f"{totals.stories:,}")
    columns[3].metric("Entities", f"{totals.entities:,}")
    columns[4].metric("Mentions", f"{totals.mentions:,}")
    columns[5].metric("Boilerplate removed", f"{totals.boilerplate_spans:,}")
    columns[6].metric("Rejected inputs", f"{totals.rejects:,}")

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
