-- Every named-entity mention, with exact offsets into articles.body (body[start_char:end_char] = text).
-- Grain: one row per article x entity mention.
with mentions as (
    select * from stg_entity_mentions
),

final as (
    select
        article_id,
        entity_id,
        text,
        name,
        label,
        start_char,
        end_char,
        sentence
    from mentions
)

select * from final
