#!/usr/bin/env bash
# Troupe node benchmark: builds the module bench/node (Maven profile "bench", outside `mvn verify`)
# and runs dev.troupe.bench.NodeBenchmark, which prints its figures and writes them into
# docs/benchmarks.md (between <!-- node-benchmark:start --> and <!-- node-benchmark:end -->).
#
#   bash bench/run.sh                       # H2 only, unless a PostgreSQL URL is set
#   TROUPE_BENCH_PG_URL=jdbc:postgresql://127.0.0.1:5432/test bash bench/run.sh
#   bash bench/run.sh --n=20000 --warmup=5000 --reps=3 --workers=50 --db=h2,pg
#   bash bench/run.sh --workloads=hot,due-at-once,schedules,fairness,priorities,children,steps
#                                           # further workloads: bench/README.md (--scale=0.02 to try)
#
# PostgreSQL: TROUPE_BENCH_PG_URL (or TROUPE_TEST_PG_URL), user TROUPE_BENCH_PG_USER (default
# postgres), password TROUPE_BENCH_PG_PASSWORD (default empty); a fresh schema is created and
# dropped. Extra JVM flags: BENCH_JAVA_OPTS (e.g. "-XX:StartFlightRecording=filename=bench.jfr").
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf bench/node/target/lib
mvn -B -q -Pbench -pl bench/node -am package -DskipTests
# shellcheck disable=SC2086
exec java -Xms2g -Xmx4g ${BENCH_JAVA_OPTS:-} \
  -Dbench.command="bash bench/run.sh${*:+$(printf " %q" "$@")}" \
  -cp "bench/node/target/troupe-bench.jar:bench/node/target/lib/*" \
  dev.troupe.bench.NodeBenchmark "$@"
