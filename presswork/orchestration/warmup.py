"""What a run can do before its flow starts: start the worker processes and load in each what every batch
needs (spaCy, trafilatura, langid), and import in the command's process what the flow's module
imports besides Prefect."""

from __future__ import annotations

import importlib

from presswork.entities.ner import load_model
from presswork.workers import warm_up

# Every presswork module the flow's module imports except those that import Prefect (`tasks`, `flow`), which
# must wait until Prefect's temporary server is up (`prefect_server.use`). A test keeps the list complete.
BEFORE_PREFECT = (
    "presswork.clean.articles",
    "presswork.entities.ner",
    "presswork.entities.resolve",
    "presswork.faults",
    "presswork.ingest.discover",
    "presswork.ingest.inputs",
    "presswork.orchestration.batches",
    "presswork.orchestration.settings",
    "presswork.storage.views",
    "presswork.storage.warehouse",
    "presswork.stories.grouping",
    "presswork.workers",
)


def _prepare_worker(model: str) -> None:
    # Runs in a worker process: what its first batch would otherwise wait for.
    from presswork.clean.articles import build_article  # noqa: F401  (trafilatura, lxml and the cleaner)
    from presswork.clean.language import detect_language

    detect_language("A sentence long enough for the language model to be loaded now.")
    load_model(model)


def warm_up_workers(model: str, workers: int | None = None) -> None:
    """Start the worker processes and load the model and trafilatura in each, in the background.

    `presswork run` calls this while Prefect's temporary server starts, when one core would otherwise idle.
    """
    warm_up(_prepare_worker, model, workers)


def import_before_prefect() -> None:
    """Import the flow's presswork modules that do not import Prefect (about a second of a run's start-up).

    `presswork run` calls this while Prefect's temporary server starts, when this process would only wait.
    """
    for name in BEFORE_PREFECT:
        importlib.import_module(name)
