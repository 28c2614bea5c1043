-- Partners with their type, region and province, for the partner filter and labels.
WITH partners AS (
    SELECT partner_code, partner_name, partner_type, region_code, province_code
    FROM marts.dim_partners
)

SELECT * FROM partners ORDER BY partner_name
