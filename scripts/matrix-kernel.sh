#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# matrix-kernel.sh - fetch and prepare one kernel of the test matrix
# (Documentation/testing.rst, "The kernel matrix") and print its directory.
#
# The directory holds root/ (the Debian image, headers and kbuild packages
# unpacked with dpkg-deb -x, depmod run) and kernel.mk, which
# 'scripts/vm-run --kernel-dir' boots and whose VGPU_KDIR the modules build
# against (scripts/debug-modules.sh). Nothing is installed on the host and
# the host's apt sources are never touched: other suites are reached through
# a private apt configuration under the cache.
#
# Usage: scripts/matrix-kernel.sh KERNEL
#        scripts/matrix-kernel.sh --headers-debs 6.1
#   KERNEL  6.1   Debian 12's default (bookworm main, 6.1.0-N)
#           6.12  the cached kernel of scripts/deps.sh (make check's)
#           7.3   the newest Debian kernel (trixie-backports, 7.3.N+deb13)
#   --headers-debs 6.1  instead, download the .debs that install 6.1's
#           headers (linux-headers-6.1.0-N-amd64, its -common, linux-kbuild-6.1
#           and linux-compiler-gcc-12-x86) into the kernel's directory, for a
#           kernel upgrade inside the test VM (selftests/packages_test.sh),
#           and print their directory
#
# Debian 13 builds its kbuild programs (fixdep, modpost, objtool, ...)
# against glibc 2.38; on a Debian 12 host they do not run, so for 7.3 they
# are rebuilt from linux-source-7.3 with Debian's configuration and put in
# place of the packaged ones.
set -euo pipefail

CACHE=${VGPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vgpu-display}
MIRROR=http://deb.debian.org/debian
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
log() { printf 'matrix-kernel: %s\n' "$*" >&2; }
die() { printf 'matrix-kernel: error: %s\n' "$*" >&2; exit 1; }
headers_debs=0
[ "${1:-}" = --headers-debs ] && { headers_debs=1; shift; }
[ $# = 1 ] || { echo "usage: scripts/matrix-kernel.sh [--headers-debs] 6.1|6.12|7.3" >&2; exit 2; }
series=$1

APT=$CACHE/apt-other
apt_opts=(-o "Dir::Etc::sourcelist=$APT/sources.list"
	  -o Dir::Etc::sourceparts=/nonexistent
	  -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache"
	  -o Dir::State::status=/dev/null -o APT::Sandbox::User=root)

# The private apt configuration, updated once a day at most.
apt_private() {
	mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
	cat > "$APT/sources.list.new" <<EOT
deb [signed-by=$KEYRING] $MIRROR bookworm main
deb [signed-by=$KEYRING] $MIRROR trixie-backports main
EOT
	if ! cmp -s "$APT/sources.list.new" "$APT/sources.list" ||
	   [ -z "$(find "$APT/lists" -maxdepth 1 -name '*Packages*' -mtime -1)" ]; then
		mv "$APT/sources.list.new" "$APT/sources.list"
		log "apt-get update (private: bookworm, trixie-backports)"
		apt-get "${apt_opts[@]}" update -qq </dev/null >&2 ||
			die "apt-get update of the private sources failed"
	fi
	rm -f "$APT/sources.list.new"
}

pkgnames() { apt-cache "${apt_opts[@]}" pkgnames "$1"; }

# Newest ABI (e.g. 6.1.0-50, 7.3.4+deb13) with both image and headers.
resolve_abi() {	# resolve_abi <image regex> <headers regex>
	comm -12 <(pkgnames linux-image- | sed -n "s/^$1\$/\\1/p" | sort -u) \
		 <(pkgnames linux-headers- | sed -n "s/^$2\$/\\1/p" | sort -u) |
		sort -V | tail -n 1
}

fetch() {	# fetch <dir> <kver> <package>...
	local dir=$1 kver=$2 tmp=$1.tmp deb
	shift 2
	[ -f "$dir/.complete" ] && return 0
	log "fetching $* into $dir"
	rm -rf "$dir" "$tmp"
	mkdir -p "$tmp" "$dir/root"
	(cd "$tmp" && apt-get "${apt_opts[@]}" download -qq "$@" </dev/null >&2) ||
		die "apt-get download failed: $*"
	for deb in "$tmp"/*.deb; do
		case $deb in
		*/linux-source-*) mv "$deb" "$dir/" ;;
		*) dpkg-deb -x "$deb" "$dir/root" ;;
		esac
	done
	# The headers Makefile names the common tree (and, on Debian 13,
	# itself as KBUILD_OUTPUT) by absolute path.
	sed -i -e "s#^include /usr/src/#include $dir/root/usr/src/#" \
		-e "s#^KBUILD_OUTPUT=/usr/src/#KBUILD_OUTPUT=$dir/root/usr/src/#" \
		"$dir/root/usr/src/linux-headers-$kver/Makefile"
	# Debian 13 is merged-/usr: modules in usr/lib/modules.
	[ -d "$dir/root/lib/modules" ] || ln -s usr/lib "$dir/root/lib"
	/sbin/depmod -b "$dir/root" "$kver"
	rm -rf "$tmp"
	touch "$dir/.complete"
}

# The kbuild programs of linux-kbuild-<abi>, rebuilt from the source
# package for this host's glibc, replace the packaged ones (same paths).
host_programs() {	# host_programs <dir> <kver> <abi> <srcpkg>
	local dir=$1 kver=$2 abi=$3 src=$4 kb obj f n=0 kept=
	kb=$dir/root/usr/lib/linux-kbuild-$abi
	[ -f "$dir/.hostprogs" ] && return 0
	log "building the kbuild host programs from $src (host glibc)"
	if [ ! -f "$dir/src/.unpacked" ]; then
		rm -rf "$dir/src"
		mkdir -p "$dir/src"
		dpkg-deb --fsys-tarfile "$dir"/"$src"_*.deb |
			tar -xO --wildcards "*/$src.tar.xz" |
			tar -xJ -C "$dir/src" --strip-components=1
		touch "$dir/src/.unpacked"
	fi
	obj=$dir/src/obj
	mkdir -p "$obj"
	cp "$dir/root/usr/src/linux-headers-$kver/.config" "$obj/.config"
	make -s -C "$dir/src" O="$obj" olddefconfig >&2
	make -s -C "$dir/src" O="$obj" -j"$(nproc)" modules_prepare >&2 ||
		die "modules_prepare in $obj failed"
	# Debian's modpost and objtool are wrappers of modpost.real-* and
	# objtool.real-*: the programs built here take their place. What
	# modules_prepare does not build for this configuration (genksyms
	# without MODVERSIONS, recordmcount with objtool's mcount) stays, unused.
	while read -r f; do
		if [ -f "$obj/$f" ]; then
			cp "$obj/$f" "$kb/$f"
			n=$((n + 1))
		else
			kept="$kept ${f##*/}"
		fi
	done < <(cd "$kb" && find . -type f -executable -exec sh -c \
		'head -c 4 "$1" | grep -q ELF' sh {} \; -print | sed 's#^\./##')
	"$kb/scripts/basic/fixdep" 2>&1 | grep -q GLIBC && die "fixdep still needs a newer glibc"
	log "replaced $n packaged programs with ones built here; not built (unused):$kept"
	rm -rf "$dir/src"
	touch "$dir/.hostprogs"
}

vmlinuz() {	# vmlinuz <dir> <kver>: boot/ or usr/lib/modules/<kver>/
	local f
	for f in "$1/root/boot/vmlinuz-$2" "$1/root/usr/lib/modules/$2/vmlinuz"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	die "no vmlinuz for $2 in $1/root"
}

# Make arguments for a kernel whose Debian toolchain is newer than the
# host's: the host's gcc-12 instead of the kernel's compiler, without the
# options the configuration took from that compiler (gcc-14's
# -fmin-function-alignment: -falign-functions instead), and no BTF for our
# modules when the host's pahole is older than the kernel's (it does not
# know the kernel's pahole flags; BTF of an out-of-tree module only serves
# BPF programs that trace it).
kmake() {	# kmake <kdir>
	local kdir=$1 cc ph kph args=()
	cc=$(sed -n 's/^CC = .*\(gcc-[0-9][0-9]*\)$/\1/p' "$kdir/.kernelvariables")
	if [ -n "$cc" ] && ! command -v "x86_64-linux-gnu-$cc" >/dev/null; then
		args+=(CC=x86_64-linux-gnu-gcc-12)
		grep -q '^CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT=y' "$kdir/.config" &&
			! echo 'int x;' | x86_64-linux-gnu-gcc-12 -fmin-function-alignment=16 \
				-x c -c -o /dev/null - 2>/dev/null &&
			args+=(CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT=)
	fi
	if grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$kdir/.config"; then
		kph=$(sed -n 's/^CONFIG_PAHOLE_VERSION=//p' "$kdir/.config")
		ph=$(pahole --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\.\([0-9]*\).*/\1\2/p')
		[ -n "$ph" ] && [ "$ph" -lt "${kph:-0}" ] &&
			args+=(CONFIG_DEBUG_INFO_BTF_MODULES= "CONFIG_PAHOLE_VERSION=$ph")
	fi
	echo "${args[*]}"
}

write_mk() {	# write_mk <dir> <kver> <kmodroot> <vmlinuz> <kdir>
	cat > "$1/kernel.mk.tmp" <<EOT
# Generated by scripts/matrix-kernel.sh; do not edit.
VGPU_KVER := $2
VGPU_VMLINUZ := $4
VGPU_KMODROOT := $3
VGPU_KDIR := $5
# make arguments for module builds against VGPU_KDIR (scripts/debug-modules.sh)
VGPU_KMAKE := $(kmake "$5")
# Under TCG on a loaded host 7.3's early timer check can fail ("IO-APIC +
# timer doesn't work!", a panic) before the command starts.
VGPU_KARGS := no_timer_check
EOT
	mv "$1/kernel.mk.tmp" "$1/kernel.mk"
}

# The .debs themselves, kept (fetch unpacks and drops them): dpkg -i in
# the VM installs them as an upgrade would.
fetch_debs() {	# fetch_debs <dir> <package>...
	local dir=$1
	shift
	[ -f "$dir/.complete" ] && { echo "$dir"; return 0; }
	log "downloading $* into $dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && apt-get "${apt_opts[@]}" download -qq "$@" </dev/null >&2) ||
		die "apt-get download failed: $*"
	touch "$dir/.complete"
	echo "$dir"
}

main() {
	local abi kver dir
	if [ "$headers_debs" = 1 ]; then
		[ "$series" = 6.1 ] || die "--headers-debs: only 6.1 (the host's toolchain builds for it)"
		apt_private
		abi=$(resolve_abi 'linux-image-\(6\.1\.0-[0-9]*\)-amd64-unsigned' \
				  'linux-headers-\(6\.1\.0-[0-9]*\)-amd64')
		[ -n "$abi" ] || die "no linux-headers-6.1.0-N-amd64 in bookworm"
		fetch_debs "$CACHE/kmatrix/6.1/$abi/headers-debs" "linux-headers-$abi-amd64" \
			"linux-headers-$abi-common" linux-kbuild-6.1 linux-compiler-gcc-12-x86
		return
	fi
	case $series in
	6.12)
		[ -f "$CACHE/config.mk" ] || die "run 'make deps' first"
		cfgval() { sed -n "s/^$1 := //p" "$CACHE/config.mk"; }
		dir=$CACHE/kmatrix/6.12
		mkdir -p "$dir"
		write_mk "$dir" "$(cfgval VGPU_KVER)" "$(cfgval VGPU_KMODROOT)" \
			"$(cfgval VGPU_VMLINUZ)" "$(cfgval VGPU_KDIR)"
		;;
	6.1)
		apt_private
		abi=$(resolve_abi 'linux-image-\(6\.1\.0-[0-9]*\)-amd64-unsigned' \
				  'linux-headers-\(6\.1\.0-[0-9]*\)-amd64')
		[ -n "$abi" ] || die "no linux-image/headers 6.1.0-N-amd64 in bookworm"
		kver=$abi-amd64 dir=$CACHE/kmatrix/6.1/$abi
		fetch "$dir" "$kver" "linux-image-$kver-unsigned" "linux-headers-$kver" \
			"linux-headers-$abi-common" linux-kbuild-6.1
		write_mk "$dir" "$kver" "$dir/root" "$dir/root/boot/vmlinuz-$kver" \
			"$dir/root/usr/src/linux-headers-$kver"
		;;
	7.3)
		apt_private
		abi=$(resolve_abi 'linux-image-\(7\.3\.[0-9]*+deb13\)-amd64' \
				  'linux-headers-\(7\.3\.[0-9]*+deb13\)-amd64')
		[ -n "$abi" ] || die "no linux-image/headers 7.3.N+deb13-amd64 in trixie-backports"
		kver=$abi-amd64 dir=$CACHE/kmatrix/7.3/$abi
		# linux-image-* is a metapackage here: the image and the
		# modules come in linux-binary-* and linux-modules-*.
		fetch "$dir" "$kver" "linux-binary-$kver" "linux-modules-$kver" \
			"linux-base-$kver" "linux-headers-$kver" "linux-headers-$abi-common" \
			"linux-kbuild-$abi" linux-source-7.3
		host_programs "$dir" "$kver" "$abi" linux-source-7.3
		write_mk "$dir" "$kver" "$dir/root" "$(vmlinuz "$dir" "$kver")" \
			"$dir/root/usr/src/linux-headers-$kver"
		;;
	*) die "unknown kernel '$series' (6.1, 6.12 or 7.3)" ;;
	esac
	echo "$dir"
}

main
