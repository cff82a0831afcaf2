-- Every named-entity mention, resolved to its entity, with exact offsets into articles.body
-- (body[start_char:end_char] = text).
-- Grain: one row per article x entity mention.
with mentions as (
    select * from stg_entity_mentions
),

names as (
    select * from stg_entity_names
),

final as (
    select
        mentions.article_id,
        names.entity_id,
        mentions.text,
        mentions.name,
        mentions.label,
        mentions.start_char,
        mentions.end_char,
        mentions.sentence
    from mentions
    inner join names on mentions.name = names.name
)

select * from final
