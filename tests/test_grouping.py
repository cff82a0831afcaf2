"""One run's story step (presswork/stories/grouping.py) and how its state is stored between runs."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.reprints import make_reprint
from presswork.orchestration.batches import plan_inputs
from presswork.records import Article, SourceFile
from presswork.storage import warehouse
from presswork.stories import grouping, reprints
from presswork.stories.clustering import StoryState

from .conftest import SEEDS
from .test_stories import article as story_article

WHEN = datetime(2026, 11, 20, 8, tzinfo=UTC)


def article(name: str, body: str, published_at: str | None = None, source: str = "site") -> Article:
    """An article of `source` whose title is the body's first line (tests/test_stories.py builds the rest)."""
    made = story_article(f"id-{name}", body.split("\n", 1)[0], body, published_at)
    uri = f"/in/{source}/{name}.txt"
    return replace(made, source_uri=uri, input_uri=uri, source_name=source)


def seed_articles() -> list[Article]:
    return [article(path.stem, path.read_text(encoding="utf-8")) for path in sorted(SEEDS.glob("*.txt"))]


def test_the_order_is_time_then_source_whatever_the_batches():
    articles = [
        article("late", "Late news about the harbour strike.", "2026-11-21"),
        article("b", "News about the harbour strike and the port.", None, "b-site"),
        article("a", "More news about the harbour strike.", None, "a-site"),
    ]
    inputs = grouping.prepare(articles, [], WHEN)
    expected = ["id-a", "id-b", "id-late"]
    assert [i.features.article_id for i in grouping.in_time_order(inputs)] == expected
    assert [i.features.article_id for i in grouping.in_time_order(inputs[::-1])] == expected


def test_a_reprint_is_linked_to_its_original_and_every_article_gets_a_story_and_a_signature():
    originals = seed_articles()
    copy = article("copy", make_reprint(originals[1].body, random.Random(3)), source="wire")
    inputs = grouping.prepare([*originals, copy], [], WHEN)
    grouped = grouping.group(inputs, StoryState.empty(), reprints.ReprintIndex())
    assert [(d.article_id, d.duplicate_of) for d in grouped.near_duplicates] == [("id-copy", originals[1].article_id)]
    assert len(grouped.story_articles) == len(grouped.signatures) == 6
    assert grouped.new_stories == len({row.story_id for row in grouped.story_articles})
    assert grouped.joined_stories == 0
    assert all(row.seen_at == WHEN for row in grouped.story_articles)


def test_a_later_run_joins_the_open_story_and_finds_reprints_of_earlier_articles():
    originals = seed_articles()
    state, index = StoryState.empty(), reprints.ReprintIndex()
    first = grouping.group(grouping.prepare(originals[:3], [], WHEN), state, index)
    later = WHEN + timedelta(hours=5)
    copy = article("copy", make_reprint(originals[0].body, random.Random(5)), source="wire")
    # The state goes through its rows, as between two runs; the index is rebuilt from the stored signatures.
    state = StoryState.from_rows(state.story_rows(), state.vocabulary_rows())
    index = reprints.ReprintIndex()
    for row in first.signatures:
        index.add(row.article_id, row.seen_at, row.signature)
    second = grouping.group(grouping.prepare([*originals[3:], copy], [], later), state, index)
    assert {row.story_id for row in second.story_articles} == {row.story_id for row in first.story_articles}
    assert (second.new_stories, second.joined_stories) == (0, 1)
    assert [(d.article_id, d.duplicate_of) for d in second.near_duplicates] == [("id-copy", originals[0].article_id)]


def test_an_article_already_in_the_index_is_not_linked_again():
    seeds = seed_articles()
    inputs = grouping.prepare(seeds[:1], [], WHEN)
    index = reprints.ReprintIndex()
    index.add(seeds[0].article_id, WHEN, inputs[0].signature)
    grouped = grouping.group(inputs, StoryState.empty(), index)
    assert grouped.near_duplicates == [] and len(grouped.story_articles) == 1


def test_a_state_table_is_replaced_whole_when_written_and_carried_over_when_not(tmp_path: Path):
    layout = warehouse.open_layout(tmp_path / "wh")
    first = [{"term": None, "documents": 3}, {"term": 7, "documents": 2}]
    with warehouse.run_lock(layout):
        path = warehouse.write_rows(layout, "story_vocabulary", "run-1", first)
        warehouse.commit(layout, {"story_vocabulary": [path]}, set(), "run-1")
        assert warehouse.state_rows(layout, "story_vocabulary") == first
        warehouse.commit(layout, {}, set(), "run-2")  # a run with nothing new
        assert warehouse.state_rows(layout, "story_vocabulary") == first
        second = [{"term": None, "documents": 5}]
        path = warehouse.write_rows(layout, "story_vocabulary", "run-3", second)
        warehouse.commit(layout, {"story_vocabulary": [path]}, set(), "run-3")
        assert warehouse.state_rows(layout, "story_vocabulary") == second


def test_stored_signatures_come_back_for_the_window_without_replaced_inputs(tmp_path: Path):
    from presswork.records import ArticleSignature, NearDuplicate, StoryArticle

    layout = warehouse.open_layout(tmp_path / "wh")
    sig = reprints.signature("one two three four five six seven eight nine ten")
    old, new, copy = WHEN - timedelta(days=30), WHEN, WHEN + timedelta(hours=1)
    signatures = [
        ArticleSignature("old", "/in/old", old, sig),
        ArticleSignature("new", "/in/new", new, sig),
        ArticleSignature("copy", "/in/copy", copy, sig),
    ]
    constants = {"run_id": "r", "ingested_at": WHEN}
    with warehouse.run_lock(layout):
        files = {
            "article_signatures": [warehouse.write_rows(layout, "article_signatures", "r", signatures, constants)],
            "near_duplicates": [
                warehouse.write_rows(
                    layout, "near_duplicates", "r", [NearDuplicate("copy", "/in/copy", "new", 0.9)], constants
                )
            ],
            "story_articles": [
                warehouse.write_rows(
                    layout,
                    "story_articles",
                    "r",
                    [StoryArticle(s.article_id, s.input_uri, "s1", 1.0, s.seen_at) for s in signatures],
                    constants,
                )
            ],
        }
        warehouse.commit(layout, files, set(), "r")
    stored = warehouse.signatures_since(layout, WHEN - timedelta(days=14), set())
    assert [(s.article_id, s.duplicate_of) for s in stored] == [("new", None), ("copy", "new")]
    assert [s.article_id for s in warehouse.signatures_since(layout, None, {"/in/new"})] == ["old", "copy"]
    assert stored[0].signature == sig


def test_stories_are_rebuilt_from_nothing_only_when_every_stored_input_is_reprocessed():
    def source(name: str, content: str = "v1") -> SourceFile:
        return SourceFile(f"/in/{name}", f"/in/{name}", "text", False, 10, content)

    known = {"/in/a.txt": "v1", "/in/b.txt": "v1"}
    everything = plan_inputs([source("a.txt"), source("b.txt")], known, reprocess=True)
    assert everything.rebuild_stories and everything.replaced_uris == set(known)
    # Reprocessing one input of two keeps the other's stories in the clustering state.
    some = plan_inputs([source("a.txt")], known, reprocess=True)
    assert not some.rebuild_stories and some.replaced_uris == {"/in/a.txt"}
    # A changed input is assigned again on the stored state, as without --reprocess.
    changed = plan_inputs([source("a.txt", "v2"), source("b.txt")], known, reprocess=False)
    assert not changed.rebuild_stories and changed.replaced_uris == {"/in/a.txt"}
    assert plan_inputs([source("a.txt")], {}, reprocess=True).rebuild_stories  # a first run: nothing stored


def test_reprints_linked_in_a_worker_from_the_stored_signatures_are_those_linked_in_process(tmp_path: Path):
    """A run links reprints in a worker process (`batches.link_reprints`), which reads the earlier articles'
    signatures from the warehouse, while it assigns stories: the links, stories and rows are the same as
    linking first in the run's own process."""
    from presswork.orchestration.batches import ReprintJob, link_reprints
    from presswork.workers import submit

    originals = seed_articles()
    layout = warehouse.open_layout(tmp_path / "wh")
    first = grouping.group(grouping.prepare(originals[:3], [], WHEN), StoryState.empty(), reprints.ReprintIndex())
    constants = {"run_id": "r", "ingested_at": WHEN}
    with warehouse.run_lock(layout):
        rows = warehouse.write_rows(layout, "article_signatures", "r", first.signatures, constants)
        warehouse.commit(layout, {"article_signatures": [rows]}, set(), "r")
    later = WHEN + timedelta(hours=5)
    copies = [article(f"copy{n}", make_reprint(originals[n].body, random.Random(n)), source="wire") for n in (0, 3)]
    inputs = grouping.prepare([*originals[3:], *copies], [], later)

    index = reprints.ReprintIndex()
    for row in first.signatures:
        index.add(row.article_id, row.seen_at, row.signature)
    in_process = grouping.group(inputs, StoryState.empty(), index)

    ordered = grouping.in_time_order(inputs)
    linking = submit(link_reprints, ReprintJob(layout, None, set(), grouping.reprint_queries(ordered)))
    in_worker = grouping.assign_stories(ordered, StoryState.empty(), linking.result)
    assert in_worker == in_process
    links = {(d.article_id, d.duplicate_of) for d in in_worker.near_duplicates}
    assert links == {("id-copy0", originals[0].article_id), ("id-copy3", originals[3].article_id)}
