-- Reprints found by MinHash over word shingles, each linked to the earliest copy.
-- Grain: one row per article that is a near-duplicate (reprint) of an earlier one.
select
    article_id,
    input_uri,
    duplicate_of,
    similarity,
    run_id,
    ingested_at
from {{ source('near_duplicates') }}
