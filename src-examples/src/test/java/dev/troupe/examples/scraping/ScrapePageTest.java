package dev.troupe.examples.scraping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.FakeHttp;
import dev.troupe.examples.testing.FakeHttp.Reply;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.TestOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScrapePageTest {
  private final InstalledJobs jobs = InstalledJobs.of(new ScrapePage());
  private final FakeHttp site = FakeHttp.start();

  @AfterEach
  void stopSite() {
    site.close();
  }

  @Test
  void returnsTheTextOfTheFirstMatchOfEachSelector() {
    // given
    site.on("/page", Reply.html("<html><head><title> Shop </title></head><body>"
        + "<h1 class='name'>  Lamp  </h1><span class='price'>12 EUR</span>"
        + "<span class='price'>99 EUR</span></body></html>"));
    Map<String, String> selectors = new LinkedHashMap<>();
    selectors.put("title", "title");
    selectors.put("name", "h1.name");
    selectors.put("price", ".price");
    selectors.put("stock", "#stock");
    // when
    TestOutcome outcome = jobs.run("scrape-page", jobs.context("scrape-page")
        .payload(Map.of("url", site.url() + "/page", "selectors", selectors)).build());
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.result().toString()).isEqualTo(
        "{\"title\":\"Shop\",\"name\":\"Lamp\",\"price\":\"12 EUR\",\"stock\":null}");
  }

  @Test
  void aSiteThatIsDownIsRetried() {
    // given
    var ctx = jobs.context("scrape-page").payload(Map.of("url", site.url() + "/page")).build();
    site.close();
    // when
    TestOutcome outcome = jobs.run("scrape-page", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.RETRYING);
  }
}
