"""Grow the story state to 100,000 articles and show that assigning an article does not cost more as it grows.

A synthetic stream, deterministic for a seed: ~1,000 articles a day for 100 days, about events that each last
one to five days and draw on their own words and entities as well as on a shared Zipf vocabulary of 20,000
words and 3,000 recurring entities (countries, leaders, companies that every day's news names). The state is
written to rows and read back at each simulated daily run, as the pipeline does, so the load cost is measured
too. Printed per 10,000 articles: the articles assigned so far, the open stories, the stories compared per
article (candidates from the inverted index), the milliseconds per article, and the daily load.

Run:
    .venv/bin/python benchmarks/story_state.py [--articles 100000] [--per-day 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import random
import time
from datetime import UTC, datetime, timedelta

from presswork.stories.clustering import StoryState
from presswork.stories.features import StoryFeatures, TermWeights, term_id

START = datetime(2026, 1, 1, tzinfo=UTC)


def _unit(weights: dict) -> tuple:
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return tuple(sorted((key, w / norm) for key, w in weights.items()))


class Stream:
    """Synthetic articles: events with their own words and entities over a shared Zipf background."""

    def __init__(self, seed: int, per_day: int) -> None:
        self.rng = random.Random(seed)
        self.per_day = per_day
        self.vocabulary = [term_id(f"common{i}") for i in range(20_000)]
        self.zipf = [1.0 / (rank + 1) for rank in range(len(self.vocabulary))]
        self.famous = [f"entity:{i}" for i in range(3_000)]
        self.events: list[dict] = []
        self.event_count = 0

    def _new_event(self, day: int) -> dict:
        self.event_count += 1
        name = f"event{self.event_count}"
        return {
            "words": [term_id(f"{name}-w{i}") for i in range(40)],
            "entities": [f"{name}-e{i}" for i in range(3)] + self.rng.sample(self.famous, 2),
            "until": day + self.rng.randint(1, 5),
        }

    def day(self, day: int) -> list[StoryFeatures]:
        self.events = [e for e in self.events if e["until"] >= day]
        while len(self.events) < self.per_day // 8:
            self.events.append(self._new_event(day))
        background = self.rng.choices(self.vocabulary, weights=self.zipf, k=self.per_day * 120)
        articles = []
        for index in range(self.per_day):
            event = self.rng.choice(self.events)
            terms: dict[int, float] = {}
            for word in self.rng.sample(event["words"], 25) + background[index * 120 : (index + 1) * 120]:
                terms[word] = terms.get(word, 0.0) + 1.0
            entities = {key: 1.0 + self.rng.random() for key in self.rng.sample(event["entities"], 4)}
            when = START + timedelta(days=day, seconds=index * 86_400 / self.per_day)
            articles.append(
                StoryFeatures(
                    article_id=f"a{day}-{index}",
                    input_uri=f"/in/{day}.jsonl",
                    source_name=f"source{index % 40}",
                    title=None,
                    seen_at=when,
                    terms=TermWeights.of(_unit({t: 1 + math.log(c) for t, c in terms.items()})),
                    entities=_unit(entities),
                )
            )
        return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--per-day", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    stream = Stream(args.seed, args.per_day)
    state = StoryState.empty()
    print(f"{'articles':>9} {'open stories':>13} {'ms/article':>11} {'daily load s':>13} {'state rows':>11}")
    done, day, window_seconds, window_done, load_seconds = 0, 0, 0.0, 0, 0.0
    while done < args.articles:
        articles = stream.day(day)
        clock = time.perf_counter()
        # A daily run: the state as stored, read back (what `presswork run` loads), then the day's articles.
        state = StoryState.from_rows(state.story_rows(), state.vocabulary_rows())
        load_seconds = time.perf_counter() - clock
        clock = time.perf_counter()
        state.assign(articles)
        window_seconds += time.perf_counter() - clock
        window_done += len(articles)
        done += len(articles)
        day += 1
        if done % 10_000 < args.per_day or done >= args.articles:
            rows = state.story_rows()
            print(
                f"{done:>9,} {len(rows):>13,} {1000 * window_seconds / window_done:>11.3f} "
                f"{load_seconds:>13.2f} {len(rows) + len(state.vocabulary_rows()):>11,}"
            )
            window_seconds, window_done = 0.0, 0
    print(f"events generated: {stream.event_count:,}; per-article cost should stay flat as the total grows")


if __name__ == "__main__":
    main()
