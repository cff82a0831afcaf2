"""Run `presswork run` over the seeds plus long plain-text transcripts and print what each became.

Issue 14's acceptance run: the seeds, a 1.4 MB and a 6 MB text (spaCy alone refuses anything over 1,000,000
characters) must all be committed as articles with entities, exit code 0. Prints, per input, its size, its
outcome and its mention count, plus the wall time and the peak memory of the process tree.

    python benchmarks/long_documents.py            # 1.4 MB and 6 MB
    python benchmarks/long_documents.py --sizes 2000000
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
PRESSWORK = Path(sys.executable).parent / "presswork"


def long_text(chars: int) -> str:
    """A transcript-like text of about `chars` characters: the seeds' paragraphs, each with its own speaker."""
    paragraphs = [p for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text().split("\n") if len(p.split()) > 25]
    parts = ["Transcript of the proceedings"]
    size, number = 0, 0
    while size < chars:
        paragraph = f"Speaker {number}: {paragraphs[number % len(paragraphs)]}"
        parts.append(paragraph)
        size += len(paragraph) + 2
        number += 1
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_400_000, 6_000_000], help="text sizes in bytes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        inputs = Path(scratch) / "inputs"
        shutil.copytree(SEEDS, inputs)
        for size in args.sizes:
            (inputs / f"transcript_{size}.txt").write_text(long_text(size))
        started = time.perf_counter()
        done = subprocess.run(
            [str(PRESSWORK), "run", "--input", str(inputs), "--warehouse", f"{scratch}/wh", "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(done.stdout.rstrip())
        if done.stderr.strip():
            print(done.stderr.rstrip(), file=sys.stderr)
        print(f"\nexit code {done.returncode}, {seconds:.1f} s wall, peak RSS of the largest process {peak_mb:.0f} MB")
        if done.returncode != 0:
            return done.returncode
        connection = duckdb.connect(f"{scratch}/wh/presswork.duckdb", read_only=True)
        rows = connection.execute(
            """
            select parse_filename(i.input_uri) as input, i.size_bytes,
                   coalesce(r.reason, 'article') as outcome, a.word_count, count(m.article_id) as mentions
            from inputs as i
            left join articles as a on a.input_uri = i.input_uri
            left join rejects as r on r.input_uri = i.input_uri
            left join entity_mentions as m on m.article_id = a.article_id
            group by all
            order by i.size_bytes
            """
        ).fetchall()
        print(f"\n{'input':<32} {'bytes':>10} {'outcome':<10} {'words':>9} {'mentions':>9}")
        for name, size, outcome, words, mentions in rows:
            print(f"{name:<32} {size:>10} {outcome:<10} {words or 0:>9} {mentions:>9}")
        ok = all(outcome == "article" and mentions > 0 for _, _, outcome, _, mentions in rows)
        print("\nall inputs committed as articles with entities" if ok else "\nSOME INPUTS FAILED")
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
