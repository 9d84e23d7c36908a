package dev.troupe.client.cli;

import dev.troupe.client.RunStatus;

/**
 * The exit codes of {@code troupe}, for shell scripts; listed in {@code troupe --help} (kept
 * in step by {@code TroupeCli}'s {@code exitCodeList}). A run's
 * outcome has a code of its own per terminal status, so that a script can tell a failure from a
 * cancel or a timeout without parsing output.
 */
public final class ExitCodes {
  /** The command did what was asked; for a run: it SUCCEEDED. */
  public static final int OK = 0;
  /** The run ended FAILED. */
  public static final int FAILED = 1;
  /** The command line is wrong: unknown option, missing argument, payload that is not JSON. */
  public static final int USAGE = 2;
  /** The run ended CANCELLED. */
  public static final int CANCELLED = 3;
  /** The run ended TIMED_OUT (its own timeout). */
  public static final int TIMED_OUT = 4;
  /** No node could be reached (after the client's retries). */
  public static final int UNREACHABLE = 5;
  /** The node refused the request: unknown worker or run, bad payload, token, finished run. */
  public static final int REFUSED = 6;
  /** The command's --timeout passed before the run ended; the run goes on. */
  public static final int WAIT_TIMEOUT = 7;
  /** A fault of the command line itself. */
  public static final int INTERNAL = 70;

  private ExitCodes() {}

  /** The code for a run that ended with {@code status}. */
  public static int of(RunStatus status) {
    return switch (status) {
      case SUCCEEDED -> OK;
      case FAILED -> FAILED;
      case CANCELLED -> CANCELLED;
      case TIMED_OUT -> TIMED_OUT;
      default -> INTERNAL;
    };
  }
}
