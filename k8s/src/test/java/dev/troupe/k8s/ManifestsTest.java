package dev.troupe.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The kustomize overlays beside this module, rendered by {@code kubectl kustomize} as an operator
 * applies them, held against what the node really reads: its configuration as {@code Main} builds
 * it from the Deployment's environment ({@link NodeConfigDump}), and the {@code ${?TROUPE_…}} names of its conf files.
 * Skipped, with the reason, where kubectl is not installed.
 */
@TestInstance(Lifecycle.PER_CLASS)
class ManifestsTest {
  private static final Path K8S = Path.of("").toAbsolutePath();
  private static final List<String> OVERLAYS = List.of("dev", "prod", "prod-lease");
  /** Stands for status.podIP when the node's config is resolved. */
  private static final String POD_IP = "10.1.2.3";
  /** Beyond the drain: the cancel after it, the shards' hand-off, leaving the cluster. */
  private static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(30);
  /** Secrets the prod overlays expect to exist, created by the operator (docs/operations.md). */
  private static final Set<String> EXTERNAL_SECRETS = Set.of("troupe-db", "troupe-api-tokens");

  private final Map<String, List<Map<String, Object>>> rendered = new LinkedHashMap<>();
  private final Map<String, Config> nodeConfigs = new HashMap<>();

  private boolean kubectl;

  @BeforeAll
  void renderEveryOverlay() throws Exception {
    kubectl = run(List.of("kubectl", "version", "--client")).isPresent();
    if (!kubectl) {
      System.out.println("ManifestsTest skipped: kubectl is not installed (apt-get install kubectl)");
      return;
    }
    for (String overlay : OVERLAYS) {
      String yaml = run(List.of("kubectl", "kustomize", K8S.resolve("overlays/" + overlay).toString()))
          .orElseThrow(() -> new AssertionError("kubectl kustomize overlays/" + overlay + " failed"));
      Path out = K8S.resolve("target/rendered/" + overlay + ".yaml");
      Files.createDirectories(out.getParent());
      Files.writeString(out, yaml);
      List<Map<String, Object>> docs = new ArrayList<>();
      for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
        if (doc != null) {
          docs.add(map(doc));
        }
      }
      rendered.put(overlay, docs);
    }
  }

  @BeforeEach
  void needsTheRenderedOverlays() {
    assumeTrue(kubectl, "kubectl is not installed: the overlays cannot be rendered");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod", "prod-lease"})
  void selectorsSelectTheirPods(String overlay) {
    // given
    List<Map<String, Object>> docs = rendered.get(overlay);
    Map<String, Object> troupe = one(docs, "Deployment", "troupe");
    Map<String, String> troupePods = labels(podTemplate(troupe));

    // then every workload's selector matches its own pods' labels
    for (Map<String, Object> workload : all(docs, "Deployment", "StatefulSet")) {
      assertThat(labels(podTemplate(workload)))
          .as("%s pods' labels", name(workload))
          .containsAllEntriesOf(matchLabels(map(spec(workload).get("selector"))));
    }
    // every Service reaches the pods of exactly one workload
    for (Map<String, Object> service : all(docs, "Service")) {
      Map<String, String> selector = strings(map(spec(service).get("selector")));
      assertThat(selector).as("selector of Service %s", name(service)).isNotEmpty();
      assertThat(all(docs, "Deployment", "StatefulSet").stream()
          .filter(w -> labels(podTemplate(w)).entrySet().containsAll(selector.entrySet())))
          .as("workloads behind Service %s", name(service)).hasSize(1);
    }
    // the PDB and the HPA are about the Troupe nodes
    Map<String, Object> pdb = one(docs, "PodDisruptionBudget", "troupe");
    assertThat(spec(pdb).get("maxUnavailable")).isEqualTo(1);
    assertThat(matchLabels(map(spec(pdb).get("selector")))).isNotEmpty()
        .isEqualTo(matchLabels(map(spec(troupe).get("selector"))));
    assertThat(troupePods).containsAllEntriesOf(matchLabels(map(spec(pdb).get("selector"))));
    for (Map<String, Object> hpa : all(docs, "HorizontalPodAutoscaler")) {
      Map<String, Object> target = map(spec(hpa).get("scaleTargetRef"));
      assertThat(target).containsEntry("kind", "Deployment").containsEntry("name", "troupe");
      assertThat(spec(hpa).get("minReplicas")).isEqualTo(spec(troupe).get("replicas"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod", "prod-lease"})
  void theNodeFindsItsPeersWhereThePodsAre(String overlay) {
    // given
    List<Map<String, Object>> docs = rendered.get(overlay);
    Map<String, Object> troupe = one(docs, "Deployment", "troupe");
    Map<String, Object> container = container(troupe, "troupe");

    // when the node's configuration is built as Main builds it, from this environment
    Config config = nodeConfig(overlay);

    // then bootstrap looks the pods up through the Kubernetes API, by their own label
    assertThat(config.getBoolean("troupe.cluster.bootstrap")).isTrue();
    String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    assertThat(config.getString(discovery + "discovery-method")).isEqualTo("kubernetes-api");
    assertThat(config.getStringList("pekko.cluster.seed-nodes")).isEmpty();
    String selector = String.format(config.getString("pekko.discovery.kubernetes-api.pod-label-selector"),
        config.getString(discovery + "service-name"));
    String[] label = selector.split("=", 2);
    assertThat(labels(podTemplate(troupe))).containsEntry(label[0], label[1]);
    // a new cluster is formed once every replica is found
    assertThat(config.getInt(discovery + "required-contact-point-nr"))
        .isEqualTo(spec(troupe).get("replicas"));
    // the probes and the other nodes reach the management port the node binds, on the pod's IP
    int management = config.getInt("pekko.management.http.port");
    assertThat(config.getString("pekko.management.http.hostname")).isEqualTo(POD_IP);
    assertThat(containerPort(container, "management")).isEqualTo(management);
    assertThat(probePort(container, "startupProbe")).isEqualTo(management);
    assertThat(probePort(container, "livenessProbe")).isEqualTo(management);
    assertThat(probePort(container, "readinessProbe")).isEqualTo(management);
    assertThat(probePath(container, "livenessProbe")).isEqualTo(
        "/" + config.getString("pekko.management.health-checks.liveness-path"));
    assertThat(probePath(container, "readinessProbe")).isEqualTo(
        "/" + config.getString("pekko.management.health-checks.readiness-path"));
    // remoting advertises the pod's IP
    assertThat(config.getString("pekko.remote.artery.canonical.hostname")).isEqualTo(POD_IP);
    assertThat(containerPort(container, "remoting"))
        .isEqualTo(config.getInt("pekko.remote.artery.canonical.port"));
    // the HTTP API, its Service and Prometheus' scrape use the port the node serves
    int http = config.getInt("troupe.http.port");
    assertThat(config.getBoolean("troupe.http.enabled")).isTrue();
    assertThat(containerPort(container, "http")).isEqualTo(http);
    Map<String, Object> servicePort = map(list(spec(one(docs, "Service", "troupe")).get("ports")).get(0));
    assertThat(containerPort(container, String.valueOf(servicePort.get("targetPort")))).isEqualTo(http);
    Map<String, String> annotations = strings(map(metadata(podTemplate(troupe)).get("annotations")));
    assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", String.valueOf(http))
        .containsEntry("prometheus.io/path", "/metrics");
    // no volume is needed for remembered entities, and a downed node exits to be started again
    assertThat(config.getString("pekko.cluster.sharding.remember-entities-store")).isEqualTo("eventsourced");
    assertThat(config.getBoolean("pekko.coordinated-shutdown.exit-jvm")).isTrue();
    assertThat(config.getString("pekko.cluster.downing-provider-class")).endsWith("SplitBrainResolverProvider");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod", "prod-lease"})
  void everyVariableIsOneTheNodeReads(String overlay) throws IOException {
    // given
    List<Map<String, Object>> docs = rendered.get(overlay);
    Map<String, Object> troupe = one(docs, "Deployment", "troupe");
    Set<String> read = variablesTheNodeReads();

    // when
    Map<String, Object> environment = environment(docs, troupe);

    // then
    assertThat(read).contains("TROUPE_DB_URL", "TROUPE_SERVICE_NAME", "TROUPE_MANAGEMENT_HOST");
    assertThat(environment.keySet()).as("variables of the troupe container").isNotEmpty()
        .allSatisfy(name -> assertThat(read).as("names the node reads").contains(name));
    // Kubernetes adds no TROUPE_SERVICE_HOST, TROUPE_PORT... of its own for the Service troupe
    assertThat(podSpec(troupe).get("enableServiceLinks")).isEqualTo(false);
    // credentials come from Secrets, never from the manifests or the ConfigMap
    for (String secret : List.of("TROUPE_DB_URL", "TROUPE_DB_USER", "TROUPE_DB_PASSWORD",
        "TROUPE_CLIENT_TOKENS", "TROUPE_ADMIN_TOKENS")) {
      assertThat(environment.get(secret)).as(secret).isInstanceOf(SecretRef.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod", "prod-lease"})
  void everySecretReferredToIsRenderedOrCreatedByTheOperator(String overlay) {
    // given
    List<Map<String, Object>> docs = rendered.get(overlay);
    Set<String> secrets = new TreeSet<>();
    all(docs, "Secret").forEach(s -> secrets.add(name(s)));

    // then
    for (Map<String, Object> workload : all(docs, "Deployment", "StatefulSet")) {
      for (Object c : list(podSpec(workload).get("containers"))) {
        for (Object e : list(map(c).getOrDefault("env", List.of()))) {
          Object ref = map(map(e).getOrDefault("valueFrom", Map.of())).get("secretKeyRef");
          if (ref != null) {
            String secret = String.valueOf(map(ref).get("name"));
            if (overlay.equals("dev")) {
              assertThat(secrets).as("Secrets of the dev overlay").contains(secret);
              assertThat(map(one(docs, "Secret", secret).get("data"))).containsKey(String.valueOf(map(ref).get("key")));
            } else {
              assertThat(EXTERNAL_SECRETS).as("Secrets the operator creates").contains(secret);
            }
          }
        }
      }
    }
    if (!overlay.equals("dev")) {
      assertThat(secrets).as("Secrets kept in the repository for " + overlay).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod", "prod-lease"})
  void rbacGrantsWhatDiscoveryNeedsAndNothingMore(String overlay) {
    // given
    List<Map<String, Object>> docs = rendered.get(overlay);
    Map<String, Object> troupe = one(docs, "Deployment", "troupe");
    Config config = nodeConfig(overlay);
    List<Map<String, Object>> expected = new ArrayList<>(List.of(
        rule("", "pods", "get", "list", "watch")));
    if (config.getString("pekko.cluster.split-brain-resolver.active-strategy").equals("lease-majority")) {
      expected.add(rule("pekko.apache.org", "leases", "create", "get", "list", "update"));
      assertThat(config.getString("pekko.cluster.split-brain-resolver.lease-majority.lease-implementation"))
          .isEqualTo("pekko.coordination.lease.kubernetes");
      assertThat(config.hasPath("pekko.coordination.lease.kubernetes.lease-class")).isTrue();
      assertThat(all(docs, "CustomResourceDefinition")).extracting(ManifestsTest::name)
          .containsExactly("leases.pekko.apache.org");
    }
    String serviceAccount = String.valueOf(podSpec(troupe).get("serviceAccountName"));
    String namespace = String.valueOf(metadata(troupe).get("namespace"));

    // then
    assertThat(one(docs, "ServiceAccount", serviceAccount)).isNotNull();
    assertThat(all(docs, "ClusterRole", "ClusterRoleBinding")).isEmpty();
    List<Map<String, Object>> roles = all(docs, "Role");
    assertThat(roles).hasSize(1);
    assertThat(list(roles.get(0).get("rules")).stream().map(r -> normalized(map(r))).toList())
        .containsExactlyInAnyOrderElementsOf(expected);
    Map<String, Object> binding = one(docs, "RoleBinding", name(roles.get(0)));
    assertThat(map(binding.get("roleRef"))).containsEntry("kind", "Role")
        .containsEntry("name", name(roles.get(0)));
    assertThat(list(binding.get("subjects"))).containsExactly(
        Map.of("kind", "ServiceAccount", "name", serviceAccount, "namespace", namespace));
    // everything namespaced lives in the Namespace the overlay creates
    assertThat(one(docs, "Namespace", namespace)).isNotNull();
    for (Map<String, Object> doc : docs) {
      if (!Set.of("Namespace", "CustomResourceDefinition").contains(doc.get("kind"))) {
        assertThat(metadata(doc).get("namespace")).as("namespace of %s %s", doc.get("kind"), name(doc))
            .isEqualTo(namespace);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod", "prod-lease"})
  void everyContainerHasRequestsAndLimits(String overlay) {
    for (Map<String, Object> workload : all(rendered.get(overlay), "Deployment", "StatefulSet")) {
      List<Object> containers = new ArrayList<>(list(podSpec(workload).get("containers")));
      containers.addAll(list(podSpec(workload).getOrDefault("initContainers", List.of())));
      for (Object c : containers) {
        Map<String, Object> resources = map(map(c).get("resources"));
        assertThat(map(resources.get("requests"))).as("requests of %s", map(c).get("name"))
            .containsKeys("cpu", "memory");
        assertThat(map(resources.get("limits"))).as("limits of %s", map(c).get("name"))
            .containsKeys("cpu", "memory");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod", "prod-lease"})
  void aStoppingNodeHasTimeToDrainAndLeave(String overlay) {
    // given
    List<Map<String, Object>> docs = rendered.get(overlay);
    Map<String, Object> troupe = one(docs, "Deployment", "troupe");
    Duration drain = nodeConfig(overlay).getDuration("troupe.shutdown.drain-timeout");

    // then
    assertThat(Duration.ofSeconds(((Number) podSpec(troupe).get("terminationGracePeriodSeconds")).longValue()))
        .isGreaterThanOrEqualTo(drain.plus(SHUTDOWN_MARGIN));
    // a rolling upgrade starts the new pod before it stops an old one
    Map<String, Object> rolling = map(map(spec(troupe).get("strategy")).get("rollingUpdate"));
    assertThat(rolling).containsEntry("maxUnavailable", 0).containsEntry("maxSurge", 1);
    // and the next old pod stops only after the singletons' removal margin of the previous one
    Duration removalMargin = nodeConfig(overlay)
        .getDuration("pekko.cluster.split-brain-resolver.stable-after");
    assertThat(Duration.ofSeconds(((Number) spec(troupe).get("minReadySeconds")).longValue()))
        .isGreaterThan(removalMargin);
  }

  @Test
  void theRenderedManifestsMatchTheKubernetesSchemas() throws Exception {
    // given
    Path check = K8S.resolve("schema-check");
    Optional<String> node = run(List.of("node", "--version"));
    assumeTrue(node.isPresent(), "node is not installed: the schema check is skipped");
    assumeTrue(Files.isDirectory(check.resolve("node_modules/kubernetes-models")),
        "k8s/schema-check/node_modules is missing (npm ci there): the schema check is skipped");
    List<String> command = new ArrayList<>(List.of("node", check.resolve("validate.mjs").toString()));
    OVERLAYS.forEach(o -> command.add(K8S.resolve("target/rendered/" + o + ".yaml").toString()));

    // when
    Optional<String> out = run(command);

    // then
    assertThat(out).as("node validate.mjs (see its output above)").isPresent();
    assertThat(out.get()).contains(" 0 invalid").doesNotContain("FAIL");
  }

  // --- the node's side

  /**
   * The node's config as {@code Main} builds it in a JVM started with the container's environment
   * (no other TROUPE_* variable): the values of literals, ConfigMaps and the downward API.
   */
  private Config nodeConfig(String overlay) {
    return nodeConfigs.computeIfAbsent(overlay, o -> {
      List<Map<String, Object>> docs = rendered.get(overlay);
      Map<String, Object> deployment = one(docs, "Deployment", "troupe");
      ProcessBuilder java = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), NodeConfigDump.class.getName());
      java.environment().keySet().removeIf(name -> name.startsWith("TROUPE_"));
      environment(docs, deployment).forEach((name, value) -> {
        if (value instanceof String s) {
          java.environment().put(name, s);
        }
      });
      try {
        return ConfigFactory.parseString(run(java, false).orElseThrow(
            () -> new AssertionError("the node's config could not be printed")));
      } catch (IOException | InterruptedException e) {
        throw new AssertionError(e);
      }
    });
  }

  /** Every ${?TROUPE_…} in the conf files the node loads. */
  private static Set<String> variablesTheNodeReads() throws IOException {
    Set<String> names = new TreeSet<>();
    Pattern variable = Pattern.compile("\\$\\{\\?(TROUPE_[A-Z0-9_]+)}");
    ClassLoader loader = ManifestsTest.class.getClassLoader();
    for (String resource : List.of("reference.conf", "troupe-node.conf", "troupe-main.conf",
        "troupe-persistence.conf")) {
      for (URL url : Collections.list(loader.getResources(resource))) {
        try (InputStream in = url.openStream()) {
          Matcher m = variable.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          while (m.find()) {
            names.add(m.group(1));
          }
        }
      }
    }
    return names;
  }

  // --- the manifests' side

  /** A variable whose value comes from a Secret. */
  private record SecretRef(String secret, String key) {}

  /**
   * The troupe container's variables: values (literals, the ConfigMaps' data, the downward API
   * filled in for this pod) or {@link SecretRef}s.
   */
  private static Map<String, Object> environment(List<Map<String, Object>> docs,
      Map<String, Object> deployment) {
    Map<String, Object> env = new LinkedHashMap<>();
    Map<String, Object> container = container(deployment, "troupe");
    for (Object from : list(container.getOrDefault("envFrom", List.of()))) {
      String configMap = String.valueOf(map(map(from).get("configMapRef")).get("name"));
      strings(map(one(docs, "ConfigMap", configMap).get("data"))).forEach(env::put);
    }
    for (Object e : list(container.getOrDefault("env", List.of()))) {
      Map<String, Object> var = map(e);
      String name = String.valueOf(var.get("name"));
      if (var.containsKey("value")) {
        env.put(name, String.valueOf(var.get("value")));
        continue;
      }
      Map<String, Object> from = map(var.get("valueFrom"));
      if (from.containsKey("secretKeyRef")) {
        Map<String, Object> ref = map(from.get("secretKeyRef"));
        env.put(name, new SecretRef(String.valueOf(ref.get("name")), String.valueOf(ref.get("key"))));
      } else {
        String field = String.valueOf(map(from.get("fieldRef")).get("fieldPath"));
        Matcher label = Pattern.compile("metadata\\.labels\\['(.+)']").matcher(field);
        if (field.equals("status.podIP")) {
          env.put(name, POD_IP);
        } else if (label.matches()) {
          env.put(name, labels(podTemplate(deployment)).get(label.group(1)));
        } else {
          throw new AssertionError(name + " comes from a field this test does not know: " + field);
        }
      }
    }
    return env;
  }

  private static Map<String, Object> rule(String group, String resource, String... verbs) {
    return Map.of("apiGroups", List.of(group), "resources", List.of(resource), "verbs",
        List.of(verbs));
  }

  private static Map<String, Object> normalized(Map<String, Object> rule) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String key : List.of("apiGroups", "resources", "verbs")) {
      out.put(key, list(rule.get(key)).stream().map(String::valueOf).sorted().toList());
    }
    assertThat(rule.keySet()).as("fields of the rule %s", rule).isEqualTo(out.keySet());
    return out;
  }

  private static int containerPort(Map<String, Object> container, String portName) {
    return list(container.get("ports")).stream().map(ManifestsTest::map)
        .filter(p -> portName.equals(p.get("name")))
        .map(p -> ((Number) p.get("containerPort")).intValue()).findFirst()
        .orElseThrow(() -> new AssertionError("container port " + portName + " not declared"));
  }

  private static int probePort(Map<String, Object> container, String probe) {
    Object port = map(map(container.get(probe)).get("httpGet")).get("port");
    return port instanceof Number n ? n.intValue() : containerPort(container, String.valueOf(port));
  }

  private static String probePath(Map<String, Object> container, String probe) {
    return String.valueOf(map(map(container.get(probe)).get("httpGet")).get("path"));
  }

  private static Map<String, Object> container(Map<String, Object> workload, String name) {
    return list(podSpec(workload).get("containers")).stream().map(ManifestsTest::map)
        .filter(c -> name.equals(c.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name + " in " + name(workload)));
  }

  private static List<Map<String, Object>> all(List<Map<String, Object>> docs, String... kinds) {
    Set<String> wanted = Set.of(kinds);
    return docs.stream().filter(d -> wanted.contains(String.valueOf(d.get("kind")))).toList();
  }

  private static Map<String, Object> one(List<Map<String, Object>> docs, String kind, String name) {
    return all(docs, kind).stream().filter(d -> name.equals(name(d))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
  }

  private static Map<String, Object> podTemplate(Map<String, Object> workload) {
    return map(spec(workload).get("template"));
  }

  private static Map<String, Object> podSpec(Map<String, Object> workload) {
    return spec(podTemplate(workload));
  }

  private static Map<String, String> labels(Map<String, Object> object) {
    return strings(map(metadata(object).get("labels")));
  }

  private static Map<String, String> matchLabels(Map<String, Object> selector) {
    return strings(map(selector.get("matchLabels")));
  }

  private static Map<String, Object> spec(Map<String, Object> object) {
    return map(object.get("spec"));
  }

  private static Map<String, Object> metadata(Map<String, Object> object) {
    return map(object.get("metadata"));
  }

  private static String name(Map<String, Object> object) {
    return String.valueOf(metadata(object).get("name"));
  }

  private static Map<String, String> strings(Map<String, Object> m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  private static Optional<String> run(List<String> command) throws InterruptedException, IOException {
    return run(new ProcessBuilder(command), true);
  }

  /**
   * Standard output of a command that exits 0 within a minute (printed with it when {@code echo});
   * empty when it cannot run or fails.
   */
  private static Optional<String> run(ProcessBuilder command, boolean echo)
      throws InterruptedException, IOException {
    Process p;
    try {
      p = command.redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException notInstalled) {
      return Optional.empty();
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command.command() + " did not finish within a minute");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    System.out.println("$ " + String.join(" ", command.command()) + "\n" + (echo ? text : ""));
    return p.exitValue() == 0 ? Optional.of(text) : Optional.empty();
  }
}
