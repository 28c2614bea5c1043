-- The metrics of werkpad/metrics/metrics.yaml over the filtered trajectories, per group.
-- Filled by werkpad.metrics: the WHERE conditions (parameterised), the grouping (may be empty),
-- the count metrics and the ratio metrics over the counts.
WITH filtered AS (
    SELECT * FROM marts.fct_trajectories
    WHERE {where}
),

counts AS (
    SELECT
        {group_select}
        {counts}
    FROM filtered
    {group_by}
),

final AS (
    SELECT
        *,
        {ratios}
    FROM counts
)

SELECT * FROM final
{order_by}
