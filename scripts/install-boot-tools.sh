#!/usr/bin/env bash
# Installs what the boot test (`boot-test: true`, `kernel-action boot`) runs, from the distribution's packages, when
# missing: QEMU, the Xen hypervisor and its toolstack, a static busybox and squashfs-tools. The dom0 kernel is not
# installed: it is fetched at run time with scripts/debian-package.sh and cached. Installs only what is missing.
set -euo pipefail

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
ls /boot/xen-4.*-amd64.gz >/dev/null 2>&1 || need+=(xen-hypervisor-4.17-amd64)
ls /usr/lib/xen-4.*/bin/xl >/dev/null 2>&1 || need+=(xen-utils-4.17)
[ -x /usr/bin/xenstore-write ] || need+=(xenstore-utils)
{ [ -x /bin/busybox ] && ! grep -q ld-linux /bin/busybox; } || need+=(busybox-static)
command -v mksquashfs >/dev/null || need+=(squashfs-tools)

if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || { echo "install-boot-tools: missing ${need[*]} and no apt-get; install them by hand" >&2; exit 1; }
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "install-boot-tools: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q --no-install-recommends "${need[@]}" >&2 ||
    { $sudo apt-get update -q >&2 && $sudo apt-get install -y -q --no-install-recommends "${need[@]}" >&2; }
fi
