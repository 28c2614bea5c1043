-- Step 1 of replacing a project's snapshot (the loader runs both steps in one transaction).
DELETE FROM wh.raw.trajectories WHERE project_code = $project_code
