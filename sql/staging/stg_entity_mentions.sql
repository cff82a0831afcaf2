-- Named-entity mentions found by spaCy in article bodies, before resolution to entities.
-- Grain: one row per article x entity mention.
select
    article_id,
    input_uri,
    name,
    text,
    label,
    start_char,
    end_char,
    sentence,
    vote_label,
    run_id,
    ingested_at
from {{ source('entity_mentions') }}
