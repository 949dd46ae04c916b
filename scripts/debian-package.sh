#!/usr/bin/env bash
# Fetches one Debian binary package (any architecture) with `apt-get download`, unpacks it with `dpkg-deb -x` into a
# cache, and prints the directory it unpacked to. The tests use it for real distribution kernels and Xen tools without
# installing them on the machine. A metapackage (linux-image-amd64) is followed to the package it depends on.
#
#   scripts/debian-package.sh PACKAGE[:ARCH]      e.g. linux-image-amd64, linux-image-arm64:arm64, xen-utils-4.17
#
# Cache: $KERNEL_ACTION_CACHE (default /var/cache/kernel-action)/debian/<package>_<version>_<arch>/; a second call
# with the same candidate version prints the cached directory and downloads nothing.
set -euo pipefail

spec=${1:?usage: debian-package.sh PACKAGE[:ARCH]}
name=${spec%%:*}
arch=$( [ "$spec" != "$name" ] && echo "${spec#*:}" || dpkg --print-architecture)
cache=${KERNEL_ACTION_CACHE:-/var/cache/kernel-action}/debian
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"

candidate() { apt-cache policy "$1:$arch" 2>/dev/null | awk '/Candidate:/ { print $2 }'; }

# A foreign architecture's package lists are only there once dpkg knows the architecture.
if [ "$arch" != "$(dpkg --print-architecture)" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
  echo "debian-package: adding architecture $arch to apt" >&2
  $sudo dpkg --add-architecture "$arch"
  $sudo apt-get update -q >&2
fi
version=$(candidate "$name")
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
  $sudo apt-get update -q >&2
  version=$(candidate "$name")
fi
[ -n "$version" ] && [ "$version" != "(none)" ] || { echo "debian-package: no package $name for $arch in apt's lists" >&2; exit 1; }

# linux-image-amd64 and friends are empty metapackages: take the versioned package they depend on.
if [[ $name == linux-image-* ]] && ! [[ $name =~ ^linux-image-[0-9] ]]; then
  target=$(apt-cache depends "$name:$arch" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { sub(/:.*/, "", $2); print $2; exit }')
  [ -n "$target" ] || { echo "debian-package: cannot resolve metapackage $name" >&2; exit 1; }
  exec "$0" "$target:$arch"
fi

dir="$cache/${name}_${version//:/%3a}_$arch"
if [ ! -f "$dir/.complete" ]; then
  work=$(mktemp -d) && chmod 755 "$work"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$name:$arch=$version" >&2)
  mkdir -p "$dir.partial"
  dpkg-deb -x "$work"/*.deb "$dir.partial"
  rm -rf "$dir" && mv "$dir.partial" "$dir" && touch "$dir/.complete"
fi
echo "$dir"
