-- One row per placement with its trajectory's project, programme, province, region and
-- partner, for the employer-network metrics (issue 13). A placement whose trajectory a later
-- trajectories snapshot no longer holds is left out (the inner join): its figures would count
-- a person the project no longer reports. An employer's first placement is its first in the
-- whole warehouse, whatever the selection: "new" means new to the network. Marts are built
-- in file-name order, so this reads staging, not marts.fct_trajectories.
WITH placements AS (
    SELECT * FROM staging.stg_placements
),

trajectories AS (
    SELECT * FROM staging.stg_trajectories
),

regions AS (
    SELECT * FROM staging.stg_regions
),

projects AS (
    SELECT * FROM staging.stg_projects
),

partners AS (
    SELECT * FROM staging.stg_partners
),

employers AS (
    SELECT
        employer_key,
        min(started_on) AS employer_first_started_on
    FROM placements
    GROUP BY employer_key
),

final AS (
    SELECT
        placements.*,
        projects.programme_code,
        regions.province_code,
        trajectories.region_code,
        trajectories.partner_code,
        partners.partner_type,
        trajectories.reached_on,
        trajectories.job_started_on,
        employers.employer_first_started_on,
        date_trunc('quarter', placements.started_on)::DATE AS started_quarter,
        coalesce(
            trajectories.job_started_on
            BETWEEN placements.started_on AND placements.started_on + INTERVAL 183 DAY,
            false
        ) AS paid_job_within_6m
    FROM placements
    INNER JOIN trajectories
        ON
            placements.project_code = trajectories.project_code
            AND placements.trajectory_id = trajectories.trajectory_id
    INNER JOIN employers USING (employer_key)
    LEFT JOIN regions ON trajectories.region_code = regions.region_code
    LEFT JOIN projects ON placements.project_code = projects.project_code
    LEFT JOIN partners ON trajectories.partner_code = partners.partner_code
)

SELECT * FROM final
