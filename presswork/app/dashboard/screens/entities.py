"""The Entities page: the top entities among the selected labels and days, then one entity in detail."""

from __future__ import annotations

import html

import streamlit as st

from presswork.app.dashboard import queries
from presswork.app.dashboard.queries import EntityFilter
from presswork.app.dashboard.widgets import (
    DAY_NOTE,
    Source,
    bar_chart,
    day_filter,
    label_chip,
    link_list,
    page_href,
    picker,
    show_chart,
    trend_chart,
)


def _entity_filter(source: Source) -> EntityFilter:
    """Draw the label and day filters; return what they select."""
    labels = source.fetch(queries.entity_labels)
    left, right = st.columns([3, 2])
    chosen = left.multiselect("Labels", labels, placeholder="All labels", key="labels")
    start, end = day_filter(source, right)
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
    labels = {key: f"{row['name']} ({row['label']}), {row['articles']} articles" for key, row in names.items()}
    entity_detail(source, picker("Entity", labels, "entity"), selection)


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

    entity_stories(source, entity_id, selection)
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


def entity_stories(source: Source, entity_id: str, selection: EntityFilter) -> None:
    """The stories whose articles mention the entity, each linked to the Stories page."""
    st.subheader("Stories")
    found = source.fetch(queries.entity_stories, entity_id, selection, 20)
    if not found.num_rows:
        st.info("No story in the selected days has an article that mentions it.")
        return
    links = link_list(
        [
            (
                page_href("stories", story=row["story_id"]),
                row["headline"],
                f"{row['articles']} of its {row['article_count']} articles mention it · first seen "
                f"{row['first_seen']:%Y-%m-%d}",
            )
            for row in found.to_pylist()
        ]
    )
    st.html(f'<div class="pw-entity-stories">{links}</div>')
