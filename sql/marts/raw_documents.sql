-- The raw decoded input of every article, for audits and re-cleaning.
-- Grain: one row per decoded input (every article, and inputs rejected after decoding, e.g. too_short).
with raw_documents as (
    select * from stg_raw_documents
),

final as (
    select
        article_id,
        source_uri,
        input_uri,
        kind,
        content_hash,
        encoding,
        raw_text,
        ingested_at
    from raw_documents
)

select * from final
