-- Fewer writes per run in the run history, as on PostgreSQL; see docs/decisions.md, "Run history".
-- No index on status: a run's status changes write only its row.
DROP INDEX IF EXISTS "troupe_runs_status_idx";
-- The run's own stream events (status changes and its end) as a JSON array; troupe_run_events
-- keeps the events its handler emitted.
ALTER TABLE "troupe_runs" ADD COLUMN IF NOT EXISTS "stream_events" VARCHAR;
