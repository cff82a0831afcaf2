"""Near-duplicates: reprints link to the earliest copy; different articles and short bodies never link."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from benchmarks.reprints import make_reprint
from presswork.stories import reprints
from presswork.stories.reprints import NUM_PERM, ReprintIndex, signature, similarity

REPO = Path(__file__).resolve().parent.parent
ECB = REPO / "tests" / "data" / "ecb-dev"
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ecb_articles() -> dict[str, str]:
    with gzip.open(ECB / "ecb-dev.jsonl.gz", "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return {row["url"].rsplit("/", 1)[-1]: row["text"] for row in rows}


@pytest.fixture(scope="module")
def ecb() -> dict[str, str]:
    return ecb_articles()


@pytest.fixture(scope="module")
def seeds() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((REPO / "seeds").glob("*.txt"))]


def test_signature_is_deterministic_and_fixed_size(seeds):
    first, second = signature(seeds[0]), signature(seeds[0])
    assert first == second
    assert len(first) == NUM_PERM * 4
    # Stored signatures are compared with new ones for weeks: a library upgrade that changes the bytes must fail.
    pinned = signature("The harbour authority said on Monday that ships would be delayed by the storm this week.")
    assert hashlib.sha256(pinned).hexdigest()[:16] == "50b166c974713501"
    # Case and typographic apostrophes do not make another text.
    assert signature("It’s The Storm that delayed the ships again") == signature(
        "it's the storm that delayed the ships again"
    )


def test_signatures_are_datasketch_minhashes_of_the_shingles(seeds, ecb):
    # `signature` hashes the shingles itself and hands datasketch the values: the bytes must be those of
    # datasketch's own path (its default SHA-1 hash per shingle), on the seeds and on real news.
    from datasketch import MinHash

    for body in [*seeds, *itertools.islice(ecb.values(), 60)]:
        own = MinHash(num_perm=NUM_PERM, seed=reprints.SEED, scheme=reprints.SCHEME)
        own.update_batch(reprints.shingles(body))
        assert signature(body) == own.hashvalues.astype("<u4").tobytes()


def test_the_generator_edits_the_text(seeds):
    copy = make_reprint(seeds[0], random.Random(0))
    assert copy != seeds[0]
    assert similarity(signature(copy), signature(seeds[0])) < 0.95


def test_an_edited_reprint_and_its_reprint_point_at_the_original(seeds):
    original = seeds[1]
    copy = make_reprint(original, random.Random(1))
    copy_of_copy = make_reprint(copy, random.Random(2))
    index = ReprintIndex()
    assert index.link("original", at(0), signature(original)) is None
    assert index.link("other", at(1), signature(seeds[2])) is None
    link = index.link("copy", at(2), signature(copy))
    assert link is not None and link.duplicate_of == "original"
    assert reprints.THRESHOLD <= link.similarity < 1
    chained = index.link("copy-of-copy", at(3), signature(copy_of_copy))
    assert chained is not None and chained.duplicate_of == "original"
    assert len(index) == 4


def test_a_chain_loaded_from_storage_resolves_to_the_earliest_copy(seeds):
    body = seeds[3]
    index = ReprintIndex()
    # The original has left the window; its first reprint is stored with duplicate_of pointing at it.
    index.add("reprint-1", at(5), signature(make_reprint(body, random.Random(3))), duplicate_of="original")
    link = index.link("reprint-2", at(9), signature(make_reprint(body, random.Random(4))))
    assert link is not None and link.duplicate_of == "original"


def test_ties_on_seen_at_go_to_the_copy_added_first(seeds):
    body = seeds[4]
    index = ReprintIndex()
    index.add("b-first", at(0), signature(body))
    index.add("a-second", at(0), signature(make_reprint(body, random.Random(5))))
    link = index.link("late", at(1), signature(make_reprint(body, random.Random(6))))
    assert link is not None and link.duplicate_of == "b-first"


def test_the_seeds_have_no_near_duplicates(seeds):
    index = ReprintIndex()
    assert [index.link(str(n), at(n), signature(text)) for n, text in enumerate(seeds)] == [None] * 5


# Different outlets' articles about one event (and about the similar event of the same topic: 03a and 03b),
# from ecb-dev. Not any of its articles will do: the set holds real wire copies run by two outlets, such as
# ecb_07_1 and ecb_07_3, which are rightly linked.
SAME_STORY = [
    "ecb_03_1_ecb.txt", "ecb_03_2_ecb.txt", "ecb_03_3_ecb.txt", "ecb_03_4_ecb.txt",
    "ecb_03_1_ecbplus.txt", "ecb_03_2_ecbplus.txt", "ecb_03_3_ecbplus.txt", "ecb_03_4_ecbplus.txt",
    "ecb_05_1_ecbplus.txt", "ecb_05_2_ecbplus.txt", "ecb_05_3_ecbplus.txt", "ecb_05_4_ecbplus.txt",
]  # fmt: skip


def test_different_articles_of_one_story_are_not_linked(ecb):
    index = ReprintIndex()
    links = [index.link(name, at(n), signature(ecb[name])) for n, name in enumerate(SAME_STORY)]
    assert links == [None] * len(SAME_STORY)
    for first, second in itertools.combinations(SAME_STORY, 2):
        assert similarity(signature(ecb[first]), signature(ecb[second])) < reprints.THRESHOLD


@pytest.mark.parametrize(
    ("first", "second"),
    [("", ""), ("Read more", "Read more."), ("Photo gallery: the storm", "Photo gallery: the storm!"), ("a b", "")],
)
def test_bodies_without_a_shingle_never_link(first, second):
    index = ReprintIndex()
    assert index.link("first", at(0), signature(first)) is None
    assert index.link("second", at(1), signature(second)) is None
    assert similarity(signature(first), signature(second)) == 0.0
    assert len(signature(first)) == NUM_PERM * 4


def test_a_signature_of_another_size_is_refused():
    with pytest.raises(ValueError, match="bytes"):
        ReprintIndex().add("x", T0, b"\x00" * 8)
