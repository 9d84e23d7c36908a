#!/usr/bin/env bash
# Starts the image's entrypoint from its unpacked layers in ROOT, as user 1000, in network, mount
# and pid namespaces of its own (so its ports 8080 and 7626 clash with nothing on this machine),
# waits for /ready, runs the echo worker over HTTP, reads /metrics, then stops it with SIGTERM.
# Needs root (chroot, unshare) and curl. Used by ImageIT (Maven profile image-offline).
#
#   image/smoke.sh ROOT ENTRYPOINT...
set -euo pipefail
root=$(cd "$1" && pwd)
shift
if [ "${TROUPE_SMOKE_INSIDE:-}" != 1 ]; then
  exec env TROUPE_SMOKE_INSIDE=1 unshare --net --mount --pid --fork bash "$0" "$root" "$@"
fi
ip link set lo up
mkdir -p "$root/proc" "$root/tmp" "$root/dev"
mount -t proc proc "$root/proc"
mount -t tmpfs tmpfs "$root/tmp"
chroot=$(command -v chroot)
env -i PATH=/opt/java/bin JAVA_HOME=/opt/java \
  TROUPE_DB_URL='jdbc:h2:file:/tmp/data/troupe;DB_CLOSE_ON_EXIT=FALSE' \
  "$chroot" --userspec=1000:1000 "$root" "$@" >"$root.log" 2>&1 &
node=$!
for i in $(seq 1 90); do
  if curl -fs -o /dev/null http://127.0.0.1:7626/ready; then echo "ready after ${i} s"; break; fi
  kill -0 "$node" 2>/dev/null || { echo "the node exited; its log:"; tail -n 40 "$root.log"; exit 1; }
  sleep 1
done
curl -fs http://127.0.0.1:7626/ready >/dev/null
echo "alive: $(curl -fs http://127.0.0.1:7626/alive)"
echo "echo run: $(curl -fs -X POST 'http://127.0.0.1:8080/api/v1/workers/echo/runs?wait=true' \
  -H 'Content-Type: application/json' -d '{"payload":{"hi":1}}')"
echo "metrics: $(curl -fs http://127.0.0.1:8080/metrics | grep -c '^troupe_') troupe_ samples"
kill -TERM "$node"
# CoordinatedShutdown runs in the JVM's shutdown hook; the JVM then ends as killed by SIGTERM (143)
status=0
wait "$node" || status=$?
[ "$status" = 143 ] || [ "$status" = 0 ] || { echo "exit status $status"; tail -n 40 "$root.log"; exit 1; }
echo "stopped by SIGTERM, exit status $status"
