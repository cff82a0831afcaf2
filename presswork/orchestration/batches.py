"""Batch-level steps of a run that are not a stage of their own: planning, batching, writing, summaries."""

from __future__ import annotations

import hashlib
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

from presswork.records import CleanedBatch, FoundEntities, InputFile, NearDuplicate, RawDocument, Reject, SourceFile
from presswork.storage import warehouse
from presswork.storage.warehouse import Layout, write_rows
from presswork.stories import grouping, reprints


@dataclass(frozen=True, slots=True)
class Plan:
    """Which discovered inputs this run processes."""

    todo: list[SourceFile]
    unchanged: int
    replaced_uris: set[str]  # inputs already in the warehouse whose rows this run replaces
    # The run processes again every input the warehouse holds (`--reprocess` over all of them): story clustering
    # starts from nothing. A run that reprocesses some inputs only keeps the others' open stories and document
    # frequencies, and assigns the reprocessed articles again as it does a changed input's.
    rebuild_stories: bool = False


def plan_inputs(sources: list[SourceFile], known: dict[str, str], reprocess: bool) -> Plan:
    """Pick the inputs that are new or changed (all of them with `reprocess`)."""
    todo = [s for s in sources if reprocess or known.get(s.uri) != s.content_hash]
    replaced = {s.uri for s in todo if s.uri in known}
    rebuild = reprocess and replaced == set(known)
    return Plan(todo=todo, unchanged=len(sources) - len(todo), replaced_uris=replaced, rebuild_stories=rebuild)


def split_duplicates(documents: list[RawDocument], seen: dict[str, str]) -> tuple[list[RawDocument], list[Reject]]:
    """Keep the first document of each content hash; later ones become `duplicate_content` rejects.

    `seen` maps content hashes already kept (in the warehouse or earlier batches) to their source_uri.
    """
    kept: list[RawDocument] = []
    duplicates: list[Reject] = []
    first: dict[str, str] = {}
    for document in documents:
        original = seen.get(document.content_hash) or first.get(document.content_hash)
        if original is not None and original != document.source_uri:
            detail = f"same content as {original}"
            duplicates.append(
                Reject(document.source_uri, document.input_uri, document.content_hash, "duplicate_content", detail)
            )
            continue
        first.setdefault(document.content_hash, document.source_uri)
        kept.append(document)
    return kept, duplicates


def batch_key(uris_and_hashes: Sequence[tuple[str, str]], version: str) -> str:
    """Name a batch's files after what they contain, so a rerun of the same work writes the same names."""
    digest = hashlib.sha256(version.encode())
    for uri, content_hash in sorted(uris_and_hashes):
        digest.update(f"\x1e{uri}\x1f{content_hash}".encode())
    return digest.hexdigest()[:20]


def without_failed(cleaned: CleanedBatch, found: FoundEntities) -> CleanedBatch:
    """Drop the articles the entity stage failed on, with their boilerplate, and add that stage's rejects.

    Their `source_lines` stay, as those of documents rejected as too short do: they are corpus statistics.
    """
    if not found.rejects:
        return cleaned
    failed = {(reject.source_uri, reject.content_hash) for reject in found.rejects}
    articles = [a for a in cleaned.articles if (a.source_uri, a.content_hash) not in failed]
    kept = {a.article_id for a in articles}
    return CleanedBatch(
        articles=articles,
        boilerplate=[b for b in cleaned.boilerplate if b.article_id in kept],
        rejects=[*cleaned.rejects, *found.rejects],
        source_lines=cleaned.source_lines,
        seconds=cleaned.seconds,
    )


def write_batch(
    layout: Layout,
    key: str,
    documents: list[RawDocument],
    cleaned: CleanedBatch,
    found: FoundEntities,
    rejects: list[Reject],
    inputs: list[InputFile],
    run_id: str,
    ingested_at: datetime,
) -> dict[str, list[Path]]:
    """Write one batch's rows, one file per non-empty table; return the files by table.

    `rejects` are those found before cleaning (decoding, duplicates); the cleaner's own are in `cleaned`, the
    entity stage's in `found`.
    """
    cleaned = without_failed(cleaned, found)
    constants = {"run_id": run_id, "ingested_at": ingested_at}
    rows: dict[str, list[object]] = {
        "raw_documents": list(documents),
        "articles": list(cleaned.articles),
        "boilerplate": list(cleaned.boilerplate),
        "entity_mentions": list(found.mentions),
        "acronyms": list(found.acronyms),
        "rejects": [*rejects, *cleaned.rejects],
        "source_lines": list(cleaned.source_lines),
        "inputs": list(inputs),
    }
    written: dict[str, list[Path]] = {}
    for table, records in rows.items():
        if records:
            written[table] = [write_rows(layout, table, key, records, constants)]
    return written


@dataclass(frozen=True, slots=True)
class ReprintJob:
    """Link a run's articles, in time order, to the copies they reprint, among the stored articles seen since
    `since` (all when None) and the run's own."""

    layout: Layout
    since: datetime | None
    replaced_uris: set[str]  # inputs the run processes again: their stored signatures are left out
    queries: list[grouping.ReprintQuery]


def link_reprints(job: ReprintJob) -> list[NearDuplicate]:
    """Run `job` (in a worker process while the flow's process assigns stories: neither needs the other's
    result until splitting)."""
    index = reprints.ReprintIndex()
    for stored in warehouse.signatures_since(job.layout, job.since, job.replaced_uris):
        index.add(stored.article_id, stored.seen_at, stored.signature, stored.duplicate_of)
    return grouping.link_reprints(job.queries, index)


@dataclass(frozen=True, slots=True)
class WrittenBatch:
    """The files a step wrote (a batch's, or the run's after merging), by table, and how long it took."""

    files: dict[str, list[Path]]
    seconds: float


@dataclass(frozen=True, slots=True)
class GroupedBatch:
    """What the story step wrote and found."""

    files: dict[str, list[Path]]
    new_stories: int
    joined_stories: int  # stories of earlier runs that gained articles
    reprints: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Published:
    snapshot: str
    seconds: dict[str, float]  # compact, resolve, publish, cleanup


def merge_files(into: dict[str, list[Path]], more: dict[str, list[Path]]) -> None:
    """Add `more`'s files to `into`, table by table."""
    for table, paths in more.items():
        into.setdefault(table, []).extend(paths)


@dataclass(slots=True)
class RunSummary:
    """What a run did, for the terminal, the `runs` table and Prefect artifacts."""

    run_id: str
    warehouse: str
    status: str = "completed"  # or "busy": another run held the warehouse and this one did nothing
    message: str = ""
    inputs: int = 0
    processed: int = 0
    unchanged: int = 0
    articles: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    boilerplate: int = 0
    mentions: int = 0
    entities: int = 0  # distinct entity names in this run's articles
    new_stories: int = 0
    joined_stories: int = 0  # stories of earlier runs that gained articles
    reprints: int = 0  # articles linked to an earlier copy as near-duplicates
    skipped_records: int = 0  # WARC records that are not HTML responses
    snapshot: str | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    duration_s: float = 0.0

    def add_time(self, stage: str, seconds: float) -> None:
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds

    def markdown(self) -> str:
        """Return the summary as a Markdown table (the Prefect artifact of the run)."""
        rows = [
            ("inputs seen", self.inputs),
            ("new or changed", self.processed),
            ("unchanged (skipped)", self.unchanged),
            ("articles written", self.articles),
            *((f"rejected: {reason}", count) for reason, count in sorted(self.rejects.items())),
            ("boilerplate spans removed", self.boilerplate),
            ("entity mentions", self.mentions),
            ("distinct entity names", self.entities),
            ("new stories", self.new_stories),
            ("earlier stories joined", self.joined_stories),
            ("reprints (near-duplicates)", self.reprints),
            *((f"seconds in {stage}", f"{seconds:.2f}") for stage, seconds in self.stage_seconds.items()),
            ("seconds in total", f"{self.duration_s:.2f}"),
            ("snapshot", self.snapshot or "-"),
        ]
        lines = [f"### presswork run `{self.run_id}`", "", "| | |", "| --- | ---: |"]
        lines.extend(f"| {name} | {value} |" for name, value in rows)
        return "\n".join(lines)

    def render(self) -> str:
        """Return the short summary printed at the end of a run."""
        rejected = sum(self.rejects.values())
        reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(self.rejects.items()))
        stages = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in self.stage_seconds.items())
        lines = [
            f"presswork run {self.run_id}",
            f"  warehouse        {self.warehouse}",
            f"  inputs seen      {self.inputs} ({self.processed} new or changed, {self.unchanged} unchanged)"
            + (f", {self.skipped_records} non-HTML WARC records skipped" if self.skipped_records else ""),
            f"  articles written {self.articles}",
            f"  rejects          {rejected}" + (f" ({reasons})" if reasons else ""),
            f"  boilerplate      {self.boilerplate} spans removed",
            f"  entities         {self.entities} distinct names, {self.mentions} mentions",
            f"  stories          {self.new_stories} new, {self.joined_stories} earlier ones joined; "
            f"{self.reprints} reprints",
            f"  time             {self.duration_s:.1f}s" + (f" ({stages})" if stages else ""),
        ]
        if self.snapshot:
            lines.append(f"  snapshot         {self.snapshot}")
        return "\n".join(lines)


class Progress:
    """Print 'documents done / total, rate' lines while a long run works."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.started = time.perf_counter()

    def advance(self, count: int) -> None:
        self.done += count
        if self.stream is None or self.total == 0:
            return
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        share = 100 * self.done / self.total
        print(
            f"  {self.done}/{self.total} documents ({share:.0f}%), {self.done / elapsed:.1f} docs/s",
            file=self.stream,
            flush=True,
        )


def progress_stream(enabled: bool) -> TextIO | None:
    """Return stderr when progress lines are wanted."""
    return sys.stderr if enabled else None
