"""One run's story step: link reprints to their earliest copy, then assign every article to a story.

The inputs are the run's new articles, reduced in the batch workers to what grouping needs (`StoryInput`: the
clustering features and the MinHash signature), so the step itself, which must see the articles one after
another, holds no bodies. The state it starts from (the open stories, the document frequencies, the signatures
of recent articles) is loaded by the caller from the warehouse and written back by it afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from presswork.records import Article, ArticleSignature, Mention, NearDuplicate, Record, StoryArticle
from presswork.stories import reprints
from presswork.stories.clustering import StoryState
from presswork.stories.features import MentionLike, MentionUse, StoryFeatures, story_features
from presswork.workers import default_workers, map_in_workers, split_evenly


@dataclass(frozen=True, slots=True)
class StoryInput(Record):
    """What grouping needs of one article, computed in the batch workers."""

    features: StoryFeatures
    source_uri: str
    signature: bytes


def prepare(articles: Sequence[Article], mentions: Sequence[MentionLike], ingested_at: datetime) -> list[StoryInput]:
    """Compute the features and the reprint signature of a batch's articles."""
    features = {f.article_id: f for f in story_features(articles, mentions, ingested_at)}
    return [
        StoryInput(features[article.article_id], article.source_uri, reprints.signature(article.body))
        for article in articles
    ]


def _prepare_part(part: tuple[list[Article], list[tuple[str, str, str, int]], datetime]) -> list[StoryInput]:
    articles, uses, ingested_at = part
    return prepare(articles, [MentionUse._make(use) for use in uses], ingested_at)


def prepare_in_workers(
    articles: Sequence[Article], mentions: Sequence[Mention], ingested_at: datetime, workers: int | None = None
) -> list[StoryInput]:
    """`prepare` in the worker processes, the batch split evenly: about 2 ms an article of pure Python that
    would otherwise hold the flow process's GIL while the other batches' tasks wait for it.

    Of each mention only what the features read travels, as a plain tuple: pickling the 535,915 whole mentions
    of the N = 5,000 throughput corpus and reading them back took about 8 s of CPU, the tuples under 1 s.
    """
    if not articles:
        return []
    by_article: dict[str, list[tuple[str, str, str, int]]] = defaultdict(list)
    for m in mentions:
        by_article[m.article_id].append((m.article_id, m.name, m.vote_label, m.start_char))
    parts = [
        (part, [use for a in part for use in by_article.get(a.article_id, ())], ingested_at)
        for part in split_evenly(articles, workers or default_workers())
        if part
    ]
    return [item for done in map_in_workers(_prepare_part, parts, workers) for item in done]


@dataclass(frozen=True, slots=True)
class Grouped:
    """The rows one run's grouping adds."""

    story_articles: list[StoryArticle]
    near_duplicates: list[NearDuplicate]
    signatures: list[ArticleSignature]
    new_stories: int
    joined_stories: int  # existing stories (open before the run) that gained articles


def in_time_order(inputs: Sequence[StoryInput]) -> list[StoryInput]:
    """The order the articles are seen in: by time, then by source, so any batching gives the same result."""
    return sorted(inputs, key=lambda item: (item.features.seen_at, item.source_uri, item.features.article_id))


class ReprintQuery(NamedTuple):
    """What linking an article to the copy it reprints reads of it."""

    article_id: str
    input_uri: str
    seen_at: datetime
    signature: bytes


def reprint_queries(ordered: Sequence[StoryInput]) -> list[ReprintQuery]:
    """What `link_reprints` needs of the articles, in their order: under a kilobyte each to send to a worker."""
    return [
        ReprintQuery(item.features.article_id, item.features.input_uri, item.features.seen_at, item.signature)
        for item in ordered
    ]


def link_reprints(ordered: Sequence[ReprintQuery], index: reprints.ReprintIndex) -> list[NearDuplicate]:
    """Link each article, in the given (time) order, to the earliest copy it reprints; `index` advances."""
    duplicates: list[NearDuplicate] = []
    for query in ordered:
        if query.article_id in index:
            # The same source_uri in two inputs (a URL in two JSONL files) is one article id: link it once.
            continue
        link = index.link(query.article_id, query.seen_at, query.signature)
        if link is not None:
            duplicates.append(NearDuplicate(link.article_id, query.input_uri, link.duplicate_of, link.similarity))
    return duplicates


def group(inputs: Sequence[StoryInput], state: StoryState, index: reprints.ReprintIndex) -> Grouped:
    """Link reprints and assign stories for the run's articles, in time order; `state` and `index` advance."""
    ordered = in_time_order(inputs)
    duplicates = link_reprints(reprint_queries(ordered), index)
    return assign_stories(ordered, state, lambda: duplicates)


def assign_stories(
    ordered: Sequence[StoryInput], state: StoryState, duplicates: Callable[[], list[NearDuplicate]]
) -> Grouped:
    """Assign stories to the run's articles, given in time order; `state` advances.

    `duplicates` returns the run's reprint links (`link_reprints` over the same articles). It is called once,
    when splitting first needs them, so a run can link the reprints in another process during the online pass.
    """
    links: list[NearDuplicate] | None = None

    def copies() -> dict[str, str]:
        nonlocal links
        links = duplicates()
        return {d.article_id: d.duplicate_of for d in links}

    assignments = state.assign([item.features for item in ordered], copies)  # calls `copies` once at most
    found = links if links is not None else duplicates()  # splitting did not ask for them: the rows need them
    rows = [
        StoryArticle(a.article_id, item.features.input_uri, a.story_id, a.similarity, item.features.seen_at)
        for item, a in zip(ordered, assignments, strict=True)
    ]
    signatures = [
        ArticleSignature(item.features.article_id, item.features.input_uri, item.features.seen_at, item.signature)
        for item in ordered
    ]
    started = {a.story_id for a in assignments if a.new_story}
    joined = {a.story_id for a in assignments if not a.new_story and a.story_id not in started}
    return Grouped(rows, found, signatures, len(started), len(joined))
