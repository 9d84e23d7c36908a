package dev.troupe.examples.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.FakeHttp;
import dev.troupe.examples.testing.FakeHttp.Reply;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RiskyTaskTest {
  private final InstalledJobs jobs = InstalledJobs.of(new RiskyTask());
  private final FakeHttp server = FakeHttp.start();

  @AfterEach
  void stopServer() {
    server.close();
  }

  private TestWorkerContext fetch(String url) {
    return jobs.context("risky-task").payload(Map.of("url", url)).build();
  }

  @Test
  void anAnswerIsTheResult() {
    // given
    server.on("/data", Reply.json(200, "{\"ok\":true}"));
    // when
    TestOutcome outcome = jobs.run("risky-task", fetch(server.url() + "/data"));
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.result().toString()).contains("\"status\":200").contains("\"length\":11");
  }

  @Test
  void aServerErrorIsRetriedUntilTheAttemptsRunOut() {
    // given
    server.on("/data", Reply.json(500, "{}"));
    TestWorkerContext first = fetch(server.url() + "/data");
    // when
    TestOutcome one = jobs.run("risky-task", first);
    TestOutcome two = jobs.run("risky-task", first.nextAttempt());
    TestOutcome three = jobs.run("risky-task", first.nextAttempt().nextAttempt());
    // then
    assertThat(one.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(two.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(three.status()).isEqualTo(RunStatus.FAILED);
    assertThat(three.error().code()).isEqualTo(ErrorCode.TRANSIENT_ERROR);
    assertThat(three.error().message())
        .startsWith("failed after 3 attempts: Server error 500 from ");
  }

  @Test
  void aNetworkErrorIsTransient() {
    // given a server that is gone
    TestWorkerContext ctx = fetch(server.url() + "/data");
    server.close();
    // when
    TestOutcome outcome = jobs.run("risky-task", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.RETRYING);
  }

  @Test
  void invalidInputFailsAtOnce() {
    // given (no path "/missing": a 404)
    server.on("/data", Reply.json(200, "{}"));
    // when
    TestOutcome notFound = jobs.run("risky-task", fetch(server.url() + "/missing"));
    TestOutcome notHttp = jobs.run("risky-task", fetch("ftp://example.com/file"));
    TestOutcome unparsable = jobs.run("risky-task", fetch("http://exa mple.com/"));
    // then
    assertThat(notFound.status()).isEqualTo(RunStatus.FAILED);
    assertThat(notFound.error().label()).isEqualTo("invalid-input");
    assertThat(notHttp.status()).isEqualTo(RunStatus.FAILED);
    assertThat(notHttp.error().label()).isEqualTo("invalid-input");
    assertThat(unparsable.status()).isEqualTo(RunStatus.FAILED);
    assertThat(unparsable.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(unparsable.failure()).isInstanceOf(IllegalArgumentException.class);
  }
}
