-- Reprints: articles whose body nearly repeats an earlier article's, linked to the earliest copy.
-- similarity: estimated Jaccard similarity of the two bodies' word shingles (MinHash).
-- Grain: one row per article that is a near-duplicate of an earlier one.
with near_duplicates as (
    select * from stg_near_duplicates
),

final as (
    select
        article_id,
        duplicate_of,
        similarity
    from near_duplicates
)

select * from final
