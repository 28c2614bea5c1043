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

age_groups AS (
    SELECT * FROM raw.ref_age_groups
),

final AS (
    SELECT
        trajectories.*,
        regions.province_code,
        regions.name AS region_name,
        partners.partner_name,
        partners.partner_type,
        age_groups.age_group,
        date_trunc('month', trajectories.reached_on)::DATE AS reached_month,
        date_diff('month', date_trunc('month', partners.first_contact_on),
                  date_trunc('month', trajectories.reached_on)) AS partner_month
    FROM trajectories
    LEFT JOIN regions USING (region_code)
    LEFT JOIN partners USING (partner_code)
    LEFT JOIN age_groups USING (age_band)
)

SELECT * FROM final
