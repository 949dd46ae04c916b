#!/usr/bin/env bash
# Where Debian's linux-source-6.1 package cannot be installed with apt (Ubuntu, so GitHub's runners), fetches that
# package's .deb itself and unpacks its tree where the Kconfig tests look: fetch-linux-source.sh DEST-DIR.
# It is the package the samples are built from (scripts/make-sample.sh; assets/sample/README.md), Debian's patches
# included. The .deb is checked against the SHA-256 of Debian's signed bookworm-security index before it is opened.
# LINUX_SOURCE_DEB=FILE uses a .deb already at hand (`apt-get download linux-source-6.1=6.1.192-3`), checked the same.
set -euo pipefail

version=6.1.192-3
deb="linux-source-6.1_${version}_all.deb"
sha256=5259c57ca92092da39bd2ea803046da0e3c28f2b6a11ea20f6297468188ceb67
sha1=a3cb99cf6fc83b54082c3329b55f0bb3ad2b1197
# The security archive's pool while this version is current there; snapshot.debian.org (by the file's SHA-1) after.
urls=("https://deb.debian.org/debian-security/pool/updates/main/l/linux/$deb" "https://snapshot.debian.org/file/$sha1")

dest=${1:?usage: fetch-linux-source.sh DEST-DIR}
[ -f "$dest/Kconfig" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "${LINUX_SOURCE_DEB:-}" ]; then
  cp "$LINUX_SOURCE_DEB" "$tmp/$deb"
else
  for url in "${urls[@]}"; do
    echo "fetch-linux-source: downloading Debian's linux-source-6.1 $version from $url" >&2
    curl -fsSL --retry 3 -o "$tmp/$deb" "$url" && break
    rm -f "$tmp/$deb"
  done
  [ -f "$tmp/$deb" ] || { echo "fetch-linux-source: could not download $deb from ${urls[*]}" >&2; exit 1; }
fi
echo "$sha256  $tmp/$deb" | sha256sum --check --quiet ||
  { echo "fetch-linux-source: ${LINUX_SOURCE_DEB:-$deb} does not have the pinned SHA-256 $sha256" >&2; exit 1; }
# The package holds the tree as usr/src/linux-source-6.1.tar.xz, whose top folder is linux-source-6.1/.
dpkg-deb --fsys-tarfile "$tmp/$deb" | tar -C "$tmp" -x ./usr/src/linux-source-6.1.tar.xz
tar -C "$tmp" -xJf "$tmp/usr/src/linux-source-6.1.tar.xz"
mkdir -p "$(dirname "$dest")"
mv "$tmp/linux-source-6.1" "$dest"
