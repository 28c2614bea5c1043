-- Partners with their region and province names and their first contact in the data.
WITH partners AS (
    SELECT * FROM staging.stg_partners
),

first_contact AS (
    SELECT partner_code, min(reached_on) AS first_contact_on
    FROM staging.stg_trajectories
    GROUP BY partner_code
),

final AS (
    SELECT
        partners.partner_code,
        partners.name AS partner_name,
        partners.partner_type,
        partners.region_code,
        partners.province_code,
        first_contact.first_contact_on
    FROM partners
    LEFT JOIN first_contact USING (partner_code)
)

SELECT * FROM final
