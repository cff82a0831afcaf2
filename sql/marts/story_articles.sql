-- The articles of each story, with when each was seen and whether it is a reprint of an earlier article.
-- similarity: to its story, without itself, as the run that assigned it left it (1: the article that names it).
-- Grain: one row per article.
with story_articles as (
    select * from stg_story_articles
),

articles as (
    select * from stg_articles
),

near_duplicates as (
    select * from stg_near_duplicates
),

final as (
    select
        story_articles.story_id,
        story_articles.article_id,
        story_articles.similarity,
        story_articles.seen_at,
        articles.source_name,
        articles.title,
        near_duplicates.duplicate_of
    from story_articles
    inner join articles on story_articles.article_id = articles.article_id
    left join near_duplicates on story_articles.article_id = near_duplicates.article_id
)

select * from final
