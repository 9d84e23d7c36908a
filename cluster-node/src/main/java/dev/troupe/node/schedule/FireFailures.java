package dev.troupe.node.schedule;

import dev.troupe.node.entity.WorkerEntity.Refused;

/** A fire whose call was refused: whether calling again can help, and how it is recorded. */
final class FireFailures {
  private FireFailures() {}

  /** An unknown worker or a refused argument: calling again cannot help. */
  static boolean permanent(Refused r) {
    return r.reason() == Refused.Reason.UNKNOWN_WORKER || r.reason() == Refused.Reason.INVALID;
  }

  /** The error recorded with the fire and shown with the schedule's recent runs. */
  static String text(Refused r) {
    return "[" + r.reason() + "] " + r.message();
  }
}
