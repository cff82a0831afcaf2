"""The benchmark corpus is deterministic and has the promised mix; the throughput benchmark still runs."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from benchmarks.make_corpus import MANIFEST, MAX_WORDS, MIN_WORDS, CorpusStats, count_words, make_corpus

from .conftest import REPO

N = 12


def file_digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusStats:
    return make_corpus(tmp_path_factory.mktemp("corpus-a"), N, seed=0)


def test_same_seed_gives_identical_files(corpus: CorpusStats, tmp_path: Path):
    again = make_corpus(tmp_path / "again", N, seed=0)
    assert file_digests(again.root) == file_digests(corpus.root)


def test_another_seed_gives_other_files(corpus: CorpusStats, tmp_path: Path):
    other = make_corpus(tmp_path / "other", N, seed=1)
    ours = set(file_digests(corpus.root).values())
    theirs = set(file_digests(other.root).values())
    assert not ours & theirs


def test_corpus_has_the_promised_mix(corpus: CorpusStats):
    paths = [corpus.root / f.path for f in corpus.files]
    assert len(paths) == N
    assert all(path.exists() for path in paths)
    assert (corpus.root / MANIFEST).exists()
    assert corpus.count("text") >= 1
    assert corpus.count("html") >= 1
    assert len(corpus.sources) >= 3
    assert any(f.compressed and f.path.endswith(".gz") for f in corpus.files)
    assert any(not f.compressed for f in corpus.files)
    # Every file sits in its source's folder.
    assert all(Path(f.path).parts[0] == f.source for f in corpus.files)


def test_duplicates_are_byte_identical_under_another_name(corpus: CorpusStats):
    pairs = corpus.duplicate_pairs
    assert len(pairs) >= 1
    for original, duplicate in pairs:
        assert original != duplicate
        assert (corpus.root / original).read_bytes() == (corpus.root / duplicate).read_bytes()


def test_articles_are_400_to_1200_words_plus_boilerplate(corpus: CorpusStats):
    for f in corpus.files:
        assert MIN_WORDS <= f.body_words <= MAX_WORDS
        data = read_bytes(corpus.root / f.path)
        if f.kind == "html":
            # The page around the article (navigation, footers) adds words; the article's must all be there.
            text = lxml.html.fromstring(data.decode("utf-8")).text_content()
            assert count_words(text) >= f.body_words
        else:
            text = data.decode(f.encoding)
            # Boilerplate lines add tens of words, never hundreds.
            assert f.body_words <= count_words(text) <= f.body_words + 250


def test_text_has_seed_style_boilerplate(corpus: CorpusStats):
    texts = [read_bytes(corpus.root / f.path).decode(f.encoding, errors="replace") for f in corpus.files]
    everything = "\n".join(texts)
    for line in ("Subscribe to", "Copyright ©", "minute read", "Leave a comment"):
        assert line in everything


@pytest.mark.slow
def test_throughput_benchmark_runs(tmp_path: Path):
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "throughput.py"),
            *("--n", "6", "--reprint-share", "0", "--json", str(out)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "docs/s" in done.stdout
    assert "(b)/(a)" in done.stdout
    figures = json.loads(out.read_text())
    assert figures["docs"] == 6
    assert figures["bare"]["docs_per_s"] > 0
    assert figures["presswork"]["docs_per_s"] > 0
    assert figures["ratio"] > 0
    # The bound is timed before and after presswork, and the ratio is taken against their mean.
    assert figures["bare_after"]["docs_per_s"] > 0
    bound = (figures["bare"]["seconds"] + figures["bare_after"]["seconds"]) / 2
    assert figures["bound_seconds"] == pytest.approx(bound, abs=0.01)
    assert figures["ratio"] == pytest.approx(figures["presswork"]["seconds"] / bound, rel=0.01)
    assert "(a') bare, after (b)" in done.stdout
    assert figures["rerun"]["seconds"] > 0
    assert figures["presswork"]["peak_rss_mb"] > 0
    # presswork starts Prefect's temporary server itself: its CPU is its own line, not counted as the workers'.
    by_process = figures["presswork"]["cpu_seconds_by_process"]
    assert by_process["prefect server"] > 0 and by_process["workers"] > 0
    assert "publish s" in done.stdout and "rerun / (b)" in done.stdout


def test_the_bound_runs_spacy_with_presswork_batch_size():
    # The bound is only a bound if it gets the same tuning: 16 texts an nlp.pipe batch made a run about 7% faster.
    from benchmarks.bare_bound import BATCH_SIZE
    from presswork.entities.ner import NER_BATCH_SIZE

    assert BATCH_SIZE == NER_BATCH_SIZE


def test_the_bound_keeps_freed_memory_like_presswork_workers():
    # The same allocator setting on both sides: presswork's workers spend about 10% less CPU with it.
    from benchmarks import bare_bound
    from presswork import workers

    assert bare_bound.MMAP_THRESHOLD_BYTES == workers.MMAP_THRESHOLD_BYTES
    assert bare_bound.TRIM_THRESHOLD_BYTES == workers.TRIM_THRESHOLD_BYTES


@pytest.mark.slow
def test_ner_memory_benchmark_compares_both_settings():
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "ner_memory.py"), "--repeat", "1", "--articles", "60"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    defaults, kept = (line for line in lines if line.startswith(("glibc defaults", "keep freed memory")))
    # Fewer page faults when freed memory is kept: the figure the setting exists for.
    assert float(kept.split()[-2].replace(",", "")) < float(defaults.split()[-2].replace(",", ""))
    zones = [line for line in lines if line.startswith(("a zone every call", "first "))]
    assert len(zones) == 2 and all(line.count(" / ") == 6 for line in zones)  # three passes each


def test_publish_benchmark_times_commits_of_a_growing_warehouse():
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "publish.py"), "--commits", "5", "30", "--documents", "5"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line.replace(",", "").split() for line in done.stdout.splitlines()[1:-1]]
    assert [row[0] for row in rows] == ["5", "30"]
    assert all(float(row[3]) > 0 for row in rows)  # publish seconds were measured
    files_after_30 = int(rows[1][2])
    assert files_after_30 < 30 / 2, "30 commits left a file per commit: compaction did not run"
    assert float(rows[1][6]) > 0  # some commit merged files
    assert done.stdout.splitlines()[-1].startswith("over all 30 commits: slowest publish")
