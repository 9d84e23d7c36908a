#!/usr/bin/env bash
# A local 3-node Troupe cluster on loopback, on the local PostgreSQL, formed by Pekko Management
# Cluster Bootstrap with config discovery (the same path as kubernetes-api discovery on Kubernetes).
#
#   bin/cluster.sh start [n...]    start all nodes (or nodes n of 1 2 3) and wait until they are ready
#   bin/cluster.sh stop [n...]     SIGTERM (graceful CoordinatedShutdown) and wait until they exited
#   bin/cluster.sh status          processes, readiness and the cluster view of each node
#
# Node n (1..3) serves HTTP on 8079+n, management on 7625+n, Artery on 25519+n. Logs and pid files
# are in data/cluster/. The nodes' tuning is the Kubernetes one, k8s/base/troupe.env (the ConfigMap
# troupe-config there); only the discovery differs: config with the three management endpoints
# instead of kubernetes-api (docs/operations.md, "Rehearse locally"). Environment: TROUPE_DB_URL
# (default jdbc:postgresql://127.0.0.1:5432/troupe?reWriteBatchedInserts=true), TROUPE_DB_USER
# (postgres), TROUPE_DB_PASSWORD, JAVA_OPTS (default -Xmx256m -XX:+UseSerialGC), and any other
# TROUPE_* (README), which win over troupe.env.
set -euo pipefail
cd "$(dirname "$0")/.."

while IFS='=' read -r name value; do
  if [[ "$name" =~ ^TROUPE_[A-Z0-9_]+$ ]] && [ -z "${!name+set}" ]; then export "$name=$value"; fi
done <k8s/base/troupe.env

NODES=(1 2 3)
DIR=data/cluster
export TROUPE_DB_URL="${TROUPE_DB_URL:-jdbc:postgresql://127.0.0.1:5432/troupe?reWriteBatchedInserts=true}"
export TROUPE_DB_USER="${TROUPE_DB_USER:-postgres}"
export TROUPE_DB_PASSWORD="${TROUPE_DB_PASSWORD:-}"

http_port() { echo $((8079 + $1)); }
management_port() { echo $((7625 + $1)); }
remote_port() { echo $((25519 + $1)); }
pid_of() { cat "$DIR/node-$1.pid" 2>/dev/null || true; }
running() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
ready() { curl -fs -o /dev/null "http://127.0.0.1:$(management_port "$1")/ready"; }

# Creates the database of TROUPE_DB_URL when psql can reach the server and it does not exist yet.
ensure_database() {
  if ! [[ "$TROUPE_DB_URL" =~ ^jdbc:postgresql://([^:/]+)(:([0-9]+))?/([^?]+) ]]; then
    echo "TROUPE_DB_URL is not a PostgreSQL URL: $TROUPE_DB_URL" >&2
    return 1
  fi
  local host="${BASH_REMATCH[1]}" port="${BASH_REMATCH[3]:-5432}" db="${BASH_REMATCH[4]}"
  if ! command -v psql >/dev/null 2>&1; then
    echo "psql not found: assuming database $db exists on $host:$port"
    return 0
  fi
  local exists
  exists=$(PGPASSWORD="$TROUPE_DB_PASSWORD" psql -h "$host" -p "$port" -U "$TROUPE_DB_USER" -d postgres \
    -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'") || {
    echo "PostgreSQL does not answer on $host:$port as $TROUPE_DB_USER" >&2
    return 1
  }
  if [ "$exists" != "1" ]; then
    echo "creating database $db"
    PGPASSWORD="$TROUPE_DB_PASSWORD" psql -h "$host" -p "$port" -U "$TROUPE_DB_USER" -d postgres \
      -qc "CREATE DATABASE \"$db\""
  fi
}

start_node() {
  local n=$1
  if running "$n"; then
    echo "node $n is already running (pid $(pid_of "$n"))"
    return 0
  fi
  local endpoints=""
  for m in "${NODES[@]}"; do endpoints="$endpoints${endpoints:+,}127.0.0.1:$(management_port "$m")"; done
  TROUPE_HTTP_HOST="${TROUPE_HTTP_HOST:-127.0.0.1}" \
  TROUPE_HTTP_PORT="$(http_port "$n")" \
  TROUPE_MANAGEMENT_PORT="$(management_port "$n")" \
  TROUPE_REMOTE_PORT="$(remote_port "$n")" \
  TROUPE_DISCOVERY_METHOD=config \
  TROUPE_BOOTSTRAP_ENDPOINTS="$endpoints" \
    nohup java ${JAVA_OPTS:--Xmx256m -XX:+UseSerialGC} \
      -cp "src-examples/target/classes:src-examples/target/lib/*" dev.troupe.node.Main \
      >>"$DIR/node-$n.log" 2>&1 &
  echo $! >"$DIR/node-$n.pid"
  echo "node $n: pid $!, HTTP http://127.0.0.1:$(http_port "$n")/, log $DIR/node-$n.log"
}

start() {
  local which=("$@")
  [ ${#which[@]} -gt 0 ] || which=("${NODES[@]}")
  if [ ! -d src-examples/target/lib ] || [ "${TROUPE_REBUILD:-}" = "1" ]; then
    mvn -B -q -DskipTests package
  fi
  mkdir -p "$DIR"
  ensure_database
  for n in "${which[@]}"; do start_node "$n"; done
  echo "waiting for the nodes to be ready (Up members with a journal that answers)"
  for _ in $(seq 1 120); do
    local all=1
    for n in "${which[@]}"; do
      if ! running "$n"; then
        echo "node $n exited; the end of its log:" >&2
        tail -n 30 "$DIR/node-$n.log" >&2
        return 1
      fi
      ready "$n" || all=0
    done
    if [ $all = 1 ]; then
      status
      return 0
    fi
    sleep 1
  done
  echo "not ready after 120 s; see $DIR/node-*.log" >&2
  return 1
}

stop() {
  local which=("$@")
  [ ${#which[@]} -gt 0 ] || which=("${NODES[@]}")
  for n in "${which[@]}"; do
    if running "$n"; then
      echo "stopping node $n (pid $(pid_of "$n"))"
      kill -TERM "$(pid_of "$n")"
    fi
  done
  for n in "${which[@]}"; do
    for _ in $(seq 1 90); do running "$n" || break; sleep 1; done
    if running "$n"; then
      echo "node $n still runs after 90 s (pid $(pid_of "$n"))" >&2
    else
      rm -f "$DIR/node-$n.pid"
    fi
  done
}

status() {
  for n in "${NODES[@]}"; do
    local state="stopped"
    if running "$n"; then
      state="running (pid $(pid_of "$n")), $(ready "$n" && echo ready || echo "not ready")"
    fi
    echo "node $n: $state"
  done
  for n in "${NODES[@]}"; do
    if running "$n" && ready "$n"; then
      echo "cluster as node $n sees it (GET http://127.0.0.1:$(http_port "$n")/api/v1/cluster):"
      curl -fs "http://127.0.0.1:$(http_port "$n")/api/v1/cluster" || true
      echo
      return 0
    fi
  done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  status) status ;;
  *) echo "usage: $0 start [n...] | stop [n...] | status" >&2; exit 2 ;;
esac
