-- Named-entity mentions found by spaCy in article bodies.
-- Grain: one row per article x entity mention.
select
    article_id,
    input_uri,
    entity_id,
    name,
    text,
    label,
    start_char,
    end_char,
    sentence,
    run_id,
    ingested_at
from {{ source('entity_mentions') }}
