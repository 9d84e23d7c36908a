package dev.troupe.bench.peers;

/** The jobs every system runs; their bodies are the same everywhere ({@link JobBodies}). */
enum JobKind {
  /** Does nothing but report its start and end to the {@link Probe}. */
  NOOP,
  /** Emits 10 progress messages, 10 ms apart. */
  PROGRESS,
  /** Records its completion in the durability ledger (a row per execution). */
  LEDGER
}
