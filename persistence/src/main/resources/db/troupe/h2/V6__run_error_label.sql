-- A failed run's own label (the code of the PermanentFailure or TransientFailure its handler
-- threw) beside its error code and message; see docs/decisions.md, "Unchecked failures with a
-- code label". NULL when the failure had none, and for rows written before.
ALTER TABLE "troupe_runs" ADD COLUMN IF NOT EXISTS "error_label" VARCHAR(64);
