#!/usr/bin/env bash
# Builds Troupe (once) and starts a node with the demo workers: a single-member cluster on the
# embedded H2 journal under ./data. Ctrl-C stops it gracefully. Environment: TROUPE_* (README).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d src-examples/target/lib ] || [ "${TROUPE_REBUILD:-}" = "1" ]; then
  mvn -B -q -DskipTests install
fi
exec java ${JAVA_OPTS:-} -cp "src-examples/target/classes:src-examples/target/lib/*" dev.troupe.node.Main "$@"
