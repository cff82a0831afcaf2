"""Cleaning quality gate: kept-`with` and dropped-`without` snippet rates, presswork vs trafilatura alone.

Corpora (both inside the repository):
- html-dev: 100 real web pages with annotated snippets (tests/data/html-dev, scored as its README says:
  compare after collapsing whitespace; report both rates).
- seeds: the five sample articles with the goldens in tests/goldens/seeds.json.

"trafilatura alone" is `trafilatura.extract(html, include_comments=False)`; for the plain-text seeds it is
trafilatura run on the text wrapped one <p> per line, the closest it can come to cleaning plain text.

Usage:
    python benchmarks/cleaning.py               # print the table
    python benchmarks/cleaning.py --check       # also fail (exit 1) if a rate is below its floor
    python benchmarks/cleaning.py --raise-floors  # move floors up to today's rates; never down

The floors live in benchmarks/cleaning_floors.json with a hash of the corpora they were measured on. A floor
only goes up: --raise-floors refuses to lower one, and --check fails on a changed corpus instead of comparing
numbers measured on different data.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import trafilatura

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from presswork.clean.articles import ArticleOptions, build_article  # noqa: E402
from presswork.ingest.decode import decode_bytes, normalise_text  # noqa: E402
from presswork.records import RawDocument  # noqa: E402

HTML_DEV = REPO / "tests" / "data" / "html-dev"
SEEDS = REPO / "seeds"
SEED_GOLDENS = REPO / "tests" / "goldens" / "seeds.json"
FLOORS = Path(__file__).resolve().parent / "cleaning_floors.json"


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    kind: str  # "html" or "text"
    content: str
    with_snippets: list[str]
    without_snippets: list[str]


@dataclass(frozen=True, slots=True)
class Score:
    kept: int
    with_total: int
    dropped: int
    without_total: int
    seconds: float

    @property
    def with_rate(self) -> float:
        return self.kept / self.with_total if self.with_total else 1.0

    @property
    def without_rate(self) -> float:
        return self.dropped / self.without_total if self.without_total else 1.0


def squash(text: str) -> str:
    return " ".join(text.split())


def load_html_dev() -> list[Case]:
    annotations = json.loads((HTML_DEV / "annotations.json").read_text(encoding="utf-8"))
    cases = []
    for name, entry in sorted(annotations.items()):
        raw = gzip.decompress((HTML_DEV / "pages" / name).read_bytes())
        cases.append(Case(name, "html", decode_bytes(raw, is_html=True).text, entry["with"], entry["without"]))
    return cases


def load_seeds() -> list[Case]:
    goldens = json.loads(SEED_GOLDENS.read_text(encoding="utf-8"))
    cases = []
    for name, entry in sorted(goldens.items()):
        if name.startswith("_"):
            continue
        text = normalise_text((SEEDS / name).read_text(encoding="utf-8"))
        without = entry["without"] + ([entry["title"]] if entry["title"] else [])  # the title is not in the body
        cases.append(Case(name, "text", text, entry["with"], [s for s in without if s != entry["title"]]))
    return cases


def corpus_hash(cases: list[Case]) -> str:
    digest = hashlib.sha256()
    for case in cases:
        digest.update(json.dumps([case.name, case.content, case.with_snippets, case.without_snippets]).encode())
    return digest.hexdigest()


def presswork_output(case: Case) -> str:
    document = RawDocument(case.name, case.name, case.name, "bench", case.kind, "", "utf-8", case.content)
    article, _removed, _reject = build_article(document, ArticleOptions(min_words=0))
    if article is None:
        return ""
    # Titles count as kept text for HTML (the annotations include headlines); seeds score the body alone.
    return f"{article.title or ''}\n{article.body}" if case.kind == "html" else article.body


def trafilatura_output(case: Case) -> str:
    if case.kind == "html":
        return trafilatura.extract(case.content, include_comments=False) or ""
    wrapped = "".join(f"<p>{html.escape(line)}</p>" for line in case.content.split("\n") if line.strip())
    return trafilatura.extract(f"<html><body><article>{wrapped}</article></body></html>", include_comments=False) or ""


def score(cases: list[Case], extract: object) -> Score:
    kept = dropped = with_total = without_total = 0
    started = time.perf_counter()
    for case in cases:
        output = squash(extract(case))  # type: ignore[operator]
        with_total += len(case.with_snippets)
        without_total += len(case.without_snippets)
        kept += sum(1 for s in case.with_snippets if squash(s) in output)
        dropped += sum(1 for s in case.without_snippets if squash(s) not in output)
    return Score(kept, with_total, dropped, without_total, time.perf_counter() - started)


def measure() -> tuple[dict[str, dict[str, Score]], dict[str, str]]:
    corpora = {"html_dev": load_html_dev(), "seeds": load_seeds()}
    results = {
        name: {"presswork": score(cases, presswork_output), "trafilatura": score(cases, trafilatura_output)}
        for name, cases in corpora.items()
    }
    return results, {name: corpus_hash(cases) for name, cases in corpora.items()}


def print_table(results: dict[str, dict[str, Score]]) -> None:
    print(f"{'corpus':<10} {'system':<12} {'kept with':>16} {'dropped without':>18} {'docs/s':>8}")
    for corpus, systems in results.items():
        for system, s in systems.items():
            count = 100 if corpus == "html_dev" else 5
            print(
                f"{corpus:<10} {system:<12} {s.with_rate:>7.1%} ({s.kept:>3}/{s.with_total:<3}) "
                f"{s.without_rate:>8.1%} ({s.dropped:>3}/{s.without_total:<3}) {count / s.seconds:>8.1f}"
            )


def check(results: dict[str, dict[str, Score]], hashes: dict[str, str], floors: dict) -> list[str]:
    problems = []
    for corpus, floor in floors["floors"].items():
        if floors["corpus_sha256"].get(corpus) != hashes[corpus]:
            problems.append(f"{corpus}: the corpus changed since the floors were set; set them again on purpose")
            continue
        measured = results[corpus]["presswork"]
        for key, value in (("with", measured.with_rate), ("without", measured.without_rate)):
            if value < floor[key] - 1e-9:
                problems.append(f"{corpus}: {key} rate {value:.4f} is below its floor {floor[key]:.4f}")
    return problems


def raise_floors(results: dict[str, dict[str, Score]], hashes: dict[str, str], floors: dict) -> dict:
    for corpus, systems in results.items():
        measured = systems["presswork"]
        current = floors["floors"].setdefault(corpus, {"with": 0.0, "without": 0.0})
        same_corpus = floors["corpus_sha256"].get(corpus) in (None, hashes[corpus])
        if not same_corpus:
            raise SystemExit(f"{corpus}: corpus changed; edit {FLOORS.name} by hand and say why in the commit")
        for key, value in (("with", measured.with_rate), ("without", measured.without_rate)):
            if value < current[key]:
                print(f"{corpus}: not lowering the {key} floor {current[key]:.4f} to {value:.4f}")
            else:
                current[key] = round(value, 4) if round(value, 4) <= value else round(value - 5e-5, 4)
        floors["corpus_sha256"][corpus] = hashes[corpus]
    return floors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a rate is below its floor")
    parser.add_argument("--raise-floors", action="store_true", help="raise the floors to today's rates")
    args = parser.parse_args()
    results, hashes = measure()
    print_table(results)
    floors = json.loads(FLOORS.read_text()) if FLOORS.exists() else {"floors": {}, "corpus_sha256": {}}
    if args.raise_floors:
        FLOORS.write_text(json.dumps(raise_floors(results, hashes, floors), indent=2) + "\n")
        print(f"floors written to {FLOORS.relative_to(REPO)}")
    if args.check:
        problems = check(results, hashes, floors)
        for problem in problems:
            print(f"FAIL {problem}")
        if problems:
            return 1
        print("quality gate: every rate is at or above its floor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
