-- The employer-network metrics of metrics.yaml `placement_metrics` over the filtered
-- placements, filled by werkpad.metrics.placements: the WHERE conditions select by the
-- placement's start and its trajectory's place (bound parameters), `earlier` by the place
-- alone; then the count and ratio metrics, per group (the grouping may be empty).
-- $range_start is the period's first day. `earlier`
-- is read by the employers_repeat expression in metrics.yaml, which the linter cannot see.
-- noqa: disable=ST03
WITH filtered AS (
    SELECT * FROM marts.fct_placements
    WHERE {where}
),

earlier AS (
    SELECT DISTINCT employer_key
    FROM marts.fct_placements
    WHERE
        {place}
        AND started_on >= $range_start - INTERVAL 365 DAY
        AND started_on < $range_start
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
