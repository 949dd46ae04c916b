#!/usr/bin/env bash
# Installs, from Debian's packages, the real programs the tests use: the registry server they push to, the independent
# clients that verify what was pushed, and the kernel source the Kconfig tests read. Installs only what is missing.
# The same package names exist on Ubuntu 24.04 (docker-registry, skopeo, umoci and oci-image-tool are in universe),
# except linux-source-6.1: there scripts/fetch-linux-source.sh fetches Debian's .deb of it itself. The distribution
# kernels and the boot test's dom0 are Debian's own packages, fetched with Debian's apt: CI runs on Debian for that.
set -euo pipefail
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"

need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v umoci >/dev/null || need+=(umoci)
command -v oci-image-tool >/dev/null || need+=(oci-image-tool)
command -v containerd >/dev/null && command -v ctr >/dev/null || need+=(containerd)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v mksquashfs >/dev/null || need+=(squashfs-tools)
command -v depmod >/dev/null || need+=(kmod)
command -v zstd >/dev/null || need+=(zstd)
# npm run boot-kit reads the toolstack's ELF dependencies with readelf.
command -v readelf >/dev/null || need+=(binutils)
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl)
command -v flex >/dev/null || need+=(flex)
command -v bison >/dev/null || need+=(bison)
command -v bc >/dev/null || need+=(bc)
command -v make >/dev/null || need+=(make)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
if grep -qx 'ID=debian' /etc/os-release 2>/dev/null; then
  [ -f /usr/src/linux-source-6.1.tar.xz ] || need+=(linux-source-6.1)
fi

if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || { echo "install-test-tools: missing ${need[*]} and no apt-get; install them by hand" >&2; exit 1; }
  echo "install-test-tools: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q --no-install-recommends "${need[@]}" >&2 ||
    { $sudo apt-get update -q >&2 && $sudo apt-get install -y -q --no-install-recommends "${need[@]}" >&2; }
fi

# The Kconfig tests read a real kernel tree; unpack Debian's source tarball once (read-only use, builds go to O=).
KSRC_ROOT=${KSRC_ROOT:-/opt/ksrc}
if [ ! -f "$KSRC_ROOT/linux-source-6.1/Kconfig" ] && [ -f /usr/src/linux-source-6.1.tar.xz ]; then
  echo "install-test-tools: unpacking linux-source-6.1 into $KSRC_ROOT" >&2
  $sudo mkdir -p "$KSRC_ROOT"
  $sudo tar -C "$KSRC_ROOT" -xaf /usr/src/linux-source-6.1.tar.xz
elif [ ! -f "$KSRC_ROOT/linux-source-6.1/Kconfig" ]; then
  $sudo bash "$(dirname "$0")/fetch-linux-source.sh" "$KSRC_ROOT/linux-source-6.1"
fi

# Real distribution kernels (Debian's amd64 and arm64 linux-image packages), for the test that publishes each with its
# own config; debian-package.sh adds the arm64 architecture to apt and caches what it unpacked.
for package in linux-image-amd64 linux-image-arm64:arm64; do
  bash "$(dirname "$0")/debian-package.sh" "$package" >/dev/null
done

# The boot tests boot kernels as Xen PV guests in QEMU, from a boot kit they build with npm run boot-kit: QEMU only.
bash "$(dirname "$0")/install-boot-tools.sh"
