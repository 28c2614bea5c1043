-- Partners with when the partnership started: the day it joined (the site's partners.csv),
-- else its first contact in the data; the ramp-up is counted from then.
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
        partners.joined_on,
        partners.left_on,
        first_contact.first_contact_on,
        coalesce(partners.joined_on, first_contact.first_contact_on) AS partnership_started_on
    FROM partners
    LEFT JOIN first_contact USING (partner_code)
)

SELECT * FROM final
