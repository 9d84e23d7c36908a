package dev.troupe.node.entity;

import static dev.troupe.node.entity.Replies.value;
import static dev.troupe.node.entity.WorkerEntityTest.json;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.node.entity.WorkerEntity.CallReply;
import dev.troupe.node.entity.WorkerEntity.Command;
import dev.troupe.node.entity.WorkerEntityTest.ControlledWorker;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.node.placement.RegisteredWorkers;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.registry.WorkerRegistry;
import dev.troupe.persistence.TroupeJson;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker entity with a journal, started (as sharding starts it: its front and its core) on a
 * node that does not have its worker, in a cluster of one node: it asks to be passivated once no
 * member announces the worker for the grace (here none), and not while one does. The journal is
 * the in-memory one of Pekko's persistence test kit.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StrayCheckTest {

  private static final Config CONFIG = ConfigFactory.parseString(
          "troupe.discover-modules = off\n"
              + "troupe.worker.stray-check = 100ms\n"
              + "troupe.worker.stray-grace = 0s\n"
              + "pekko.actor.provider = cluster\n"
              + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
              + "pekko.remote.artery.canonical.port = 0\n"
              + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
              + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n"
              + "pekko.actor.serialization-bindings {\n"
              + "  \"dev.troupe.api.TroupeSerializable\" = jackson-json\n"
              + "}\n")
      .withFallback(EventSourcedBehaviorTestKit.config());
  private static final AtomicInteger NAMES = new AtomicInteger();

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  @BeforeAll
  void joinItself() {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> cluster.selfMember().status() == MemberStatus.up());
  }

  @Test
  void aStrayWhoseWorkerNoMemberAnnouncesAsksToBePassivated() {
    // given an entity that recorded a run on a node with its worker
    String name = written();
    TestProbe<ActorRef<Command>> passivated = testKit.createTestProbe();

    // when it starts on a node without the worker, which no member announces
    testKit.spawn(WorkerEntities.create(name, services(), passivated.ref()::tell));

    // then it asks its shard to passivate it
    passivated.receiveMessage(Duration.ofSeconds(10));
  }

  @Test
  void aStrayWhoseWorkerAMemberAnnouncesStays() {
    // given an entity that recorded a run, and a member that announces its worker
    String name = written();
    RegisteredWorkers workers = RegisteredWorkers.get(testKit.system());
    workers.announce(name);
    await().atMost(Duration.ofSeconds(10)).until(() -> workers.announcedAnywhere(name));
    TestProbe<ActorRef<Command>> passivated = testKit.createTestProbe();

    // when it starts on a node without the worker
    testKit.spawn(WorkerEntities.create(name, services(), passivated.ref()::tell));

    // then it does not ask to be passivated, over many checks past the grace
    passivated.expectNoMessage(Duration.ofSeconds(2));
  }

  /** The name of a worker whose entity recorded a run, then stopped. */
  private String written() {
    String name = "stray-" + NAMES.incrementAndGet();
    EntityServices services = services();
    services.registry().add(new Registration(new WorkerDefinition(name, WorkerConfig.DEFAULT),
        new ControlledWorker(), null));
    ActorRef<Command> entity = testKit.spawn(WorkerEntities.create(name, services, f -> { }));
    TestProbe<CallReply> reply = testKit.createTestProbe();
    entity.tell(new WorkerEntity.Call(json("{}"), 60_000, null, List.of(), reply.ref()));
    value(reply.receiveMessage(Duration.ofSeconds(10)));
    testKit.stop(entity);
    return name;
  }

  /** The services of a node with no worker registered. */
  private EntityServices services() {
    return EntityServices.of(testKit.system(),
        TroupeSettings.fromConfig(testKit.system().settings().config()),
        TroupeJson.newMapper(), new WorkerRegistry(), new TroupeMetrics());
  }
}
