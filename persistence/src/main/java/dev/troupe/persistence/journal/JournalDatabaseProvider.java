package dev.troupe.persistence.journal;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickDatabaseProvider;

/**
 * pekko-persistence-jdbc's source of Slick databases in an actor system that runs Troupe ({@code
 * pekko-persistence-jdbc.database-provider-fqcn} in {@code troupe-persistence.conf}): the journal,
 * the snapshot store and the read journal all get the actor system's {@link JournalDatabase},
 * whatever their own config says. Made by pekko-persistence-jdbc with the actor system.
 */
public final class JournalDatabaseProvider implements SlickDatabaseProvider {
  private final ActorSystem system;

  public JournalDatabaseProvider(ActorSystem system) {
    this.system = system;
  }

  @Override
  public SlickDatabase database(Config config) {
    return JournalDatabase.get(system).database();
  }
}
