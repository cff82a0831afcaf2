"""The Stories page: the stories of the selected days, then one story's articles side by side."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import streamlit as st

from presswork.app.dashboard import queries
from presswork.app.dashboard.widgets import (
    DAY_NOTE,
    Link,
    Source,
    day_filter,
    html_table,
    link_list,
    page_href,
    picker,
    show_chart,
    trend_chart,
)

LIST_LIMIT = 50  # stories listed and offered in the picker: the biggest of the selected days


def stories_page(source: Source) -> None:
    """The biggest stories of the selected days, then one story (from the URL or the list) in detail."""
    st.title("Stories")
    start, end = day_filter(source, st.columns([2, 3])[0])
    st.caption(
        "A story is listed when its days, from its first article's to its last's, overlap the selected ones. "
        + DAY_NOTE
    )
    listed = source.fetch(queries.stories, start, end, LIST_LIMIT)
    rows = {row["story_id"]: row for row in listed.to_pylist()}
    wanted = st.query_params.get("story")
    if wanted and wanted not in rows:
        # Linked from another page (or a bookmark): the story may be outside the selected days or the list.
        found = source.fetch(queries.story, wanted)
        if found is None:
            st.warning("No story with that id; pick one below.")
        else:
            rows = {wanted: {"headline": found.headline, "articles": found.article_count}, **rows}
    if listed.num_rows:
        st.subheader("Stories by size")
        st.html(story_list(listed.to_pylist()))
    else:
        st.info("No story in the selected days.")
    if not rows:
        return

    st.divider()
    labels = {key: f"{row['headline']}, {row['articles']} articles" for key, row in rows.items()}
    story_detail(source, picker("Story", labels, "story"))


def story_list(stories: Sequence[dict[str, Any]]) -> str:
    """The listed stories as an HTML table, each headline a link to the story."""
    return html_table(
        ["headline", "sources", "articles", "sources (n)", "reprints", "first seen (UTC)", "last seen (UTC)"],
        [
            (
                Link(page_href("stories", story=row["story_id"]), row["headline"]),
                ", ".join(row["sources"]),
                row["articles"],
                row["source_count"],
                row["reprints"],
                row["first_seen"],
                row["last_seen"],
            )
            for row in stories
        ],
        css_class="pw-stories",
        wrap=["headline", "sources"],
    )


def story_detail(source: Source, story_id: str) -> None:
    """One story: its size, its articles side by side, its articles per day and its top entities."""
    story = source.fetch(queries.story, story_id)
    if story is None:
        st.warning("That story is not in the warehouse (any more).")
        return
    st.html(f'<h2 class="pw-story-headline" style="margin-bottom:0">{html.escape(story.headline)}</h2>')
    columns = st.columns(3)
    columns[0].metric("Articles", f"{story.article_count:,}")
    columns[1].metric("Sources", f"{story.source_count:,}")
    columns[2].metric("Reprints", f"{story.reprint_count:,}")
    # Not metrics: a metric cuts a date and time short in a column this wide.
    st.caption(f"Seen from {story.first_seen:%Y-%m-%d %H:%M} to {story.last_seen:%Y-%m-%d %H:%M} (UTC).")

    left, right = st.columns([3, 2])
    with left:
        st.subheader("Articles side by side")
        members = source.fetch(queries.story_articles, story_id)
        st.html(story_articles_table(members.to_pylist()))
        st.caption(
            "In the order they were seen, the article that started the story first among equal times. "
            "similarity: to the story when the article joined it (1 for the article that started it). "
            "reprint of: the earliest article whose body it nearly repeats."
        )
    with right:
        st.subheader("Timeline")
        timeline = source.fetch(queries.story_timeline, story_id)
        show_chart(trend_chart(timeline))
        st.caption("Articles of the story per day (UTC), reprints among them in the tooltip.")
        st.subheader("Top entities")
        entities = source.fetch(queries.story_entities, story_id, 10)
        if entities.num_rows:
            links = link_list(
                [
                    (page_href("entities", entity=row["entity_id"]), row["name"], f"{row['label']} · {row['articles']}")
                    for row in entities.to_pylist()
                ],
                inline=True,
            )
            st.html(f'<div class="pw-story-entities">{links}</div>')
            st.caption("The entities the most of its articles mention, with how many do.")
        else:
            st.info("No entity is mentioned in its articles.")


def story_articles_table(members: Sequence[dict[str, Any]]) -> str:
    """A story's articles as an HTML table: each linked to its page, a reprint to the article it copies."""
    return html_table(
        ["source", "title", "seen (UTC)", "similarity", "reprint of"],
        [
            (
                row["source_name"],
                Link(page_href("article", article=row["article_id"]), row["title"]),
                row["seen_at"],
                None if row["similarity"] is None else f"{row['similarity']:.2f}",
                _original(row),
            )
            for row in members
        ],
        css_class="pw-story-articles",
        wrap=["title", "reprint of"],
    )


def _original(row: dict[str, Any]) -> Link | None:
    if row["duplicate_of"] is None:
        return None
    # The original may have left the warehouse (its input removed) while the reprint stays: show its id then.
    text = f"{row['original_title'] or row['duplicate_of']} · {row['original_source'] or '(unknown)'}"
    return Link(page_href("article", article=row["duplicate_of"]), text)
