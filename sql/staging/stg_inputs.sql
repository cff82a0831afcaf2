-- The input files the warehouse holds, with the content hash they were processed at.
-- Grain: one row per input file.
select
    input_uri,
    input_hash,
    kind,
    size_bytes,
    documents,
    skipped_records,
    run_id,
    ingested_at
from {{ source('inputs') }}
