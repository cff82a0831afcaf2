-- Stories: the articles of many outlets and days about one real-world event, grouped by presswork.
-- headline: the title most of its articles carry (reprints share one), ties to the earliest; null without titles.
-- top_entities: the names of the (up to) five entities the most of its articles mention (ties: most mentions).
-- Grain: one row per story.
with members as (
    select * from story_articles
),

mentioned as (
    select * from article_entities
),

resolved as (
    select
        entity_id,
        any_value(entity_name) as name
    from stg_entity_names
    group by entity_id
),

titles as (
    select
        story_id,
        title,
        row_number() over (
            partition by story_id order by count(*) desc, min(seen_at), title
        ) as title_rank
    from members
    where title is not null
    group by story_id, title
),

entity_counts as (
    select
        members.story_id,
        resolved.name,
        count(distinct members.article_id) as articles,
        sum(mentioned.mention_count) as mentions
    from members
    inner join mentioned on members.article_id = mentioned.article_id
    inner join resolved on mentioned.entity_id = resolved.entity_id
    group by members.story_id, resolved.entity_id, resolved.name
),

top_entities as (
    select
        story_id,
        list(name order by articles desc, mentions desc, name)[1:5] as top_entities
    from entity_counts
    group by story_id
),

sizes as (
    select
        story_id,
        min(seen_at) as first_seen,
        max(seen_at) as last_seen,
        count(*) as article_count,
        count(distinct source_name) as source_count,
        count(duplicate_of) as reprint_count
    from members
    group by story_id
),

final as (
    select
        sizes.story_id,
        titles.title as headline,
        sizes.first_seen,
        sizes.last_seen,
        sizes.article_count,
        sizes.source_count,
        coalesce(top_entities.top_entities, []) as top_entities,
        sizes.reprint_count
    from sizes
    left join titles on sizes.story_id = titles.story_id and titles.title_rank = 1
    left join top_entities on sizes.story_id = top_entities.story_id
)

select * from final
