#!/usr/bin/env bash
# Builds an addons.squashfs from Debian's real amd64 module tree (~4,000 modules, ~390 MB, ~100 MB squashed) the way
# Edera's hack/build/build.sh does: depmod (Debian's package leaves modules.dep to its postinst), the release's tree
# moved to modules/, its build link dropped, `mksquashfs -all-root` with mksquashfs's defaults (gzip, 128 KiB blocks).
# Prints the image's path, then the release. Cached beside the unpacked package: a second call builds nothing.
#
#   scripts/debian-addons.sh [PACKAGE]     default linux-image-amd64
#
# Needs depmod (kmod) and mksquashfs (squashfs-tools); the mksquashfs run takes minutes on 2 cores.
set -euo pipefail

package=$(bash "$(dirname "$0")/debian-package.sh" "${1:-linux-image-amd64}")
release=$(ls "$package/lib/modules")
out="$package.addons.squashfs"
if [ ! -f "$out" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/modroot/lib/modules" "$work/addons"
  # Hard links where the cache and the temp folder share a file system: depmod only adds files, it never edits a module.
  cp -al "$package/lib/modules/$release" "$work/modroot/lib/modules/" 2>/dev/null || cp -a "$package/lib/modules/$release" "$work/modroot/lib/modules/"
  depmod -b "$work/modroot" "$release"
  mv "$work/modroot/lib/modules/$release" "$work/addons/modules"
  [ -L "$work/addons/modules/build" ] && unlink "$work/addons/modules/build"
  mksquashfs "$work/addons" "$out.partial" -all-root -noappend -quiet -no-progress >&2
  mv "$out.partial" "$out"
fi
echo "$out"
echo "$release"
