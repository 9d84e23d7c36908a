-- The run history's continuity: per projection and worker entity, the sequence number of the last
-- journal entry of that entity the history has applied. An entry that arrives after a gap (an
-- entry of the same entity the tag query skipped, such as a commit delayed past its wait) is
-- preceded by the missing ones, read from the journal by persistence id.
CREATE TABLE IF NOT EXISTS troupe_projection_entities (
  projection_name VARCHAR(255) NOT NULL,
  persistence_id VARCHAR(255) NOT NULL,
  seq_nr BIGINT NOT NULL,
  PRIMARY KEY (projection_name, persistence_id)
);

-- Journal entries the history could not write while the database was up (a poison entry): set
-- aside with the error, so that the projection goes on with the others instead of retrying them
-- forever. Operators find them here and in the log (docs/operations.md).
CREATE TABLE IF NOT EXISTS troupe_history_parked (
  projection_name VARCHAR(255) NOT NULL,
  persistence_id VARCHAR(255) NOT NULL,
  sequence_nr BIGINT NOT NULL,
  run_id VARCHAR(128),
  error TEXT NOT NULL,
  parked_at TIMESTAMP(3) NOT NULL
);
CREATE INDEX IF NOT EXISTS troupe_history_parked_idx
    ON troupe_history_parked (projection_name, parked_at);
