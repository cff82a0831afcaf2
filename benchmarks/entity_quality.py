"""What entity extraction and resolution make of real news: a before-and-after view of a change.

For each dev corpus (the html-dev pages and the ecb-dev articles) it runs the entity stage (the real spaCy
model, in the worker processes) and resolution, and prints the mention, name and entity counts, the largest
merge sets (the entities that absorbed the most distinct names), the most mentioned entities per label, and
every entity whose label is not the majority of its mentions' votes, with the votes (a country is always GPE, a
one-word name the model calls a person may take another label). Run it before and after a change to resolution
or NER and compare: a merge set that mixes two people, a country split over two entities, or a person
relabelled shows at a glance. `--labels FILE` writes every entity's label and votes as TSV, for `diff` between
two runs.

Usage: python benchmarks/entity_quality.py [--html tests/data/html-dev/pages]
       [--ecb tests/data/ecb-dev/ecb-dev.jsonl.gz] [--top 10] [--labels labels.tsv]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from presswork.clean.articles import ArticleOptions, build_articles  # noqa: E402
from presswork.entities.ner import DEFAULT_MODEL, extract_entities_parallel  # noqa: E402
from presswork.entities.resolve import majority_label, name_stats, resolve_names  # noqa: E402
from presswork.ingest.decode import ReadLimits  # noqa: E402
from presswork.ingest.discover import discover_inputs  # noqa: E402
from presswork.ingest.inputs import decode_batch  # noqa: E402

HTML_DEV = REPO / "tests" / "data" / "html-dev" / "pages"
ECB_DEV = REPO / "tests" / "data" / "ecb-dev" / "ecb-dev.jsonl.gz"
LABELS = ("PERSON", "GPE", "ORG", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW")


def report(title: str, inputs: Path, top: int) -> list[str]:
    """Extract and resolve the entities of `inputs` (a file or folder), print what they became and return one
    TSV line per entity: corpus, entity, label, votes."""
    started = time.perf_counter()
    decoded = decode_batch(discover_inputs([str(inputs)]), ReadLimits())
    articles = build_articles(decoded.documents, ArticleOptions()).articles
    found = extract_entities_parallel(DEFAULT_MODEL, articles)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for mention in found.mentions:
        votes[mention.name][mention.vote_label] += 1
    resolved = resolve_names(name_stats(votes), {(a.short, a.long) for a in found.acronyms})
    members: dict[str, list[str]] = defaultdict(list)
    mentions: Counter[str] = Counter()
    labels: dict[str, str] = {}
    entity_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for name, entity in resolved.items():
        members[entity.entity_name].append(name)
        mentions[entity.entity_name] += sum(votes[name].values())
        labels[entity.entity_name] = entity.entity_label
        entity_votes[entity.entity_name].update(votes[name])
    print(
        f"== {title}: {len(articles)} articles, {len(found.mentions):,} mentions, {len(votes):,} names,"
        f" {len(members):,} entities ({time.perf_counter() - started:.0f} s)"
    )
    print(f"-- largest merge sets (distinct names per entity, top {top})")
    for entity, names in sorted(members.items(), key=lambda item: (-len(item[1]), item[0]))[:top]:
        if len(names) < 2:
            break
        print(f"  {entity} [{labels[entity]}] <- {' | '.join(sorted(names))}")
    print(f"-- most mentioned entities per label (top {top})")
    by_mentions = sorted(mentions, key=lambda e: (-mentions[e], e))
    by_label: dict[str, list[str]] = defaultdict(list)
    for entity in by_mentions:
        by_label[labels[entity]].append(entity)
    for label in LABELS:
        shown = ", ".join(f"{e} ({mentions[e]})" for e in by_label.get(label, [])[:top])
        print(f"  {label:<11} {len(by_label.get(label, [])):>5,}: {shown}")
    relabelled = [e for e in by_mentions if labels[e] != majority_label(entity_votes[e])]
    print(f"-- labels that are not the majority vote ({len(relabelled)})")
    for entity in relabelled:
        voted = majority_label(entity_votes[entity])
        print(f"  {entity} [{voted} -> {labels[entity]}] {show_votes(entity_votes[entity])}")
    return [f"{title}\t{e}\t{labels[e]}\t{show_votes(entity_votes[e])}" for e in sorted(mentions)]


def show_votes(votes: Counter[str]) -> str:
    """The votes, most first: 'PERSON 12, PRODUCT 3'."""
    return ", ".join(f"{label} {count}" for label, count in sorted(votes.items(), key=lambda lc: (-lc[1], lc[0])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=HTML_DEV, help="the html-dev pages (a folder)")
    parser.add_argument("--ecb", type=Path, default=ECB_DEV, help="the ecb-dev articles (JSONL or a folder)")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--labels", type=Path, help="write every entity's label and votes here (TSV), to diff runs")
    args = parser.parse_args()
    lines: list[str] = []
    for title, inputs in (("html-dev", args.html), ("ecb-dev", args.ecb)):
        if not inputs.exists():
            print(f"== {title}: {inputs} not found, skipped")
            continue
        lines.extend(report(title, inputs, args.top))
    if args.labels is not None:
        args.labels.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
