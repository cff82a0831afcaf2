"""Per-document failure handling: the stages a document passes, the reject a failure becomes, and a fault switch.

A document that fails in a stage (a bug in a library or in presswork, a pathological input) must cost that one
document, never the run: the stage catches the error and the document becomes a reject whose reason names the
stage (`<stage>_failed`) and whose detail names the error. Only failures of the run itself (warehouse, disk, lock)
fail the run.

`Faults` is a deliberate fault switch for tests: it makes a chosen stage fail for chosen documents, so a test can
prove that the rest of the batch is committed. It is empty unless a test sets `RunSettings.inject_faults`.
"""

from __future__ import annotations

from dataclasses import dataclass

# The stages a document passes, in order, each of which can fail for one document alone.
STAGES = ("decode", "extract", "clean", "language", "entities")
# Reject reasons of the stages whose failures predate the `<stage>_failed` naming; kept so users' SQL still works.
_REASONS = {"extract": "extraction_error"}
MAX_DETAIL = 500


class InjectedFault(RuntimeError):
    """The failure the fault switch raises."""


class StageBroken(RuntimeError):
    """A stage failed for every document of a batch: a broken install or environment, not bad documents."""


def failure_reason(stage: str) -> str:
    """Return the reject reason of a failure in `stage`: `decode_failed`, `extraction_error`, `clean_failed`, ..."""
    return _REASONS.get(stage, f"{stage}_failed")


def failure_detail(stage: str, error: BaseException | str) -> str:
    """Return the reject detail of a failure in `stage`: 'stage entities: ValueError: ...', at most 500 characters."""
    described = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return f"stage {stage}: {described}"[:MAX_DETAIL]


# Stages whose failure for a whole batch says the environment is broken (they run the installed models and the
# worker processes); decode and extract failures follow from the inputs, so a batch of bad files stays rejects.
_ENVIRONMENT_REASONS = frozenset(failure_reason(stage) for stage in ("clean", "language", "entities"))
# Fewer documents failing alike can still be bad documents.
BROKEN_MIN_DOCUMENTS = 5


def check_not_broken(outcomes: list[str], details: list[str]) -> None:
    """Raise StageBroken when five or more documents of a batch all failed alike in clean, language or entities.

    `outcomes` holds each document's outcome (a reject reason, or anything else for an article). One document
    failing is that document's problem; every document of a batch failing alike (a model that will not load, a
    worker pool that cannot start) is the run's, and rejecting them all would hide it behind rejects that no later
    run retries.
    """
    reasons = set(outcomes)
    if len(outcomes) >= BROKEN_MIN_DOCUMENTS and len(reasons) == 1 and reasons <= _ENVIRONMENT_REASONS:
        example = details[0] if details else ""
        raise StageBroken(f"all {len(outcomes)} documents of a batch failed alike ({example})")


@dataclass(frozen=True, slots=True)
class Faults:
    """Stages that fail on purpose for some documents: (stage, name) pairs, a document matching when its URI
    ends with the name (a file name, or a record's URL)."""

    failing: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_mapping(cls, mapping: dict[str, list[str]]) -> Faults:
        unknown = sorted(set(mapping) - set(STAGES))
        if unknown:
            raise ValueError(f"no such stage: {', '.join(unknown)} (stages: {', '.join(STAGES)})")
        return cls(tuple((stage, name) for stage, names in sorted(mapping.items()) for name in names))

    def check(self, stage: str, uri: str) -> None:
        """Raise InjectedFault when `stage` is set to fail for the document at `uri`."""
        for failing_stage, name in self.failing:
            if failing_stage == stage and uri.endswith(name):
                raise InjectedFault(f"fault injected for this document in stage {stage}")


NO_FAULTS = Faults()
