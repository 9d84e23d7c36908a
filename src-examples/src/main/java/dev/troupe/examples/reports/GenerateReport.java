package dev.troupe.examples.reports;

import dev.troupe.api.Required;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code generate-report}: payload {@code {userId, type?: "monthly", amounts?: [..]}} ({@code
 * userId} required). Announces its stages with {@code {"stage": …, "progress": …}}: fetching_data
 * (10), processing (40), generating (70), uploading (90), then {@code {"stage": "complete",
 * "progress": 100, "url": …}}. The "data" is the payload's amounts, the report a small text
 * file written to the temporary directory (standing for the seed's PDF and storage upload); the
 * result is {@code {"url": "file:…", "total": sum}}.
 */
public final class GenerateReport implements WorkerModule {
  record ReportRequest(@Required long userId, String type, List<Double> amounts) {}

  record Report(String url, double total) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("generate-report", ReportRequest.class, (req, ctx) -> {
      String type = Objects.requireNonNullElse(req.type(), "monthly");
      ctx.info("Generating {} report for user {}", type, req.userId());
      ctx.emit(Map.of("stage", "fetching_data", "progress", 10));
      List<Double> data = Objects.requireNonNullElse(req.amounts(), List.of());
      ctx.emit(Map.of("stage", "processing", "progress", 40));
      double total = data.stream().mapToDouble(Double::doubleValue).sum();
      ctx.emit(Map.of("stage", "generating", "progress", 70));
      String text = type + " report for user " + req.userId() + ": total " + total + "\n";
      ctx.emit(Map.of("stage", "uploading", "progress", 90));
      Path file = Files.writeString(Files.createTempFile("report-" + req.userId(), ".txt"), text);
      String url = file.toUri().toString();
      ctx.emit(Map.of("stage", "complete", "progress", 100, "url", url));
      ctx.info("Report generated: {}", url);
      return new Report(url, total);
    });
  }
}
