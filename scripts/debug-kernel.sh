#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build, or reuse, the debug Linux 6.12 kernel that
# 'make check-debug' boots (KASAN, KFENCE, lockdep, kmemleak, UBSAN, fault
# injection, ...; scripts/debug-kernel.config lists it all).
#
#  1. As root, installs the Debian packages a kernel build needs.
#  2. Downloads Debian's linux-source-6.12 (apt-get download; the version
#     of the cached Debian kernel when the index has it, else the newest)
#     and unpacks it once per version.
#  3. Configures x86_64 allnoconfig + scripts/debug-kernel.config
#     (merge_config.sh -n), olddefconfig, and fails naming any option of
#     the fragment that Kconfig did not keep as requested.
#  4. Builds bzImage and modules in an O= tree, installs the modules
#     (modules.builtin included) for modprobe inside the VM.
#
# Everything lives in $VGPU_CACHE/kdebug/, outside git:
#   src-<version>/   the unpacked linux-source tree (shared by all builds)
#   <hash>/build/    the O= tree: bzImage, .config, Module.symvers, objtool;
#                    also the KDIR to build out-of-tree modules against
#   <hash>/root/     modules_install output: lib/modules/<release>/
#   <hash>/kernel.mk VGPU_KVER, VGPU_VMLINUZ, VGPU_KMODROOT, VGPU_KDIR and
#                    VGPU_KARGS (what scripts/vm-run --kernel-dir reads)
#   current          symlink to the <hash> of the last successful build
# <hash> covers the fragment, this script and the source version: any
# change builds anew (older builds are removed), no change reuses it.
#
# Usage: scripts/debug-kernel.sh [--print]
#   Prints the kernel directory ($VGPU_CACHE/kdebug/<hash>) on stdout.
#   --print: only print it; fail if that kernel was not built yet.
# Environment:
#   VGPU_CACHE               cache directory (as scripts/deps.sh)
#   VGPU_DEBUG_KSRC_VERSION  a linux-source-6.12 package version to use
#   VGPU_JOBS                parallel build jobs (default: nproc)
set -euo pipefail

PKGS=(make gcc libc6-dev flex bison bc libelf-dev libssl-dev kmod xz-utils)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fragment=$here/debug-kernel.config
CACHE=${VGPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vgpu-display}
top=$CACHE/kdebug
log() { printf 'debug-kernel: %s\n' "$*" >&2; }
die() { printf 'debug-kernel: error: %s\n' "$*" >&2; exit 1; }

print_only=0
case ${1:-} in
--print) print_only=1 ;;
'') ;;
*) echo "usage: scripts/debug-kernel.sh [--print]" >&2; exit 2 ;;
esac

install_packages() {
	local p miss=
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || miss+="$p "
	done
	[ -z "$miss" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		printf 'debug-kernel: missing Debian packages. Run as root:\n' >&2
		printf '  apt-get update && apt-get install -y --no-install-recommends %s\n' "$miss" >&2
		exit 1
	fi
	log "installing: $miss"
	mkdir -p "$top"
	# shellcheck disable=SC2086
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$miss || { apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$miss; }; } </dev/null >"$top/apt.log" 2>&1 ||
		{ tail -n 20 "$top/apt.log" >&2; die "apt-get install failed: $miss"; }
}

# The linux-source-6.12 version: pinned, else the one matching the cached
# Debian kernel (config.mk's VGPU_KABI, e.g. 6.12.117+deb12), else the
# newest in the index, else (offline) the newest already unpacked.
source_version() {
	local abi up all v
	if [ -n "${VGPU_DEBUG_KSRC_VERSION:-}" ]; then
		echo "$VGPU_DEBUG_KSRC_VERSION"
		return
	fi
	abi=$(sed -n 's/^VGPU_KABI := //p' "$CACHE/config.mk" 2>/dev/null || true)
	up=${abi%%+*}
	all=$(apt-cache madison linux-source-6.12 2>/dev/null |
	      awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | sort -uV)
	v=
	[ -n "$up" ] && v=$(echo "$all" | grep -F "$up-" | tail -n 1 || true)
	[ -n "$v" ] || v=$(echo "$all" | tail -n 1)
	if [ -z "$v" ]; then
		v=$(find "$top" -mindepth 2 -maxdepth 2 -path "$top/src-*/.complete" |
		    sed "s#^$top/src-##; s#/.complete\$##" | sort -V | tail -n 1)
	fi
	[ -n "$v" ] || die "linux-source-6.12 is not in the package index (run apt-get update)"
	echo "$v"
}

fetch_source() {	# fetch_source <version> <dir>
	local v=$1 dir=$2 tmp=$top/tmp-src
	[ -f "$dir/.complete" ] && return 0
	log "downloading and unpacking linux-source-6.12 $v"
	rm -rf "$dir" "$tmp"
	mkdir -p "$tmp" "$dir"
	(cd "$tmp" && apt-get -o APT::Sandbox::User=root download -qq \
		"linux-source-6.12=$v" </dev/null >&2) ||
		die "apt-get download linux-source-6.12=$v failed"
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.12_*.deb |
		tar -xO --wildcards '*/linux-source-6.12.tar.xz' |
		tar -xJ -C "$dir" --strip-components=1
	rm -rf "$tmp"
	[ -f "$dir/Makefile" ] || die "unpacking linux-source-6.12 $v failed"
	touch "$dir/.complete"
}

# Every CONFIG_ line of the fragment must be in .config as written; "is
# not set" lines must be unset. Names each option Kconfig changed.
check_config() {	# check_config <fragment> <.config> <srctree>
	local frag=$1 cfg=$2 src=$3 bad=0 line name want got
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) name=${line%%=*}; want=${line#*=} ;;
		"# CONFIG_"*" is not set") name=${line#\# }; name=${name%% *}; want=n ;;
		*) continue ;;
		esac
		got=$(sed -n "s/^$name=//p" "$cfg")
		[ -n "$got" ] || got=n
		[ "$got" = "$want" ] && continue
		printf 'debug-kernel: %s=%s requested by %s, but Kconfig made it %s\n' \
			"$name" "$want" "${frag#"$here"/../}" "$got" >&2
		grep -rh --include='Kconfig*' -A 12 "^\(menu\)\?config ${name#CONFIG_}\$" \
			"$src/arch/x86" "$src/lib" "$src/mm" "$src/kernel" "$src/drivers" \
			"$src/fs" "$src/net" "$src/init" "$src/samples" "$src/security" 2>/dev/null |
			grep -E '^\s*(depends on|select)' | sed 's/^\s*/    /' >&2 || true
		bad=1
	done < "$frag"
	[ "$bad" = 0 ] || die "the configuration lost options of the fragment (above)"
}

main() {
	local v key dir src build root kver start secs
	mkdir -p "$top"
	exec 9>"$top/.lock"
	flock 9
	[ "$print_only" = 1 ] || install_packages
	v=$(source_version)
	key=$( { cat "$fragment" "${BASH_SOURCE[0]}"; echo "$v"; } | sha1sum | cut -c1-12)
	dir=$top/$key src=$top/src-$v build=$dir/build root=$dir/root
	if [ -f "$dir/.complete" ]; then
		ln -sfn "$key" "$top/current"
		echo "$dir"
		return 0
	fi
	[ "$print_only" = 0 ] || die "no debug kernel built for this configuration: run scripts/debug-kernel.sh"
	fetch_source "$v" "$src"

	log "building Linux $v (debug configuration $key) in $dir; takes minutes"
	mkdir -p "$build"
	start=$(date +%s)
	(cd "$src" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O "$build" "$fragment") \
		> "$dir/config.log" 2>&1 || { cat "$dir/config.log" >&2; die "configuring failed"; }
	make -s -C "$src" O="$build" ARCH=x86_64 olddefconfig >> "$dir/config.log" 2>&1 ||
		{ cat "$dir/config.log" >&2; die "make olddefconfig failed"; }
	check_config "$fragment" "$build/.config" "$src"

	if ! make -C "$src" O="$build" ARCH=x86_64 -j"${VGPU_JOBS:-$(nproc)}" \
		bzImage modules > "$dir/build.log" 2>&1; then
		grep -E 'error|Error' "$dir/build.log" | head -n 20 >&2 || true
		tail -n 20 "$dir/build.log" >&2
		die "kernel build failed (log: $dir/build.log)"
	fi
	rm -rf "$root"
	make -s -C "$src" O="$build" ARCH=x86_64 INSTALL_MOD_PATH="$root" \
		DEPMOD=/sbin/depmod modules_install >> "$dir/build.log" 2>&1 ||
		{ tail -n 20 "$dir/build.log" >&2; die "modules_install failed"; }
	kver=$(make -s -C "$src" O="$build" ARCH=x86_64 kernelrelease)
	[ -f "$root/lib/modules/$kver/modules.builtin" ] ||
		die "modules_install left no modules.builtin for $kver"
	secs=$(( $(date +%s) - start ))

	cat > "$dir/kernel.mk" <<EOT
# Generated by scripts/debug-kernel.sh; do not edit.
VGPU_KVER := $kver
VGPU_VMLINUZ := $build/arch/x86/boot/bzImage
VGPU_KMODROOT := $root
VGPU_KDIR := $build
VGPU_KSRC_VERSION := $v
# Boot arguments this kernel needs (scripts/vm-run appends them). Under TCG
# its ACPI interpreter (KASAN, lockdep) runs the loop of QEMU's PCI _PRT
# method into ACPICA's 30 s loop timeout, once per PCI device; acpi=noirq
# takes PCI interrupt routing from the MP table instead.
VGPU_KARGS := acpi=noirq
VGPU_KBUILD_SECONDS := $secs
EOT
	touch "$dir/.complete"
	ln -sfn "$key" "$top/current"
	# Builds of other configurations or scripts, and unused sources, go.
	(cd "$top" && for d in */; do
		d=${d%/}
		case $d in
		"$key"|"src-$v") ;;
		*) [ -L "$d" ] || rm -rf "$d" ;;
		esac
	done)
	log "built Linux $kver in $secs s: $dir"
	echo "$dir"
}

# One line: bash reads no further while main runs, so an edited script
# cannot change a build under way.
main; exit
