package dev.troupe.node.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The log format chosen by one setting: JSON lines with the MDC as fields, or text. */
class TroupeLogEncoderTest {
  private final LoggerContext context = new LoggerContext();

  @Test
  void jsonWritesOneObjectPerLineWithTheMdcAsFields() throws Exception {
    // given
    TroupeLogEncoder encoder = encoder("JSON");
    // when
    String line = new String(encoder.encode(event()), StandardCharsets.UTF_8);
    // then
    assertThat(encoder.json()).isTrue();
    assertThat(line).endsWith("\n").doesNotContain("\n{");
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.path("message").asText()).isEqualTo("run finished");
    assertThat(json.path("level").asText()).isEqualTo("INFO");
    assertThat(json.path("logger_name").asText()).isEqualTo("dev.troupe.test");
    assertThat(json.path("runId").asText()).isEqualTo("echo#0-1");
    assertThat(json.path("worker").asText()).isEqualTo("echo");
    assertThat(json.has("@timestamp")).isTrue();
  }

  @Test
  void textWritesThePattern() {
    // given
    TroupeLogEncoder encoder = encoder("text");
    encoder.stop();
    encoder.setPattern("%level %X{runId} %msg%n");
    encoder.start();
    // when
    String line = new String(encoder.encode(event()), StandardCharsets.UTF_8);
    // then
    assertThat(encoder.json()).isFalse();
    assertThat(line).isEqualTo("INFO echo#0-1 run finished\n");
  }

  @Test
  void anUnknownFormatWritesTextAndSaysSo() {
    // when
    TroupeLogEncoder encoder = encoder("yaml");
    // then
    assertThat(encoder.json()).isFalse();
    assertThat(new String(encoder.encode(event()), StandardCharsets.UTF_8))
        .contains("run finished");
    assertThat(context.getStatusManager().getCopyOfStatusList())
        .anySatisfy(s -> {
          assertThat(s.getLevel()).isEqualTo(Status.WARN);
          assertThat(s.getMessage()).contains("unknown log format 'yaml'");
        });
  }

  private TroupeLogEncoder encoder(String format) {
    TroupeLogEncoder encoder = new TroupeLogEncoder();
    encoder.setContext(context);
    encoder.setFormat(format);
    encoder.start();
    return encoder;
  }

  private LoggingEvent event() {
    LoggingEvent event = new LoggingEvent();
    event.setLoggerContext(context);
    event.setLoggerName("dev.troupe.test");
    event.setLevel(Level.INFO);
    event.setMessage("run finished");
    event.setThreadName("main");
    event.setTimeStamp(System.currentTimeMillis());
    event.setMDCPropertyMap(Map.of("runId", "echo#0-1", "worker", "echo"));
    return event;
  }
}
