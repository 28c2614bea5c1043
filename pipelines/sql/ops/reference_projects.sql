-- The run's projects and their province, from its accepted reference (pipelines.reference).
SELECT project_code, province_code FROM ref_projects
