package dev.troupe.spring;

import dev.troupe.api.JobHandler;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerNames;
import dev.troupe.api.WorkerRegistrar;
import java.util.Objects;

/**
 * A typed job as a bean: the starter registers every {@code TroupeJob} bean of the context, as it
 * installs every {@link WorkerModule} bean (a {@code TroupeJob} is one).
 *
 * <pre>{@code
 * @Bean
 * TroupeJob<Email> sendEmail(Mailer mailer) {
 *   return TroupeJob.of("send-email", Email.class, (email, ctx) -> mailer.send(email));
 * }
 * }</pre>
 *
 * <p>It runs as a blocking worker (on virtual threads when the JVM has them), as {@link
 * WorkerRegistrar#job} describes.
 *
 * @param name the worker's name ({@link WorkerNames#RULE})
 * @param payloadType what the payload is bound to
 * @param config the worker's configuration
 * @param handler the job itself
 */
public record TroupeJob<P>(String name, Class<P> payloadType, WorkerConfig config,
    JobHandler<P> handler) implements WorkerModule {

  /** @throws dev.troupe.api.InvalidArgumentException when the name breaks the naming rule */
  public TroupeJob {
    WorkerNames.validate(name);
    Objects.requireNonNull(payloadType, "payloadType");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(handler, "handler");
  }

  /** A job with the default configuration. */
  public static <P> TroupeJob<P> of(String name, Class<P> payloadType, JobHandler<P> handler) {
    return new TroupeJob<>(name, payloadType, WorkerConfig.DEFAULT, handler);
  }

  /** A job with {@code config}. */
  public static <P> TroupeJob<P> of(String name, Class<P> payloadType, WorkerConfig config,
      JobHandler<P> handler) {
    return new TroupeJob<>(name, payloadType, config, handler);
  }

  @Override
  public void install(WorkerRegistrar registrar) {
    registrar.job(name, payloadType, config, handler);
  }
}
