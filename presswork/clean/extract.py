"""Extract the main text and metadata of an HTML page with trafilatura."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import trafilatura

from presswork.ingest.decode import normalise_text

# htmldate: the original publication date, not the last modification; no extensive search (see `extract_html`).
DATE_PARAMS = {"original_date": True, "extensive_search": False}
_OPTIONS = {"include_comments": False, "include_tables": True, "include_images": False, "include_links": False}


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    title: str | None
    author: str | None
    published_at: str | None
    site_name: str | None
    url: str | None


def _clean_field(value: object) -> str | None:
    if value is None:
        return None
    text = normalise_text(str(value)).replace("\n", " ")
    return text or None


def _metadata_reader() -> Callable[[Any, str | None], Any] | None:
    """trafilatura's metadata steps without categories, tags and licence, or None if they cannot be imported.

    `trafilatura.extract_metadata` (what `bare_extraction(with_metadata=True)` runs) also reads categories, tags
    and the licence, which presswork does not keep: two passes over every element of the page, about 2 ms of
    its 13 (0.02 s of CPU per 10 pages). The steps it is made of are module functions of `trafilatura.metadata`,
    not documented API: should a trafilatura release rename one, the import fails and `extract_html` goes back
    to `with_metadata=True` (tests/test_html.py covers both paths and checks they give the same fields).
    """
    try:
        from courlan import extract_domain
        from htmldate import find_date
        from trafilatura.metadata import (
            META_URL,
            examine_meta,
            extract_author,
            extract_meta_json,
            extract_sitename,
            extract_title,
            extract_url,
        )
    except ImportError:
        return None

    def read(tree: Any, url: str | None) -> Any:
        # The steps of trafilatura 2.3's `extract_metadata`, in its order, up to the sitename.
        metadata = examine_meta(tree)
        if metadata.author and " " not in metadata.author:
            metadata.author = None
        # As trafilatura does: a bug in its JSON-LD reading only loses that source of metadata.
        with contextlib.suppress(Exception):
            metadata = extract_meta_json(tree, metadata)
        if not metadata.title:
            metadata.title = extract_title(tree)
        if not metadata.author:
            metadata.author = extract_author(tree)
        if not metadata.url:
            metadata.url = extract_url(tree, url)
        if metadata.url:
            metadata.hostname = extract_domain(metadata.url, fast=True)
        metadata.date = find_date(tree, **DATE_PARAMS, url=metadata.url)
        if not metadata.sitename:
            metadata.sitename = extract_sitename(tree)
        if metadata.sitename:
            metadata.sitename = metadata.sitename.lstrip("@")
            if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
                metadata.sitename = metadata.sitename.title()
        elif metadata.url and (match := META_URL.match(metadata.url)):
            metadata.sitename = match[1]
        metadata.clean_and_trim()
        return metadata

    return read


_READ_METADATA = _metadata_reader()


def extract_html(html: str, url: str | None = None) -> Extracted | None:
    """Return the page's main text and metadata, or None when trafilatura finds no main text.

    Comments are excluded (they are not the article); tables are kept (they often are). The date is the
    original publication date, not the last modification (htmldate's `original_date`), read from the page's
    metadata, structured data, URL and date elements. htmldate's extensive search (date-like strings anywhere in
    the text) is off: on the 100 html-dev pages it added 5 dates, none on a news page and two of them a bare year
    read as 1 January, for 30 ms a page, as much as extraction itself.

    The metadata is read without trafilatura's categories, tags and licence (`_metadata_reader`), or with them
    when those steps cannot be imported; the fields presswork keeps are the same either way.
    """
    if _READ_METADATA is not None:
        tree = trafilatura.load_html(html)
        if tree is None:
            return None
        metadata = _READ_METADATA(tree, url)
        # bare_extraction works on a copy of a tree it is given: the metadata's tree is not changed.
        document = trafilatura.bare_extraction(tree, url=url, with_metadata=False, **_OPTIONS)
        if document is None:
            return None
        text, fields = document.text, metadata
    else:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, date_extraction_params=DATE_PARAMS, **_OPTIONS
        )
        if document is None:
            return None
        text, fields = document.text, document
    text = normalise_text(text or "")
    if not text:
        return None
    return Extracted(
        text=text,
        title=_clean_field(fields.title),
        author=_clean_field(fields.author),
        published_at=_clean_field(fields.date),
        site_name=_clean_field(fields.sitename) or _clean_field(fields.hostname),
        url=_clean_field(fields.url),
    )
