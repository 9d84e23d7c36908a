package dev.troupe.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;

/**
 * The {@code troupe.metrics.*} settings of a node (defaults: cluster-node's reference.conf).
 *
 * @param jvm whether the node's {@code /metrics} also shows the JVM's meters
 * @param httpRequestBuckets the histogram buckets of the HTTP port's answers
 * @param journalWriteBuckets the histogram buckets of the worker entities' journal writes
 * @param journalBatchSizeBuckets the histogram buckets of the commands per journal write
 */
public record MetricsSettings(boolean jvm, List<Duration> httpRequestBuckets,
    List<Duration> journalWriteBuckets, List<Double> journalBatchSizeBuckets) {

  public MetricsSettings {
    httpRequestBuckets = List.copyOf(httpRequestBuckets);
    journalWriteBuckets = List.copyOf(journalWriteBuckets);
    journalBatchSizeBuckets = List.copyOf(journalBatchSizeBuckets);
  }

  public static MetricsSettings fromConfig(Config root) {
    Config c = root.getConfig("troupe.metrics");
    return new MetricsSettings(c.getBoolean("jvm"), c.getDurationList("http-request-buckets"),
        c.getDurationList("journal-write-buckets"), c.getDoubleList("journal-batch-size-buckets"));
  }

  /** The defaults of reference.conf, for metrics made without a node's configuration. */
  public static MetricsSettings defaults() {
    return fromConfig(ConfigFactory.defaultReference());
  }
}
