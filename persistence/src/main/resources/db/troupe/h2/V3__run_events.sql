-- The durable streams of runs: one row per stream event, projected from the worker entities'
-- RunStreamed events by the run history projection (same transaction and offset as troupe_runs);
-- see docs/decisions.md, "Streams". A subscriber replays a run's stream from here by
-- (run_id, seq). The terminal event has no data: its data is the finished run (troupe_runs).
CREATE TABLE IF NOT EXISTS "troupe_run_events" (
    "run_id" VARCHAR(128) NOT NULL,
    "seq" BIGINT NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "data" VARCHAR,
    "at" TIMESTAMP(3) NOT NULL,
    PRIMARY KEY ("run_id", "seq")
);
