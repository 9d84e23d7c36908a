package dev.troupe.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.node.TroupeConfig;
import org.junit.jupiter.api.Test;

class ExampleConfigTest {
  @Test
  void aNodeOfTheExamplesLimitsTheSeedsPerProcessWorkersPerNode() {
    // given the configuration a node of the examples starts with
    Config config = TroupeConfig.withDefaults(ConfigFactory.empty());
    // when its per-node limits are read
    Config limits = config.getConfig("troupe.node.worker-limits");
    // then they are the seeds' limits per worker process
    assertThat(limits.getInt("sentiment-analysis")).isEqualTo(2);
    assertThat(limits.getInt("transcode-4k")).isEqualTo(1);
    assertThat(limits.getInt("scrape-page")).isEqualTo(50);
    assertThat(config.getStringList("troupe.workers.transcode-4k.command"))
        .containsExactly("ffmpeg");
  }
}
