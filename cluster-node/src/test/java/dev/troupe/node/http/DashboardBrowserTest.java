package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import dev.troupe.node.TroupeConfig;
import dev.troupe.node.TroupeNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium against a real node: start a {@code progress-reporter} run
 * from the page, watch its progress arrive live over EventSource, see the result, keep a
 * screenshot ({@code target/dashboard-live.png}). Skipped, saying why, where Chromium or its driver is
 * not installed (Debian packages {@code chromium} and {@code chromium-driver}; {@code .ci/run}
 * installs them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(DashboardBrowserTest.BrowserInstalled.class)
class DashboardBrowserTest {
  private static final String CHROMIUM = System.getProperty("troupe.test.chromium", "/usr/bin/chromium");
  private static final String CHROMEDRIVER =
      System.getProperty("troupe.test.chromedriver", "/usr/bin/chromedriver");

  private final ObjectMapper json = new ObjectMapper();
  private ActorSystem<Void> system;
  private TroupeNode troupe;
  private WebDriver driver;
  private String base;

  /**
   * Skips the class (its tests count as skipped) unless Chromium and its driver are installed; the
   * reason names what is missing, in the test report and on stderr.
   */
  static final class BrowserInstalled implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      List<String> missing = new ArrayList<>();
      for (String f : List.of(CHROMIUM, CHROMEDRIVER)) {
        if (!new File(f).canExecute()) {
          missing.add(f);
        }
      }
      if (missing.isEmpty()) {
        return ConditionEvaluationResult.enabled("Chromium and chromedriver are installed");
      }
      String reason = "dashboard browser test skipped: " + String.join(" and ", missing)
          + " not found (Debian packages chromium and chromium-driver; .ci/run installs them)";
      System.err.println(reason);
      return ConditionEvaluationResult.disabled(reason);
    }
  }

  /** The demo {@code progress-reporter}'s contract (cluster-node's tests cannot use src-examples). */
  private static CompletionStage<JsonNode> progressReporter(WorkerContext ctx) {
    int steps = ctx.payload().path("steps").asInt(10);
    Duration interval = Duration.ofMillis(ctx.payload().path("intervalMs").asInt(200));
    return step(ctx, 1, steps, interval).thenApply(done -> done ? ctx.newObject().put("steps", steps) : null);
  }

  private static CompletionStage<Boolean> step(WorkerContext ctx, int i, int steps, Duration interval) {
    if (i > steps) {
      ctx.emit(ctx.newObject().put("status", "complete"));
      return CompletableFuture.completedFuture(true);
    }
    return ctx.delay(interval).thenCompose(waited -> {
      if (!waited || ctx.isCancelled()) {
        return CompletableFuture.completedFuture(false);
      }
      ctx.emit(ctx.newObject().put("progress", (int) (i * 100L / steps))
          .put("message", "Processing item " + i + "/" + steps));
      return step(ctx, i + 1, steps, interval);
    });
  }

  @BeforeAll
  void start() throws Exception {
    String db = "jdbc:h2:file:" + Files.createTempDirectory("troupe-dashboard").resolve("t")
        + ";DB_CLOSE_ON_EXIT=FALSE";
    system = ActorSystem.create(Behaviors.empty(), "troupe", TroupeConfig.withDefaults(ConfigFactory.parseString(
        "troupe.db.url = \"" + db + "\"\n"
            + "troupe.discover-modules = off\n"
            + "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }\n"
            + "pekko.remote.artery.canonical.port = 0\n"
            + "pekko.coordinated-shutdown.exit-jvm = off\n"
            + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n")));
    troupe = TroupeNode.start(system);
    troupe.register("progress-reporter", WorkerConfig.DEFAULT
        .withDescription("Emits a progress message every intervalMs for the given number of steps"),
        DashboardBrowserTest::progressReporter);
    troupe.register("slow-progress", WorkerConfig.DEFAULT.withDescription("the same, to be cancelled"),
        DashboardBrowserTest::progressReporter);
    var binding = HttpServer.start(troupe, HttpSettings.fromConfig(system.settings().config()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();

    driver = chromium();
  }

  /** Headless Chromium at 1280×1100 that resolves no host but this machine. */
  static WebDriver chromium() throws java.io.IOException {
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM);
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-extensions", "--disable-component-update",
        "--no-first-run", "--window-size=1280,1100",
        "--user-data-dir=" + Files.createTempDirectory("chromium"),
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1");
    ChromeDriverService svc = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
    return new ChromeDriver(svc, o);
  }

  @AfterAll
  void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRunStartedFromThePageIsFollowedLiveToItsResult() throws Exception {
    // given the dashboard, once it has listed the workers
    long t0 = System.nanoTime();
    driver.get(base + "/");
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(25));
    // the page re-renders its tables every refresh: an element read a moment ago may be gone
    wait.ignoring(StaleElementReferenceException.class);
    wait.until(d -> d.findElements(By.cssSelector("#worker-select option[value='progress-reporter']")).size() == 1);
    assertThat(driver.findElement(By.id("workers-table")).getText()).contains("progress-reporter");
    long loaded = System.nanoTime();

    // when a run is started from the form
    new Select(driver.findElement(By.id("worker-select"))).selectByValue("progress-reporter");
    driver.findElement(By.id("payload")).clear();
    driver.findElement(By.id("payload")).sendKeys("{\"steps\":5,\"intervalMs\":200}");
    driver.findElement(By.id("start")).click();

    // then the progress arrives message by message, before the result does
    JavascriptExecutor js = (JavascriptExecutor) driver;
    Set<String> progressSeenBeforeResult = new LinkedHashSet<>();
    Set<Long> messageCountsBeforeResult = new LinkedHashSet<>();
    wait.until(d -> {
      @SuppressWarnings("unchecked")
      List<Object> snap = (List<Object>) js.executeScript("return ["
          + "document.getElementById('live-progress').value,"
          + "document.querySelectorAll('#live-messages li.message').length,"
          + "document.getElementById('live-result').textContent]");
      String result = String.valueOf(snap.get(2));
      if (result.isEmpty()) {
        progressSeenBeforeResult.add(String.valueOf(snap.get(0)));
        messageCountsBeforeResult.add(((Number) snap.get(1)).longValue());
        return false;
      }
      return true;
    });
    long finished = System.nanoTime();
    progressSeenBeforeResult.remove("0");
    messageCountsBeforeResult.remove(0L);
    assertThat(progressSeenBeforeResult).as("distinct progress values shown before the result")
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(messageCountsBeforeResult).as("message counts shown before the result")
        .hasSizeGreaterThanOrEqualTo(2);

    String messages = driver.findElement(By.id("live-messages")).getText();
    List<Integer> order = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      order.add(messages.indexOf("Processing item " + i + "/5"));
    }
    assertThat(order).as(messages).doesNotContain(-1).isSorted();
    assertThat(messages).contains("{\"status\":\"complete\"}");
    // and the cluster panel shows this node, Up and leader, hosting the workers' entities
    wait.until(d -> d.findElement(By.id("cluster-table")).getText().contains("slow-progress"));
    assertThat(driver.findElement(By.id("cluster-table")).getText())
        .contains("(this node, leader)", "Up", "progress-reporter, slow-progress");
    assertThat(json.readTree(driver.findElement(By.id("live-result")).getText()))
        .isEqualTo(json.readTree("{\"steps\":5}"));
    assertThat(driver.findElement(By.id("live-progress")).getDomProperty("value")).isEqualTo("100");
    assertThat(driver.findElement(By.id("live-status")).getText()).isEqualTo("SUCCEEDED");
    assertThat(driver.findElement(By.id("start-error")).getText()).isEmpty();

    // and the periodic refresh shows the run in the worker's stats; the history shows it, or says
    // it is unavailable
    String runId = driver.findElement(By.id("live-run-id")).getText();
    wait.until(d -> workerRuns(d).equals("1"));
    // (the history follows the journal a moment behind)
    By finishedRow = By.xpath("//table[@id='runs-table']//tr[.//a[text()='" + runId + "']]"
        + "[.//span[text()='SUCCEEDED']]");
    wait.until(d -> !d.findElements(finishedRow).isEmpty()
        || d.findElement(By.id("history-status")).getText().startsWith("history unavailable"));
    System.out.println("history: " + driver.findElement(By.id("history-status")).getText()
        + " | " + driver.findElement(By.id("runs-table")).getText().replace('\n', ' '));

    Path png = Path.of(System.getProperty("basedir", "."), "target", "dashboard-live.png");
    Files.createDirectories(png.getParent());
    Files.write(png, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    assertThat(png).exists();
    assertThat(Files.size(png)).isPositive();
    System.out.printf("dashboard test: page ready in %d ms, run followed to its result in %d ms,"
            + " progress seen before the result %s, screenshot %s%n",
        (loaded - t0) / 1_000_000, (finished - loaded) / 1_000_000, progressSeenBeforeResult, png);
  }

  @Test
  void aBadPayloadIsRefusedAndARunningRunCanBeCancelledFromThePage() {
    // given the dashboard
    driver.get(base + "/");
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(50));
    // the page re-renders its tables every refresh: an element read a moment ago may be gone
    wait.ignoring(StaleElementReferenceException.class);
    wait.until(d -> d.findElements(By.cssSelector("#worker-select option[value='slow-progress']")).size() == 1);
    new Select(driver.findElement(By.id("worker-select"))).selectByValue("slow-progress");

    // when the payload is not JSON, then the page says so and starts nothing
    driver.findElement(By.id("payload")).clear();
    driver.findElement(By.id("payload")).sendKeys("{steps: 100");
    driver.findElement(By.id("start")).click();
    assertThat(driver.findElement(By.id("start-error")).getText()).startsWith("the payload is not valid JSON");
    assertThat(driver.findElement(By.id("live-run-id")).getText()).isEmpty();

    // given a long run, followed live
    driver.findElement(By.id("payload")).clear();
    driver.findElement(By.id("payload")).sendKeys("{\"steps\":100,\"intervalMs\":100}");
    driver.findElement(By.id("start")).click();
    wait.until(d -> !d.findElements(By.cssSelector("#live-messages li.message")).isEmpty());
    String runId = driver.findElement(By.id("live-run-id")).getText();
    assertThat(driver.findElement(By.id("start-error")).getText()).isEmpty();

    // when it is cancelled from the running runs
    By cancel = By.xpath("//table[@id='running-table']//tr[.//a[text()='" + runId + "']]//button[text()='Cancel']");
    wait.until(d -> !d.findElements(cancel).isEmpty());
    driver.findElement(cancel).click();

    // then the live view ends with the cancellation and the run leaves the running runs
    wait.until(d -> d.findElement(By.id("live-status")).getText().equals("CANCELLED"));
    assertThat(driver.findElement(By.id("live-result")).getText()).startsWith("CANCELLED");
    wait.until(d -> !d.findElement(By.id("running-table")).getText().contains(runId));
    assertThat(driver.findElement(By.id("notice")).getText()).isEqualTo("cancel requested for " + runId);
  }

  @Test
  void withTokensTheSavedTokenFollowsARunLiveToItsResult() throws Exception {
    // given a port of the same node that needs a token, and its dashboard with a client token saved
    HttpSettings secured = HttpSettings.fromConfig(ConfigFactory.parseString(
        "troupe.http.client-tokens = \"dashboard-token\"").withFallback(system.settings().config()));
    String securedBase = "http://127.0.0.1:" + HttpServer.start(troupe, secured)
        .toCompletableFuture().get(20, TimeUnit.SECONDS).localAddress().getPort();
    driver.get(securedBase + "/");
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(50));
    wait.ignoring(StaleElementReferenceException.class);
    driver.findElement(By.id("token")).sendKeys("dashboard-token");
    driver.findElement(By.id("token-save")).click();
    wait.until(d -> d.findElements(By.cssSelector("#worker-select option[value='slow-progress']")).size() == 1);

    // when a run is started from the form (of the other worker: the first test counts its runs)
    new Select(driver.findElement(By.id("worker-select"))).selectByValue("slow-progress");
    driver.findElement(By.id("payload")).clear();
    driver.findElement(By.id("payload")).sendKeys("{\"steps\":3,\"intervalMs\":100}");
    driver.findElement(By.id("start")).click();

    // then the live view, which sends the token too, follows it to its result
    wait.until(d -> !d.findElement(By.id("live-result")).getText().isEmpty());
    assertThat(driver.findElement(By.id("live-status")).getText()).isEqualTo("SUCCEEDED");
    assertThat(driver.findElement(By.id("live-messages")).getText())
        .contains("Processing item 1/3", "Processing item 3/3");
    assertThat(json.readTree(driver.findElement(By.id("live-result")).getText()))
        .isEqualTo(json.readTree("{\"steps\":3}"));
  }

  /** The "Runs" cell of progress-reporter's row in the workers table. */
  private static String workerRuns(WebDriver d) {
    return d.findElements(By.cssSelector("#workers-table tbody tr")).stream()
        .map(r -> r.findElements(By.tagName("td")))
        .filter(tds -> tds.size() > 2 && tds.get(0).getText().equals("progress-reporter"))
        .map(tds -> tds.get(2).getText()).findFirst().orElse("");
  }
}
