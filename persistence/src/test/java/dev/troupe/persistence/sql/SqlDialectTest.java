package dev.troupe.persistence.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import slick.jdbc.H2Profile$;
import slick.jdbc.PostgresProfile$;

class SqlDialectTest {

  @Test
  void anH2UrlGetsTheH2Dialect() {
    // given
    String url = "jdbc:h2:file:./data/troupe;DB_CLOSE_ON_EXIT=FALSE";
    // when
    SqlDialect dialect = SqlDialects.of(url);
    // then
    assertThat(dialect.driverClassName()).isEqualTo("org.h2.Driver");
    assertThat(dialect.slickProfile()).isSameAs(H2Profile$.MODULE$);
    assertThat(dialect.migrationsLocation()).isEqualTo("classpath:db/troupe/h2");
    assertThat(dialect.connectionInitSql()).isNull();
    assertThat(dialect.effectiveUrl(url)).isEqualTo(url + ";WRITE_DELAY=0");
    assertThat(dialect.effectiveUrl("jdbc:h2:mem:t;Write_Delay=10"))
        .isEqualTo("jdbc:h2:mem:t;Write_Delay=10");
  }

  @Test
  void aPostgresUrlGetsThePostgresDialect() {
    // given
    String url = "jdbc:postgresql://db:5432/troupe?reWriteBatchedInserts=true";
    // when
    SqlDialect dialect = SqlDialects.of(url);
    // then
    assertThat(dialect.driverClassName()).isEqualTo("org.postgresql.Driver");
    assertThat(dialect.slickProfile()).isSameAs(PostgresProfile$.MODULE$);
    assertThat(dialect.migrationsLocation()).isEqualTo("classpath:db/troupe/postgresql");
    assertThat(dialect.connectionInitSql()).isEqualTo("SET plan_cache_mode = force_custom_plan");
    assertThat(dialect.effectiveUrl(url)).isEqualTo(url);
  }

  @Test
  void anyOtherUrlIsRefused() {
    for (String url : new String[] {"jdbc:mysql://db/troupe", "", null}) {
      assertThatThrownBy(() -> SqlDialects.of(url)).as(url)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("troupe.db.url must be a jdbc:h2: or jdbc:postgresql: URL, was '" + url
              + "'");
    }
  }
}
