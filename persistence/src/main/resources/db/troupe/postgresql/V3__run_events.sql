-- The durable streams of runs, projected from the worker entities' RunStreamed events by the run
-- history projection (same transaction and offset as troupe_runs); see docs/decisions.md,
-- "Streams". One row holds a run's consecutive events first_seq..last_seq that one projection
-- batch wrote, as a JSON array of {"seq", "type", "data", "at"} (a row per event cost one insert
-- per message). The terminal event has no data: its data is the finished run (troupe_runs).
CREATE TABLE IF NOT EXISTS troupe_run_events (
  run_id VARCHAR(128) COLLATE "C" NOT NULL,
  first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  events TEXT NOT NULL,
  PRIMARY KEY (run_id, first_seq)
);
