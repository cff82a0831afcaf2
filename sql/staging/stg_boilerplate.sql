-- Every span the cleaner removed, with the rule that removed it.
-- Grain: one row per removed span.
select
    article_id,
    input_uri,
    text,
    rule_id,
    reason,
    position,
    run_id,
    ingested_at
from {{ source('boilerplate') }}
