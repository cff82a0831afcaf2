"""Start the worker processes early and load in each what every batch needs (spaCy, trafilatura, langid)."""

from __future__ import annotations

from presswork.entities.ner import load_model
from presswork.workers import warm_up


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
