"""Run settings: one typed object that flows through the pipeline (Prefect renders it as a form in the UI)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from presswork.entities.ner import DEFAULT_MODEL
from presswork.faults import Faults


class RunSettings(BaseModel):
    """Everything one pipeline run needs to know."""

    inputs: list[str] = Field(default_factory=lambda: ["seeds"], description="Files or folders to ingest.")
    warehouse: str = Field("warehouse", description="Warehouse folder (absolute paths are safest).")
    spacy_model: str = Field(DEFAULT_MODEL, description="spaCy pipeline package for NER.")
    batch_size: int = Field(200, ge=1, description="Documents per task run.")
    max_input_bytes: int = Field(10_000_000, ge=1, description="Larger documents are rejected as too_large.")
    max_container_bytes: int = Field(500_000_000, ge=1, description="Larger JSONL/WARC files are rejected.")
    extraction_timeout_s: float = Field(30.0, gt=0, description="Per HTML page; then extraction_timeout.")
    min_words: int = Field(10, ge=0, description="Articles with fewer words after cleaning are rejected as too_short.")
    reprocess: bool = Field(False, description="Process every input again, even unchanged ones.")
    lock_wait_seconds: float = Field(0.0, ge=0, description="How long to wait for another run to finish.")
    show_progress: bool = Field(False, description="Print progress lines to stderr.")
    runner: Literal["thread", "process", "dask"] = Field("thread", description="Prefect task runner for the batches.")
    dask_address: str | None = Field(None, description="Scheduler of an existing Dask cluster (tcp://host:port).")
    parallel_batches: int = Field(2, ge=1, description="Batches in flight at once (memory grows with it).")
    reprint_window_days: float = Field(
        14.0, gt=0, description="Reprints are looked for among the articles of this many days before the newest."
    )
    inject_faults: dict[str, list[str]] = Field(
        default_factory=dict,
        description="For tests only: stage -> document names (file name or URL ending) that fail in that stage.",
    )

    @field_validator("inject_faults")
    @classmethod
    def _known_stages(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        Faults.from_mapping(value)  # raises on an unknown stage
        return value

    def faults(self) -> Faults:
        """The fault switch these settings set (empty unless a test sets `inject_faults`)."""
        return Faults.from_mapping(self.inject_faults)
