"""Turn decoded documents into cleaned articles: extract (HTML), clean, measure, detect language."""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.clean import CLEANER_VERSION, CleanOptions, clean_text, count_words
from flows.extract import extract_html
from flows.language import detect_language
from flows.records import Article, Boilerplate, CleanedBatch, RawDocument, Reject


@dataclass(frozen=True, slots=True)
class ArticleOptions:
    """Settings for building articles."""

    min_words: int = 25  # fewer words in the cleaned body: rejected as `too_short`
    clean: CleanOptions = field(default_factory=CleanOptions)


def build_article(
    document: RawDocument, options: ArticleOptions
) -> tuple[Article | None, list[Boilerplate], Reject | None]:
    """Build one article, or say why the document cannot be one."""
    title: str | None = None
    author = published_at = url = None
    source_name = document.source_name
    text = document.text
    if document.kind == "html":
        extracted = extract_html(document.text)
        if extracted is None:
            return (
                None,
                [],
                Reject(document.source_uri, document.content_hash, "no_main_text", "trafilatura found no main text"),
            )
        text, title, author = extracted.text, extracted.title, extracted.author
        published_at, url = extracted.published_at, extracted.url
        source_name = extracted.site_name or source_name
    cleaned = clean_text(text, title=title, options=options.clean)
    words = count_words(cleaned.body)
    if words < options.min_words:
        detail = f"{words} words after cleaning (minimum {options.min_words})"
        return None, [], Reject(document.source_uri, document.content_hash, "too_short", detail)
    article = Article(
        article_id=document.article_id,
        source_uri=document.source_uri,
        source_name=source_name,
        kind=document.kind,
        title=cleaned.title,
        body=cleaned.body,
        author=author,
        published_at=published_at,
        url=url,
        language=detect_language(cleaned.body),
        word_count=words,
        content_hash=document.content_hash,
        encoding=document.encoding,
        cleaner_version=CLEANER_VERSION,
    )
    boilerplate = [
        Boilerplate(document.article_id, document.source_uri, span.text, span.rule_id, span.reason, span.position)
        for span in cleaned.removed
    ]
    return article, boilerplate, None


def build_articles(documents: list[RawDocument], options: ArticleOptions) -> CleanedBatch:
    """Build the articles of a batch; documents that fail become rejects and the batch goes on."""
    articles: list[Article] = []
    boilerplate: list[Boilerplate] = []
    rejects: list[Reject] = []
    for document in documents:
        article, removed, reject = build_article(document, options)
        if article is not None:
            articles.append(article)
            boilerplate.extend(removed)
        if reject is not None:
            rejects.append(reject)
    return CleanedBatch(articles=articles, boilerplate=boilerplate, rejects=rejects)
