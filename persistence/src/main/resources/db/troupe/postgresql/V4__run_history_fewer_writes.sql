-- Fewer writes per run in the run history; see docs/decisions.md, "Run history".
-- The run's own stream events (status changes and its end) as a JSON array of
-- {"seq", "type", "data", "at"}, written with the row's changes; troupe_run_events keeps the
-- events its handler emitted. Rows written before hold NULL (their events are all in
-- troupe_run_events). A nullable column without a default: the table is not rewritten.
ALTER TABLE troupe_runs ADD COLUMN IF NOT EXISTS stream_events TEXT;
