-- Articles for analysis: the cleaned title and body with their metadata.
-- Grain: one row per article.
with articles as (
    select * from stg_articles
),

final as (
    select
        article_id,
        source_uri,
        input_uri,
        source_name,
        kind,
        title,
        body,
        author,
        published_at,
        url,
        language,
        word_count,
        content_hash,
        encoding,
        cleaner_version,
        run_id,
        ingested_at
    from articles
)

select * from final
