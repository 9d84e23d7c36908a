package dev.troupe.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The node's logback.xml: TROUPE_LOG_FORMAT=json makes every line a JSON object. */
class LogFormatTest {

  @Test
  void troupeLogFormatJsonMakesEveryLineAJsonObject() throws Exception {
    // when
    String out = logOneLine("json");
    // then
    var json = new ObjectMapper().readTree(out.lines().filter(l -> l.contains("run finished"))
        .findFirst().orElseThrow());
    assertThat(json.path("message").asText()).isEqualTo("run finished");
    assertThat(json.path("runId").asText()).isEqualTo("echo#0-7");
    assertThat(json.path("level").asText()).isEqualTo("INFO");
  }

  @Test
  void withoutItLinesAreText() throws Exception {
    // when
    String out = logOneLine(null);
    // then
    assertThat(out).contains("INFO  dev.troupe.test  echo#0-7 - run finished");
    assertThat(out).doesNotContain("{\"");
  }

  /** Configures a context of its own from the main logback.xml and logs one line through it. */
  private static String logOneLine(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    if (format != null) {
      context.putProperty("TROUPE_LOG_FORMAT", format);
    }
    PrintStream stdout = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
      context.getMDCAdapter().put("runId", "echo#0-7");
      context.getLogger("dev.troupe.test").info("run finished");
    } finally {
      context.stop();
      System.setOut(stdout);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
