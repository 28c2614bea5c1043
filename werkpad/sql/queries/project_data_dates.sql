-- Each project's data date: the newest extract it delivered (a programme that ended in 2019
-- has data until its last extract, not until the newest one of the site).
WITH trajectories AS (
    SELECT project_code, extract_date FROM marts.fct_trajectories
)

SELECT
    project_code,
    max(extract_date) AS data_date
FROM trajectories
GROUP BY project_code
ORDER BY project_code
