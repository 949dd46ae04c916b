#!/usr/bin/env bash
# Installs what the boot test (`boot-test: true`, `kernel-action boot`) needs from the runner's distribution: QEMU only.
# Xen, the dom0 kernel and its userland come from the boot kit (src/boot/kit-*.ts). Debian and Ubuntu name the package the
# same. When QEMU is missing and cannot be installed, one line says what to install.
#
#   scripts/install-boot-tools.sh [x86_64|aarch64]
set -euo pipefail

case "${1:-x86_64}" in
  x86_64) program=qemu-system-x86_64 pkg=qemu-system-x86 ;;
  aarch64) program=qemu-system-aarch64 pkg=qemu-system-arm ;;
  *) echo "install-boot-tools: unknown architecture ${1}" >&2; exit 2 ;;
esac
command -v "$program" >/dev/null && exit 0

command -v apt-get >/dev/null || { echo "install-boot-tools: $program not found and no apt-get here; install $pkg (or your distribution's QEMU for $1)" >&2; exit 1; }
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo -n true 2>/dev/null || { echo "install-boot-tools: $program not found and sudo needs a password here; install $pkg" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-boot-tools: installing $pkg" >&2
# Through env: sudo drops DEBIAN_FRONTEND from the environment it was given.
apt=($sudo env DEBIAN_FRONTEND=noninteractive apt-get)
"${apt[@]}" install -y -q --no-install-recommends "$pkg" >&2 ||
  { "${apt[@]}" update -q >&2 && "${apt[@]}" install -y -q --no-install-recommends "$pkg" >&2; } ||
  { echo "install-boot-tools: $program not found and installing $pkg failed; install $pkg" >&2; exit 1; }
