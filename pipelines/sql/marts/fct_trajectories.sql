-- One row per trajectory with everything the metrics and filters need.
-- The metrics layer (werkpad/metrics/metrics.yaml) aggregates this table and nothing else.
WITH trajectories AS (
    SELECT * FROM staging.stg_trajectories
),

partners AS (
    SELECT * FROM marts.dim_partners
),

regions AS (
    SELECT * FROM staging.stg_regions
),

projects AS (
    SELECT * FROM staging.stg_projects
),

age_groups AS (
    SELECT * FROM raw.ref_age_groups
),

final AS (
    SELECT
        trajectories.*,
        regions.province_code,
        regions.name AS region_name,
        projects.programme_code,
        partners.partner_name,
        partners.partner_type,
        age_groups.age_group,
        date_trunc('month', trajectories.reached_on)::DATE AS reached_month,
        date_trunc('quarter', trajectories.reached_on)::DATE AS reached_quarter,
        coalesce(
            trajectories.decision,
            CASE
                WHEN trajectories.exploration_started_on IS NOT NULL THEN 'exploring'
                ELSE 'not_exploring'
            END
        ) AS decision_state,
        CASE
            WHEN trajectories.job_started_on IS NOT NULL THEN 'paid_job'
            WHEN trajectories.trajectory_started_on IS NOT NULL THEN 'trajectory'
            WHEN starts_with(trajectories.end_reason, 'early_stop') THEN 'early_stop'
            WHEN trajectories.ended_on IS NOT NULL THEN 'ended'
            ELSE 'in_guidance'
        END AS outcome,
        date_diff(
            'month',
            date_trunc('month', partners.partnership_started_on),
            date_trunc('month', trajectories.reached_on)
        ) AS partner_month
    FROM trajectories
    LEFT JOIN regions USING (region_code)
    LEFT JOIN projects ON trajectories.project_code = projects.project_code
    LEFT JOIN partners USING (partner_code)
    LEFT JOIN age_groups USING (age_band)
)

SELECT * FROM final
