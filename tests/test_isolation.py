"""The worker pool must never keep a process alive: Prefect runs each served flow run in a child process,
which has to exit when the run ends (and on Ctrl-C)."""

from __future__ import annotations

import multiprocessing

from presswork.workers import map_in_workers


def _square(number: int) -> int:
    return number * number


def _use_the_pool(results: multiprocessing.Queue) -> None:
    results.put(map_in_workers(_square, [1, 2, 3, 4], workers=2))


def test_a_child_process_that_used_the_worker_pool_exits_when_its_work_is_done():
    context = multiprocessing.get_context("spawn")  # as Prefect's runner starts a served flow run
    results = context.Queue()
    child = context.Process(target=_use_the_pool, args=(results,))
    child.start()
    assert results.get(timeout=60) == [1, 4, 9, 16]
    child.join(timeout=30)
    alive = child.is_alive()
    if alive:
        child.kill()
    assert not alive, "the process hung at exit waiting for the worker pool"
    assert child.exitcode == 0
