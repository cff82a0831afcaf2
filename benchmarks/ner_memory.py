"""What presswork's two memory settings for NER cost and save.

1. The allocator (`presswork.workers.keep_freed_memory`). Runs presswork's entity stage
(`extract_entities_parallel`, two worker processes) over the ecb-dev articles in `tests/data/ecb-dev`, in
batches of 200 as a run does, twice per setting and interleaved: with glibc malloc's
defaults, and with presswork's setting. For each it prints the workers' user and system CPU seconds, their minor
page faults, the wall time and the workers' resident memory at the end.
2. Memory zones (`presswork.entities.ner.PERMANENT_LEXEMES`). In this process, NER over the same articles in calls
of 50 (a worker's chunk in a run), three times over, with every call in a spaCy memory zone (PERMANENT_LEXEMES
0, presswork before 2026-11-30) and with presswork's setting (the first word types stay). For each pass it prints
the CPU seconds, spaCy's string count and this process's resident memory: both must stay flat from pass to
pass.

Run:
    .venv/bin/python benchmarks/ner_memory.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import time
from functools import lru_cache
from pathlib import Path

import psutil
from pebble import ProcessPool

from presswork import workers
from presswork.entities import ner
from presswork.records import Article

ECB = Path(__file__).resolve().parent.parent / "tests" / "data" / "ecb-dev" / "ecb-dev.jsonl.gz"
BATCH = 200


def articles() -> list[Article]:
    with gzip.open(ECB, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return [
        Article(
            article_id=f"a{index}",
            source_uri=row["url"],
            input_uri=row["url"],
            source_name="ecb",
            kind="text",
            title=None,
            body=row["text"],
            author=None,
            published_at=None,
            url=None,
            language="en",
            word_count=len(row["text"].split()),
            content_hash=str(index),
            encoding="utf-8",
            cleaner_version="1",
        )
        for index, row in enumerate(rows)
    ]


def _defaults_pool(count: int) -> ProcessPool:
    # presswork's pool without its initializer: glibc's defaults, the priority of this process.
    return ProcessPool(max_workers=count, context=multiprocessing.get_context("forkserver"))


def measure(items: list[Article], setting: bool) -> dict[str, float]:
    """NER over `items` in a fresh pool of two workers; their CPU, faults, wall time and memory."""
    workers._pool.cache_clear()
    original = workers._pool
    if not setting:
        workers._pool = lru_cache(maxsize=4)(_defaults_pool)  # type: ignore[assignment]
    try:
        workers.map_in_workers(ner.load_model, [ner.DEFAULT_MODEL] * 2, workers=2)  # load the model first
        pool_processes = psutil.Process().children(recursive=True)
        before = {p.pid: (p.cpu_times(), _faults(p.pid)) for p in pool_processes}
        started = time.perf_counter()
        for start in range(0, len(items), BATCH):
            ner.extract_entities_parallel(ner.DEFAULT_MODEL, items[start : start + BATCH], workers=2)
        wall = time.perf_counter() - started
        user = system = faults = rss = 0.0
        for process in psutil.Process().children(recursive=True):
            if process.pid not in before:
                continue
            times, first_faults = before[process.pid]
            now = process.cpu_times()
            user += now.user - times.user
            system += now.system - times.system
            faults += _faults(process.pid) - first_faults
            rss += process.memory_info().rss / 2**20
    finally:
        workers._pool(2).stop()
        workers._pool(2).join()
        workers._pool = original
        workers._pool.cache_clear()
    return {"wall_s": wall, "user_s": user, "system_s": system, "minor_faults": faults, "rss_mb": rss}


def zones(items: list[Article], permanent: int, passes: int = 3) -> list[tuple[float, int, float]]:
    """NER in calls of 50 articles with `PERMANENT_LEXEMES` = `permanent`: CPU s, strings and RSS MB per pass."""
    ner.PERMANENT_LEXEMES = permanent
    nlp = ner.load_model.__wrapped__(ner.DEFAULT_MODEL)  # a fresh pipeline: nothing learnt from the run before
    figures = []
    for _ in range(passes):
        started = time.process_time()
        for start in range(0, len(items), 50):
            ner.extract_entities(nlp, items[start : start + 50])
        rss = psutil.Process().memory_info().rss / 2**20
        figures.append((time.process_time() - started, len(nlp.vocab.strings), rss))
    return figures


def _faults(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[7])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2, help="runs per setting, interleaved (default 2)")
    parser.add_argument("--articles", type=int, default=None, help="the first N ecb-dev articles (default all)")
    args = parser.parse_args()
    items = articles()[: args.articles]
    print(f"{len(items)} ecb-dev articles, {sum(a.word_count for a in items):,} words, two NER workers")
    print(f"{'setting':<26}{'wall s':>8}{'user s':>9}{'system s':>10}{'faults':>12}{'RSS MB':>9}")
    for _ in range(args.repeat):
        for setting in (False, True):
            figures = measure(items, setting)
            name = "keep freed memory" if setting else "glibc defaults"
            print(
                f"{name:<26}{figures['wall_s']:>8.1f}{figures['user_s']:>9.1f}{figures['system_s']:>10.1f}"
                f"{figures['minor_faults']:>12,.0f}{figures['rss_mb']:>9,.0f}"
            )
    default = ner.PERMANENT_LEXEMES
    print("\none process, calls of 50 articles, three passes each: CPU s / spaCy strings / RSS MB")
    for _ in range(args.repeat):
        for permanent, name in ((0, "a zone every call"), (default, f"first {default:,} word types kept")):
            passes = "   ".join(
                f"{cpu:5.1f} / {strings:,} / {rss:,.0f}" for cpu, strings, rss in zones(items, permanent)
            )
            print(f"{name:<34}{passes}")


if __name__ == "__main__":
    main()
