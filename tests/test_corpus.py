"""Corpus knowledge: lines that recur across one source's documents are that source's boilerplate."""

from __future__ import annotations

from pathlib import Path

from presswork.clean.articles import ArticleOptions, build_articles
from presswork.clean.cleaner import line_key
from presswork.clean.corpus import SourceStats, document_line_hashes, repeated_lines
from presswork.orchestration.flow import presswork
from presswork.orchestration.settings import RunSettings
from presswork.records import RawDocument

from .conftest import query_in_subprocess

# A short sentence: no pattern rule or tail rule takes it, only the corpus counts can.
FOOTER = "Printed by The Daily Example since 1901."
QUOTE = "“We will not be intimidated by anyone at all,” the minister told reporters on Monday."


def story(number: int, extra: str = "") -> str:
    return (
        f"Story number {number} about the harbour\n\n"
        f"The harbour authority said on day {number} that ships would be delayed by the storm this week.\n\n"
        f"Officials expect the port to reopen within {number + 2} days once the wind has dropped enough.\n\n"
        f"{extra}\n\n{FOOTER}\n"
    )


def document(number: int, source: str = "example", extra: str = "") -> RawDocument:
    name = f"/in/{source}/{number}.txt"
    return RawDocument(
        f"id{number}{source}", name, name, source, "text", f"h{number}{source}", "utf-8", story(number, extra)
    )


def test_a_line_on_three_pages_of_a_source_is_its_boilerplate():
    stats = SourceStats()
    for number in range(3):
        stats.add("example", document_line_hashes(story(number)))
    assert repeated_lines(stats, "example", story(9)) == {line_key(FOOTER)}
    assert repeated_lines(stats, "elsewhere", story(9)) == frozenset()


def test_batch_removes_the_recurring_footer_and_records_why():
    built = build_articles([document(n) for n in range(4)], ArticleOptions(min_words=5))
    assert all(FOOTER not in a.body for a in built.articles)
    reasons = {(b.rule_id, b.reason) for b in built.boilerplate if b.text == FOOTER}
    assert reasons == {("repeated_line", "source_boilerplate")}


def test_a_quote_in_a_few_stories_of_a_big_source_is_kept():
    docs = [document(n, extra=QUOTE if n < 3 else "") for n in range(10)]
    built = build_articles(docs, ArticleOptions(min_words=5))
    assert sum(QUOTE in a.body for a in built.articles) == 3


def test_the_same_line_in_other_sources_does_not_count():
    docs = [document(n, source=f"site{n}") for n in range(4)]
    built = build_articles(docs, ArticleOptions(min_words=5))
    assert all(FOOTER in a.body for a in built.articles)


def test_counts_carry_over_from_the_warehouse(prefect_harness: None, tmp_path: Path):
    inputs = tmp_path / "example"
    inputs.mkdir()
    for number in range(2):
        (inputs / f"{number}.txt").write_text(story(number))
    settings = RunSettings(inputs=[str(inputs)], warehouse=str(tmp_path / "wh"), min_words=5)
    presswork(settings)
    (inputs / "2.txt").write_text(story(2))
    presswork(settings)
    rows = query_in_subprocess(
        tmp_path / "wh" / "presswork.duckdb",
        f"select parse_filename(source_uri), contains(body, '{FOOTER}') from articles order by 1",
        tmp_path,
    )
    # The first two were cleaned when the footer had been seen twice; the third sees it a third time.
    assert rows == [("0.txt", True), ("1.txt", True), ("2.txt", False)]


def test_the_counts_sent_to_workers_decide_exactly_as_all_counts():
    # Workers get only the lines frequent enough to matter (`SourceStats.frequent`); the verdict must not change.
    stats = SourceStats()
    docs = [story(n, extra=QUOTE if n % 2 else "") for n in range(12)]
    for number, text in enumerate(docs):
        stats.add("big" if number < 8 else "small", document_line_hashes(text))
    small = stats.frequent({"big", "small"})
    assert len(small.lines) < len(stats.lines)
    for source in ("big", "small", "absent"):
        for text in docs:
            assert repeated_lines(small, source, text) == repeated_lines(stats, source, text)


def test_a_batch_cleans_the_same_however_it_is_split_over_workers():
    docs = [document(n, extra=QUOTE if n < 3 else "") for n in range(9)]
    one = build_articles(docs, ArticleOptions(min_words=5, workers=1))
    two = build_articles(docs, ArticleOptions(min_words=5, workers=2))
    assert one.articles == two.articles and one.boilerplate == two.boilerplate and one.rejects == two.rejects
    assert [a.article_id for a in two.articles] == [d.article_id for d in docs]  # input order kept


def test_a_one_sentence_brief_is_an_article_and_a_headline_alone_is_too_short():
    # ecb-dev holds 24 such briefs (10-24 words after cleaning), each a real report of its story's event.
    brief = (
        "AN AUSTRALIAN climber who survived two nights stuck on Mount Cook after seeing his brother die "
        "narrowly escaped being buried alive."
    )
    documents = [
        RawDocument("brief", "/in/brief.txt", "/in/brief.txt", "s", "text", "h1", "utf-8", brief),
        RawDocument(
            "head", "/in/head.txt", "/in/head.txt", "s", "text", "h2", "utf-8", "The parliament election is over."
        ),
    ]
    built = build_articles(documents, ArticleOptions(workers=1))
    assert [a.article_id for a in built.articles] == ["brief"]
    assert [(r.source_uri, r.reason) for r in built.rejects] == [("/in/head.txt", "too_short")]
    # A run uses the same floor as the library's default.
    assert RunSettings(inputs=["x"], warehouse="w").min_words == ArticleOptions().min_words == 10
