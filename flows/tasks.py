"""Thin Prefect task wrappers around the pure stage functions. Each task run handles a whole batch.

`cache_policy=NONE`: hashing hundreds of documents for a cache key costs more than it saves, and the warehouse
(not Prefect's cache) is what makes reruns incremental. Retries only on discovery, the one step that lists
folders that may sit on a network share; every other step is local and deterministic, and an input that cannot
be read is a reject, not a transient failure. Stage tasks return how long they took, so the summary can say
where the time went even when batches run in parallel.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from flows import articles, corpus, discover, entities, inputs, pipeline, resolve, views, warehouse
from flows.decode import ReadLimits
from flows.parquet import SCHEMAS, to_table, write_table
from flows.records import CleanedBatch, FoundEntities, InputFile, RawDocument, Reject, SourceFile


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
    return warehouse.source_stats(layout, replaced_uris)


@task(name="decode", cache_policy=NONE)
def decode_task(batch: list[SourceFile], limits: ReadLimits) -> inputs.DecodedBatch:
    """Read and decode a batch of input files into documents."""
    started = time.perf_counter()
    decoded = inputs.decode_batch(batch, limits)
    return replace(decoded, seconds=time.perf_counter() - started)


@task(name="clean", cache_policy=NONE)
def clean_task(
    documents: list[RawDocument], options: articles.ArticleOptions, known: corpus.SourceStats
) -> CleanedBatch:
    """Extract (HTML) and clean a batch of documents."""
    started = time.perf_counter()
    cleaned = articles.build_articles(documents, options, known)
    return replace(cleaned, seconds=time.perf_counter() - started)


@task(name="entities", cache_policy=NONE)
def entities_task(batch: CleanedBatch, model: str) -> FoundEntities:
    """Find named entities and defined acronyms in a batch of articles."""
    started = time.perf_counter()
    found = entities.extract_entities_parallel(model, batch.articles)
    return replace(found, seconds=time.perf_counter() - started)


@task(name="write", cache_policy=NONE)
def write_task(
    layout: warehouse.Layout,
    key: str,
    documents: list[RawDocument],
    cleaned: CleanedBatch,
    found: FoundEntities,
    rejects: list[Reject],
    input_files: list[InputFile],
    run_id: str,
    ingested_at: datetime,
) -> pipeline.WrittenBatch:
    """Write a batch's Parquet files (not yet visible to readers)."""
    started = time.perf_counter()
    files = pipeline.write_batch(layout, key, documents, cleaned, found, rejects, input_files, run_id, ingested_at)
    return pipeline.WrittenBatch(files, time.perf_counter() - started)


@task(name="publish", cache_policy=NONE)
def publish_task(
    layout: warehouse.Layout, files: dict[str, list[Path]], replaced_uris: set[str], run: dict[str, object]
) -> str:
    """Commit the run's files and its `runs` row as one snapshot, refresh the views if their SQL changed."""
    run_id = str(run["run_id"])
    run_file = write_table(to_table([run], SCHEMAS["runs"]), layout.data_file("runs", run_id))
    derive = partial(resolve.derive_entity_names, layout)
    snapshot = warehouse.commit(layout, {**files, "runs": [run_file]}, replaced_uris, run_id, derive)
    views.publish_views(layout)
    warehouse.collect_garbage(layout)
    return snapshot
