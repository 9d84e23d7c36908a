#!/usr/bin/env bash
# Troupe HTTP benchmark: builds the module bench/node (Maven profile "bench", outside `mvn verify`)
# and runs dev.troupe.bench.HttpBenchmark, which loads a node's HTTP API with java.net.http
# (HTTP/1.1 keep-alive) and writes its figures into docs/benchmarks.md (between
# <!-- http-benchmark:start --> and <!-- http-benchmark:end -->).
#
#   bash bench/run-http.sh                      # a node in-process on H2 (and PostgreSQL if set)
#   TROUPE_BENCH_PG_URL=jdbc:postgresql://127.0.0.1:5432/test bash bench/run-http.sh
#   bash bench/run-http.sh --connections=32 --sse-rate=200 --seconds=10 --reps=3
#   bash bench/run-http.sh --url=http://localhost:8080 --noop=echo --emit=my-emitter
#
# Options: bench/README.md. Extra JVM flags: BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf bench/node/target/lib
mvn -B -q -Pbench -pl bench/node -am package -DskipTests
# shellcheck disable=SC2086
exec java -Xms2g -Xmx4g ${BENCH_JAVA_OPTS:-} \
  -Dbench.command="bash bench/run-http.sh${*:+$(printf " %q" "$@")}" \
  -cp "bench/node/target/troupe-bench.jar:bench/node/target/lib/*" \
  dev.troupe.bench.HttpBenchmark "$@"
