-- The audit trail of cleaning: what was removed from each article and why.
-- Grain: one row per removed span.
with boilerplate as (
    select * from stg_boilerplate
),

final as (
    select
        article_id,
        text,
        reason,
        rule_id,
        position,
        input_uri
    from boilerplate
)

select * from final
