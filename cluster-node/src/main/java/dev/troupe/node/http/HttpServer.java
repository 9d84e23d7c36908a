package dev.troupe.node.http;

import dev.troupe.api.Troupe;
import dev.troupe.node.NodeJson;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the HTTP API of a node; unbinds it in CoordinatedShutdown's service-unbind phase. */
public final class HttpServer {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private HttpServer() {}

  /** Binds {@code troupe.http.host:port} (port 0 picks a free one). */
  public static CompletionStage<ServerBinding> start(Troupe troupe, HttpSettings settings) {
    if (!settings.secured()) {
      log.warn("HTTP API without tokens: anyone who reaches {}:{} may call and cancel runs"
          + " (set TROUPE_CLIENT_TOKENS / TROUPE_ADMIN_TOKENS)", settings.host(), settings.port());
    }
    HttpApi api = new HttpApi(troupe, settings, NodeJson.mapper());
    return Http.get(troupe.system()).newServerAt(settings.host(), settings.port())
        .bind(api.routes())
        .thenApply(binding -> {
          InetSocketAddress a = binding.localAddress();
          log.info("HTTP API on http://{}:{}/api/v1", a.getHostString(), a.getPort());
          return binding.addToCoordinatedShutdown(Duration.ofSeconds(10), troupe.system());
        });
  }
}
