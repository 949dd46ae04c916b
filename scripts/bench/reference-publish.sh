#!/usr/bin/env bash
# reference-publish.sh SRC LAYOUT 127.0.0.1:PORT/REPO — the pipeline a user would script instead of the action:
# one tar layer per file of SRC/kernel, gzip (default level), sha256sum for digests and diff_ids, a hand-written OCI
# layout, then skopeo copy --preserve-digests (pushes exactly those bytes) to the registry. Used by scripts/bench.mjs.
set -euo pipefail
src=$1 lay=$2 dest=$3
rm -rf "$lay"; mkdir -p "$lay/blobs/sha256"; tmp=$(mktemp -d "$lay.XXXX")
layers="" diffids=""
for f in image addons.squashfs config.gz metadata; do
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=posix -C "$src" -cf "$tmp/layer.tar" "kernel/$f"
  diffid=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
  gzip -n "$tmp/layer.tar"
  digest=$(sha256sum "$tmp/layer.tar.gz" | cut -d' ' -f1); size=$(stat -c %s "$tmp/layer.tar.gz")
  mv "$tmp/layer.tar.gz" "$lay/blobs/sha256/$digest"
  layers="$layers${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$digest\",\"size\":$size}"
  diffids="$diffids${diffids:+,}\"sha256:$diffid\""
done
printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","rootfs":{"type":"layers","diff_ids":[%s]},"config":{}}' "$diffids" > "$tmp/config.json"
cdigest=$(sha256sum "$tmp/config.json" | cut -d' ' -f1); csize=$(stat -c %s "$tmp/config.json")
mv "$tmp/config.json" "$lay/blobs/sha256/$cdigest"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' "$cdigest" "$csize" "$layers" > "$tmp/manifest.json"
mdigest=$(sha256sum "$tmp/manifest.json" | cut -d' ' -f1); msize=$(stat -c %s "$tmp/manifest.json")
mv "$tmp/manifest.json" "$lay/blobs/sha256/$mdigest"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' "$mdigest" "$msize" > "$lay/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' > "$lay/oci-layout"
rmdir "$tmp"
skopeo copy -q --preserve-digests --dest-tls-verify=false "oci:$lay:v1" "docker://$dest:v1"
