-- The run history: one row per run, projected from the worker entities' journal entries (tag
-- "troupe-runs") by the run history projection; see docs/decisions.md, "Run history".
-- JSON (payload, result, tags) is kept as text, times as UTC. VARCHAR rather than CLOB: H2 keeps
-- large objects in a separate store, which slows every write (as for the journal's payloads).
CREATE TABLE IF NOT EXISTS "troupe_runs" (
    "run_id" VARCHAR(128) NOT NULL PRIMARY KEY,
    "worker" VARCHAR(64) NOT NULL,
    "entity_id" VARCHAR(80) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "attempts" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "duration_ms" BIGINT,
    "payload" VARCHAR NOT NULL,
    "result" VARCHAR,
    "error_code" VARCHAR(32),
    "error_message" VARCHAR,
    "tags" VARCHAR NOT NULL,
    -- sequence number of the last journal entry of the run's entity applied to this row: entries
    -- at or below it are replays and change nothing
    "last_seq_nr" BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS "troupe_runs_created_idx"
    ON "troupe_runs" ("created_at" DESC, "run_id" DESC);
CREATE INDEX IF NOT EXISTS "troupe_runs_worker_idx"
    ON "troupe_runs" ("worker", "created_at" DESC, "run_id" DESC);
CREATE INDEX IF NOT EXISTS "troupe_runs_status_idx"
    ON "troupe_runs" ("status", "created_at" DESC, "run_id" DESC);

-- Where each projection is in the journal: the ordering of the last entry it applied.
CREATE TABLE IF NOT EXISTS "troupe_projection_offsets" (
    "projection_name" VARCHAR(255) NOT NULL PRIMARY KEY,
    "offset_value" BIGINT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL
);
