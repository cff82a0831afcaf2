"""The Search page: articles that contain every word typed, in title or body, with the words highlighted."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import streamlit as st

from presswork.app.dashboard import queries
from presswork.app.dashboard.queries import SearchHit
from presswork.app.dashboard.widgets import Source, page_href


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
