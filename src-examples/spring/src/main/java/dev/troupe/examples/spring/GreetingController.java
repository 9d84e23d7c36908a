package dev.troupe.examples.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.Troupe;
import java.util.concurrent.CompletionStage;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application's own REST API over Troupe: {@code POST /greetings} runs the {@code greet} job
 * and answers with the finished run; {@code GET /greetings/{runId}} looks a run up. Spring MVC
 * completes a returned {@link CompletionStage} asynchronously, so no request thread waits.
 */
@RestController
public class GreetingController {
  private final Troupe troupe;

  public GreetingController(Troupe troupe) {
    this.troupe = troupe;
  }

  /** Runs {@code greet} with the request's body as the payload; 200 with the finished run. */
  @PostMapping("/greetings")
  public CompletionStage<RunResult> greet(@RequestBody JsonNode request) {
    return troupe.call(GreetingApplication.GREET, request).thenCompose(RunHandle::result);
  }

  /** A run by id: 200 with it, 404 when there is none. */
  @GetMapping("/greetings/{runId}")
  public CompletionStage<ResponseEntity<RunResult>> run(@PathVariable("runId") String runId) {
    return troupe.lookup(runId).thenApply(run -> run.map(ResponseEntity::ok)
        .orElseGet(() -> ResponseEntity.notFound().build()));
  }
}
