-- The decoded input text (HTML markup for HTML inputs) before any cleaning, so every article can be re-cleaned.
-- Grain: one row per decoded input (every article, and inputs rejected after decoding, e.g. too_short).
select
    article_id,
    source_uri,
    input_uri,
    source_name,
    kind,
    content_hash,
    encoding,
    text as raw_text,
    run_id,
    ingested_at
from {{ source('raw_documents') }}
