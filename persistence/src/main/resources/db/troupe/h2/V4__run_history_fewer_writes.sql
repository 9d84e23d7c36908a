-- Fewer writes per run in the run history, as on PostgreSQL; see docs/decisions.md, "Run history".
-- The run's own stream events (status changes and its end) as a JSON array; troupe_run_events
-- keeps the events its handler emitted.
ALTER TABLE "troupe_runs" ADD COLUMN IF NOT EXISTS "stream_events" VARCHAR;
