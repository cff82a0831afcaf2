-- The history of pipeline runs with their counts.
-- Grain: one row per run.
with runs as (
    select * from stg_runs
),

final as (
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
    from runs
)

select * from final
