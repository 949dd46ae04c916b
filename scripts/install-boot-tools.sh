#!/usr/bin/env bash
# Installs what the boot test (`boot-test: true`, `kernel-action boot`) runs, from the distribution's packages, when
# missing. Installs only what is missing.
#
#   scripts/install-boot-tools.sh [x86_64|aarch64]     (default x86_64: the kernel's architecture, not the host's)
#
# x86_64: QEMU, the Xen hypervisor and its toolstack, a static busybox and squashfs-tools; the dom0 kernel is not
# installed: it is fetched at run time with scripts/debian-package.sh and cached.
# aarch64: qemu-system-aarch64, squashfs-tools and readelf (binutils); Xen, dom0 and busybox are arm64 packages that
# scripts/debian-package.sh fetches and unpacks at run time, installing nothing.
set -euo pipefail

arch=${1:-x86_64}
need=()
case "$arch" in
  x86_64 | amd64)
    command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
    ls /boot/xen-4.*-amd64.gz >/dev/null 2>&1 || need+=(xen-hypervisor-4.17-amd64)
    ls /usr/lib/xen-4.*/bin/xl >/dev/null 2>&1 || need+=(xen-utils-4.17)
    [ -x /usr/bin/xenstore-write ] || need+=(xenstore-utils)
    { [ -x /bin/busybox ] && ! grep -q ld-linux /bin/busybox; } || need+=(busybox-static)
    ;;
  aarch64 | arm64)
    command -v qemu-system-aarch64 >/dev/null || need+=(qemu-system-arm)
    command -v readelf >/dev/null || need+=(binutils)
    ;;
  *) echo "install-boot-tools: unknown architecture $arch (x86_64 or aarch64)" >&2; exit 2 ;;
esac
command -v mksquashfs >/dev/null || need+=(squashfs-tools)

if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || { echo "install-boot-tools: missing ${need[*]} and no apt-get; install them by hand" >&2; exit 1; }
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "install-boot-tools: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q --no-install-recommends "${need[@]}" >&2 ||
    { $sudo apt-get update -q >&2 && $sudo apt-get install -y -q --no-install-recommends "${need[@]}" >&2; }
fi
