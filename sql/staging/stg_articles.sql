-- Cleaned articles as written by the pipeline, with types fixed for querying.
-- Grain: one row per article (one input file or record).
select
    article_id,
    source_uri,
    input_uri,
    source_name,
    kind,
    title,
    body,
    author,
    try_cast(published_at as timestamp) as published_at,
    url,
    language,
    word_count,
    content_hash,
    encoding,
    cleaner_version,
    run_id,
    ingested_at
from {{ source('articles') }}
