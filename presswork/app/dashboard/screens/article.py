"""The Article page: one article's cleaned text with its entities, the boilerplate removed from it, its metadata."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import streamlit as st

from presswork.app.dashboard import queries
from presswork.app.dashboard.queries import Mention, Removal
from presswork.app.dashboard.widgets import (
    Source,
    bar_chart,
    html_table,
    label_chip,
    label_colour,
    link_list,
    page_href,
    picker,
    show_chart,
)

PICK_LIMIT = 200  # articles offered in the Article page's picker; Search reaches the rest


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
    article_detail(source, picker(f"Article (the latest {PICK_LIMIT}; Search finds the rest)", titles, "article"))


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
    story = source.fetch(queries.article_story, article_id)
    if story is not None:
        st.html(story_links(story))

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


def story_links(story: queries.ArticleStory) -> str:
    """Links to the article's story and, for a reprint, to the article it copies."""
    links = []
    if story.story_id is not None:
        note = f"its story, {story.article_count} articles"
        links.append((page_href("stories", story=story.story_id), story.headline or "", note))
    if story.duplicate_of is not None:
        original = story.original_title or story.duplicate_of
        links.append((page_href("article", article=story.duplicate_of), original, "the original: this is a reprint"))
    return f'<div class="pw-article-story">{link_list(links, inline=True)}</div>'


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
