-- One record per pipeline run, written in the same commit as the run's data.
-- Grain: one row per run.
select
    run_id,
    started_at,
    finished_at,
    status,
    inputs,
    processed,
    unchanged,
    articles,
    rejects,
    boilerplate,
    mentions,
    entities,
    duration_s,
    rejects_by_reason,
    stage_seconds,
    cleaner_version,
    presswork_version
from {{ source('runs') }}
