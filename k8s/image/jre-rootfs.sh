#!/usr/bin/env bash
# The root file system of the offline image (Maven profile image-offline in k8s/pom.xml): a JRE
# made by jlink from the local JDK, the shared libraries it links (with the dynamic loader), a
# passwd entry for the image's user 1000 and /tmp. Jib puts it on "scratch", so that the image is
# built without pulling eclipse-temurin:17-jre from a registry.
#
#   image/jre-rootfs.sh OUT_DIR
set -euo pipefail
out=$1
# What the node uses of the JDK (Pekko, whose remoting declares JFR events, pekko-http, Slick and JDBC, Flyway, Micrometer's JVM
# metrics, logback, H2), and DNS and TLS for PostgreSQL and the Kubernetes API.
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,java.instrument,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs

rm -rf "$out"
mkdir -p "$out/opt" "$out/tmp" "$out/etc"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$out/opt/java"
find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} \; 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | grep -v "^$out/" | sort -u \
  | while read -r lib; do
      mkdir -p "$out$(dirname "$lib")"
      cp -L "$lib" "$out$lib"
    done
echo "root:x:0:0:root:/root:/sbin/nologin
troupe:x:1000:1000:troupe:/tmp:/sbin/nologin" >"$out/etc/passwd"
echo "root:x:0:
troupe:x:1000:" >"$out/etc/group"
echo "rootfs: $(du -sh "$out" | cut -f1) in $out"
