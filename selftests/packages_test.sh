#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# packages_test.sh - the Debian packages as a user gets them, inside the
# test VM (make check-packages; Documentation/install.rst).
#
# Installs the .debs of 'make deb' with dpkg -i in the VM's overlay (the
# host is never touched), lets DKMS build the modules for the VM's kernel
# from the cached linux-headers, checks what got installed, and then runs
# selftest programs against the DKMS-built modules, the packaged tools and
# the packaged library: the tree's tools and libvgpu.so.0 are replaced by
# links to the installed ones (in the overlay only), and VGPU_KO_DIR points
# at DKMS's modules, uncompressed. Before those programs, a kernel upgrade:
# the headers of a second kernel installed with dpkg -i must make DKMS's
# kernel hook build and install the modules for that kernel too.
#
# Usage: selftests/packages_test.sh DEBDIR [PROGRAM...]
#   DEBDIR   the directory with the .debs (build/deb)
#   PROGRAM  selftest programs to run after the package checks (default
#            below); each is run by run_tests.sh
# Environment: VGPU_KMODROOT, the cached kernel's root (the headers are
# there: scripts/deps.sh); VGPU_UPGRADE_DEBS, a directory with the .debs
# of a second kernel's headers (scripts/matrix-kernel.sh --headers-debs 6.1).
# Prints KTAP: the package checks as the program "packages", then each
# program's own. Exit status 1 if anything failed.
set -euo pipefail

die() { printf 'packages_test: error: %s\n' "$*" >&2; exit 2; }
[ $# -ge 1 ] || die "usage: $0 DEBDIR [PROGRAM...]"
debs=$(cd "$1" && pwd) || die "no directory $1 (run 'make deb')"
shift
cd "$(dirname "$0")"
top=$(cd .. && pwd)
progs=${*:-module_test vfio_device_test dmabuf_test libvgpu_test libvgpu_symbols_test
	tools_test}
# dpkg -i and the links below change the root: only in the VM's overlay.
[ -f /run/vgpu-vm/vm.env ] || die "runs only inside the test VM (make check-packages)"
kroot=${VGPU_KMODROOT:?packages_test: VGPU_KMODROOT is not set (the cached kernel root)}
kver=$(uname -r)
multiarch=$(gcc -print-multiarch)
libdir=/usr/lib/$multiarch
work=$(mktemp -d)

n=0 rc=0
run() {	# run NAME COMMAND...: one KTAP test, its output as diagnostics
	local name=$1 start=$SECONDS
	shift
	n=$((n + 1))
	if "$@" > "$work/log" 2>&1; then
		sed 's/^/# /' "$work/log" | tail -n 5
		echo "ok $n packages.$name # $((SECONDS - start)) s"
	else
		sed 's/^/# /' "$work/log" | tail -n 40
		echo "not ok $n packages.$name"
		rc=1
	fi
}

# The headers package for the VM's kernel, as installed: its tree where
# /lib/modules/KVER/build points (the common tree is included by path).
# DKMS uses bash's <(...), which needs /dev/fd: udev makes it, the VM's
# devtmpfs has none.
headers() {
	[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
	ln -sfn "$kroot/usr/src/linux-headers-$kver" "/usr/src/linux-headers-$kver"
	test -f "/lib/modules/$kver/build/Makefile"
}

# The vgpu-display-dkms postinst builds for the running kernel. man-db's
# trigger would rebuild the index of every manual page on the host's root,
# minutes under TCG: its switch is this file (in the overlay only).
install_debs() {
	local d files=()
	rm -f /var/lib/man-db/auto-update
	for d in vgpu-display-dkms libvgpu0 libvgpu-dev vgpu-tools; do
		files+=("$debs/${d}"_*.deb)
		[ -f "${files[-1]}" ] || { echo "no $d package in $debs"; return 1; }
	done
	DEBIAN_FRONTEND=noninteractive dpkg -i "${files[@]}"
}

dkms_built() {
	dkms status vgpu-display
	dkms status vgpu-display | grep -q "$kver, x86_64: installed"
}

# modprobe finds DKMS's modules, and modprobe.d/vgpu-display.conf brings
# vfio_iommu_type1 with them.
modprobe_dkms() {
	local f
	modprobe -r vfio_iommu_type1 2>/dev/null || true
	modprobe vgpu_bochs
	for m in vgpu_display vgpu_bochs; do
		f=$(modinfo -n "$m")
		echo "$m: $f"
		case $f in /lib/modules/$kver/updates/dkms/$m.ko*) ;; *) return 1 ;; esac
	done
	test -e /sys/module/vfio_iommu_type1
	modprobe -r vgpu_bochs vgpu_display
}

# A program built against libvgpu-dev with pkg-config, run on libvgpu0.
pkgconfig_program() {
	cat > "$work/types.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <vgpu.h>

int main(void)
{
	struct vgpu_type *types;
	size_t i, n;
	int ret = vgpu_list_types(&types, &n);

	if (ret || !n) {
		fprintf(stderr, "vgpu_list_types: %s\n", ret ? vgpu_strerror(ret) : "no types");
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("%s %s\n", types[i].parent, types[i].type);
	free(types);
	return 0;
}
EOF
	pkg-config --modversion libvgpu
	# shellcheck disable=SC2046
	gcc -Wall -Werror -o "$work/types" "$work/types.c" $(pkg-config --cflags --libs libvgpu)
	ldd "$work/types" | grep "libvgpu.so.0 => $libdir/libvgpu.so.0"
	modprobe vgpu_bochs
	"$work/types" | tee "$work/types.out"
	grep -q . "$work/types.out"
	modprobe -r vgpu_bochs vgpu_display
}

# A kernel upgrade as apt does it: the headers of a second kernel installed
# with dpkg. Their postinst runs /etc/kernel/header_postinst.d/dkms, which
# must build and install our modules for that kernel (dkms autoinstall).
upgrade_headers() {
	local d=${VGPU_UPGRADE_DEBS:-} f
	for f in "$d"/linux-headers-*-amd64_*.deb; do break; done
	if [ -z "$d" ] || [ ! -f "$f" ]; then
		echo "VGPU_UPGRADE_DEBS ($d) has no linux-headers .deb"
		return 1
	fi
	kver2=${f##*/linux-headers-}
	kver2=${kver2%%_*}
	echo "second kernel: $kver2"
	[ "$kver2" != "$kver" ] || { echo "the second kernel is the running one"; return 1; }
	if dkms status vgpu-display | grep "$kver2"; then
		echo "already built for $kver2 before its headers were installed"
		return 1
	fi
	test -x /etc/kernel/header_postinst.d/dkms
	DEBIAN_FRONTEND=noninteractive dpkg -i "$d"/*.deb | tee "$work/upgrade.log"
	# the hook's own words: the build below was its doing
	grep "autoinstall for kernel: $kver2" "$work/upgrade.log"
}

# DKMS built for both kernels, and each module is built for its kernel.
vermagic_is() {	# vermagic_is <kver> <module file>
	local v
	v=$(modinfo -F vermagic "$2")
	echo "$2: $v"
	case $v in "$1 "*) ;; *) return 1 ;; esac
}
dkms_rebuilt() {
	local k m f st
	# not piped into grep -q: with pipefail, dkms's SIGPIPE would fail it
	st=$(dkms status vgpu-display)
	echo "$st"
	for k in "$kver" "$kver2"; do
		grep -q "$k, x86_64: installed" <<< "$st" || { echo "not installed for $k"; return 1; }
		for m in vgpu_display vgpu_bochs; do
			for f in "/lib/modules/$k/updates/dkms/$m.ko"*; do break; done
			[ -f "$f" ] || { echo "no $m for $k"; return 1; }
			vermagic_is "$k" "$f" || return 1
		done
	done
}

# From here on the tree's selftests see only what the packages installed.
use_packages() {
	local f m t
	mkdir -p "$work/ko/mdev"
	for m in vgpu_display vgpu_bochs; do
		f=$(modinfo -n "$m")
		case $f in
		*.xz) xz -dc "$f" > "$work/ko/mdev/$m.ko" ;;
		*) cp "$f" "$work/ko/mdev/$m.ko" ;;
		esac
	done
	# module_test reads modules.order for what gets installed: here,
	# every module DKMS installed (its build area is cleaned), named as
	# Kbuild names them (6.12: the .o). The test-only modules, which no
	# package has, come from the tree's build.
	for f in "/lib/modules/$kver/updates/dkms/"*.ko*; do
		m=${f##*/}
		echo "mdev/${m%%.ko*}.o"
	done > "$work/ko/modules.order"
	mkdir -p "$work/ko/selftests/importer" "$work/ko/selftests/minivendor"
	cp "$top/selftests/importer/vgpu_test_importer.ko" "$work/ko/selftests/importer/"
	cp "$top/selftests/minivendor/vgpu_mini.ko" "$work/ko/selftests/minivendor/"
	for t in vgpu-ctl vgpu-grab vgpu-qemu; do
		ln -sf "/usr/bin/$t" "$top/qemu-glue/tools/$t"
	done
	ln -sf "$libdir/libvgpu.so.0" "$top/qemu-glue/lib/libvgpu.so.0"
	ls -l "$top"/qemu-glue/tools/vgpu-{ctl,grab,qemu} "$top/qemu-glue/lib/libvgpu.so.0"
	cat "$work/ko/modules.order"
}

echo "# selftest: packages"
echo "1..8"
kver2=
run headers headers
run install install_debs
run dkms_built dkms_built
run modprobe modprobe_dkms
run pkgconfig pkgconfig_program
run use_packages use_packages
run upgrade_headers upgrade_headers
run dkms_rebuilt dkms_rebuilt

# Without the packages the programs would test nothing of them.
if [ "$rc" != 0 ]; then
	echo "# packages_test: the packages did not install: no selftest programs run"
	exit 1
fi
export VGPU_KO_DIR=$work/ko
for p in $progs; do
	./run_tests.sh "$p" || rc=1
done
exit $rc
