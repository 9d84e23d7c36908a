package dev.troupe.api;

import java.util.Objects;

/**
 * How a handler starts a child run ({@link WorkerContext#call}).
 *
 * @param call the child's call options; its idempotency key is ignored: a child's key is {@code
 *     child:<parentRunId>:<name>}, so that a retried or failed-over parent attempt finds the
 *     children its earlier attempts started instead of starting new ones
 * @param name the child's name within its parent, 1 to 100 characters, or null for the call's
 *     ordinal in the attempt (0, 1, 2 … in the order the handler calls): a handler that starts
 *     children from several threads at once names them
 * @param cancelWithParent whether cancelling the parent while it executes cancels this child
 *     when it has not finished (the default)
 */
public record ChildOptions(CallOptions call, String name, boolean cancelWithParent) {
  public static final ChildOptions DEFAULT = new ChildOptions(CallOptions.NONE, null, true);

  public ChildOptions {
    call = Objects.requireNonNullElse(call, CallOptions.NONE);
    if (name != null && (name.isBlank() || name.length() > 100)) {
      throw new InvalidArgumentException("a child's name must be 1 to 100 characters");
    }
  }

  public static ChildOptions of(CallOptions call) {
    return new ChildOptions(call, null, true);
  }

  public ChildOptions named(String n) {
    return new ChildOptions(call, n, cancelWithParent);
  }

  /** The child goes on when its parent is cancelled. */
  public ChildOptions detached() {
    return new ChildOptions(call, name, false);
  }
}
