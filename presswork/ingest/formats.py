"""Container inputs that hold many documents: JSONL exports and WARC archives (Common Crawl format)."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from presswork.ingest.decode import DecodeError, decode_bytes, normalise_text
from presswork.records import RawDocument, Reject

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class Container:
    """Where the records of one input file come from."""

    input_uri: str
    input_hash: str
    folder_name: str  # the source name when a record names none and has no URL


@dataclass(frozen=True, slots=True)
class ContainerContents:
    documents: list[RawDocument]
    rejects: list[Reject]
    skipped_records: int


def record_id(input_uri: str, index: int) -> str:
    """Return the stable article id of the index-th record of a container file."""
    return hashlib.sha256(f"{input_uri}#{index}".encode()).hexdigest()[:16]


def host_of(url: str | None) -> str | None:
    """Return a URL's host without `www.`, or None."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _payload_hash(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def read_jsonl(data: bytes, container: Container, max_bytes: int) -> ContainerContents:
    """Read JSONL records: `url`, and `html` or `text`; optional `title`, `published_at`, `source`."""
    documents: list[RawDocument] = []
    rejects: list[Reject] = []
    text = decode_bytes(data).text
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        fallback_uri = f"{container.input_uri}#line={number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            rejects.append(Reject(fallback_uri, container.input_uri, "", "invalid_record", f"not JSON: {exc}"))
            continue
        if not isinstance(record, dict):
            rejects.append(Reject(fallback_uri, container.input_uri, "", "invalid_record", "a line is not an object"))
            continue
        url = record.get("url") if isinstance(record.get("url"), str) else None
        source_uri = url or fallback_uri
        body, kind = record.get("html"), "html"
        if not isinstance(body, str) or not body.strip():
            body, kind = record.get("text"), "text"
        if not isinstance(body, str) or not body.strip():
            rejects.append(Reject(source_uri, container.input_uri, "", "empty", "the record has no `html` or `text`"))
            continue
        payload = body.encode("utf-8", errors="replace")
        if len(payload) > max_bytes:
            detail = f"record of more than {max_bytes} bytes (the max_input_bytes limit)"
            rejects.append(Reject(source_uri, container.input_uri, _payload_hash(payload), "too_large", detail))
            continue
        source = record.get("source") if isinstance(record.get("source"), str) else None
        documents.append(
            RawDocument(
                article_id=record_id(container.input_uri, number),
                source_uri=source_uri,
                input_uri=container.input_uri,
                source_name=source or host_of(url) or container.folder_name,
                kind=kind,
                content_hash=_payload_hash(payload),
                encoding="utf-8",
                text=body if kind == "html" else normalise_text(body),
                url=url,
                title=_optional_text(record.get("title")),
                published_at=_optional_text(record.get("published_at")),
            )
        )
    return ContainerContents(documents, rejects, 0)


def _optional_text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def read_warc(data: bytes, container: Container, max_bytes: int) -> ContainerContents:
    """Read HTML response records of a WARC file (gzip or not); count and skip every other record.

    A truncated archive keeps the records read in full and adds one `truncated_warc` reject for the file.
    """
    documents: list[RawDocument] = []
    rejects: list[Reject] = []
    skipped = 0
    short_record = False
    iterator = ArchiveIterator(io.BytesIO(data))
    try:
        for index, record in enumerate(iterator, start=1):
            document = _warc_document(record, index, container, max_bytes, rejects)
            record.raw_stream.read()  # the rest of the record, so a short one shows below
            if getattr(record.raw_stream, "limit", 0):
                short_record = True
                break
            if document is None:
                skipped += 1
            elif isinstance(document, RawDocument):
                documents.append(document)
        # warcio stops quietly at a cut: unread bytes after the last whole record mean the file was truncated
        # (a complete archive ends with the record's CRLF CRLF).
        unread = len(data) - (iterator.get_record_offset() + iterator.get_record_length()) > 4 if data else False
    except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
        rejects.append(
            Reject(container.input_uri, container.input_uri, container.input_hash, "corrupt_warc", str(exc)[:300])
        )
        return ContainerContents(documents, rejects, skipped)
    if short_record or unread:
        detail = f"the archive ends inside a record; {len(documents)} complete HTML records were kept"
        rejects.append(Reject(container.input_uri, container.input_uri, container.input_hash, "truncated_warc", detail))
    return ContainerContents(documents, rejects, skipped)


def _warc_document(
    record: ArcWarcRecord, index: int, container: Container, max_bytes: int, rejects: list[Reject]
) -> RawDocument | Reject | None:
    """Return the record's document, a reject (already appended), or None for a record that is not HTML."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    content_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    status = record.http_headers.get_statuscode() or ""
    if content_type not in HTML_TYPES or not status.startswith("2"):
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    source_uri = url or f"{container.input_uri}#record={index}"
    payload = record.content_stream().read(max_bytes + 1)
    try:
        if len(payload) > max_bytes:
            raise DecodeError("too_large", f"record of more than {max_bytes} bytes (the max_input_bytes limit)")
        decoded = decode_bytes(payload, is_html=True)
    except DecodeError as exc:
        reject = Reject(source_uri, container.input_uri, _payload_hash(payload), exc.reason, exc.detail)
        rejects.append(reject)
        return reject
    return RawDocument(
        article_id=record_id(container.input_uri, index),
        source_uri=source_uri,
        input_uri=container.input_uri,
        source_name=host_of(url) or container.folder_name,
        kind="html",
        content_hash=_payload_hash(payload),
        encoding=decoded.encoding,
        text=decoded.text,
        url=url,
    )
