-- The resolution of names to entities, recomputed over the whole warehouse at every commit.
-- Grain: one row per distinct normalised name.
select
    name,
    entity_id,
    entity_name,
    entity_label
from {{ source('entity_names') }}
