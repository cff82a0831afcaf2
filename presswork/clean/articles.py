"""Turn decoded documents into cleaned articles: extract (HTML), clean, measure, detect language."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from presswork.clean.cleaner import CLEANER_VERSION, CleanOptions, clean_text, count_words
from presswork.clean.corpus import SourceStats, document_line_hashes, repeated_lines
from presswork.clean.extract import Extracted, extract_html
from presswork.clean.language import detect_language
from presswork.faults import NO_FAULTS, Faults, failure_detail, failure_reason
from presswork.records import Article, Boilerplate, CleanedBatch, RawDocument, Reject, SourceLine
from presswork.workers import (
    CHUNKS_PER_WORKER,
    Outcome,
    default_workers,
    map_in_workers,
    map_with_timeout,
    split_evenly,
)


@dataclass(frozen=True, slots=True)
class ArticleOptions:
    """Settings for building articles."""

    # Fewer words in the cleaned body: rejected as `too_short`. Ten, not more: a one-sentence brief (15-25 words,
    # "An Australian climber who survived two nights stuck on Mount Cook ... narrowly escaped being buried
    # alive.") is a report of its own; below ten words what is left is a headline, a dateline or a stub.
    min_words: int = 10  # RunSettings.min_words has the same default (a test keeps them equal)
    extraction_timeout_s: float = 30.0  # per HTML document; past it: rejected as `extraction_timeout`
    workers: int | None = None  # extraction processes; None: one per core
    clean: CleanOptions = field(default_factory=CleanOptions)
    faults: Faults = NO_FAULTS  # deliberate failures, for tests (`presswork.faults`)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A document's text ready for the cleaner, with the metadata extraction found."""

    document: RawDocument
    text: str
    source_name: str
    title: str | None = None
    author: str | None = None
    published_at: str | None = None
    url: str | None = None


def _reject(document: RawDocument, reason: str, detail: str) -> Reject:
    return Reject(document.source_uri, document.input_uri, document.content_hash, reason, detail)


def _failed(document: RawDocument, stage: str, error: BaseException | str) -> Reject:
    """The reject of a document that failed in `stage` (see `presswork.faults`)."""
    return _reject(document, failure_reason(stage), failure_detail(stage, error))


def _prepare(document: RawDocument, outcome: Outcome[Extracted] | None, options: ArticleOptions) -> _Prepared | Reject:
    """Return the text to clean (trafilatura's main text for HTML) or the reason there is none."""
    if document.kind != "html":
        return _Prepared(
            document, document.text, document.source_name, document.title, None, document.published_at, document.url
        )
    if outcome is None:
        try:
            outcome = Outcome(_extract(document, options.faults))
        except Exception as exc:  # one page must not sink the batch
            outcome = Outcome(None, f"{type(exc).__name__}: {exc}")
    if outcome.error == "timeout":
        return _reject(
            document, "extraction_timeout", f"extraction took longer than {options.extraction_timeout_s:g} s"
        )
    if outcome.error is not None:
        return _failed(document, "extract", outcome.error)
    extracted = outcome.value
    if extracted is None:
        return _reject(document, "no_main_text", "trafilatura found no main text")
    return _Prepared(
        document=document,
        text=extracted.text,
        source_name=extracted.site_name or document.source_name,
        title=document.title or extracted.title,
        author=extracted.author,
        published_at=document.published_at or extracted.published_at,
        url=document.url or extracted.url,
    )


def _finish(
    prepared: _Prepared, options: ArticleOptions, repeated: frozenset[str]
) -> tuple[Article | None, list[Boilerplate], Reject | None]:
    document = prepared.document
    try:
        options.faults.check("clean", document.source_uri)
        cleaned = clean_text(prepared.text, title=prepared.title, options=options.clean, repeated=repeated)
        words = count_words(cleaned.body)
    except Exception as exc:  # a bug must not sink the batch: the input is named, with the stage and error
        return None, [], _failed(document, "clean", exc)
    if words < options.min_words:
        return None, [], _reject(document, "too_short", f"{words} words after cleaning (minimum {options.min_words})")
    try:
        options.faults.check("language", document.source_uri)
        language = detect_language(cleaned.body)
    except Exception as exc:
        return None, [], _failed(document, "language", exc)
    article = Article(
        article_id=document.article_id,
        source_uri=document.source_uri,
        input_uri=document.input_uri,
        source_name=prepared.source_name,
        kind=document.kind,
        title=cleaned.title,
        body=cleaned.body,
        author=prepared.author,
        published_at=prepared.published_at,
        url=prepared.url,
        language=language,
        word_count=words,
        content_hash=document.content_hash,
        encoding=document.encoding,
        cleaner_version=CLEANER_VERSION,
    )
    boilerplate = [
        Boilerplate(document.article_id, document.input_uri, span.text, span.rule_id, span.reason, span.position)
        for span in cleaned.removed
    ]
    return article, boilerplate, None


def build_article(
    document: RawDocument, options: ArticleOptions
) -> tuple[Article | None, list[Boilerplate], Reject | None]:
    """Build one article on its own (no corpus knowledge, extraction in this process), or say why not."""
    prepared = _prepare(document, None, options)
    if isinstance(prepared, Reject):
        return None, [], prepared
    return _finish(prepared, options, frozenset())


@dataclass(frozen=True, slots=True)
class _FinishChunk:
    """Documents ready for the cleaner, sent to a worker with the line counts of their sources."""

    prepared: list[_Prepared]
    options: ArticleOptions
    stats: SourceStats  # only lines frequent enough to be boilerplate (`SourceStats.frequent`)


_Built = tuple[Article | None, list[Boilerplate], Reject | None]


def _finish_chunk(chunk: _FinishChunk) -> list[_Built]:
    """Clean a chunk of documents (runs in a worker process)."""
    built: list[_Built] = []
    for ready in chunk.prepared:
        try:
            repeated = repeated_lines(chunk.stats, ready.source_name, ready.text)
        except Exception as exc:  # a bug must not sink the batch: the input is named, with the stage and error
            built.append((None, [], _failed(ready.document, "clean", exc)))
            continue
        built.append(_finish(ready, chunk.options, repeated))
    return built


def build_articles(
    documents: list[RawDocument], options: ArticleOptions, known: SourceStats | None = None
) -> CleanedBatch:
    """Build the articles of a batch; documents that fail become rejects and the batch goes on.

    Two passes over the worker processes: HTML extraction, each page under `extraction_timeout_s`; then,
    once the batch's line counts are known, cleaning (in chunks). Lines that recur across a source's documents
    (in `known`, the warehouse's counts, plus this batch) are removed as that source's boilerplate.
    """
    html = [d for d in documents if d.kind == "html"]
    outcomes = dict(
        zip(
            (d.article_id for d in html),
            map_with_timeout(
                partial(_extract, faults=options.faults), html, options.extraction_timeout_s, options.workers
            ),
            strict=True,
        )
    )
    rejects: list[Reject] = []
    source_lines: list[SourceLine] = []
    prepared: list[_Prepared] = []
    batch_stats = SourceStats()
    for document in documents:
        ready = _prepare(document, outcomes.get(document.article_id), options)
        if isinstance(ready, Reject):
            rejects.append(ready)
            continue
        try:
            hashes = document_line_hashes(ready.text)
        except Exception as exc:  # the corpus statistics are the first step of cleaning
            rejects.append(_failed(document, "clean", exc))
            continue
        batch_stats.add(ready.source_name, hashes)
        source_lines.extend(
            SourceLine(document.article_id, document.input_uri, ready.source_name, h) for h in sorted(hashes)
        )
        prepared.append(ready)
    stats = SourceStats()
    if known is not None:
        stats.merge(known)
    stats.merge(batch_stats)
    workers = options.workers or default_workers()
    frequent = stats.frequent({ready.source_name for ready in prepared})
    chunks = [_FinishChunk(part, options, frequent) for part in split_evenly(prepared, workers * CHUNKS_PER_WORKER)]
    articles: list[Article] = []
    boilerplate: list[Boilerplate] = []
    for results in map_in_workers(_finish_chunk, chunks, workers):
        for article, removed, reject in results:
            if article is not None:
                articles.append(article)
                boilerplate.extend(removed)
            if reject is not None:
                rejects.append(reject)
    return CleanedBatch(articles=articles, boilerplate=boilerplate, rejects=rejects, source_lines=source_lines)


def _extract(document: RawDocument, faults: Faults = NO_FAULTS) -> Extracted | None:
    faults.check("extract", document.source_uri)
    return extract_html(document.text, document.url)
