-- Which entities each article mentions, and how often.
-- Grain: one row per article x entity.
with mentions as (
    select * from stg_entity_mentions
),

final as (
    select
        article_id,
        entity_id,
        count(*) as mention_count
    from mentions
    group by article_id, entity_id
)

select * from final
