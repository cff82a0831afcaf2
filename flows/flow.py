"""The presswork Prefect flow: discover -> decode -> clean -> entities -> write Parquet -> publish views."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows import __version__
from flows.articles import ArticleOptions
from flows.clean import CLEANER_VERSION
from flows.corpus import stats_from_lines
from flows.decode import ReadLimits
from flows.pipeline import Progress, RunSummary, batch_key, chunk, merge_files, progress_stream
from flows.settings import RunSettings
from flows.tasks import (
    clean_task,
    decode_task,
    deduplicate_task,
    discover_task,
    entities_task,
    known_content_task,
    plan_task,
    publish_task,
    source_stats_task,
    write_task,
)
from flows.warehouse import Layout, WarehouseBusy, open_layout, run_lock


def _run_id() -> str:
    return str(flow_run.get_id() or uuid.uuid4())


@flow(name="presswork", log_prints=False)
def presswork(settings: RunSettings) -> RunSummary:
    """Ingest the inputs into the warehouse and publish the views.

    When another run holds the warehouse (past `lock_wait_seconds`), nothing is done and the summary's status
    is "busy": two schedules firing together is expected, not a failure.
    """
    layout = open_layout(settings.warehouse)
    summary = RunSummary(run_id=_run_id(), warehouse=str(layout.root))
    try:
        with run_lock(layout, settings.lock_wait_seconds):
            return _ingest(settings, layout, summary)
    except WarehouseBusy as exc:
        get_run_logger().warning("skipped: %s", exc)
        summary.status, summary.message = "busy", str(exc)
        return summary


def _ingest(settings: RunSettings, layout: Layout, summary: RunSummary) -> RunSummary:
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    run_id = summary.run_id
    limits = ReadLimits(settings.max_input_bytes, settings.max_container_bytes)
    options = ArticleOptions(min_words=settings.min_words, extraction_timeout_s=settings.extraction_timeout_s)
    clock = time.perf_counter()
    sources = discover_task(settings.inputs)
    plan = plan_task(layout, sources, settings.reprocess)
    seen = known_content_task(layout, plan.replaced_uris)
    source_stats = source_stats_task(layout, plan.replaced_uris)
    summary.add_time("discover", time.perf_counter() - clock)
    summary.inputs, summary.processed, summary.unchanged = len(sources), len(plan.todo), plan.unchanged

    files: dict[str, list[Path]] = {}
    entity_names: set[str] = set()
    progress = Progress(len(plan.todo), progress_stream(settings.show_progress))
    for batch in chunk(plan.todo, settings.batch_size):
        clock = time.perf_counter()
        decoded = decode_task(batch, limits)
        documents, duplicates = deduplicate_task(decoded.documents, seen)
        seen.update((d.content_hash, d.source_uri) for d in documents)
        summary.add_time("decode", time.perf_counter() - clock)
        clock = time.perf_counter()
        cleaned = clean_task(documents, options, source_stats)
        source_stats.merge(stats_from_lines(cleaned.source_lines))
        summary.add_time("clean", time.perf_counter() - clock)
        clock = time.perf_counter()
        found = entities_task(cleaned, settings.spacy_model)
        summary.add_time("entities", time.perf_counter() - clock)
        clock = time.perf_counter()
        rejects = decoded.rejects + duplicates + cleaned.rejects
        key = batch_key([(s.uri, s.content_hash) for s in batch], CLEANER_VERSION)
        written = write_task(layout, key, documents, cleaned, found, rejects, decoded.inputs, run_id, started_at)
        merge_files(files, written)
        summary.add_time("write", time.perf_counter() - clock)
        summary.articles += len(cleaned.articles)
        summary.rejects.update(r.reason for r in rejects)
        summary.boilerplate += len(cleaned.boilerplate)
        summary.mentions += len(found.mentions)
        summary.skipped_records += sum(i.skipped_records for i in decoded.inputs)
        entity_names.update(m.name for m in found.mentions)
        progress.advance(len(batch))
    summary.entities = len(entity_names)

    clock = time.perf_counter()
    summary.duration_s = time.perf_counter() - started
    summary.snapshot = publish_task(layout, files, plan.replaced_uris, _run_row(summary, started_at))
    summary.add_time("publish", time.perf_counter() - clock)
    summary.duration_s = time.perf_counter() - started
    return summary


def _run_row(summary: RunSummary, started_at: datetime) -> dict[str, object]:
    return {
        "run_id": summary.run_id,
        "started_at": started_at,
        "finished_at": datetime.now(UTC),
        "status": "completed",
        "inputs": summary.inputs,
        "processed": summary.processed,
        "unchanged": summary.unchanged,
        "articles": summary.articles,
        "rejects": sum(summary.rejects.values()),
        "boilerplate": summary.boilerplate,
        "mentions": summary.mentions,
        "entities": summary.entities,
        "duration_s": summary.duration_s,
        "cleaner_version": CLEANER_VERSION,
        "presswork_version": __version__,
    }
