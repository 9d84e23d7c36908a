-- The run history: one row per run, projected from the worker entities' journal entries (tag
-- "troupe-runs") by the run history projection; see docs/decisions.md, "Run history".
-- JSON (payload, result, tags) is kept as text (the same on H2), times as UTC.
CREATE TABLE IF NOT EXISTS troupe_runs (
  -- byte order, as Java compares the ids, whatever the database's collation
  run_id VARCHAR(128) COLLATE "C" NOT NULL PRIMARY KEY,
  worker VARCHAR(64) NOT NULL,
  entity_id VARCHAR(80) NOT NULL,
  status VARCHAR(16) NOT NULL,
  attempts INTEGER NOT NULL,
  created_at TIMESTAMP(3) NOT NULL,
  started_at TIMESTAMP(3),
  finished_at TIMESTAMP(3),
  duration_ms BIGINT,
  payload TEXT NOT NULL,
  result TEXT,
  error_code VARCHAR(32),
  error_message TEXT,
  tags TEXT NOT NULL,
  -- sequence number of the last journal entry of the run's entity applied to this row: entries
  -- at or below it are replays and change nothing
  last_seq_nr BIGINT NOT NULL
);

-- The table is new and empty here, so plain CREATE INDEX (inside Flyway's transaction) is fine.
CREATE INDEX IF NOT EXISTS troupe_runs_created_idx ON troupe_runs (created_at DESC, run_id DESC);
CREATE INDEX IF NOT EXISTS troupe_runs_worker_idx
  ON troupe_runs (worker, created_at DESC, run_id DESC);
CREATE INDEX IF NOT EXISTS troupe_runs_status_idx
  ON troupe_runs (status, created_at DESC, run_id DESC);

-- Where each projection is in the journal: the ordering of the last entry it applied.
CREATE TABLE IF NOT EXISTS troupe_projection_offsets (
  projection_name VARCHAR(255) NOT NULL PRIMARY KEY,
  offset_value BIGINT NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL
);
