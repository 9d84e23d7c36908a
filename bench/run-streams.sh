#!/usr/bin/env bash
# Troupe stream benchmark: durable against in-memory run streams (runs/s and call-to-first-message
# latency of a worker emitting 10 messages). Builds the module bench/node (Maven profile "bench") and
# runs dev.troupe.bench.StreamBenchmark, which writes its figures, the machine, the command and
# the load average into docs/benchmarks.md (between <!-- stream-benchmark:start --> and
# <!-- stream-benchmark:end -->).
#
#   bash bench/run-streams.sh                       # H2 only, unless a PostgreSQL URL is set
#   TROUPE_BENCH_PG_URL=jdbc:postgresql://127.0.0.1:5432/test bash bench/run-streams.sh
#   bash bench/run-streams.sh --n=20000 --warmup=10000 --reps=3 --rate=300 --messages=10 --db=h2,pg
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf bench/node/target/lib
mvn -B -q -Pbench -pl bench/node -am package -DskipTests
# shellcheck disable=SC2086
exec java -Xms2g -Xmx4g ${BENCH_JAVA_OPTS:-} \
  -Dbench.command="bash bench/run-streams.sh${*:+$(printf " %q" "$@")}" \
  -cp "bench/node/target/troupe-bench.jar:bench/node/target/lib/*" \
  dev.troupe.bench.StreamBenchmark "$@"
