#!/usr/bin/env bash
# Fetches Debian binary packages (any architecture) with `apt-get download`, unpacks each with `dpkg-deb -x` into a
# cache, and prints the directory each was unpacked to, one line per package in the order given. The tests use it for
# real distribution kernels and Xen tools without installing them on the machine. A metapackage (linux-image-amd64) is
# followed to the package it depends on.
#
#   scripts/debian-package.sh PACKAGE[:ARCH]...   e.g. linux-image-amd64, linux-image-arm64:arm64, xen-utils-4.17
#
# Cache: $KERNEL_ACTION_CACHE (default /var/cache/kernel-action)/debian/<package>_<version>_<arch>/; a second call
# with the same candidate version prints the cached directory and downloads nothing. Several packages in one call ask
# apt for their versions once (apt-cache loads its whole cache on every call: seconds on a loaded machine).
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: debian-package.sh PACKAGE[:ARCH]..." >&2; exit 2; }
native=$(dpkg --print-architecture)
cache=${KERNEL_ACTION_CACHE:-/var/cache/kernel-action}/debian
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"

specs=()
for spec in "$@"; do
  name=${spec%%:*}
  arch=$( [ "$spec" != "$name" ] && echo "${spec#*:}" || echo "$native")
  specs+=("$name:$arch")
done

# A foreign architecture's package lists are only there once dpkg knows the architecture.
for arch in $(printf '%s\n' "${specs[@]}" | sed 's/.*://' | sort -u); do
  if [ "$arch" != "$native" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    echo "debian-package: adding architecture $arch to apt" >&2
    $sudo dpkg --add-architecture "$arch"
    $sudo apt-get update -q >&2
  fi
done

# "name:arch version" for each spec, from one apt-cache call; (none) when apt has no candidate.
candidates() {
  apt-cache policy "${specs[@]}" 2>/dev/null | awk -v native="$native" '
    /^[^ ].*:$/ { sub(/:$/, ""); name = $0; if (name !~ /:/) name = name ":" native }
    /^  Candidate:/ { print name, $2 }'
}
# Every spec with a candidate, or apt's lists are refreshed once.
complete() { awk -v want="${specs[*]}" 'BEGIN { n = split(want, w, " ") } $2 != "(none)" { ok[$1] = 1 } END { for (i = 1; i <= n; i++) if (!(w[i] in ok)) exit 1 }' <<<"$versions"; }
versions=$(candidates)
complete || { $sudo apt-get update -q >&2 && versions=$(candidates); }

work=$(mktemp -d) && chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
for spec in "${specs[@]}"; do
  name=${spec%%:*} arch=${spec#*:}
  version=$(awk -v s="$spec" '$1 == s { print $2; exit }' <<<"$versions")
  [ -n "$version" ] && [ "$version" != "(none)" ] || { echo "debian-package: no package $name for $arch in apt's lists" >&2; exit 1; }

  # linux-image-amd64 and friends are empty metapackages: take the versioned package they depend on.
  if [[ $name == linux-image-* ]] && ! [[ $name =~ ^linux-image-[0-9] ]]; then
    target=$(apt-cache depends "$spec" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { sub(/:.*/, "", $2); print $2; exit }')
    [ -n "$target" ] || { echo "debian-package: cannot resolve metapackage $name" >&2; exit 1; }
    "$0" "$target:$arch"
    continue
  fi

  dir="$cache/${name}_${version//:/%3a}_$arch"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "${work:?}"/*
    (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$spec=$version" >&2)
    mkdir -p "$dir.partial"
    dpkg-deb -x "$work"/*.deb "$dir.partial"
    rm -rf "$dir" && mv "$dir.partial" "$dir" && touch "$dir/.complete"
  fi
  echo "$dir"
done
