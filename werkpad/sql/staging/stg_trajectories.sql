-- Trajectories typed and cleaned: one row per trajectory of each project's live snapshot.
WITH source AS (
    SELECT * FROM raw.trajectories
),

typed AS (
    SELECT
        werkpad_date(extract_date) AS extract_date,
        werkpad_text(project_code) AS project_code,
        werkpad_text(trajectory_id) AS trajectory_id,
        werkpad_text(client_key) AS client_key,
        werkpad_text(region_code) AS region_code,
        werkpad_text(partner_code) AS partner_code,
        werkpad_text(referral_source) AS referral_source,
        werkpad_text(gender) AS gender,
        werkpad_text(age_band) AS age_band,
        werkpad_text(education_level) AS education_level,
        werkpad_text(benefit_status) AS benefit_status,
        werkpad_bool(mental_health) AS mental_health,
        werkpad_bool(addiction) AS addiction,
        werkpad_bool(physical_disability) AS physical_disability,
        werkpad_bool(migration_background) AS migration_background,
        werkpad_date(reached_on) AS reached_on,
        werkpad_date(exploration_started_on) AS exploration_started_on,
        werkpad_date(decision_on) AS decision_on,
        werkpad_text(decision) AS decision,
        werkpad_text(step_type) AS step_type,
        werkpad_date(trajectory_started_on) AS trajectory_started_on,
        werkpad_date(job_started_on) AS job_started_on,
        werkpad_text(job_circuit) AS job_circuit,
        werkpad_bool(employed_3m) AS employed_3m,
        werkpad_date(ended_on) AS ended_on,
        werkpad_text(end_reason) AS end_reason,
        werkpad_bool(warm_handover) AS warm_handover,
        _source_file,
        _loaded_at
    FROM source
)

SELECT * FROM typed
