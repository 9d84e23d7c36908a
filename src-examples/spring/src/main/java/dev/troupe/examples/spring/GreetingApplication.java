package dev.troupe.examples.spring;

import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.spring.TroupeJob;
import java.time.Duration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application with Troupe in it, through {@code troupe-spring-boot-starter}:
 *
 * <ul>
 *   <li>the node is configured in {@code application.yaml} ({@code troupe.*}, {@code pekko.*});
 *   <li>the job {@code greet} is a {@link TroupeJob} bean that uses another bean ({@link
 *       Greeter}); the starter registers it;
 *   <li>{@link GreetingController} injects the {@code Troupe} facade and calls the job from a
 *       REST endpoint, {@code POST /greetings};
 *   <li>Actuator shows the node's readiness ({@code /actuator/health}, component {@code troupe})
 *       and its meters ({@code /actuator/metrics/troupe_runs_started}).
 * </ul>
 *
 * <p>{@code GreetingApplicationTest} starts it on a random port and calls it; docs/spring-boot.md
 * shows how to run it by hand.
 */
@SpringBootApplication
public class GreetingApplication {
  /** The job's name. */
  public static final String GREET = "greet";

  public static void main(String[] args) {
    SpringApplication.run(GreetingApplication.class, args);
  }

  /** The job: greets {@code payload.name} in the language asked for, with a retry on failure. */
  @Bean
  TroupeJob<Greeter.Request> greet(Greeter greeter) {
    return TroupeJob.of(GREET, Greeter.Request.class, WorkerConfig.DEFAULT
            .withTimeout(Duration.ofSeconds(10))
            .withRetry(RetryPolicy.of(3, Duration.ofMillis(100), Duration.ofSeconds(1)))
            .withDescription("Greets payload.name in payload.language"),
        (request, ctx) -> {
          ctx.info("greeting " + request.name());
          return greeter.greet(request);
        });
  }
}
