"""Stories and reprints through the real flow (real spaCy, real DuckDB): the seeds, edited reprints, incremental
runs, and the ecb-dev quality floor (benchmarks/story_floors.json, which only goes up)."""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from benchmarks.reprints import make_reprint
from benchmarks.stories import FLOORS as story_floors
from benchmarks.stories import (
    ceiling,
    cluster,
    ecb_records,
    file_name,
    gold_labels,
    in_two,
    print_divisions,
    read_stories,
    read_warehouse,
    score,
    write_jsonl,
)
from presswork.orchestration.flow import presswork
from presswork.orchestration.settings import RunSettings
from presswork.stories.clustering import StorySettings
from presswork.stories.features import story_features

from .conftest import SEEDS

FLOORS = json.loads(story_floors.read_text(encoding="utf-8"))["floors"]


def run(inputs: list[Path], warehouse: Path, **settings: object) -> None:
    presswork(RunSettings(inputs=[str(p) for p in inputs], warehouse=str(warehouse), **settings))


def query(warehouse: Path, sql: str) -> list[tuple]:
    connection = duckdb.connect(str(warehouse / "presswork.duckdb"), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def stories_by_file(warehouse: Path) -> dict[str, str]:
    """Map each article's file name (the end of its URL or path) to its story id."""
    return {file_name(uri): story for uri, story in read_stories(warehouse).items()}


# --- the seeds and their reprints -------------------------------------------------------------------------------


def test_the_five_seeds_are_one_story_with_no_reprints(seed_warehouse: Path):
    stories = query(seed_warehouse, "select article_count, reprint_count, headline, top_entities from stories")
    assert len(stories) == 1
    article_count, reprint_count, headline, top_entities = stories[0]
    assert (article_count, reprint_count) == (5, 0)
    assert "Putin" in headline and "Vladimir Putin" in top_entities
    assert query(seed_warehouse, "select count(*) from near_duplicates") == [(0,)]
    putin = query(seed_warehouse, "select article_count, story_count from entities where name = 'Vladimir Putin'")
    assert putin == [(5, 1)]


@pytest.fixture(scope="module")
def reprinted(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """Three seeds in a first run; a second run adds the other two and two edited reprints from another site."""
    root = tmp_path_factory.mktemp("reprints")
    first, second, reprints = root / "first", root / "second", root / "second" / "wire-copies"
    first.mkdir()
    reprints.mkdir(parents=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds[:3]:
        shutil.copy(seed, first / seed.name)
    for seed in seeds[3:]:
        shutil.copy(seed, second / seed.name)
    originals: dict[str, str] = {}
    rng = random.Random(7)
    for seed in (seeds[0], seeds[4]):
        copy = reprints / f"copy-of-{seed.name}"
        copy.write_text(make_reprint(seed.read_text(encoding="utf-8"), rng), encoding="utf-8")
        originals[copy.name] = seed.name
    warehouse = root / "wh"
    run([first], warehouse)
    return warehouse, root, originals


def test_reprints_link_to_the_original_and_join_its_story(reprinted: tuple[Path, Path, dict[str, str]]):
    warehouse, root, originals = reprinted
    before = stories_by_file(warehouse)
    assert len(set(before.values())) == 1 and len(before) == 3
    run([root / "first", root / "second"], warehouse)
    after = stories_by_file(warehouse)
    # A later run adds articles to the existing story and never renumbers the earlier ones.
    assert {name: after[name] for name in before} == before
    assert set(after.values()) == set(before.values()) and len(after) == 7
    links = query(
        warehouse,
        "select r.source_uri, o.source_uri, n.similarity from near_duplicates n "
        "join articles r on r.article_id = n.article_id join articles o on o.article_id = n.duplicate_of",
    )
    assert {Path(r).name: Path(o).name for r, o, _ in links} == originals
    assert all(0.3 < similarity < 1.0 for *_, similarity in links)
    story = query(warehouse, "select article_count, reprint_count from stories")
    assert story == [(7, 2)]
    putin = query(warehouse, "select article_count, story_count from entities where name = 'Vladimir Putin'")
    assert putin == [(7, 1)]


def test_an_unchanged_rerun_adds_nothing_and_reprocess_rebuilds_the_same_ids(
    reprinted: tuple[Path, Path, dict[str, str]],
):
    warehouse, root, _ = reprinted
    run([root / "first", root / "second"], warehouse)  # idempotent whatever the order the tests ran in
    before = query(warehouse, "select article_id, story_id from story_articles order by article_id")
    run([root / "first", root / "second"], warehouse)
    assert query(warehouse, "select article_id, story_id from story_articles order by article_id") == before
    run([root / "first", root / "second"], warehouse, reprocess=True)
    rebuilt = query(warehouse, "select article_id, story_id from story_articles order by article_id")
    assert len(rebuilt) == len(before) == 7
    assert len({story for _, story in rebuilt}) == 1
    assert query(warehouse, "select count(*) from near_duplicates") == [(2,)]


# --- ecb-dev: 772 real articles in 66 stories -------------------------------------------------------------------


def test_reprocessing_some_inputs_keeps_the_other_inputs_stories_open(prefect_harness: None, tmp_path: Path):
    # The seeds, and four articles of one ecb-dev story: three in the first run, the fourth after a run that
    # reprocesses the seeds only. That run must not drop the other story from the clustering state: the fourth
    # article joins it, as it would without the reprocess.
    seeds = tmp_path / "in" / "seeds"
    shutil.copytree(SEEDS, seeds)
    event = [r for r in ecb_records() if Path(r["url"]).name.startswith("ecb_29_") and r["url"].endswith("_ecb.txt")]
    event = sorted(event, key=lambda r: r["url"])[:4]
    earlier = write_jsonl(tmp_path / "in" / "earlier.jsonl", event[:3])
    warehouse = tmp_path / "wh"
    run([seeds, earlier], warehouse)
    first = stories_by_file(warehouse)
    run([seeds], warehouse, reprocess=True)
    assert stories_by_file(warehouse) == first  # the seeds rebuilt under the same id, the others untouched
    run([seeds, earlier, write_jsonl(tmp_path / "in" / "later.jsonl", event[3:])], warehouse)
    after = stories_by_file(warehouse)
    names = [Path(r["url"]).name for r in event]
    assert len({first[name] for name in names[:3]}) == 1
    assert after[names[3]] == first[names[0]]
    assert len(set(after.values())) == 2
    assert query(warehouse, "select article_count from stories order by article_count") == [(4,), (5,)]


@pytest.fixture(scope="module")
def ecb_one_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The inputs of `benchmarks/stories.py`, whose figure sets the floor: ecb-dev and the seeds in one run.
    root = tmp_path_factory.mktemp("ecb-one")
    run([write_jsonl(root / "in" / "ecb.jsonl", ecb_records()), SEEDS], root / "wh")
    return root / "wh"


def test_ecb_dev_stories_score_at_or_above_the_floor(ecb_one_run: Path):
    result = score(read_stories(ecb_one_run))  # as `benchmarks/stories.py` scores it, the floor's source
    # Every article is in a story; the articles too short to keep (rejects) count as singletons in the score.
    articles, rejects = query(ecb_one_run, "select (select count(*) from articles), (select count(*) from rejects)")[0]
    assert len(stories_by_file(ecb_one_run)) == articles and articles + rejects == 772 + 5
    assert result.f1 >= FLOORS["ecb_dev"]["f1"], result
    assert result.seed_stories == 1


def test_the_ceiling_benchmark_scores_the_same_warehouse(ecb_one_run: Path, capsys: pytest.CaptureFixture[str]):
    # `benchmarks/stories.py --ceiling`, the figure the README gives for what one set of word weights can reach:
    # it reads the warehouse's articles and mentions and prints a score for each linkage.
    articles, mentions, ingested = read_warehouse(ecb_one_run)
    features = story_features(articles, mentions, next(iter(ingested.values())))
    ceiling(features, {a.article_id: a.source_uri for a in articles}, StorySettings().entity_weight)
    lines = [line for line in capsys.readouterr().out.splitlines() if "best at distance" in line]
    assert [line.split()[0] for line in lines] == ["single", "average", "complete", "weighted"]
    best = max(float(line.split("F1 ")[1].split()[0]) for line in lines)
    assert best > 0.8, lines  # the README gives 0.909: far above what a broken reader or vector would score


def test_splitting_parts_events_that_one_story_mixed(ecb_one_run: Path, capsys: pytest.CaptureFixture[str]):
    # The README's account of splitting (`benchmarks/stories.py --from-warehouse DIR --splits`): most stories it
    # cuts held two gold stories, one on each side.
    articles, mentions, ingested = read_warehouse(ecb_one_run)
    _, _, _, _, state = cluster(articles, mentions, ingested, StorySettings())
    gold = gold_labels()
    uri = {a.article_id: a.source_uri for a in articles}

    def majority(ids: tuple[str, ...]) -> str:
        return Counter(gold.get(file_name(uri[i]), "seed") for i in ids).most_common(1)[0][0]

    cut = [d for d in state.divisions if d.kept]
    parted = [d for d in cut if majority(d.first) != majority(d.second)]
    assert len(cut) >= 8 and len(parted) >= 0.75 * len(cut), [(majority(d.first), majority(d.second)) for d in cut]
    print_divisions(state, uri)
    assert sum(" cut " in line for line in capsys.readouterr().out.splitlines()) == len(cut)


def test_two_runs_score_like_one_and_keep_the_first_runs_ids(ecb_one_run: Path, tmp_path: Path):
    # A split that is not by topic (`in_two`, as `benchmarks/stories.py --two-runs`): each run holds about half
    # of every story.
    halves = in_two(ecb_records())
    first = write_jsonl(tmp_path / "in" / "first.jsonl", halves[0])
    run([first, SEEDS], tmp_path / "wh")
    after_first = stories_by_file(tmp_path / "wh")
    run([first, SEEDS, write_jsonl(tmp_path / "in" / "second.jsonl", halves[1])], tmp_path / "wh")
    after_second = stories_by_file(tmp_path / "wh")
    # The issue asks for 90%; ids never change once given, so every one is kept (the README says 100%).
    assert all(after_second[name] == story for name, story in after_first.items())
    assert len(after_second) == len(stories_by_file(ecb_one_run))
    one_run, two_runs = score(read_stories(ecb_one_run)).f1, score(read_stories(tmp_path / "wh")).f1
    assert two_runs >= one_run - 0.03, f"one run F1 {one_run:.3f}, two runs {two_runs:.3f}"
