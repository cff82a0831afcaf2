-- Which entities each article mentions, how often, and how central each is to the article.
-- salience: the entity's share of the article's weighted mentions, where a mention in the lead (first 500
-- characters) counts double and an entity named in the title gets three more.
-- Grain: one row per article x entity.
with mentions as (
    select * from entity_mentions
),

articles as (
    select * from stg_articles
),

weighted as (
    select
        mentions.article_id,
        mentions.entity_id,
        count(*) as mention_count,
        sum(case when mentions.start_char < 500 then 2 else 1 end)
        + case when bool_or(contains(lower(coalesce(articles.title, '')), lower(mentions.name))) then 3 else 0 end
            as weight
    from mentions
    inner join articles on mentions.article_id = articles.article_id
    group by mentions.article_id, mentions.entity_id
),

final as (
    select
        article_id,
        entity_id,
        mention_count,
        round(weight / sum(weight) over (partition by article_id), 4) as salience
    from weighted
)

select * from final
