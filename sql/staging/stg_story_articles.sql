-- The story each article was assigned to by the online clustering, as stored.
-- Grain: one row per article.
select
    article_id,
    input_uri,
    story_id,
    similarity,
    seen_at,
    run_id,
    ingested_at
from {{ source('story_articles') }}
