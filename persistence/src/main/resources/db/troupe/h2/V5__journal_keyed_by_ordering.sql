-- The journal's rows keyed by their ordering, (persistence_id, sequence_number) a unique
-- constraint; see docs/decisions.md, "The H2 journal's key". The read journal's eventsByTag query
-- (the run history's poll) joins event_journal to event_tag: keyed by (persistence_id,
-- sequence_number), H2 planned it as a scan of the whole event_tag table on every poll, so a node
-- slowed down as its journal grew; keyed by ordering, it reads the new rows by key range.
-- The table is rebuilt: every row is copied with its ordering, tags and snapshots stay as they are.
ALTER TABLE "event_tag" DROP CONSTRAINT "fk_event_journal";

-- the number the old table would have given next: no ordering is ever given out twice
SET @next_ordering = (SELECT GREATEST(
    (SELECT COALESCE(MAX("ordering"), 0) + 1 FROM "event_journal"),
    (SELECT "IDENTITY_BASE" FROM "INFORMATION_SCHEMA"."COLUMNS" WHERE "TABLE_SCHEMA" = CURRENT_SCHEMA
        AND "TABLE_NAME" = 'event_journal' AND "COLUMN_NAME" = 'ordering')));

CREATE TABLE "event_journal_by_ordering" (
    "ordering" BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    "deleted" BOOLEAN DEFAULT false NOT NULL,
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "writer" VARCHAR NOT NULL,
    "write_timestamp" BIGINT NOT NULL,
    "adapter_manifest" VARCHAR NOT NULL,
    "event_payload" VARBINARY NOT NULL,
    "event_ser_id" INTEGER NOT NULL,
    "event_ser_manifest" VARCHAR NOT NULL,
    "meta_payload" VARBINARY,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    CONSTRAINT "event_journal_pid_seq_nr" UNIQUE ("persistence_id", "sequence_number")
);

INSERT INTO "event_journal_by_ordering" ("ordering", "deleted", "persistence_id",
    "sequence_number", "writer", "write_timestamp", "adapter_manifest", "event_payload",
    "event_ser_id", "event_ser_manifest", "meta_payload", "meta_ser_id", "meta_ser_manifest")
  SELECT "ordering", "deleted", "persistence_id", "sequence_number", "writer", "write_timestamp",
      "adapter_manifest", "event_payload", "event_ser_id", "event_ser_manifest", "meta_payload",
      "meta_ser_id", "meta_ser_manifest"
  FROM "event_journal" ORDER BY "ordering";

DROP TABLE "event_journal";
ALTER TABLE "event_journal_by_ordering" RENAME TO "event_journal";
ALTER TABLE "event_journal" ALTER COLUMN "ordering" RESTART WITH @next_ordering;

ALTER TABLE "event_tag" ADD CONSTRAINT "fk_event_journal" FOREIGN KEY ("event_id")
  REFERENCES "event_journal" ("ordering") ON DELETE CASCADE;
