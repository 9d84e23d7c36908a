package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.troupe.api.CallOptions;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Schedule;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's views in headless Chromium against a real node with real runs: the charts of
 * the overview, a run's page (attempts, durable steps, child runs, events live and recorded,
 * Re-run), the run history's filters, the failed runs with their re-runs, the schedules with
 * Pause, Resume and Trigger, and all of it with tokens. Each view leaves a screenshot, {@code
 * target/dashboard-<view>.png}. Skipped like {@link DashboardBrowserTest} where Chromium is not
 * installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(DashboardBrowserTest.BrowserInstalled.class)
class DashboardViewsBrowserTest {
  private static final String CLIENT = "views-client";
  private static final String ADMIN = "views-admin";
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger declined = new AtomicInteger();
  private ActorSystem<Void> system;
  private TroupeNode troupe;
  private WebDriver driver;
  private WebDriverWait wait;
  private String base;

  @BeforeAll
  void start() throws Exception {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }"));
    troupe = TroupeNode.start(system);
    troupe.register("ship", WorkerConfig.DEFAULT.withDescription("Ships an order"),
        ctx -> CompletableFuture.completedFuture(ctx.newObject().put("shipped", true)));
    troupe.registerBlocking("checkout", WorkerConfig.DEFAULT
        .withDescription("Reserves stock in a durable step, then ships in a child run"), ctx -> {
          String reserved = ctx.step("reserve-stock", String.class, () -> "reserved");
          ctx.emit(ctx.newObject().put("message", "stock " + reserved));
          RunResult child = ctx.call("ship", ctx.newObject().put("order", 7)).await();
          return ctx.newObject().put("child", child.status().name());
        });
    troupe.registerBlocking("declines", WorkerConfig.DEFAULT.withRetry(RetryPolicy.NONE)
        .withDescription("Always refuses the card"), ctx -> {
          throw new PermanentFailure("card declined (" + declined.incrementAndGet() + ")");
        });
    troupe.registerBlocking("refuses", WorkerConfig.DEFAULT.withRetry(RetryPolicy.NONE)
        .withDescription("Always refuses, for the run with tokens"), ctx -> {
          throw new PermanentFailure("refused");
        });
    troupe.registerBlocking("held", WorkerConfig.DEFAULT.withDescription("Waits for the test"),
        ctx -> {
          ctx.emit(ctx.newObject().put("message", "waiting"));
          release.await();
          return ctx.newObject().put("released", true);
        });
    troupe.register("burst", WorkerConfig.DEFAULT.withDescription("Finishes at once, for the charts"),
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    troupe.register("tagged", WorkerConfig.DEFAULT.withDescription("Echoes its payload"),
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    var binding = HttpServer.start(troupe, HttpSettings.fromConfig(system.settings().config()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
    driver = DashboardBrowserTest.chromium();
    wait = new WebDriverWait(driver, Duration.ofSeconds(30), Duration.ofMillis(50));
    // views re-render their tables: an element read a moment ago may be gone
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterAll
  void stop() throws Exception {
    release.countDown();
    if (driver != null) {
      driver.quit();
    }
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private RunResult finished(String worker, CallOptions options) throws Exception {
    return troupe.call(worker, JSON.createObjectNode(), options).toCompletableFuture()
        .get(20, TimeUnit.SECONDS).result().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Waits until the run history lists {@code runId} (it follows the journal shortly behind). */
  private void inHistory(String worker, String runId) {
    await().atMost(Duration.ofSeconds(20)).until(() -> troupe.runs(new RunQuery(worker, null, 500,
        null)).toCompletableFuture().get().runs().stream().anyMatch(r -> r.runId().equals(runId)));
  }

  private String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  private void screenshot(String view) throws Exception {
    Path png = Path.of(System.getProperty("basedir", "."), "target", "dashboard-" + view + ".png");
    Files.createDirectories(png.getParent());
    Files.write(png, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    assertThat(Files.size(png)).isPositive();
  }

  @Test
  void theOverviewChartsRunsPerSecondAndDurationPercentiles() throws Exception {
    // given the overview, its charts on a worker that has not run yet, sampled at rest
    driver.get(base + "/");
    wait.until(d -> d.findElements(By.cssSelector("#chart-worker option[value='burst']")).size() == 1);
    new Select(driver.findElement(By.id("chart-worker"))).selectByValue("burst");
    wait.until(d -> text("rate-now").equals("now: 0.00 started/s, 0.00 finished/s"));
    assertThat(text("duration-now")).isEqualTo("no finished runs yet");

    // when runs finish
    for (int i = 0; i < 12; i++) {
      finished("burst", CallOptions.NONE);
    }

    // then the rate chart shows them finishing, and the durations chart their percentiles
    wait.until(d -> text("rate-now").matches("now: .*, (0\\.[0-9]*[1-9][0-9]*|[1-9][0-9.]*) finished/s"));
    wait.until(d -> text("duration-now").matches("now: p50 [0-9]+ ms · p95 [0-9]+ ms · p99 [0-9]+ ms"));
    assertThat(driver.findElements(By.cssSelector("#rate-chart canvas"))).hasSize(1);
    assertThat(driver.findElements(By.cssSelector("#duration-chart canvas"))).hasSize(1);
    assertThat(text("rate-chart")).containsIgnoringCase("started").containsIgnoringCase("finished");
    assertThat(text("duration-chart")).containsIgnoringCase("p50").containsIgnoringCase("p99");
    // the workers table has counted them too by its next refresh
    wait.until(d -> d.findElement(By.xpath("//table[@id='workers-table']//tr[td[text()='burst']]/td[3]"))
        .getText().equals("12"));
    screenshot("overview");
  }

  @Test
  void aRunsPageShowsItsAttemptsStepsChildrenAndEventsAndReRunsIt() throws Exception {
    // given a finished run with a durable step and a child run
    RunResult run = finished("checkout", CallOptions.NONE);
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    // (a run's children are read from the run history, which follows the journal shortly behind)
    await().atMost(Duration.ofSeconds(20)).until(() -> troupe.runs(RunQuery.childrenOf(run.runId(),
        10)).toCompletableFuture().get().runs().size() == 1);

    // when its page is opened
    driver.get(base + "/#/run/" + run.runId());

    // then it shows the step, the child, the attempt and the recorded events with their times
    wait.until(d -> text("steps-table").contains("reserve-stock"));
    assertThat(text("steps-table")).contains("SUCCEEDED");
    wait.until(d -> text("children-table").contains("ship"));
    String childId = driver.findElement(By.cssSelector("#children-table a.run-link")).getText();
    wait.until(d -> text("events-note").equals("recorded events"));
    assertThat(text("events-table")).contains("stock reserved", "RUNNING (attempt 1)", "result");
    assertThat(text("attempts-table")).contains("SUCCEEDED");
    assertThat(driver.findElements(By.cssSelector("#attempts-table tbody tr"))).hasSize(1);
    assertThat(text("run-facts")).contains("checkout").containsIgnoringCase("priority");
    assertThat(driver.findElement(By.id("run-cancel")).isDisplayed()).isFalse();
    screenshot("run");

    // when the child is followed, its page links back to its parent
    driver.findElement(By.cssSelector("#children-table a.run-link")).click();
    wait.until(d -> text("run-title").equals(childId));
    wait.until(d -> !d.findElements(By.xpath("//dl[@id='run-facts']//a[text()='" + run.runId() + "']"))
        .isEmpty());

    // when the parent is re-run from its page
    driver.get(base + "/#/run/" + run.runId());
    wait.until(d -> text("run-title").equals(run.runId()));
    driver.findElement(By.id("run-rerun")).click();

    // then the page moves to the new run, which names the one it re-runs
    wait.until(d -> !text("run-title").equals(run.runId()) && !text("run-title").isEmpty());
    wait.until(d -> !d.findElements(By.xpath("//dl[@id='run-facts']//a[text()='" + run.runId() + "']"))
        .isEmpty());
    assertThat(text("notice")).startsWith("re-run of " + run.runId());
  }

  @Test
  void aRunningRunsPageFollowsItsEventsLiveThenShowsTheRecordedOnes() throws Exception {
    // given a run that waits
    String runId = troupe.call("held", JSON.createObjectNode(), CallOptions.NONE)
        .toCompletableFuture().get(20, TimeUnit.SECONDS).runId();

    // when its page is opened while it runs
    driver.get(base + "/#/run/" + runId);

    // then its events arrive live and it can be cancelled
    wait.until(d -> text("events-table").contains("waiting"));
    assertThat(text("events-note")).startsWith("live");
    assertThat(driver.findElement(By.id("run-cancel")).isDisplayed()).isTrue();

    // when it is let go, then the page shows its end with the recorded events
    release.countDown();
    wait.until(d -> text("events-note").equals("recorded events"));
    assertThat(text("run-status")).isEqualTo("SUCCEEDED");
    assertThat(text("run-outcome")).contains("\"released\":true");
  }

  @Test
  void theHistoryIsFilteredByWorkerStatusTagAndTime() throws Exception {
    // given runs tagged eu and us
    RunResult eu = finished("tagged", new CallOptions(null, null, List.of("eu")));
    RunResult us = finished("tagged", new CallOptions(null, null, List.of("us")));
    inHistory("tagged", us.runId());
    driver.get(base + "/#/runs");
    wait.until(d -> d.findElements(By.cssSelector("#q-worker option[value='tagged']")).size() == 1);

    // when filtered by worker, status and tag
    new Select(driver.findElement(By.id("q-worker"))).selectByValue("tagged");
    new Select(driver.findElement(By.id("q-status"))).selectByValue("SUCCEEDED");
    driver.findElement(By.id("q-tag")).sendKeys("eu");
    driver.findElement(By.id("q-search")).click();

    // then only the eu run shows
    wait.until(d -> d.findElements(By.cssSelector("#history-table tbody tr")).size() == 1
        && text("history-table").contains(eu.runId()));
    assertThat(text("history-table")).doesNotContain(us.runId());
    screenshot("runs");

    // when the range starts after the runs were created, then none matches
    ((JavascriptExecutor) driver).executeScript(
        "document.getElementById('q-from').value = '2099-01-01T00:00:00'");
    driver.findElement(By.id("q-search")).click();
    wait.until(d -> text("history-table").contains("no runs match"));
  }

  @Test
  void failedRunsShowTheirErrorsAndAreReRunOneOrAllAtOnce() throws Exception {
    // given three failed runs of declines
    finished("declines", CallOptions.NONE);
    finished("declines", CallOptions.NONE);
    RunResult last = finished("declines", CallOptions.NONE);
    assertThat(last.status()).isEqualTo(RunStatus.FAILED);
    inHistory("declines", last.runId());

    // when the failed view shows that worker's
    driver.get(base + "/#/failed?worker=declines");

    // then each shows its error
    wait.until(d -> d.findElements(By.cssSelector("#failed-table tbody tr")).size() == 3);
    assertThat(text("failed-table")).contains("card declined (1)", "card declined (3)");
    assertThat(text("rerun-all")).isEqualTo("Re-run all failed of declines");
    screenshot("failed");

    // when one is re-run, then the notice links the new run
    driver.findElement(By.xpath("//table[@id='failed-table']//tr[.//a[text()='" + last.runId()
        + "']]//button[text()='Re-run']")).click();
    wait.until(d -> text("notice").startsWith("re-run of " + last.runId() + ": "));

    // when all are re-run, then the notice counts them
    driver.findElement(By.id("rerun-all")).click();
    wait.until(d -> text("notice").matches("re-ran [1-9][0-9]* failed run\\(s\\) of declines"));
  }

  @Test
  void schedulesArePausedResumedAndTriggeredFromThePage() throws Exception {
    // given a schedule
    troupe.schedules().put(new Schedule("nightly-shipping", "ship", "0 30 2 * * *",
        "Europe/Berlin", null, null, null)).toCompletableFuture().get(20, TimeUnit.SECONDS);
    driver.get(base + "/#/schedules");
    By row = By.xpath("//table[@id='schedules-table']//tr[td[text()='nightly-shipping']]");
    wait.until(d -> !d.findElements(row).isEmpty());
    assertThat(driver.findElement(row).getText()).contains("0 30 2 * * *", "Europe/Berlin", "ACTIVE");
    assertThat(driver.findElement(row).findElement(By.cssSelector("td.times")).getText().split("\n"))
        .hasSize(3);

    // when paused, then it says so and offers Resume
    driver.findElement(row).findElement(By.xpath(".//button[text()='Pause']")).click();
    wait.until(d -> d.findElement(row).getText().contains("PAUSED"));
    assertThat(text("notice")).isEqualTo("nightly-shipping paused");

    // when resumed
    driver.findElement(row).findElement(By.xpath(".//button[text()='Resume']")).click();
    wait.until(d -> d.findElement(row).getText().contains("ACTIVE"));

    // when triggered, then its run shows among its recent runs
    driver.findElement(row).findElement(By.xpath(".//button[text()='Trigger']")).click();
    wait.until(d -> text("notice").startsWith("triggered: run "));
    String runId = driver.findElement(By.cssSelector("#notice a")).getText();
    wait.until(d -> d.findElement(row).getText().contains(runId));
    screenshot("schedules");
  }

  @Test
  void withTokensEveryViewReadsAndActsWithTheSavedToken() throws Exception {
    // given a port of the same node that needs a token, with the admin token saved
    HttpSettings secured = HttpSettings.fromConfig(ConfigFactory.parseString(
        "troupe.http { client-tokens = \"" + CLIENT + "\", admin-tokens = \"" + ADMIN + "\" }")
        .withFallback(system.settings().config()));
    String securedBase = "http://127.0.0.1:" + HttpServer.start(troupe, secured)
        .toCompletableFuture().get(20, TimeUnit.SECONDS).localAddress().getPort();
    RunResult failed = finished("refuses", CallOptions.NONE);
    inHistory("refuses", failed.runId());
    driver.get(securedBase + "/#/failed?worker=refuses");
    driver.findElement(By.id("token")).sendKeys(CLIENT);
    driver.findElement(By.id("token-save")).click();

    // when read with the client token, then the failed runs show, but re-running is refused
    wait.until(d -> text("failed-table").contains(failed.runId()));
    driver.findElement(By.xpath("//table[@id='failed-table']//tr[.//a[text()='" + failed.runId()
        + "']]//button[text()='Re-run']")).click();
    wait.until(d -> text("notice").contains("FORBIDDEN"));

    // when the admin token is saved, then the run's page re-runs it
    driver.findElement(By.id("token")).clear();
    driver.findElement(By.id("token")).sendKeys(ADMIN);
    driver.findElement(By.id("token-save")).click();
    driver.get(securedBase + "/#/run/" + failed.runId());
    wait.until(d -> text("events-note").equals("recorded events"));
    driver.findElement(By.id("run-rerun")).click();
    wait.until(d -> text("notice").startsWith("re-run of " + failed.runId()));
    driver.get(securedBase + "/#/schedules");
    wait.until(d -> !text("schedules-table").isEmpty() && text("schedules-status").isEmpty());
    driver.get(securedBase + "/#/runs");
    wait.until(d -> text("history-table").contains(failed.runId()));
  }
}
