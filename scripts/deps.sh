#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make a Debian 12 machine ready to build and test vgpu-display.
#
#  1. Installs the Debian packages the build, the lint and the test VM need
#     (as root; otherwise prints the exact apt-get line and fails).
#  2. Resolves a Linux 6.12 version for which both the image and the headers
#     packages exist, downloads them and unpacks them under the cache
#     directory (no system-wide kernel install, no initramfs triggers).
#  3. Extracts the few files needed from linux-source-6.12 (checkpatch.pl and
#     its data files, kernel-doc, kselftest_harness.h, kselftest.h and the
#     upstream vfio-mdev samples used by the benchmarks) into the cache.
#  4. Writes $VGPU_CACHE/config.mk, which the Makefile includes.
#  5. Unpacks QEMU 10.0 from bookworm-backports into the cache
#     (scripts/qemu10.sh: a private apt configuration, nothing installed).
#
# Environment:
#   VGPU_CACHE   cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/vgpu-display)
#   VGPU_KVER    force a kernel ABI version, e.g. 6.12.117+deb12 (default:
#                the one already cached, else the newest with image+headers)
set -euo pipefail

PKGS=(make gcc-12 perl python3 qemu-system-x86 busybox-static cpio kmod
      xz-utils sparse dwarves libelf1 libssl3 libdrm-dev libpng-dev
      pkg-config python3-sphinx mdevctl libegl1 libegl-mesa0 libgl1
      libgl1-mesa-dri python3-gi ovmf)

# make deb, make check-packages (Documentation/install.rst): the packaging
# tools, and linux-source-6.12 for the 6.12 <linux/vfio.h> the package build
# needs.
PKGS+=(debhelper dh-dkms dkms lintian linux-source-6.12)

CACHE=${VGPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vgpu-display}
log() { printf 'deps: %s\n' "$*" >&2; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

missing_pkgs() {
	local p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || printf '%s ' "$p"
	done
}

apt_updated=0
apt_update() {
	[ "$apt_updated" = 1 ] && return 0
	log "apt-get update"
	apt-get update -qq >&2 || die "apt-get update failed (is the Debian mirror reachable?)"
	apt_updated=1
}

install_packages() {
	local miss
	miss=$(missing_pkgs)
	[ -z "$miss" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		printf 'deps: missing Debian packages. Run as root:\n' >&2
		printf '  apt-get update && apt-get install -y --no-install-recommends %s\n' "$miss" >&2
		exit 1
	fi
	apt_update
	log "installing: $miss"
	# shellcheck disable=SC2086
	mkdir -p "$CACHE"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$miss </dev/null >"$CACHE/apt.log" 2>&1 ||
		{ tail -n 20 "$CACHE/apt.log" >&2; die "apt-get install failed: $miss"; }
}

# Newest 6.12.N+deb12 for which both amd64 image and headers exist.
resolve_kver() {
	local img hdr v
	img=$(apt-cache pkgnames linux-image-6.12. |
	      sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12\)-amd64-unsigned$/\1/p' | sort -uV)
	hdr=$(apt-cache pkgnames linux-headers-6.12. |
	      sed -n 's/^linux-headers-\(6\.12\.[0-9]*+deb12\)-amd64$/\1/p' | sort -uV)
	v=$(comm -12 <(echo "$img" | sort) <(echo "$hdr" | sort) | sort -V | tail -n 1)
	echo "$v"
}

download() {	# download <dir> <pkg>...
	local dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" && apt-get -o APT::Sandbox::User=root download -qq "$@" </dev/null >&2) ||
		die "apt-get download failed: $*"
}

fetch_kernel() {	# fetch_kernel <abi>  ->  $CACHE/kernel-<abi>/
	local abi=$1 dir=$CACHE/kernel-$abi kver=$1-amd64 deb tmp
	[ -f "$dir/.complete" ] && return 0
	log "fetching Linux $kver (image, headers, kbuild) into $dir"
	tmp=$CACHE/tmp-$abi
	rm -rf "$dir" "$tmp"
	download "$tmp" "linux-image-$kver-unsigned" "linux-headers-$kver" \
		"linux-headers-$abi-common" "linux-kbuild-$abi"
	mkdir -p "$dir/root"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$dir/root"
	done
	# The headers Makefile includes the common tree by absolute path.
	sed -i "s#^include /usr/src/#include $dir/root/usr/src/#" \
		"$dir/root/usr/src/linux-headers-$kver/Makefile"
	# The image package leaves depmod to its postinst; run it here.
	/sbin/depmod -b "$dir/root" "$kver"
	rm -rf "$tmp"
	touch "$dir/.complete"
}

KSRC_FILES=(scripts/checkpatch.pl scripts/spelling.txt
	    scripts/const_structs.checkpatch scripts/kernel-doc
	    tools/testing/selftests/kselftest_harness.h
	    tools/testing/selftests/kselftest.h
	    include/uapi/linux/vfio.h include/uapi/linux/dma-buf.h
	    'include/uapi/drm/drm*.h'
	    'samples/vfio-mdev/*')

fetch_source_files() {	# fetch_source_files <abi>  ->  $CACHE/linux-source-6.12/
	local dir=$CACHE/linux-source-6.12 tmp=$CACHE/tmp-src pats=() f
	local kbuild=$CACHE/kernel-$1/root/usr/lib/linux-kbuild-$1
	# .complete records what was extracted; a longer list extracts again.
	local stamp="2: ${KSRC_FILES[*]}"
	[ "$(cat "$dir/.complete" 2>/dev/null)" = "$stamp" ] && return 0
	log "extracting checkpatch, kernel-doc and kselftest headers from linux-source-6.12"
	rm -rf "$dir" "$tmp"
	download "$tmp" linux-source-6.12
	for f in "${KSRC_FILES[@]}"; do
		pats+=("linux-source-6.12/$f")
	done
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.12_*.deb |
		tar -xO --wildcards '*/linux-source-6.12.tar.xz' |
		tar -xJ -C "$CACHE" --wildcards "${pats[@]}"
	rm -rf "$tmp"
	# Sanitise the uapi headers the way 'make headers_install' does, into
	# usr/include: userspace builds against the target kernel's ABI.
	(cd "$dir/include/uapi" && find . -name '*.h') | while read -r f; do
		mkdir -p "$(dirname "$dir/usr/include/$f")"
		(cd "$kbuild" && sh scripts/headers_install.sh \
			"$dir/include/uapi/$f" "$dir/usr/include/$f") ||
			die "headers_install.sh failed on $f"
	done
	echo "$stamp" > "$dir/.complete"
}

main() {
	local abi cfg
	install_packages
	mkdir -p "$CACHE"
	cfg=$CACHE/config.mk

	abi=${VGPU_KVER:-}
	if [ -z "$abi" ] && [ -f "$cfg" ]; then
		abi=$(sed -n 's/^VGPU_KABI := //p' "$cfg")
		[ -f "$CACHE/kernel-$abi/.complete" ] || abi=
	fi
	if [ -z "$abi" ]; then
		abi=$(resolve_kver)
		if [ -z "$abi" ]; then
			apt_update
			abi=$(resolve_kver)
		fi
		[ -n "$abi" ] || die "no Linux 6.12 version has both linux-image-*-amd64-unsigned and linux-headers-*-amd64 in the package index (run apt-get update)"
	fi
	fetch_kernel "$abi"
	fetch_source_files "$abi"

	local kver=$abi-amd64 root=$CACHE/kernel-$abi/root
	cat > "$cfg.tmp" <<EOT
# Generated by scripts/deps.sh; do not edit.
VGPU_CACHE := $CACHE
VGPU_KABI := $abi
VGPU_KVER := $kver
VGPU_KDIR := $root/usr/src/linux-headers-$kver
VGPU_VMLINUZ := $root/boot/vmlinuz-$kver
VGPU_KMODROOT := $root
VGPU_KSRC := $CACHE/linux-source-6.12
VGPU_KUAPI := $CACHE/linux-source-6.12/usr/include
EOT
	mv "$cfg.tmp" "$cfg"
	# the second QEMU of qemu_e2e_test; without it its qemu10 variants fail
	VGPU_CACHE=$CACHE "$(dirname "$0")/qemu10.sh" >/dev/null ||
		log "warning: no QEMU 10.0 (above): qemu_e2e_test's qemu10 variants will fail"
	log "ready: Linux $kver, cache $CACHE"
}

main "$@"
