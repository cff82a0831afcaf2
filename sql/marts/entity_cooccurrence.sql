-- Pairs of entities mentioned in the same articles, for network views.
-- Grain: one row per unordered entity pair (entity_id_a < entity_id_b) sharing at least one article.
with article_entities as (
    select distinct article_id, entity_id from entity_mentions
),

pairs as (
    select
        a.entity_id as entity_id_a,
        b.entity_id as entity_id_b,
        count(*) as articles
    from article_entities as a
    inner join article_entities as b on a.article_id = b.article_id and a.entity_id < b.entity_id
    group by a.entity_id, b.entity_id
),

names as (
    select entity_id, any_value(entity_name) as name from stg_entity_names group by entity_id
),

final as (
    select
        pairs.entity_id_a,
        names_a.name as name_a,
        pairs.entity_id_b,
        names_b.name as name_b,
        pairs.articles
    from pairs
    inner join names as names_a on pairs.entity_id_a = names_a.entity_id
    inner join names as names_b on pairs.entity_id_b = names_b.entity_id
)

select * from final
