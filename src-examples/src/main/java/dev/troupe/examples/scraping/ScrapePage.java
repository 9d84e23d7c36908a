package dev.troupe.examples.scraping;

import dev.troupe.api.Required;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * {@code scrape-page}: fetches {@code payload.url} and returns, for each entry {@code name:
 * selector} of {@code payload.selectors}, the trimmed text of the first element matching the CSS
 * selector, or null. Network errors are transient, so retried.
 *
 * <p>The seed runs up to 50 scrapes at once per worker process: this module's reference.conf
 * caps the definition at 50 executing runs per node ({@code troupe.node.worker-limits}), and
 * {@code maxConcurrent(50)} lets a partition run that many.
 */
public final class ScrapePage implements WorkerModule {
  record Page(@Required String url, Map<String, String> selectors) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("scrape-page", Page.class, WorkerConfig.DEFAULT.withMaxConcurrent(50),
        (page, ctx) -> {
          Document html = Jsoup.connect(page.url()).get();
          Map<String, String> data = new LinkedHashMap<>();
          Objects.requireNonNullElse(page.selectors(), Map.<String, String>of())
              .forEach((name, selector) -> {
                Element element = html.selectFirst(selector);
                data.put(name, element == null ? null : element.text().strip());
              });
          return data;
        });
  }
}
