"""Thin Prefect task wrappers around the pure stage functions. Each task run handles a whole batch.

`cache_policy=NONE`: the stages are deterministic but cheap to rerun relative to hashing hundreds of documents
for a cache key, and the warehouse (not Prefect's cache) is what makes reruns incremental. No retries: every
step is local and deterministic; an input that cannot be read is a reject, not a transient failure.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from flows import articles, decode, discover, entities, pipeline, views, warehouse
from flows.parquet import SCHEMAS, to_table, write_table
from flows.records import CleanedBatch, Mention, RawDocument, Reject, SourceFile


@task(name="discover", cache_policy=NONE)
def discover_task(inputs: list[str]) -> tuple[list[SourceFile], list[Reject]]:
    """Find the input files."""
    return discover.discover_inputs(inputs)


@task(name="plan", cache_policy=NONE)
def plan_task(layout: warehouse.Layout, sources: list[SourceFile], reprocess: bool) -> pipeline.Plan:
    """Skip inputs the warehouse already holds in their current content."""
    return pipeline.plan_inputs(sources, warehouse.known_inputs(layout), reprocess)


@task(name="decode", cache_policy=NONE)
def decode_task(batch: list[SourceFile], max_bytes: int) -> tuple[list[RawDocument], list[Reject]]:
    """Read and decode a batch of inputs."""
    return decode.decode_batch(batch, max_bytes)


@task(name="clean", cache_policy=NONE)
def clean_task(documents: list[RawDocument], min_words: int) -> CleanedBatch:
    """Extract (HTML) and clean a batch of documents."""
    return articles.build_articles(documents, articles.ArticleOptions(min_words=min_words))


@task(name="entities", cache_policy=NONE)
def entities_task(batch: CleanedBatch, model: str) -> list[Mention]:
    """Find named entities in a batch of articles."""
    return entities.extract_mentions(entities.load_model(model), batch.articles)


@task(name="write", cache_policy=NONE)
def write_task(
    layout: warehouse.Layout,
    key: str,
    documents: list[RawDocument],
    cleaned: CleanedBatch,
    mentions: list[Mention],
    rejects: list[Reject],
    run_id: str,
    ingested_at: datetime,
) -> dict[str, list[Path]]:
    """Write a batch's Parquet files (not yet visible to readers)."""
    return pipeline.write_batch(layout, key, documents, cleaned, mentions, rejects, run_id, ingested_at)


@task(name="publish", cache_policy=NONE)
def publish_task(
    layout: warehouse.Layout, files: dict[str, list[Path]], replaced_uris: set[str], run: dict[str, object]
) -> str:
    """Commit the run's files and its `runs` row as one snapshot, refresh the views if their SQL changed."""
    run_id = str(run["run_id"])
    run_file = write_table(to_table([run], SCHEMAS["runs"]), layout.data_file("runs", run_id))
    snapshot = warehouse.commit(layout, {**files, "runs": [run_file]}, replaced_uris, run_id)
    views.publish_views(layout)
    warehouse.collect_garbage(layout)
    return snapshot
