-- Fewer writes per run in the run history; see docs/decisions.md, "Run history".
--
-- A run's row changes status two or three times (queued, running, finished). An index on status
-- made every such UPDATE write a new entry into every index of the table; without it, and with
-- room left in each page (fillfactor), PostgreSQL updates the row in place (a HOT update) and no
-- index is touched. Listing runs by status reads troupe_runs_created_idx (or
-- troupe_runs_worker_idx with a worker) and filters.
DROP INDEX IF EXISTS troupe_runs_status_idx;
ALTER TABLE troupe_runs SET (fillfactor = 50);
-- The run's own stream events (status changes and its end) as a JSON array of
-- {"seq", "type", "data", "at"}, written with the row's changes; troupe_run_events keeps the
-- events its handler emitted. Rows written before hold NULL (their events are all in
-- troupe_run_events).
ALTER TABLE troupe_runs ADD COLUMN IF NOT EXISTS stream_events TEXT;
