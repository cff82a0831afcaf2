-- Inputs that could not become articles, with the reason.
-- Grain: one row per rejected input.
select
    source_uri,
    input_uri,
    content_hash,
    reason,
    detail,
    run_id,
    ingested_at as seen_at
from {{ source('rejects') }}
