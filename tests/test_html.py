"""HTML through trafilatura and the cleaner, scored on the html-dev pages (tests/data/html-dev/README.md)."""

from __future__ import annotations

import gzip
import json
import sys

import pytest

from presswork.clean import extract
from presswork.clean.articles import ArticleOptions, build_article
from presswork.clean.extract import extract_html
from presswork.ingest.decode import decode_bytes
from presswork.records import RawDocument

from .conftest import HTML_DEV

ANNOTATIONS = json.loads((HTML_DEV / "annotations.json").read_text(encoding="utf-8"))


def squash(text: str) -> str:
    return " ".join(text.split())


def load_page(name: str) -> str:
    return decode_bytes(gzip.decompress((HTML_DEV / "pages" / name).read_bytes()), is_html=True).text


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    results = {}
    for name in ANNOTATIONS:
        document = RawDocument(name, name, name, "html-dev", "html", "", "utf-8", load_page(name))
        article, _removed, _reject = build_article(document, ArticleOptions(min_words=0))
        results[name] = squash(f"{article.title or ''}\n{article.body}") if article else ""
    return results


def test_dataset_is_complete():
    assert len(ANNOTATIONS) == 100
    assert all((HTML_DEV / "pages" / name).exists() for name in ANNOTATIONS)


def test_keeps_main_text_and_drops_boilerplate(outputs):
    kept = [squash(s) in outputs[n] for n, a in ANNOTATIONS.items() for s in a["with"]]
    dropped = [squash(s) not in outputs[n] for n, a in ANNOTATIONS.items() for s in a["without"]]
    # Floors for the first version; benchmarks/cleaning.py reports the rates and the quality gate raises them.
    assert sum(kept) / len(kept) >= 0.90
    assert sum(dropped) / len(dropped) >= 0.88


def test_metadata_is_extracted():
    html = (
        "<html><head><title>Ignored site title</title>"
        '<meta property="og:title" content="Council approves new bridge">'
        '<meta name="author" content="Jane Doe">'
        '<meta property="article:published_time" content="2024-09-03T10:00:00Z">'
        '<meta property="og:site_name" content="The Daily Example">'
        '<link rel="canonical" href="https://example.com/news/bridge"></head><body>'
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<article><h1>Council approves new bridge</h1>"
        + "".join(
            f"<p>Paragraph {i} says the council voted on the new bridge across the river today.</p>" for i in range(8)
        )
        + "<script>alert('never in a body')</script><style>p { color: red }</style></article>"
        "<footer>Copyright © 2024 The Daily Example. All rights reserved.</footer></body></html>"
    )
    extracted = extract_html(html)
    assert extracted is not None
    assert extracted.title == "Council approves new bridge"
    assert extracted.author == "Jane Doe"
    assert extracted.published_at == "2024-09-03"
    assert extracted.site_name == "The Daily Example"
    assert extracted.url == "https://example.com/news/bridge"
    assert "alert(" not in extracted.text and "color: red" not in extracted.text
    assert "Paragraph 7 says" in extracted.text


def test_metadata_without_categories_reads_the_same_fields_as_trafilatura(monkeypatch):
    # `extract_html` reads the metadata with trafilatura's steps minus categories, tags and licence; on every
    # html-dev page it must give what `bare_extraction(with_metadata=True)` (its fallback) gives: text, title,
    # author, date, site name and URL.
    assert extract._READ_METADATA is not None, "trafilatura.metadata's steps no longer import: see _metadata_reader"
    pages = {name: load_page(name) for name in ANNOTATIONS}
    fast = {name: extract_html(html) for name, html in pages.items()}
    monkeypatch.setattr(extract, "_READ_METADATA", None)
    full = {name: extract_html(html) for name, html in pages.items()}
    assert [name for name in pages if fast[name] != full[name]] == []
    assert sum(e is not None and e.published_at is not None for e in fast.values()) >= 50


def test_metadata_falls_back_to_trafilatura_when_its_steps_cannot_be_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "trafilatura.metadata", None)  # importing it now raises ImportError
    assert extract._metadata_reader() is None


def test_page_without_main_text_is_rejected():
    document = RawDocument(
        "x", "x.html", "x.html", "s", "html", "", "utf-8", "<html><body><nav>Home</nav></body></html>"
    )
    article, _removed, reject = build_article(document, ArticleOptions())
    assert article is None and reject is not None and reject.reason in {"no_main_text", "too_short"}
