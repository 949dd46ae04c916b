#!/usr/bin/env bash
# Where Debian's linux-source-6.1 package is not available (Ubuntu, so GitHub's runners), fetches the same upstream
# release from kernel.org and unpacks it where the Kconfig tests look: fetch-linux-source.sh DEST-DIR.
# The tarball is checked against a pinned SHA-256 before it is unpacked. It lacks Debian's own patches; the Xen, boot
# and filesystem Kconfig the tests explain is upstream's.
set -euo pipefail

version=6.1.176
sha256=aa19772dba40e9737356c00d0671cdedbe26cc895eff062868f0a1f688ae44f6
url="https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-$version.tar.xz"

dest=${1:?usage: fetch-linux-source.sh DEST-DIR}
[ -f "$dest/Kconfig" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "fetch-linux-source: downloading Linux $version from kernel.org" >&2
curl -fsSL --retry 3 -o "$tmp/linux.tar.xz" "$url"
echo "$sha256  $tmp/linux.tar.xz" | sha256sum --check --quiet ||
  { echo "fetch-linux-source: $url does not have the pinned SHA-256 $sha256" >&2; exit 1; }
tar -C "$tmp" -xJf "$tmp/linux.tar.xz"
mkdir -p "$(dirname "$dest")"
mv "$tmp/linux-$version" "$dest"
