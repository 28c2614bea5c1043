-- Step 1 of replacing a project's snapshot (the loader runs both steps in one transaction).
-- {table}: the contract's raw table (raw.trajectories, raw.placements).
DELETE FROM wh.raw.{table} WHERE project_code = $project_code
