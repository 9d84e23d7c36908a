package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.Await;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The bytes of start-run bodies a node holds at once are bounded: while large bodies are being
 * read, a further call is refused unread with a 503 to repeat, and accepted once they are done.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BodyBudgetTest {
  private static final int LARGE = 600_000;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ActorSystem<Void> system;
  private TroupeNode troupe;
  private String base;

  @BeforeAll
  void start() throws Exception {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0,"
            + " max-inflight-body-bytes = 1200000 }\n"));
    troupe = TroupeNode.start(system);
    troupe.register("echo", WorkerConfig.DEFAULT, ctx -> CompletableFuture.completedFuture(ctx.payload()));
    var binding = HttpServer.start(troupe, HttpSettings.fromConfig(system.settings().config()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** A body of {@code LARGE} declared bytes whose last part is sent when {@code rest} opens. */
  private static HttpRequest.BodyPublisher heldBody(CountDownLatch rest, CountDownLatch started) {
    String text = "{\"payload\":{\"s\":\"" + "x".repeat(LARGE - 20) + "\"}}";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Flow.Publisher<ByteBuffer> publisher = subscriber -> subscriber.onSubscribe(
        new Flow.Subscription() {
          private int sent;

          @Override
          public void request(long n) {
            if (sent == 0) {
              sent = 1;
              subscriber.onNext(ByteBuffer.wrap(bytes, 0, 1000));
              started.countDown();
            } else if (sent == 1) {
              sent = 2;
              CompletableFuture.runAsync(() -> {
                try {
                  rest.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                subscriber.onNext(ByteBuffer.wrap(bytes, 1000, bytes.length - 1000));
                subscriber.onComplete();
              });
            }
          }

          @Override
          public void cancel() {}
        });
    return HttpRequest.BodyPublishers.fromPublisher(publisher, bytes.length);
  }

  private CompletableFuture<HttpResponse<String>> post(HttpRequest.BodyPublisher body) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/v1/workers/echo/runs"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").POST(body)
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aCallPastTheBudgetIsRefusedUnreadAndAcceptedOnceTheBodiesBeforeItAreDone()
      throws Exception {
    // given two large bodies being read, holding 1,200,000 bytes of the budget
    CountDownLatch rest = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(2);
    var first = post(heldBody(rest, started));
    var second = post(heldBody(rest, started));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    // when a small call arrives meanwhile
    // (the large bodies' first bytes may still be on their way: a call before them is accepted)
    HttpRequest.BodyPublisher small = HttpRequest.BodyPublishers.ofString("{\"payload\":{}}");
    AtomicInteger acceptedBefore = new AtomicInteger();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      int status = post(small).get().statusCode();
      acceptedBefore.addAndGet(status == 202 ? 1 : 0);
      return status == 503;
    });
    HttpResponse<String> refused = post(small).get();

    // then it is refused, saying why
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(json.readTree(refused.body()).path("error").path("message").asText())
        .contains("troupe.http.max-inflight-body-bytes");
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();

    // and once the large bodies are read and accepted, it is accepted too
    rest.countDown();
    assertThat(first.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    assertThat(second.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    assertThat(post(small).get().statusCode()).isEqualTo(202);
    // and the refused calls recorded nothing: the entity has the accepted runs only
    int expected = 3 + acceptedBefore.get();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        Await.result(troupe.stats("echo")).succeeded() == expected);
    assertThat(Await.result(troupe.stats("echo")).runs()).isEqualTo(expected);
  }
}
