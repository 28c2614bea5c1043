-- The span of the data shown: first and last first contact, and the newest extract date.
WITH trajectories AS (
    SELECT reached_on, extract_date FROM marts.fct_trajectories
)

SELECT
    min(reached_on) AS first_reached,
    max(reached_on) AS last_reached,
    max(extract_date) AS data_date
FROM trajectories
