"""The warehouse's guarantees, each tested for real: readers never blocked, atomic commits, crash recovery,
one run at a time, duplicates kept once, hostile input rejected with a reason."""

from __future__ import annotations

import codecs
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from presswork.orchestration.flow import presswork
from presswork.orchestration.settings import RunSettings
from presswork.storage.warehouse import WarehouseBusy, collect_garbage, open_layout, run_lock

from .conftest import PRESSWORK, SEEDS, query_in_subprocess

PARAGRAPHS = [p for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text().split("\n") if len(p.split()) > 25]


def write_articles(folder: Path, count: int, start: int = 0) -> list[Path]:
    """Write `count` distinct small articles built from the seeds' paragraphs."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(start, start + count):
        body = "\n\n".join(PARAGRAPHS[(number + k) % len(PARAGRAPHS)] for k in range(3))
        path = folder / f"article_{number:04d}.txt"
        path.write_text(f"Report number {number} on the visit\n\n{body}\n\nThis is report {number}.\n")
        paths.append(path)
    return paths


READER = """
import duckdb, json, sys, time
from pathlib import Path
catalog, stop = sys.argv[1], Path(sys.argv[2])
con = duckdb.connect(catalog, read_only=True)  # held open for the whole run, like a dashboard
seen = []
while not stop.exists():
    try:
        seen.append(con.execute("select count(*) from articles").fetchone()[0])
    except Exception as exc:
        seen.append(f"ERROR {type(exc).__name__}: {exc}")
    time.sleep(0.02)
seen.append(con.execute("select count(*) from articles").fetchone()[0])
print(json.dumps(seen))
"""


def test_a_reader_holding_the_warehouse_open_is_never_blocked_and_sees_each_commit(
    prefect_harness: None, tmp_path: Path
):
    inputs = tmp_path / "inputs"
    write_articles(inputs, 6)
    warehouse = tmp_path / "wh"
    settings = RunSettings(inputs=[str(inputs)], warehouse=str(warehouse), batch_size=2)
    presswork(settings)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse / "presswork.duckdb"), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        time.sleep(1.0)
        write_articles(inputs, 6, start=6)
        summary = presswork(settings)  # must not wait for, or fail because of, the open reader
        assert summary.articles == 6
        time.sleep(0.5)
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    seen = json.loads(out)
    assert not [s for s in seen if isinstance(s, str)], "a reader got an error"
    assert set(seen) == {6, 12}  # the state before the run or after it, never between
    assert seen == sorted(seen) and seen[-1] == 12


@pytest.mark.slow
def test_a_second_run_on_the_same_warehouse_exits_with_a_clear_message(tmp_path: Path):
    layout = open_layout(tmp_path / "wh")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\nfcntl.flock(fd, fcntl.LOCK_EX)\n"
            "os.write(fd, b'4242')\nprint('locked', flush=True)\ntime.sleep(60)",
            str(layout.lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseBusy, match="another presswork run"), run_lock(layout, wait_seconds=0.5):
            pass
        done = subprocess.run(
            [str(PRESSWORK), "run", "--input", str(SEEDS), "--warehouse", str(layout.root)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 75
        assert "another presswork run" in done.stderr and "Traceback" not in done.stderr
    finally:
        holder.kill()
        holder.wait()
    with run_lock(layout):  # released when the holder died
        pass


@pytest.mark.slow
def test_a_run_killed_mid_write_leaves_a_readable_warehouse_and_the_next_run_completes_exactly(tmp_path: Path):
    inputs = tmp_path / "inputs"
    write_articles(inputs, 4)
    warehouse = tmp_path / "wh"
    command = [
        str(PRESSWORK),
        "run",
        "--input",
        str(inputs),
        "--warehouse",
        str(warehouse),
        "--batch-size",
        "2",
        "--quiet",
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    catalog = warehouse / "presswork.duckdb"
    assert query_in_subprocess(catalog, "select count(*) from articles", tmp_path) == [(4,)]

    write_articles(inputs, 36, start=4)
    victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    written_before = len(list((warehouse / "data" / "articles").glob("*.parquet")))
    deadline = time.monotonic() + 240
    while len(list((warehouse / "data" / "articles").glob("*.parquet"))) < written_before + 2:
        assert victim.poll() is None, "the run finished before it could be killed; give it more work"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()

    # Readable, and still exactly the last committed state.
    assert query_in_subprocess(catalog, "select count(*) from articles", tmp_path) == [(4,)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    counts = query_in_subprocess(
        catalog,
        "select (select count(*) from articles), (select count(distinct source_uri) from articles),"
        " (select count(*) from inputs), (select count(*) from raw_documents),"
        " (select count(*) from (select article_id, start_char from entity_mentions group by all having count(*) > 1))",
        tmp_path,
    )
    assert counts == [(40, 40, 40, 40, 0)]


def test_garbage_collection_spares_what_readers_may_use(tmp_path: Path):
    layout = open_layout(tmp_path / "wh")
    orphan = layout.data_file("articles", "orphan")
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left by a killed run")
    assert collect_garbage(layout, grace_seconds=3600) == 0 and orphan.exists()  # too young: maybe in use
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    assert collect_garbage(layout, grace_seconds=3600) == 1 and not orphan.exists()


def test_duplicate_content_is_kept_once_and_recorded(prefect_harness: None, tmp_path: Path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    original = (SEEDS / "003_57ad9ff1d61e0162.txt").read_bytes()
    (inputs / "a.txt").write_bytes(original)
    (inputs / "b.txt").write_bytes(original)
    (inputs / "c.txt.gz").write_bytes(gzip.compress(original))
    summary = presswork(RunSettings(inputs=[str(inputs)], warehouse=str(tmp_path / "wh")))
    assert summary.articles == 1 and dict(summary.rejects) == {"duplicate_content": 2}
    rows = query_in_subprocess(
        tmp_path / "wh" / "presswork.duckdb",
        "select parse_filename(source_uri), detail from rejects order by 1",
        tmp_path,
    )
    assert [r[0] for r in rows] == ["b.txt", "c.txt.gz"]
    assert all(r[1] == f"same content as {inputs / 'a.txt'}" for r in rows)


def test_bad_and_hostile_inputs_each_end_in_articles_or_rejects(prefect_harness: None, tmp_path: Path):
    inputs = tmp_path / "bad"
    inputs.mkdir()
    story = (SEEDS / "000_8ebf16dd24cb08d6.txt").read_text()
    french = (
        "Le président russe est arrivé lundi en Mongolie pour une visite officielle, malgré le mandat d'arrêt "
        "de la Cour pénale internationale. Les autorités mongoles n'ont pas arrêté le dirigeant russe, qui a été "
        "accueilli avec les honneurs militaires sur la place centrale de la capitale, Oulan-Bator. "
    ) * 3
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 40,
        "nul_bytes.txt": story.encode()[:500] + b"\x00" + story.encode()[500:],
        "cp1252.txt": story.replace("'", "’").encode("cp1252"),
        "latin1.txt": ("Café society: " + story).encode("latin-1", errors="replace"),
        "utf16_bom.txt": codecs.BOM_UTF16_LE + story.encode("utf-16-le"),
        "truncated.txt.gz": gzip.compress(story.encode())[:-20],
        "scripts.html": (
            "<html><head><style>body { color: red }</style><script>var secret = 'tracking';</script></head><body>"
            "<article><h1>Putin visits Mongolia</h1>"
            + "".join(f"<p>{p}</p>" for p in story.split("\n") if p.strip())
            + "<script>document.write('injected')</script></article></body></html>"
        ).encode(),
        "short.txt": b"Just a line.",
        "french.txt": french.encode(),
    }
    for name, data in files.items():
        (inputs / name).write_bytes(data)
    huge = inputs / "huge.txt"
    with huge.open("wb") as handle:
        for _ in range(50):
            handle.write(((story + "\n") * (1_000_000 // len(story))).encode())
    summary = presswork(RunSettings(inputs=[str(inputs)], warehouse=str(tmp_path / "wh")))
    catalog = tmp_path / "wh" / "presswork.duckdb"
    outcome = dict(
        query_in_subprocess(
            catalog,
            "select parse_filename(source_uri), 'article' from articles union all "
            "select parse_filename(source_uri), reason from rejects",
            tmp_path,
        )
    )
    assert outcome == {
        "empty.txt": "empty",
        "binary.txt": "binary",
        "nul_bytes.txt": "article",
        "cp1252.txt": "article",
        "latin1.txt": "article",
        "utf16_bom.txt": "article",
        "truncated.txt.gz": "truncated_gzip",
        "scripts.html": "article",
        "short.txt": "too_short",
        "french.txt": "article",
        "huge.txt": "too_large",
    }
    assert summary.inputs == len(files) + 1
    bodies = dict(
        query_in_subprocess(
            catalog, "select parse_filename(source_uri), coalesce(title, '') || body from articles", tmp_path
        )
    )
    assert "’" in bodies["cp1252.txt"] and "Café society" in bodies["latin1.txt"]
    assert bodies["utf16_bom.txt"] == bodies["nul_bytes.txt"]
    assert not any(s in bodies["scripts.html"] for s in ("secret", "injected", "color: red"))
    languages = dict(
        query_in_subprocess(catalog, "select parse_filename(source_uri), language from articles", tmp_path)
    )
    assert languages["french.txt"] == "fr" and languages["cp1252.txt"] == "en"
