package dev.troupe.examples.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.Troupe;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.node.TroupeConfig;
import dev.troupe.node.TroupeNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Embedding Troupe in your own application.
 *
 * <p>Most applications that use Troupe from Java do not run the stand-alone node: they already
 * have (or are happy to create) a Pekko {@link ActorSystem}, and they start Troupe inside it.
 * This example is such an application, step by step:
 *
 * <ol>
 *   <li>build the application's own actor system, named {@code my-app}, with a config made by
 *       {@link TroupeConfig#withDefaults} (which adds the cluster provider, the JDBC journal and
 *       sharding settings Troupe needs) and its own H2 database file;
 *   <li>start Troupe in it with {@link TroupeNode#start(ActorSystem)};
 *   <li>register a worker in code, {@code thumbnail}, which reports progress three times;
 *   <li>call it, print every event of the run's live stream, then the finished run;
 *   <li>shut Troupe down, which terminates the actor system, and wait for that.
 * </ol>
 *
 * <p>Run it from the repository's root, after {@code mvn install -DskipTests}:
 *
 * <pre>
 * mvn -q -pl src-examples dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp src-examples/target/classes:$(cat src-examples/target/cp.txt) \
 *     dev.troupe.examples.embedding.EmbeddedApp [data-folder]
 * </pre>
 *
 * <p>The H2 database goes in the folder given as the first argument, else in the system property
 * {@value #DATA_DIR_PROPERTY}, else in {@value #DEFAULT_DATA_DIR}; it keeps the runs and
 * statistics of earlier runs of the app. Troupe and Pekko log through SLF4J, so your
 * application's own Logback (or other) configuration decides how much they say; with no
 * configuration at all Logback prints everything at DEBUG, so give it one, e.g. {@code
 * -Dlogback.configurationFile=my-logback.xml}.
 */
public final class EmbeddedApp {
  /** The system property naming the folder of the application's H2 database. */
  public static final String DATA_DIR_PROPERTY = "troupe.example.data-dir";

  /** Where the H2 database goes when neither an argument nor the property says otherwise. */
  public static final String DEFAULT_DATA_DIR = "./data/embedded";

  /** The name of the worker this application registers. */
  public static final String WORKER = "thumbnail";

  /** The sizes the thumbnail worker makes, one progress message each. */
  static final List<Integer> SIZES = List.of(64, 128, 256);

  /** How long each of our steps may wait for Troupe (nothing here takes nearly as long). */
  private static final Duration WAIT = Duration.ofSeconds(30);

  private EmbeddedApp() {}

  public static void main(String[] args) {
    Path dataDir = Path.of(args.length > 0 ? args[0]
        : System.getProperty(DATA_DIR_PROPERTY, DEFAULT_DATA_DIR));
    try {
      runDemo(dataDir, System.out);
    } catch (Throwable e) {
      // runDemo has terminated the actor system, but a failure may leave other threads behind
      System.err.println("the embedded demo failed: " + e);
      e.printStackTrace();
      System.exit(1);
    }
    // Nothing else to do: every thread Troupe and Pekko started has ended with the actor
    // system, so the JVM exits by itself, with status 0.
  }

  /**
   * Builds the application's actor system on an H2 database in {@code dataDir}, runs the demo
   * in it and waits until the system has terminated.
   *
   * @return the lines printed to {@code out}
   */
  public static List<String> runDemo(Path dataDir, PrintStream out) {
    return runDemo(createSystem(dataDir), out);
  }

  /**
   * Step 1: the application's own actor system.
   *
   * <p>Whatever the application writes in its config wins over Troupe's defaults; {@link
   * TroupeConfig#withDefaults} fills in the rest (and -D system properties win over both).
   */
  public static ActorSystem<Void> createSystem(Path dataDir) {
    String dbUrl = "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("troupe")
        // keep the database open until CoordinatedShutdown has written the last events
        + ";DB_CLOSE_ON_EXIT=FALSE";
    Config appConfig = ConfigFactory.parseString(String.join("\n",
            // only the workers registered below: do not load WorkerModules from the classpath
            "troupe.discover-modules = off",
            // a one-node app needs no fixed remoting port; 0 picks a free one, so this app
            // never clashes with a Troupe node (port 25520) on the same machine
            "pekko.remote.artery.canonical.port = 0",
            // the app ends by itself; CoordinatedShutdown must not call System.exit
            "pekko.coordinated-shutdown.exit-jvm = off",
            // running runs get this long to finish when we shut down, then they are cancelled
            "troupe.shutdown.drain-timeout = 5s",
            // configuration our worker reads through ctx.config()
            "troupe.workers.thumbnail { step-delay = 100ms }"))
        // set as a value (not written into the HOCON text) so no path needs quoting
        .withValue("troupe.db.url", ConfigValueFactory.fromAnyRef(dbUrl));
    return ActorSystem.create(Behaviors.empty(), "my-app", TroupeConfig.withDefaults(appConfig));
  }

  /**
   * Steps 2 to 5 in {@code system}, which must have been made by {@link TroupeConfig#withDefaults}.
   * Returns once the system has terminated (it also terminates it when a step fails).
   *
   * @return the lines printed to {@code out}
   */
  public static List<String> runDemo(ActorSystem<Void> system, PrintStream out) {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Printer print = line -> {
      lines.add(line);
      out.println(line);
    };

    // Step 2: start Troupe inside our system. This migrates the database schema, joins the node
    // to itself (a one-node cluster) and starts the sharded worker entities.
    Troupe troupe;
    try {
      troupe = TroupeNode.start(system);
    } catch (RuntimeException | Error e) {
      // the system's threads would keep the JVM alive: terminate it before giving up
      system.terminate();
      await(system.getWhenTerminated());
      throw e;
    }
    print.line("Troupe started in actor system '" + system.name() + "'");

    try {
      // Step 3: register a worker in code. Every node that may run it registers it the same
      // way; here there is just this one.
      troupe.register(WORKER, WorkerConfig.DEFAULT
              .withTimeout(Duration.ofSeconds(30))
              .withRetry(RetryPolicy.NONE)
              .withDescription("Makes thumbnails of payload.image in three sizes"),
          new ThumbnailWorker());
      print.line("registered workers: "
          + troupe.workers().stream().map(WorkerDefinition::name).toList());

      // Step 4: call it. The stage completes once the run is written to the journal; the run
      // itself goes on asynchronously, on a thread of Troupe's.
      ObjectNode payload = JsonNodeFactory.instance.objectNode().put("image", "cat.png");
      RunHandle handle = await(troupe.call(WORKER, payload));
      print.line("called " + WORKER + " with " + payload + ": run " + handle.runId());

      // The run's events as a Pekko Streams Source: those already emitted, then live ones,
      // ending after the terminal event. Print each one as it arrives; wait for the end.
      await(handle.messages().runWith(Sink.foreach(e -> print.line(describe(e))), system));

      // The finished run: its status, attempts and result (or error).
      RunResult run = await(handle.result());
      print.line("result: " + run.status() + " after " + run.attempts() + " attempt(s): "
          + (run.result() != null ? run.result() : run.error()));
    } finally {
      // Step 5: shut down. Troupe's shutdown is Pekko's CoordinatedShutdown: it stops taking
      // calls, lets running runs finish (up to troupe.shutdown.drain-timeout), leaves the
      // cluster and terminates the actor system. Wait until the system has terminated.
      await(troupe.shutdown());
      await(system.getWhenTerminated());
      print.line("actor system '" + system.name() + "' terminated");
    }
    return List.copyOf(lines);
  }

  /** One line per stream event: its sequence number, type and data. */
  static String describe(RunEvent e) {
    JsonNode data = e.data();
    String shown = switch (e.type()) {
      case RunEvent.STATUS -> data.path("status").asText() + (data.path("attempt").asInt() > 0
          ? " (attempt " + data.path("attempt").asInt() + ")" : "");
      case RunEvent.LOG -> data.path("level").asText() + ": " + data.path("message").asText();
      // the terminal events carry the whole finished run: the last line shows it anyway
      case RunEvent.RESULT, RunEvent.ERROR -> data.path("status").asText() + " (end of stream)";
      default -> data.toString();
    };
    return String.format("  #%d %-7s %s", e.seq(), e.type(), shown);
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer within " + WAIT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @FunctionalInterface
  private interface Printer {
    void line(String line);
  }

  /**
   * The worker: "makes" a thumbnail of {@code payload.image} in each of {@link #SIZES}, waiting
   * {@code troupe.workers.thumbnail.step-delay} per size without blocking a thread
   * ({@link WorkerContext#delay}), and reports progress after each. It returns
   * {@code {"image":…,"thumbnails":["cat-64.png",…]}}; without an image it fails permanently.
   */
  static final class ThumbnailWorker implements Worker {
    @Override
    public CompletionStage<JsonNode> run(WorkerContext ctx) throws PermanentFailure {
      String image = ctx.payload().path("image").asText("");
      if (image.isBlank()) {
        // a PermanentFailure is never retried: no attempt could fix a missing field
        throw new PermanentFailure("field 'image' is required");
      }
      Duration stepDelay = ctx.config().hasPath("step-delay")
          ? ctx.config().getDuration("step-delay") : Duration.ofMillis(100);
      ctx.info("Making " + SIZES.size() + " thumbnails of " + image);
      ArrayNode made = ctx.json().createArrayNode();

      // Chain one asynchronous step per size; a cancel (or timeout) completes the delay early
      // with false, and then we stop without a result.
      CompletionStage<Boolean> steps = CompletableFuture.completedFuture(true);
      for (int i = 0; i < SIZES.size(); i++) {
        int step = i + 1;
        int size = SIZES.get(i);
        steps = steps.thenCompose(goOn -> !goOn ? CompletableFuture.completedFuture(false)
            : ctx.delay(stepDelay).thenApply(waited -> {
              if (waited) {
                String thumb = thumbnailName(image, size);
                made.add(thumb);
                ctx.progress(Math.round(step * 100.0 / SIZES.size()), "made " + thumb);
              }
              return waited;
            }));
      }
      return steps.thenApply(done -> {
        if (!done) {
          return null;
        }
        ObjectNode result = ctx.newObject().put("image", image);
        result.set("thumbnails", made);
        return result;
      });
    }

    static String thumbnailName(String image, int size) {
      int dot = image.lastIndexOf('.');
      return dot < 0 ? image + "-" + size : image.substring(0, dot) + "-" + size
          + image.substring(dot);
    }
  }
}
