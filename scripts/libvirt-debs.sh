#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libvirt-debs.sh - fetch the Debian packages of libvirt's QEMU driver for
# make check-libvirt: 9.0 (Debian 12) into $VGPU_CACHE/libvirt-9.0 and
# 11.3 (bookworm-backports) into $VGPU_CACHE/libvirt-11.3, as .debs with
# whatever they need that the host lacks. Nothing is installed on the
# host: a private apt configuration (its own sources list, lists and
# archives under $VGPU_CACHE/libvirt-apt) downloads them, and
# selftests/libvirt_test unpacks them inside the throw-away test VM.
#
# Usage: scripts/libvirt-debs.sh [9.0|11.3]...   (default: both)
set -euo pipefail

CACHE=${VGPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vgpu-display}
APT=$CACHE/libvirt-apt
MIRROR=${VGPU_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
PKGS=(libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu)
# 11.3 splits the daemon into these; each must come from the backports
BPO_PKGS=("${PKGS[@]}" libvirt-daemon libvirt0 libvirt-common libvirt-daemon-common
	  libvirt-daemon-log libvirt-daemon-config-network libvirt-daemon-config-nwfilter
	  libvirt-daemon-driver-network libvirt-daemon-driver-nodedev
	  libvirt-daemon-driver-nwfilter libvirt-daemon-driver-secret
	  libvirt-daemon-driver-storage)
log() { printf 'libvirt-debs: %s\n' "$*" >&2; }
die() { printf 'libvirt-debs: error: %s\n' "$*" >&2; exit 1; }

opts=(-o "Dir::Etc::sourcelist=$APT/sources.list" -o Dir::Etc::sourceparts=/nonexistent
      -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache"
      -o APT::Sandbox::User=root -q)

update() {
	mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
	printf 'deb [signed-by=%s] %s %s main\n' "$KEYRING" "$MIRROR" bookworm \
		"$KEYRING" "$MIRROR" bookworm-backports > "$APT/sources.list"
	log "apt-get update (private sources: $MIRROR bookworm, bookworm-backports)"
	apt-get "${opts[@]}" update >&2 || die "apt-get update of the private sources failed"
}

# fetch VERSION PKG...: the packages and their missing dependencies
fetch() {
	local v=$1 dir=$CACHE/libvirt-$1
	shift
	if [ -f "$dir/.complete" ]; then
		return 0
	fi
	rm -f "$APT/cache/archives/"*.deb
	apt-get "${opts[@]}" install -y --download-only --no-install-recommends "$@" >&2 ||
		die "apt-get could not download libvirt $v"
	rm -rf "$dir"
	mkdir -p "$dir"
	mv "$APT/cache/archives/"*.deb "$dir/"
	ls "$dir"/libvirt-daemon-driver-qemu_"$v".* >/dev/null ||
		die "libvirt-daemon-driver-qemu $v was not among what apt fetched"
	touch "$dir/.complete"
	log "libvirt $v: $(find "$dir" -name "*.deb" | wc -l) packages in $dir"
}

[ $# -gt 0 ] || set -- 9.0 11.3
updated=0
for v in "$@"; do
	[ -f "$CACHE/libvirt-$v/.complete" ] && continue
	[ "$updated" = 1 ] || { update; updated=1; }
	case $v in
	9.0)	fetch 9.0 "${PKGS[@]}" ;;
	11.3)	fetch 11.3 "${BPO_PKGS[@]/%//bookworm-backports}" ;;
	*)	die "unknown libvirt version $v (9.0 or 11.3)" ;;
	esac
done
