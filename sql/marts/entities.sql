-- Entities with every surface form seen and how often they occur.
-- Grain: one row per entity (normalised name x label).
with mentions as (
    select * from stg_entity_mentions
),

final as (
    select
        entity_id,
        mode(name) as name,
        any_value(label) as label,
        list(distinct text order by text) as aliases,
        count(distinct article_id) as article_count,
        count(*) as mention_count
    from mentions
    group by entity_id
)

select * from final
