package dev.troupe.spring;

import com.typesafe.config.Config;
import dev.troupe.api.Troupe;
import dev.troupe.api.WorkerModule;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.config.TracingSettings;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Runs a Troupe node in a Spring Boot application: configured from the application's {@code
 * troupe.*} and {@code pekko.*} properties ({@link SpringTroupeConfig}), with every {@link
 * WorkerModule} and {@link TroupeJob} bean registered ({@link TroupeWorkers}), the node as the
 * {@link Troupe} bean, stopped with the context ({@link TroupeRuntime}). With Actuator on the
 * classpath the node's readiness is a health indicator ({@code troupe}) and its meters are
 * published to the application's {@code MeterRegistry}.
 *
 * <p>{@code troupe.spring.enabled=false} turns all of it off. An application that makes its own
 * {@link TroupeRuntime} bean keeps it.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "troupe.spring.enabled", matchIfMissing = true)
public class TroupeAutoConfiguration {

  /**
   * The node. With {@code troupe.tracing.enabled} on, its runs are traced by the application's
   * {@link OpenTelemetry} bean when there is one (its exporter and sampler: {@code
   * troupe.tracing}'s other settings are not used), else by the node's own SDK; off (the
   * default), not at all, whatever beans there are.
   */
  @Bean
  @ConditionalOnMissingBean
  public TroupeRuntime troupeRuntime(ConfigurableEnvironment environment,
      ObjectProvider<OpenTelemetry> openTelemetry) {
    Config config = SpringTroupeConfig.fromEnvironment(environment);
    return TroupeRuntime.start(config, TracingSettings.fromConfig(config).enabled()
        ? openTelemetry.getIfAvailable() : null);
  }

  /** The node; its stop belongs to {@link TroupeRuntime}, hence no destroy method here. */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean(Troupe.class)
  public TroupeNode troupe(TroupeRuntime runtime) {
    return runtime.node();
  }

  @Bean
  TroupeWorkers troupeWorkers(Troupe troupe, ObjectProvider<WorkerModule> modules) {
    return new TroupeWorkers(troupe, modules);
  }

  /** Troupe's meters in the application's registries, through Actuator's binding of binders. */
  @Bean
  public MeterBinder troupeMeters(TroupeRuntime runtime) {
    return registry -> runtime.node().metrics().bindTo(registry);
  }

  /** Only when Actuator's health support is on the classpath. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "troupeHealthIndicator")
    TroupeHealthIndicator troupeHealthIndicator(TroupeRuntime runtime) {
      return new TroupeHealthIndicator(runtime.node(), runtime.settings().healthTimeout());
    }
  }
}
