"""The presswork Prefect flow: discover -> decode -> clean -> entities -> write Parquet -> stories -> publish views."""

# No `from __future__ import annotations` here: Prefect builds the flow's parameter model from the real
# annotation objects when a deployment runs it.

import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import EntrypointType
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from presswork import __version__
from presswork.clean.articles import ArticleOptions
from presswork.clean.cleaner import CLEANER_VERSION
from presswork.faults import check_not_broken
from presswork.ingest.decode import ReadLimits
from presswork.ingest.inputs import DecodedBatch
from presswork.orchestration.batches import (
    Progress,
    RunSummary,
    WrittenBatch,
    batch_key,
    merge_files,
    progress_stream,
    split_duplicates,
    without_failed,
)
from presswork.orchestration.settings import RunSettings
from presswork.orchestration.tasks import (
    Payload,
    clean_task,
    compact_task,
    decode_task,
    discover_task,
    entities_task,
    known_content_task,
    plan_task,
    publish_task,
    source_stats_task,
    stories_task,
    story_features_task,
    write_task,
)
from presswork.records import CleanedBatch, FoundEntities, Reject
from presswork.storage.warehouse import Layout, WarehouseBusy, open_layout, run_lock
from presswork.stories.grouping import StoryInput
from presswork.workers import chunk, default_workers


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


@dataclass(slots=True)
class _InFlight:
    """A batch whose clean, entity and write tasks have been submitted."""

    size: int
    decoded: DecodedBatch
    duplicates: list[Reject]
    cleaned: PrefectFuture[Payload[CleanedBatch]]
    found: PrefectFuture[Payload[FoundEntities]]
    features: PrefectFuture[Payload[list[StoryInput]]]
    written: PrefectFuture[WrittenBatch]


def _ingest(settings: RunSettings, layout: Layout, summary: RunSummary) -> RunSummary:
    """Run the stages over the inputs in batches, up to `parallel_batches` at once, then commit."""
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    limits = ReadLimits(settings.max_input_bytes, settings.max_container_bytes)
    faults = settings.faults()
    options = ArticleOptions(
        min_words=settings.min_words, extraction_timeout_s=settings.extraction_timeout_s, faults=faults
    )
    clock = time.perf_counter()
    sources = discover_task(settings.inputs)
    plan = plan_task(layout, sources, settings.reprocess)
    seen = known_content_task(layout, plan.replaced_uris)
    # Every batch sees the warehouse's line counts plus its own, never another batch's of the same run, so the
    # result does not depend on which batch finishes first (thread, process and Dask runners agree).
    source_stats = source_stats_task(layout, plan.replaced_uris)
    summary.add_time("discover", time.perf_counter() - clock)
    summary.inputs, summary.processed, summary.unchanged = len(sources), len(plan.todo), plan.unchanged

    files: dict[str, list[Path]] = {}
    entity_names: set[str] = set()
    story_inputs: list[StoryInput] = []
    progress = Progress(len(plan.todo), progress_stream(settings.show_progress))
    batches = list(chunk(plan.todo, settings.batch_size))
    window = max(1, settings.parallel_batches)
    known_lines = Payload(source_stats)
    decoding = deque(decode_task.submit(Payload(batch), limits, faults) for batch in batches[:window])
    in_flight: deque[_InFlight] = deque()
    for index, batch in enumerate(batches):
        decoded = decoding.popleft().result().value
        if index + window < len(batches):
            decoding.append(decode_task.submit(Payload(batches[index + window]), limits, faults))
        # Duplicates are decided here, in input order, so the first copy is kept whatever the runner.
        documents, duplicates = split_duplicates(decoded.documents, seen)
        seen.update((d.content_hash, d.source_uri) for d in documents)
        kept, rejects, inputs = Payload(documents), Payload(decoded.rejects + duplicates), Payload(decoded.inputs)
        cleaned = clean_task.submit(kept, options, known_lines)
        found = entities_task.submit(cleaned, settings.spacy_model, faults)
        features = story_features_task.submit(cleaned, found, started_at)
        key = batch_key([(s.uri, s.content_hash) for s in batch], CLEANER_VERSION)
        written = write_task.submit(layout, key, kept, cleaned, found, rejects, inputs, summary.run_id, started_at)
        in_flight.append(_InFlight(len(batch), decoded, duplicates, cleaned, found, features, written))
        while len(in_flight) > window or (in_flight and index == len(batches) - 1):
            _collect(in_flight.popleft(), summary, files, entity_names, story_inputs, progress)
    summary.entities = len(entity_names)

    # The batch files are merged in the task runner while the story step works in this process.
    compacted = compact_task.submit(layout, files)
    grouped = stories_task(
        layout,
        Payload(story_inputs),
        plan.replaced_uris,
        plan.rebuild_stories,
        settings.reprint_window_days,
        summary.run_id,
        started_at,
    )
    merged = compacted.result()
    files = merged.files
    merge_files(files, grouped.files)
    summary.new_stories, summary.joined_stories, summary.reprints = (
        grouped.new_stories,
        grouped.joined_stories,
        grouped.reprints,
    )
    summary.add_time("stories", grouped.seconds)
    summary.add_time("compact", merged.seconds)

    summary.duration_s = time.perf_counter() - started
    published = publish_task(layout, files, plan.replaced_uris, _run_row(summary, started_at))
    summary.snapshot = published.snapshot
    for stage, seconds in published.seconds.items():
        summary.add_time(stage, seconds)
    summary.duration_s = time.perf_counter() - started
    create_markdown_artifact(key="presswork-run", markdown=summary.markdown(), description="presswork run summary")
    return summary


def _collect(
    work: _InFlight,
    summary: RunSummary,
    files: dict[str, list[Path]],
    entity_names: set[str],
    story_inputs: list[StoryInput],
    progress: Progress,
) -> None:
    """Wait for a batch's tasks and add what they did to the summary."""
    found, written = work.found.result().value, work.written.result()
    story_inputs.extend(work.features.result().value)
    cleaned = without_failed(work.cleaned.result().value, found)  # as `write_batch` wrote it
    merge_files(files, written.files)
    for stage, seconds in (
        ("decode", work.decoded.seconds),
        ("clean", cleaned.seconds),
        ("entities", found.seconds),
        ("write", written.seconds),
    ):
        summary.add_time(stage, seconds)
    rejects = [*work.decoded.rejects, *work.duplicates, *cleaned.rejects]
    # Before anything of the batch is counted, let alone committed: a stage broken for every document fails the run.
    check_not_broken(["article"] * len(cleaned.articles) + [r.reason for r in rejects], [r.detail for r in rejects])
    summary.articles += len(cleaned.articles)
    summary.rejects.update(r.reason for r in rejects)
    summary.boilerplate += len(cleaned.boilerplate)
    summary.mentions += len(found.mentions)
    summary.skipped_records += sum(i.skipped_records for i in work.decoded.inputs)
    entity_names.update(m.name for m in found.mentions)
    progress.advance(work.size)


def task_runner_for(settings: RunSettings) -> TaskRunner:
    """The Prefect task runner the settings ask for."""
    if settings.runner == "dask":
        import dask
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        # Non-daemonic workers may start the extraction worker processes that enforce the per-page time limit.
        dask.config.set({"distributed.worker.daemon": False})
        # A local cluster: one single-threaded worker process per core; no Dask dashboard (needs bokeh).
        cluster = {
            "n_workers": default_workers(),
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
        }
        return DaskTaskRunner(cluster_kwargs=cluster)
    if settings.runner == "process":
        return ProcessPoolTaskRunner(max_workers=settings.parallel_batches)
    return ThreadPoolTaskRunner(max_workers=settings.parallel_batches * 3)


def run_presswork(settings: RunSettings) -> RunSummary:
    """Run the flow once with the task runner the settings name."""
    return presswork.with_options(task_runner=task_runner_for(settings))(settings)


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
        "rejects_by_reason": dict(summary.rejects),
        "stage_seconds": {stage: round(seconds, 3) for stage, seconds in summary.stage_seconds.items()},
        "cleaner_version": CLEANER_VERSION,
        "presswork_version": __version__,
    }


DEPLOYMENT_NAME = "presswork-scheduled"


def serve_presswork(settings: RunSettings, cron: str | None = None, interval: float | None = None) -> None:
    """Register the scheduled deployment on the Prefect API and run its flow runs until interrupted.

    At most one run at a time: a run scheduled while another is still going is cancelled (the next tick comes
    soon, and the warehouse lock would make it wait anyway).
    """
    presswork.serve(
        name=DEPLOYMENT_NAME,
        cron=cron,
        interval=interval,
        parameters={"settings": settings.model_dump()},
        global_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
        description="presswork: ingest the configured inputs into the warehouse",
        tags=["presswork"],
        pause_on_shutdown=False,
        # Runs import this module from the installed package, whatever directory `serve` was started in.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
