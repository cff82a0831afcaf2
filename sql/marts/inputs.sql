-- Input files and what they held: one document for text and HTML files, many for JSONL and WARC.
-- Grain: one row per input file.
with inputs as (
    select * from stg_inputs
),

final as (
    select
        input_uri,
        input_hash,
        kind,
        size_bytes,
        documents,
        skipped_records,
        run_id,
        ingested_at
    from inputs
)

select * from final
