-- Entity trends: articles and mentions per entity per day (publication date, else the day it was ingested).
-- Grain: one row per entity x day with at least one mention.
with mentions as (
    select * from entity_mentions
),

articles as (
    select * from stg_articles
),

dated as (
    select
        mentions.entity_id,
        mentions.article_id,
        cast(coalesce(articles.published_at, articles.ingested_at::timestamp) as date) as day
    from mentions
    inner join articles on mentions.article_id = articles.article_id
),

entities as (
    select entity_id, any_value(entity_name) as name from stg_entity_names group by entity_id
),

final as (
    select
        dated.entity_id,
        entities.name,
        dated.day,
        count(distinct dated.article_id) as articles,
        count(*) as mentions
    from dated
    inner join entities on dated.entity_id = entities.entity_id
    group by dated.entity_id, entities.name, dated.day
)

select * from final
