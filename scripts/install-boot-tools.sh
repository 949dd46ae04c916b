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
# Static, as src/boot/host-tools.ts checks it: no program interpreter named in the first 4 KiB (the ELF headers). A grep
# of the whole file also matches the static busybox, whose strings mention ld-linux.
{ [ -x /bin/busybox ] && ! head -c 4096 /bin/busybox | grep -qa ld-linux; } || need+=(busybox-static)
command -v mksquashfs >/dev/null || need+=(squashfs-tools)

if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || { echo "install-boot-tools: missing ${need[*]} and no apt-get; install them by hand" >&2; exit 1; }
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "install-boot-tools: installing ${need[*]}" >&2
  # Through env: sudo drops DEBIAN_FRONTEND from the environment it was given.
  apt=($sudo env DEBIAN_FRONTEND=noninteractive apt-get)
  "${apt[@]}" install -y -q --no-install-recommends "${need[@]}" >&2 ||
    { "${apt[@]}" update -q >&2 && "${apt[@]}" install -y -q --no-install-recommends "${need[@]}" >&2; }
fi
