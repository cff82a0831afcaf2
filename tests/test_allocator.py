"""Worker processes keep freed memory for reuse (`presswork.workers.keep_freed_memory`): spaCy frees and
allocates its arrays for every batch, and with glibc's defaults each of them was faulted in from the kernel
again, about a tenth of a worker's CPU."""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys

import numpy as np
import pytest

from presswork import workers
from presswork.workers import keep_freed_memory, map_in_workers

CYCLES = 20
ARRAYS, ARRAY_VALUES = 40, 131_072  # forty arrays of 1 MB a cycle, all freed at its end, as a batch of NER does


def _faults_of_reallocating(_: int) -> int:
    """Minor page faults of allocating, filling and freeing ARRAYS arrays CYCLES times, after a first time."""
    arrays = [np.ones(ARRAY_VALUES) for _ in range(ARRAYS)]
    del arrays
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(CYCLES):
        arrays = [np.ones(ARRAY_VALUES) for _ in range(ARRAYS)]
        del arrays
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


PAGES_PER_CYCLE = ARRAYS * ARRAY_VALUES * 8 // 4096


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: the setting is Linux's")
def test_worker_processes_reuse_freed_memory_instead_of_faulting_it_in_again():
    faults = map_in_workers(_faults_of_reallocating, [1, 2], workers=2)
    # Reused: fewer faults in all the cycles than one cycle's pages.
    assert all(count < PAGES_PER_CYCLE for count in faults), faults


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: the setting is Linux's")
def test_without_the_setting_every_array_is_faulted_in_again():
    # The control for the test above: a fresh process with glibc's defaults faults in about every page of
    # every cycle again (the freed top of the heap is given back to the system).
    code = "from tests.test_allocator import _faults_of_reallocating as f; print(f(0))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(done.stdout) > CYCLES * PAGES_PER_CYCLE // 2


def test_without_mallopt_the_setting_is_skipped(monkeypatch: pytest.MonkeyPatch):
    # macOS has no mallopt, and a C library may not be found at all: workers then run with the defaults.
    def no_library(*args: object, **kwargs: object) -> None:
        raise OSError("no C library here")

    monkeypatch.setattr(ctypes, "CDLL", no_library)
    assert keep_freed_memory() is False


def test_a_failing_setting_never_stops_a_worker(monkeypatch: pytest.MonkeyPatch):
    # pebble stops a worker whose initializer raises, and starts another that would fail the same way.
    def broken() -> bool:
        raise RuntimeError("mallopt crashed")

    monkeypatch.setattr(workers, "keep_freed_memory", broken)
    workers._start_worker()  # does not raise


def test_workers_run_at_a_lower_priority_than_the_process_that_started_them():
    # The flow's process and Prefect's server get a core first when they need one (`WORKER_NICENESS`).
    niceness = map_in_workers(_niceness, [0, 1], workers=2)  # two items: one alone would run in this process
    assert niceness == [min(19, os.nice(0) + workers.WORKER_NICENESS)] * 2


def _niceness(_: int) -> int:
    return os.nice(0)
