package dev.troupe.node.http;

import dev.troupe.api.Troupe;
import dev.troupe.node.NodeJson;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.cluster.ClusterView;
import dev.troupe.node.metrics.TroupeMetrics;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the HTTP API of a node; unbinds it in CoordinatedShutdown's service-unbind phase. */
public final class HttpServer {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private HttpServer() {}

  /** Binds {@code troupe.http.host:port} (port 0 picks a free one) for a node. */
  public static CompletionStage<ServerBinding> start(TroupeNode node, HttpSettings settings) {
    return start(node, settings, node.metrics(), node.clusterView()::snapshot);
  }

  /**
   * Binds the API of any {@link Troupe}, with {@code metrics} behind {@code /metrics} and {@code
   * cluster} (a node's {@link ClusterView#snapshot()}) behind {@code /api/v1/cluster}.
   */
  public static CompletionStage<ServerBinding> start(Troupe troupe, HttpSettings settings,
      TroupeMetrics metrics, Supplier<CompletionStage<ClusterView.Snapshot>> cluster) {
    if (!settings.secured()) {
      log.warn("HTTP API without tokens: anyone who reaches {}:{} may call and cancel runs"
          + " (set TROUPE_CLIENT_TOKENS / TROUPE_ADMIN_TOKENS)", settings.host(), settings.port());
    }
    HttpApi api = new HttpApi(troupe, settings, NodeJson.mapper(), metrics, cluster);
    return Http.get(troupe.system()).newServerAt(settings.host(), settings.port())
        .bind(api.routes())
        .thenApply(binding -> {
          InetSocketAddress a = binding.localAddress();
          log.info("HTTP API on http://{}:{}/api/v1", a.getHostString(), a.getPort());
          return binding.addToCoordinatedShutdown(Duration.ofSeconds(10), troupe.system());
        });
  }
}
