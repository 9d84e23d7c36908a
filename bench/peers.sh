#!/usr/bin/env bash
# Troupe against db-scheduler and JobRunr: builds bench/peers/ (Maven profile "bench", outside
# `mvn verify`) and runs dev.troupe.bench.peers.PeerBenchmark, which starts each system in a JVM of
# its own on a fresh database, prints the figures and writes them into docs/benchmarks.md (between
# <!-- peer-benchmark:start --> and <!-- peer-benchmark:end -->) with the chart
# docs/peer-benchmark-ratios.png.
#
#   bash bench/peers.sh                                   # everything, 25-35 minutes on 2 cores
#   bash bench/peers.sh --n=10000 --warmup=2000 --reps=1 --durable-n=5000   # a quick look
#
# PostgreSQL: TROUPE_BENCH_PG_URL (default jdbc:postgresql://127.0.0.1:5432/test), user
# TROUPE_BENCH_PG_USER (default postgres), password TROUPE_BENCH_PG_PASSWORD; each system gets a
# database of its own (troupe_peers_<random>_<n>), dropped afterwards. Extra JVM flags of the
# measured JVMs: PEERS_CHILD_JAVA_OPTS (e.g. "-XX:StartFlightRecording=filename=peers.jfr").
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf bench/peers/target/lib
mvn -B -q -Pbench -pl bench/peers -am package -DskipTests
exec java -Xmx512m -Djava.awt.headless=true \
  -Dpeers.command="bash bench/peers.sh${*:+ $*}" \
  -cp "bench/peers/target/troupe-bench-peers.jar:bench/peers/target/lib/*" \
  dev.troupe.bench.peers.PeerBenchmark "$@"
