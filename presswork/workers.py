"""Run a function over items in worker processes, each call under a time limit.

A pathological page (megabytes of markup, deep nesting) can keep an HTML parser busy for minutes; a thread
cannot be stopped, but a worker process can. pebble kills a worker whose call runs past its timeout and starts
a fresh one, so one bad document costs `timeout` seconds and the batch goes on. The pool also spreads
extraction over the machine's cores.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import multiprocessing.util
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from pebble import ProcessPool

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[R]):
    """The result of one call, or why there is none."""

    value: R | None
    error: str | None = None  # "timeout", or "ExceptionType: message"


# glibc's malloc hands a freed block of 128 KB or more straight back to the system (munmap, or trimming the top of
# the heap) and gets it again, page fault by page fault, at the next allocation. spaCy allocates and frees its
# arrays for every batch of texts. Two workers running NER over 400 generated articles took 1.2 million page
# faults and spent a tenth of their CPU time in the kernel; over ecb-dev's 772 articles 880,676 faults and 2.1 s
# of system time against 23.7 s of user time (`python benchmarks/ner_memory.py`). Worker processes therefore keep
# freed memory for reuse: blocks up to 32 MB (glibc's largest allowed threshold on 64-bit systems) come from the
# heap, and up to 64 MB of free heap stays mapped. With it: 132,586 faults and 0.3 s of system time, and about
# 55 MB more resident memory per worker. (Keeping 256 MB: 34,226 faults and 0.1 s, but the workers' peak in an
# N = 5,000 run grew by about 250 MB, which broke the rule that peak memory stays flat as N grows.)
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 64 * 1024 * 1024
_M_TRIM_THRESHOLD = -1  # glibc's <malloc.h>
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> bool:
    """Make this process's malloc keep freed memory for reuse (see MMAP_THRESHOLD_BYTES); False where it cannot.

    glibc's `mallopt`, through ctypes. On a C library without it (macOS) or that ignores it (musl returns 0), the
    process runs with the library's defaults: slower, never wrong.
    """
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    mmap_set = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    return bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)) and mmap_set


# Workers run at a lower CPU priority than the command's own process and Prefect's server (a nice value 5 above
# theirs). Those two are few CPU seconds, but the workers wait on them: the server must be up before the first
# batch is sent, and the flow's process hands out each batch and collects it. When they get a core at once, a
# run spends less time with a core idle: over eight interleaved runs of the first 1,020 documents of the
# N = 5,000 corpus, wall time was 53.6-53.9% of the CPU time with it against 54.5-55.0% without. Other programs
# on the machine get a little more of it than presswork's workers while they compete.
WORKER_NICENESS = 5


def _start_worker() -> None:
    """What every worker process does first (pebble's initializer: also in a worker started to replace one):
    keep freed memory, and lower its priority."""
    try:
        keep_freed_memory()
        os.nice(WORKER_NICENESS)
    except Exception:  # an initializer that raises stops the worker, and pebble would start it again forever
        pass


@lru_cache(maxsize=4)
def _pool(workers: int) -> ProcessPool:
    # forkserver: workers never inherit the parent's threads (Prefect runs an event loop and log threads) or
    # locks, which `fork` would copy in whatever state they were in.
    pool = ProcessPool(
        max_workers=workers, context=multiprocessing.get_context("forkserver"), initializer=_start_worker
    )
    # Stop the pool when this process exits, before multiprocessing terminates and joins its children: left
    # running, the pool's manager thread replaces the workers being terminated and the exit waits for them
    # forever. That hung the process Prefect starts for each served run (`presswork serve`), which then
    # ignored Ctrl-C. Finalize runs both at a normal interpreter exit and at a multiprocessing child's exit.
    multiprocessing.util.Finalize(pool, _stop_pool, args=(pool,), exitpriority=100)
    return pool


def _stop_pool(pool: ProcessPool) -> None:
    pool.stop()
    pool.join(timeout=10)


# Work split over the pool goes in this many chunks per worker: fewer chunks pay less for sending work back
# and forth, more keep both workers busy to the end of a batch when chunks take unequal times.
CHUNKS_PER_WORKER = 2


def chunk(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Yield consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def split_evenly(items: Sequence[T], parts: int) -> list[list[T]]:
    """Split `items` into at most `parts` consecutive, non-empty chunks of near-equal size, in order."""
    return list(chunk(items, max(1, -(-len(items) // max(1, parts)))))  # ceiling division


def split_by_size(items: Sequence[T], parts: int, size: Callable[[T], int]) -> list[list[T]]:
    """Split `items` into at most `parts` consecutive, non-empty chunks of near-equal total `size`, in order.

    For work whose cost follows an item's size (NER on texts): a chunk closes once it holds its share.
    """
    total = sum(size(item) for item in items)
    share = total / max(1, parts)
    chunks: list[list[T]] = []
    current: list[T] = []
    filled = 0
    for item in items:
        current.append(item)
        filled += size(item)
        if filled >= share * (len(chunks) + 1) and len(chunks) < parts - 1:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def default_workers() -> int:
    """One worker per core."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def warm_up(function: Callable[[T], object], argument: T, workers: int | None = None) -> None:
    """Start the worker processes now and call `function(argument)` once in each, without waiting for it.

    For loading what every worker needs (the spaCy model, trafilatura) while this process does something else.
    Failures are ignored here: the same work fails again, and is reported, when a batch needs it.
    """
    if multiprocessing.current_process().daemon:
        return
    count = workers or default_workers()
    pool = _pool(count)
    for _ in range(count):
        pool.schedule(function, args=(argument,))


def submit(function: Callable[[T], R], argument: T, workers: int | None = None) -> Future[R]:
    """Call `function(argument)` in a worker process without waiting; the future holds its result or error.

    In a daemonic process (which may not start children) the call runs here, before this returns.
    """
    if multiprocessing.current_process().daemon:
        done: Future[R] = Future()
        try:
            done.set_result(function(argument))
        except Exception as exc:
            done.set_exception(exc)
        return done
    return _pool(workers or default_workers()).schedule(function, args=(argument,))


def map_with_timeout(
    function: Callable[[T], R], items: Sequence[T], timeout_s: float | None, workers: int | None = None
) -> list[Outcome[R]]:
    """Call `function` on every item in worker processes; a call past `timeout_s` yields Outcome(error="timeout").

    An error, or a worker that died (out of memory, a crash in native code), becomes that item's Outcome(error=...)
    and the rest go on. `timeout_s` None: no time limit. `function` must be importable at module level (it is
    pickled by reference).
    """
    if not items:
        return []
    if multiprocessing.current_process().daemon:
        return _map_in_threads(function, items, timeout_s)
    pool = _pool(workers or default_workers())
    futures = [pool.schedule(function, args=(item,), timeout=timeout_s) for item in items]
    outcomes: list[Outcome[R]] = []
    for future in futures:
        try:
            outcomes.append(Outcome(future.result()))
        except FutureTimeout:
            outcomes.append(Outcome(None, "timeout"))
        except Exception as exc:
            outcomes.append(Outcome(None, _describe(exc)))
    return outcomes


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def map_in_workers(function: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> list[R]:
    """Call `function` on every item in the worker processes, in order, with no time limit; errors propagate.

    In a daemonic process (which may not start children) the calls run here, one after another.
    """
    if len(items) <= 1:
        return [function(item) for item in items]
    return [future.result() for future in [submit(function, item, workers) for item in items]]


def _map_in_threads(function: Callable[[T], R], items: Sequence[T], timeout_s: float | None) -> list[Outcome[R]]:
    """The fallback for daemonic processes (a Dask worker by default), which may not start children.

    A call past its time limit is abandoned, not killed: its result is dropped and the batch goes on, but the
    thread runs on until the call returns. presswork's own local Dask cluster starts non-daemonic workers, so
    this only happens on clusters started elsewhere (set `distributed.worker.daemon: false` there).
    """
    outcomes: list[Outcome[R]] = []
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="presswork-extract")
    try:
        for item in items:
            future = executor.submit(function, item)
            try:
                outcomes.append(Outcome(future.result(timeout=timeout_s)))
            except FutureTimeout:
                outcomes.append(Outcome(None, "timeout"))
                executor.shutdown(wait=False)
                executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="presswork-extract")
            except Exception as exc:
                outcomes.append(Outcome(None, _describe(exc)))
    finally:
        executor.shutdown(wait=False)
    return outcomes
