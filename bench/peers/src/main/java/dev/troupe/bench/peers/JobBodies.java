package dev.troupe.bench.peers;

import java.util.function.IntConsumer;

/** The job bodies, identical for every system; only the way a progress message leaves differs. */
final class JobBodies {
  static final int PROGRESS_MESSAGES = 10;
  static final long PROGRESS_INTERVAL_MS = 10;

  private JobBodies() {}

  /**
   * Runs job {@code id} of {@code kind}; {@code emit} sends progress message number 1..10 the way
   * the system offers.
   */
  static void run(JobKind kind, String id, IntConsumer emit) throws InterruptedException {
    Probe.started(id);
    switch (kind) {
      case NOOP -> { }
      case PROGRESS -> {
        for (int i = 1; i <= PROGRESS_MESSAGES; i++) {
          emit.accept(i);
          if (i < PROGRESS_MESSAGES) {
            Thread.sleep(PROGRESS_INTERVAL_MS);
          }
        }
      }
      case LEDGER -> Ledger.record(id);
    }
    Probe.finished();
  }
}
