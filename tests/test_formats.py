"""JSONL and WARC inputs, end to end, with fixtures written by the libraries users use (json, warcio)."""

from __future__ import annotations

import gzip
import io
import json
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from presswork.clean.articles import ArticleOptions, build_articles
from presswork.ingest.decode import ReadLimits
from presswork.ingest.discover import discover_inputs
from presswork.ingest.inputs import decode_batch
from presswork.orchestration.flow import presswork
from presswork.orchestration.settings import RunSettings
from presswork.records import RawDocument
from presswork.workers import map_with_timeout

from .conftest import HTML_DEV, SEEDS, query_in_subprocess

PAGE = "bbc.com.52241221.html.gz"


def page_html(name: str = PAGE) -> bytes:
    return gzip.decompress((HTML_DEV / "pages" / name).read_bytes())


def write_warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    """A WARC like Common Crawl's: warcinfo, then request + response per page, plus a non-HTML response."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=path.suffix == ".gz")
        writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "presswork tests"}))
        for url, html in pages:
            request = writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            writer.write_record(request)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(html), http_headers=headers)
            )
        image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://example.com/a.png", "response", payload=io.BytesIO(b"\x89PNG"), http_headers=image
            )
        )


def test_jsonl_records_become_documents(tmp_path: Path):
    seed = (SEEDS / "003_57ad9ff1d61e0162.txt").read_text()
    lines = [
        json.dumps(
            {"url": "https://news.example/a", "text": seed, "title": "Putin visits Mongolia", "source": "Example"}
        ),
        json.dumps({"url": "https://www.bbc.com/news/x", "html": page_html().decode(), "published_at": "2020-04-10"}),
        "",
        "{not json",
        json.dumps({"url": "https://news.example/empty"}),
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines))
    decoded = decode_batch(discover_inputs([str(path)]), ReadLimits())
    assert [d.source_uri for d in decoded.documents] == ["https://news.example/a", "https://www.bbc.com/news/x"]
    first, second = decoded.documents
    assert (first.kind, first.title, first.source_name, first.input_uri) == (
        "text",
        "Putin visits Mongolia",
        "Example",
        str(path),
    )
    assert (second.kind, second.source_name, second.published_at) == ("html", "bbc.com", "2020-04-10")
    assert {r.reason: r.source_uri for r in decoded.rejects} == {
        "invalid_record": f"{path}#line=4",
        "empty": "https://news.example/empty",
    }
    assert len({d.article_id for d in decoded.documents}) == 2
    built = build_articles(decoded.documents, ArticleOptions())
    assert built.articles[0].title == "Putin visits Mongolia"
    assert built.articles[1].published_at == "2020-04-10"


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_responses_become_documents(tmp_path: Path, name: str):
    path = tmp_path / name
    write_warc(path, [("https://www.bbc.com/news/world-52241221", page_html())])
    sources = discover_inputs([str(tmp_path)])
    assert [s.kind for s in sources] == ["warc"]
    decoded = decode_batch(sources, ReadLimits())
    assert [d.source_uri for d in decoded.documents] == ["https://www.bbc.com/news/world-52241221"]
    assert decoded.documents[0].source_name == "bbc.com"
    assert decoded.inputs[0].skipped_records == 3  # warcinfo, request, the PNG response
    assert not decoded.rejects


def test_truncated_warc_keeps_what_it_read_and_says_why(tmp_path: Path):
    whole = tmp_path / "whole.warc"
    write_warc(
        whole, [("https://a.example/1", page_html()), ("https://a.example/2", page_html("abc7news.com-Napa.html.gz"))]
    )
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: data.index(b"https://a.example/2") + 400])
    decoded = decode_batch(discover_inputs([str(cut)]), ReadLimits())
    assert [d.source_uri for d in decoded.documents] == ["https://a.example/1"]
    assert [r.reason for r in decoded.rejects] == ["truncated_warc"]


def test_a_call_past_its_time_limit_is_stopped_and_the_others_finish():
    started = time.perf_counter()
    outcomes = map_with_timeout(time.sleep, [30, 0.01, 0.01], timeout_s=1.0)
    assert [o.error for o in outcomes] == ["timeout", None, None]
    assert time.perf_counter() - started < 15  # the 30 s call was killed, not waited for


def test_page_past_the_extraction_limit_is_rejected_and_the_batch_goes_on():
    # About two seconds of trafilatura work, against a limit of a third of a second (pebble checks its timers
    # every tenth of a second or so, so the margin is wide).
    paragraph = "<p>The minister said the talks would continue next week in the capital, officials confirmed.</p>"
    big = "<html><body><article>" + paragraph * 20000 + "</article></body></html>"
    slow = RawDocument("slow", "slow.html", "slow.html", "s", "html", "h1", "utf-8", big)
    small = "<html><body><article>" + paragraph * 5 + "</article></body></html>"  # a few milliseconds
    good = RawDocument("ok", "ok.html", "ok.html", "s", "html", "h2", "utf-8", small)
    built = build_articles([slow, good], ArticleOptions(extraction_timeout_s=0.35, min_words=5))
    assert [(r.source_uri, r.reason) for r in built.rejects] == [("slow.html", "extraction_timeout")]
    assert [a.article_id for a in built.articles] == ["ok"]


def test_jsonl_and_warc_end_to_end(prefect_harness: None, tmp_path: Path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    write_warc(inputs / "crawl.warc.gz", [("https://www.bbc.com/news/world-52241221", page_html())])
    seed = (SEEDS / "000_8ebf16dd24cb08d6.txt").read_text()
    (inputs / "export.jsonl").write_text(json.dumps({"url": "https://news.example/putin", "text": seed}) + "\n")
    summary = presswork(RunSettings(inputs=[str(inputs)], warehouse=str(tmp_path / "wh")))
    assert (summary.articles, sum(summary.rejects.values()), summary.skipped_records) == (2, 0, 3)
    rows = query_in_subprocess(
        tmp_path / "wh" / "presswork.duckdb",
        "select a.source_uri, i.kind, i.documents from articles a join inputs i using (input_uri) order by 1",
        tmp_path,
    )
    assert rows == [("https://news.example/putin", "jsonl", 1), ("https://www.bbc.com/news/world-52241221", "warc", 1)]


def test_in_a_daemonic_process_a_late_call_is_abandoned_and_the_others_finish():
    from presswork.workers import _map_in_threads

    started = time.perf_counter()
    outcomes = _map_in_threads(time.sleep, [3, 0.01], timeout_s=0.5)
    assert [o.error for o in outcomes] == ["timeout", None]
    assert time.perf_counter() - started < 2.5


def _submit_in_a_daemon(results: Any) -> None:
    from presswork.workers import submit

    ok, bad = submit(len, "abc"), submit(int, "not a number")
    results.put((ok.done(), ok.result(), bad.done(), type(bad.exception()).__name__))


def test_in_a_daemonic_process_a_submitted_call_runs_at_once_and_keeps_its_error():
    """A daemonic process (a Prefect process-runner worker) may not start children: `submit` runs the call there."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_submit_in_a_daemon, args=(results,), daemon=True)
    process.start()
    assert results.get(timeout=60) == (True, 3, True, "ValueError")
    process.join(timeout=10)
