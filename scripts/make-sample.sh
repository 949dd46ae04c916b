#!/bin/sh
# Regenerates the real kernel configs in __tests__/fixtures/configs/ and the sample kernel in
# assets/sample/, from Debian's linux-source-6.1 with the kernel's own kconfig.
#
#   scripts/make-sample.sh configs          # the four fixture .config files (seconds)
#   scripts/make-sample.sh kernel           # the x86_64 sample: bzImage, config, addons.squashfs (minutes)
#   scripts/make-sample.sh kernel-aarch64   # the arm64 sample in assets/sample/arm64: Image.gz, config, addons.squashfs
#   scripts/make-sample.sh all              # all three
#
# Needs: make gcc flex bison bc libelf-dev (x86_64 always builds objtool) kmod (depmod) squashfs-tools, and
# gcc-aarch64-linux-gnu (Debian's cross compiler, CROSS_COMPILE=aarch64-linux-gnu-) for the arm64 sample.
# KSRC is the kernel tree (never written to: every build uses O=), WORK a scratch directory. Both samples come from
# Debian's linux-source-6.1 6.1.192-3 (scripts/fetch-linux-source.sh DIR unpacks it; assets/sample/README.md).
set -eu

KSRC="${KSRC:-/opt/ksrc/linux-source-6.1}"
WORK="${WORK:-${TMPDIR:-/tmp}/kernel-action-sample}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
FIXTURES="$REPO/__tests__/fixtures/configs"
BOOT="$FIXTURES/krata-boot.fragment"
SAMPLE="${SAMPLE:-$REPO/assets/sample}"
JOBS="${JOBS:-$(nproc)}"

# Same inputs, same outputs: pin everything the kernel build would take from the machine or clock.
export KBUILD_BUILD_USER=krata KBUILD_BUILD_HOST=kernel-action
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 1970' KBUILD_BUILD_VERSION=1
export SOURCE_DATE_EPOCH=0 LC_ALL=C TZ=UTC

kmake() { # kmake <outdir> <arch> <target...>
  out="$1" arch="$2"
  shift 2
  make -s -C "$KSRC" O="$out" ARCH="$arch" "$@"
}

# merge_config.sh -m only merges (kconfig runs next, in O=); running it in the out dir keeps its
# temporary file out of the source tree.
merge() { # merge <outdir> <arch> <fragment...>
  out="$1" arch="$2"
  shift 2
  (cd "$out" && ARCH="$arch" "$KSRC/scripts/kconfig/merge_config.sh" -m .config "$@" >/dev/null)
  kmake "$out" "$arch" olddefconfig
}

# Every CONFIG_ line of the listed fragments must be in .config exactly; prints those that are not.
unmet() { # unmet <config> <fragment...>
  config="$1"
  shift
  grep -h '^CONFIG_' "$@" | while IFS= read -r want; do
    grep -qxF "$want" "$config" || echo "  wanted $want, got: $(grep -E "^(# )?${want%%=*}[= ]" "$config" || echo absent)"
  done
}

configs() {
  rm -rf "$WORK/configs" && mkdir -p "$WORK/configs"
  o="$WORK/configs/x86_64-defconfig"
  kmake "$o" x86_64 defconfig
  cp "$o/.config" "$FIXTURES/x86_64-defconfig.config"

  o="$WORK/configs/x86_64-zone"
  kmake "$o" x86_64 defconfig
  merge "$o" x86_64 "$FIXTURES/x86_64-zone.fragment" "$BOOT"
  cp "$o/.config" "$FIXTURES/x86_64-zone.config"
  echo "x86_64-zone: unmet zone and boot requirements:"
  unmet "$o/.config" "$FIXTURES/x86_64-zone.fragment" "$BOOT"

  o="$WORK/configs/x86_64-host"
  kmake "$o" x86_64 defconfig
  merge "$o" x86_64 "$FIXTURES/x86_64-zone.fragment" "$BOOT" "$FIXTURES/x86_64-host.fragment"
  cp "$o/.config" "$FIXTURES/x86_64-host.config"
  echo "x86_64-host: unmet zone, boot and host requirements:"
  unmet "$o/.config" "$FIXTURES/x86_64-zone.fragment" "$BOOT" "$FIXTURES/x86_64-host.fragment"

  o="$WORK/configs/aarch64-zone"
  kmake "$o" arm64 defconfig
  merge "$o" arm64 "$FIXTURES/aarch64-zone.fragment" "$BOOT"
  cp "$o/.config" "$FIXTURES/aarch64-zone.config"
  echo "aarch64-zone: unmet requirements of aarch64-zone.fragment and boot:"
  unmet "$o/.config" "$FIXTURES/aarch64-zone.fragment" "$BOOT"
}

# The sample kernel: a real, small build. Its modules (xen-fbfront, which the zone list asks =m, and
# the Xen drivers that default to m) become addons.squashfs laid out as krata expects: modules/ holds the contents of /lib/modules/<release>.
kernel() { # kernel x86_64|aarch64
  case "$1" in
    x86_64) arch=x86_64 zone="$FIXTURES/x86_64-zone.fragment" o="$WORK/kernel" dest="$SAMPLE" target=bzImage built=arch/x86/boot/bzImage ;;
    # arm64's Image.gz is Image through `gzip -n -9` (no name, no time): reproducible, and xl loads it as it is.
    aarch64) arch=arm64 zone="$FIXTURES/aarch64-zone.fragment" o="$WORK/kernel-aarch64" dest="$SAMPLE/arm64" target=Image.gz built=arch/arm64/boot/Image.gz
      export CROSS_COMPILE="${CROSS_COMPILE:-aarch64-linux-gnu-}" ;;
    *) echo "kernel: unknown architecture $1" >&2 && exit 2 ;;
  esac
  extra="$REPO/scripts/sample/$1-sample.fragment"
  # The build directory is kept between runs (make redoes only what changed); its outputs are not.
  mkdir -p "$o" && rm -rf "$o/modroot" "$o/addons"
  kmake "$o" "$arch" tinyconfig
  merge "$o" "$arch" "$zone" "$BOOT" "$extra"
  missing="$(unmet "$o/.config" "$zone" "$BOOT" "$extra")"
  [ -z "$missing" ] || { echo "sample config misses:" >&2 && echo "$missing" >&2 && exit 1; }
  kmake "$o" "$arch" -j"$JOBS" "$target" modules
  kmake "$o" "$arch" INSTALL_MOD_PATH="$o/modroot" INSTALL_MOD_STRIP=1 modules_install
  release="$(cat "$o/include/config/kernel.release")"
  mkdir -p "$o/addons"
  mv "$o/modroot/lib/modules/$release" "$o/addons/modules"
  # build and source point into this machine's directories; krata does not use them.
  rm -f "$o/addons/modules/build" "$o/addons/modules/source"
  mkdir -p "$dest"
  # mksquashfs refuses SOURCE_DATE_EPOCH together with explicit times; the explicit ones say more.
  env -u SOURCE_DATE_EPOCH mksquashfs "$o/addons" "$dest/addons.squashfs" -noappend -all-root -no-xattrs \
    -mkfs-time 0 -all-time 0 -quiet -no-progress
  cp "$o/.config" "$dest/config"
  cp "$o/$built" "$dest/$target"
  echo "sample kernel $release ($1): $(wc -c <"$dest/$target") bytes $target"
}

case "${1:-all}" in
  configs) configs ;;
  kernel) kernel x86_64 ;;
  kernel-aarch64) kernel aarch64 ;;
  all) configs && kernel x86_64 && kernel aarch64 ;;
  *) echo "usage: $0 [configs|kernel|kernel-aarch64|all]" >&2 && exit 2 ;;
esac
