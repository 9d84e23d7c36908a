-- How and when a run was to start and where it came from (priority, concurrency key, scheduled
-- time, dependencies, re-run and schedule links) as JSON, NULL for a run with none of them; and
-- its parent run, a column of its own so that a parent's children are found by an index.
ALTER TABLE "troupe_runs" ADD COLUMN IF NOT EXISTS "spec" VARCHAR;
ALTER TABLE "troupe_runs" ADD COLUMN IF NOT EXISTS "parent_run_id" VARCHAR(128);
CREATE INDEX IF NOT EXISTS "troupe_runs_parent_idx"
    ON "troupe_runs" ("parent_run_id", "created_at" DESC, "run_id" DESC);
