package dev.troupe.examples.cluster;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the node logs of a test's {@link ProcessCluster} when the test fails. */
final class LogsOnFailure implements TestWatcher {
  private final Supplier<ProcessCluster> cluster;

  LogsOnFailure(Supplier<ProcessCluster> cluster) {
    this.cluster = cluster;
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    ProcessCluster c = cluster.get();
    if (c != null) {
      c.dumpLogs(context.getDisplayName());
    }
  }
}
