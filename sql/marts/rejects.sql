-- Inputs that did not become articles, and why.
-- Grain: one row per rejected input.
with rejects as (
    select * from stg_rejects
),

final as (
    select
        source_uri,
        reason,
        detail,
        seen_at,
        content_hash,
        input_uri
    from rejects
)

select * from final
