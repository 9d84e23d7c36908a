package dev.troupe.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One node process of a {@link ProcessCluster} ({@code dev.troupe.node.Main}): its ports, its own
 * JVM options, its process while it runs, its log. It can be stopped, frozen, killed and started
 * again on the same ports.
 */
final class NodeProcess {

  /**
   * What every node of one cluster is started with: its directory (the logs, in
   * {@code target/cluster-test/<database>}), the JVM options and the environment variables.
   */
  record Launch(Path directory, List<String> jvmOptions, Map<String, String> env) {}

  final int number;
  final int httpPort = freePort();
  final int managementPort = freePort();
  final int remotePort = freePort();
  final Path log;
  /** On this node's command line after the cluster's (a version with other workers, say). */
  final List<String> options;
  Process process;
  private final Launch launch;

  NodeProcess(int number, Launch launch, List<String> options) {
    this.number = number;
    this.launch = launch;
    this.options = List.copyOf(options);
    this.log = launch.directory().resolve("node-" + number + ".log");
  }

  String base() {
    return "http://127.0.0.1:" + httpPort;
  }

  String address() {
    return "pekko://troupe@127.0.0.1:" + remotePort;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Starts the process, which joins the cluster through the bootstrap {@code endpoints}. */
  void start(String endpoints) throws IOException {
    String classpath = launch.directory().getParent().getParent().resolve("test-classes/cluster-nodes")
        + File.pathSeparator
        + System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=logback.xml"));
    command.addAll(launch.jvmOptions());
    command.addAll(options);
    command.addAll(List.of("-cp", classpath, "dev.troupe.node.Main"));
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("TROUPE_"));
    env.putAll(launch.env());
    env.put("TROUPE_HTTP_HOST", "127.0.0.1");
    env.put("TROUPE_HTTP_PORT", Integer.toString(httpPort));
    env.put("TROUPE_MANAGEMENT_PORT", Integer.toString(managementPort));
    env.put("TROUPE_REMOTE_PORT", Integer.toString(remotePort));
    env.put("TROUPE_CLUSTER_BOOTSTRAP", "on");
    env.put("TROUPE_DISCOVERY_METHOD", "config");
    env.put("TROUPE_BOOTSTRAP_ENDPOINTS", endpoints);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    process = pb.start();
  }

  /** Whether the node's management endpoint answers {@code /ready} with 200. */
  boolean ready(HttpClient http) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/ready"))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Sends a POSIX signal (STOP, CONT, TERM) to the process. */
  void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + name).isTrue();
  }

  /** kill -9: the process dies at once, nothing of it runs after this returns. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).as(this + " killed").isTrue();
  }

  @Override
  public String toString() {
    return "node " + number + " (" + address() + ", HTTP " + httpPort + ")";
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
