-- Entities resolved across the whole warehouse, with every surface form seen and how often they occur.
-- story_count: the stories its articles belong to (a wire story reprinted by forty sites counts once).
-- Grain: one row per entity (real-world thing).
with mentions as (
    select * from stg_entity_mentions
),

names as (
    select * from stg_entity_names
),

articles as (
    select * from stg_articles
),

story_articles as (
    select * from stg_story_articles
),

resolved as (
    select
        names.entity_id,
        names.entity_name,
        names.entity_label,
        mentions.article_id,
        story_articles.story_id,
        mentions.text,
        coalesce(articles.published_at, articles.ingested_at::timestamp) as seen_at
    from mentions
    inner join names on mentions.name = names.name
    inner join articles on mentions.article_id = articles.article_id
    left join story_articles on mentions.article_id = story_articles.article_id
),

final as (
    select
        entity_id,
        any_value(entity_name) as name,
        any_value(entity_label) as label,
        list(distinct text order by text) as aliases,
        count(distinct article_id) as article_count,
        count(distinct story_id) as story_count,
        count(*) as mention_count,
        min(seen_at) as first_seen,
        max(seen_at) as last_seen
    from resolved
    group by entity_id
)

select * from final
