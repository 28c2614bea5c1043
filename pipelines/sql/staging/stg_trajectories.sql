-- Trajectories of each project's live snapshot, one row per trajectory. raw.trajectories is
-- already in contract types (the loader parses dates and booleans once, when it validates), so
-- staging only names and orders the columns the marts build on.
WITH source AS (
    SELECT * FROM raw.trajectories
),

renamed AS (
    SELECT
        extract_date,
        project_code,
        trajectory_id,
        client_key,
        region_code,
        partner_code,
        referral_source,
        gender,
        age_band,
        education_level,
        benefit_status,
        mental_health,
        addiction,
        physical_disability,
        migration_background,
        reached_on,
        exploration_started_on,
        decision_on,
        decision,
        step_type,
        trajectory_started_on,
        job_started_on,
        job_circuit,
        employed_3m,
        ended_on,
        end_reason,
        warm_handover,
        _source_file,
        _loaded_at
    FROM source
)

SELECT * FROM renamed
