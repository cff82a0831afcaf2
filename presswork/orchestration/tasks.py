"""Thin Prefect task wrappers around the pure stage functions. Each task run handles a whole batch.

`cache_policy=NONE`: hashing hundreds of documents for a cache key costs more than it saves, and the warehouse
(not Prefect's cache) is what makes reruns incremental. Retries only on discovery, the one step that lists
folders that may sit on a network share; every other step is local and deterministic, and an input that cannot
be read is a reject, not a transient failure. Stage tasks return how long they took, so the summary can say
where the time went even when batches run in parallel.

Documents, articles and mentions travel between tasks inside a `Payload`. Prefect looks for futures inside every
list, dict and dataclass passed to a task, and rebuilds each one it visits: with thousands of records a batch
that walk took about a quarter of the main process's time (py-spy, N=500). A Payload is an ordinary object, so
Prefect passes it as it is, under every task runner (thread, process, Dask), and the task opens it.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Generic, TypeVar

from prefect import task
from prefect.cache_policies import NONE

from presswork.clean import articles, corpus
from presswork.entities import ner as entities
from presswork.entities import resolve
from presswork.faults import Faults
from presswork.ingest import discover, inputs
from presswork.ingest.decode import ReadLimits
from presswork.orchestration import batches as pipeline
from presswork.records import CleanedBatch, FoundEntities, InputFile, RawDocument, Reject, SourceFile
from presswork.storage import views, warehouse
from presswork.stories import grouping
from presswork.stories.clustering import StoryState
from presswork.workers import submit

T = TypeVar("T")


class Payload(Generic[T]):
    """A value handed to or returned by a task that Prefect must not look inside (see the module docstring)."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Payload({type(self.value).__name__})"


@task(name="discover", cache_policy=NONE, retries=2, retry_delay_seconds=5)
def discover_task(paths: list[str]) -> list[SourceFile]:
    """Find the input files and fingerprint them."""
    return discover.discover_inputs(paths)


@task(name="plan", cache_policy=NONE)
def plan_task(layout: warehouse.Layout, sources: list[SourceFile], reprocess: bool) -> pipeline.Plan:
    """Skip inputs the warehouse already holds in their current content."""
    return pipeline.plan_inputs(sources, warehouse.known_inputs(layout), reprocess)


@task(name="known-content", cache_policy=NONE)
def known_content_task(layout: warehouse.Layout, replaced_uris: set[str]) -> dict[str, str]:
    """Content hashes of the articles the warehouse keeps, for duplicate detection."""
    return warehouse.article_hashes(layout, replaced_uris)


@task(name="source-statistics", cache_policy=NONE)
def source_stats_task(layout: warehouse.Layout, replaced_uris: set[str]) -> corpus.SourceStats:
    """Per-source line counts of the warehouse, for repeated-line boilerplate."""
    counts = warehouse.source_line_counts(layout, replaced_uris)
    return corpus.SourceStats(Counter(counts.documents), Counter(counts.lines))


@task(name="decode", cache_policy=NONE)
def decode_task(batch: Payload[list[SourceFile]], limits: ReadLimits, faults: Faults) -> Payload[inputs.DecodedBatch]:
    """Read and decode a batch of input files into documents."""
    started = time.perf_counter()
    decoded = inputs.decode_batch(batch.value, limits, faults)
    return Payload(replace(decoded, seconds=time.perf_counter() - started))


@task(name="clean", cache_policy=NONE)
def clean_task(
    documents: Payload[list[RawDocument]], options: articles.ArticleOptions, known: Payload[corpus.SourceStats]
) -> Payload[CleanedBatch]:
    """Extract (HTML) and clean a batch of documents."""
    started = time.perf_counter()
    cleaned = articles.build_articles(documents.value, options, known.value)
    return Payload(replace(cleaned, seconds=time.perf_counter() - started))


@task(name="entities", cache_policy=NONE)
def entities_task(batch: Payload[CleanedBatch], model: str, faults: Faults) -> Payload[FoundEntities]:
    """Find named entities and defined acronyms in a batch of articles; articles NER fails on become rejects."""
    started = time.perf_counter()
    found = entities.extract_entities_parallel(model, batch.value.articles, faults=faults)
    return Payload(replace(found, seconds=time.perf_counter() - started))


@task(name="story-features", cache_policy=NONE)
def story_features_task(
    cleaned: Payload[CleanedBatch], found: Payload[FoundEntities], ingested_at: datetime
) -> Payload[list[grouping.StoryInput]]:
    """Reduce a batch's articles to what story grouping needs: features and reprint signatures."""
    articles = pipeline.without_failed(cleaned.value, found.value).articles
    return Payload(grouping.prepare_in_workers(articles, found.value.mentions, ingested_at))


@task(name="compact", cache_policy=NONE)
def compact_task(layout: warehouse.Layout, files: dict[str, list[Path]]) -> pipeline.WrittenBatch:
    """Merge the run's small batch files before the commit (submitted, to run while the story step works)."""
    started = time.perf_counter()
    return pipeline.WrittenBatch(warehouse.compact_new_files(layout, files), time.perf_counter() - started)


@task(name="stories", cache_policy=NONE)
def stories_task(
    layout: warehouse.Layout,
    inputs: Payload[list[grouping.StoryInput]],
    replaced_uris: set[str],
    rebuild: bool,
    reprint_window_days: float,
    run_id: str,
    ingested_at: datetime,
) -> pipeline.GroupedBatch:
    """Load the story state, link reprints and assign stories to the run's articles, write the rows and state.

    Run in the flow's own process (called, not submitted): it must see the articles in order, one after another.
    With `rebuild` (the run reprocesses every input the warehouse holds) the clustering starts from nothing, so
    the rebuilt stories do not count the same articles twice. A run that reprocesses some inputs only starts
    from the stored state, as for changed inputs: the other inputs' open stories stay open to later articles.
    """
    started = time.perf_counter()
    if not inputs.value:
        return pipeline.GroupedBatch({}, 0, 0, 0, time.perf_counter() - started)
    stories = [] if rebuild else warehouse.state_rows(layout, "story_state")
    vocabulary = [] if rebuild else warehouse.state_rows(layout, "story_vocabulary")
    state = StoryState.from_rows(stories, vocabulary)
    # Reprints of older articles are looked for among those of the last `reprint_window_days` of the stream.
    clock = max((row["last_seen"] for row in stories), default=None)
    since = clock - timedelta(days=reprint_window_days) if clock is not None else None
    ordered = grouping.in_time_order(inputs.value)
    # Reprints are linked in a worker process while this one assigns stories (both take seconds at N = 5,000,
    # and the other core would idle); the links are needed only when the assignment splits stories.
    linking = submit(
        pipeline.link_reprints, pipeline.ReprintJob(layout, since, replaced_uris, grouping.reprint_queries(ordered))
    )
    grouped = grouping.assign_stories(ordered, state, linking.result)
    constants = {"run_id": run_id, "ingested_at": ingested_at}
    files: dict[str, list[Path]] = {}
    for table, rows in (
        ("story_articles", grouped.story_articles),
        ("near_duplicates", grouped.near_duplicates),
        ("article_signatures", grouped.signatures),
    ):
        if rows:
            files[table] = [warehouse.write_rows(layout, table, run_id, rows, constants)]
    files["story_state"] = [warehouse.write_rows(layout, "story_state", run_id, state.story_rows())]
    files["story_vocabulary"] = [warehouse.write_rows(layout, "story_vocabulary", run_id, state.vocabulary_rows())]
    return pipeline.GroupedBatch(
        files, grouped.new_stories, grouped.joined_stories, len(grouped.near_duplicates), time.perf_counter() - started
    )


@task(name="write", cache_policy=NONE)
def write_task(
    layout: warehouse.Layout,
    key: str,
    documents: Payload[list[RawDocument]],
    cleaned: Payload[CleanedBatch],
    found: Payload[FoundEntities],
    rejects: Payload[list[Reject]],
    input_files: Payload[list[InputFile]],
    run_id: str,
    ingested_at: datetime,
) -> pipeline.WrittenBatch:
    """Write a batch's Parquet files (not yet visible to readers)."""
    started = time.perf_counter()
    files = pipeline.write_batch(
        layout,
        key,
        documents.value,
        cleaned.value,
        found.value,
        rejects.value,
        input_files.value,
        run_id,
        ingested_at,
    )
    return pipeline.WrittenBatch(files, time.perf_counter() - started)


@task(name="publish", cache_policy=NONE)
def publish_task(
    layout: warehouse.Layout, files: dict[str, list[Path]], replaced_uris: set[str], run: dict[str, object]
) -> pipeline.Published:
    """Commit the run's files and its `runs` row as one snapshot, refresh the views if their SQL changed.

    Timed in four parts: `compact` (merging small data files, `presswork/storage/compaction.py`), `resolve` (entity
    resolution over the whole snapshot, which grows with the number of distinct names), `publish` (the commit
    proper: what makes the run visible) and `cleanup` (deleting old snapshots and unreferenced files, after it).
    """
    started = time.perf_counter()
    run_id = str(run["run_id"])
    run_file = warehouse.write_rows(layout, "runs", run_id, [run])
    resolving: list[float] = []

    def derive(tables: dict[str, list[Path]], snapshot_id: str) -> dict[str, list[Path]]:
        """Resolve every name of the snapshot-to-be into entities and write its `entity_names` file."""
        clock = time.perf_counter()
        stats = resolve.name_stats(warehouse.name_votes(tables["entity_mentions"]))
        resolved = resolve.resolve_names(stats, warehouse.acronym_definitions(tables["acronyms"]))
        path = warehouse.write_rows(layout, "entity_names", snapshot_id, resolve.entity_name_rows(resolved))
        resolving.append(time.perf_counter() - clock)
        return {"entity_names": [path]}

    timed: dict[str, float] = {"compact": 0.0}
    snapshot = warehouse.commit(layout, {**files, "runs": [run_file]}, replaced_uris, run_id, derive, timed)
    views.publish_views(layout)
    committed = time.perf_counter()
    warehouse.collect_garbage(layout)
    resolve_s = sum(resolving)
    return pipeline.Published(
        snapshot,
        {
            "compact": timed["compact"],
            "resolve": resolve_s,
            "publish": committed - started - resolve_s - timed["compact"],
            "cleanup": time.perf_counter() - committed,
        },
    )
