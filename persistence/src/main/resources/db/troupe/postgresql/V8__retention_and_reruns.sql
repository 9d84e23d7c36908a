-- Finished runs are purged once older than troupe.history.retention, oldest first and in small
-- batches (see docs/decisions.md, "Retention"): an index finds them by their finish time.
CREATE INDEX IF NOT EXISTS troupe_runs_finished_idx ON troupe_runs (finished_at);

-- The run a run re-runs, a column of its own (as parent_run_id) so that a run's re-runs are found
-- by an index; rows written before it take it from their spec.
ALTER TABLE troupe_runs ADD COLUMN IF NOT EXISTS rerun_of VARCHAR(128) COLLATE "C";
UPDATE troupe_runs SET rerun_of = substring(spec from '"rerunOf":"([^"]+)"')
  WHERE spec LIKE '%"rerunOf":"%';
CREATE INDEX IF NOT EXISTS troupe_runs_rerun_of_idx
  ON troupe_runs (rerun_of, created_at DESC, run_id DESC);
