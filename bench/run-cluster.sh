#!/usr/bin/env bash
# One node against three: the HTTP benchmark (dev.troupe.bench.HttpBenchmark) against a node
# cluster started by bin/cluster.sh on the local PostgreSQL, first with node 1 alone, then with
# nodes 1-3 (calls spread over their HTTP ports in turn). Both use the same path: real node
# processes, bootstrap, sharding, the demo workers (echo as the no-op, progress-reporter with
# {"steps":0} as the worker that emits at once). Figures go into docs/benchmarks.md between
# <!-- cluster-1-node:start/end --> and <!-- cluster-3-nodes:start/end -->.
#
#   bash bench/run-cluster.sh                    # defaults of the HTTP benchmark
#   bash bench/run-cluster.sh --seconds=10 --reps=3 --sse-rate=100
#
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, or TROUPE_DB_USER/TROUPE_DB_PASSWORD) and
# psql; a fresh database is created and dropped. Node JVMs: CLUSTER_JAVA_OPTS (default -Xmx1g).
set -euo pipefail
cd "$(dirname "$0")/.."
db="troupe_bench_cluster_$$"
export TROUPE_DB_URL="jdbc:postgresql://127.0.0.1:5432/$db?reWriteBatchedInserts=true"
export TROUPE_DB_USER="${TROUPE_DB_USER:-postgres}"
export JAVA_OPTS="${CLUSTER_JAVA_OPTS:--Xmx1g}"
mvn -B -q -DskipTests package
mvn -B -q -Pbench -pl bench/node -am package -DskipTests

cleanup() {
  bin/cluster.sh stop >/dev/null 2>&1 || true
  PGPASSWORD="${TROUPE_DB_PASSWORD:-}" psql -h 127.0.0.1 -U "$TROUPE_DB_USER" -d postgres -qc \
    "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true
}
trap cleanup EXIT

bench() { # section, title, urls, args...
  local section=$1 title=$2 urls=$3
  shift 3
  # shellcheck disable=SC2086
  java -Xms1g -Xmx2g ${BENCH_JAVA_OPTS:-} -Dbench.command="bash bench/run-cluster.sh${*:+$(printf " %q" "$@")}" \
    -cp "bench/node/target/troupe-bench.jar:bench/node/target/lib/*" dev.troupe.bench.HttpBenchmark \
    --url="$urls" --noop=echo --emit=progress-reporter --payload='{"steps":0}' \
    --section="$section" --title="$title" "$@"
}

TROUPE_CLUSTER_BOOTSTRAP=off bin/cluster.sh start 1
bench cluster-1-node "Cluster: one node process (bin/cluster.sh, PostgreSQL), over HTTP" \
  http://127.0.0.1:8080 "$@"
bin/cluster.sh stop 1

bin/cluster.sh start
bench cluster-3-nodes "Cluster: three node processes (bin/cluster.sh, PostgreSQL), over HTTP, calls spread over the three" \
  http://127.0.0.1:8080,http://127.0.0.1:8081,http://127.0.0.1:8082 "$@"
