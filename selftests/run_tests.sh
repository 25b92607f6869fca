#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the vgpu-display selftests (inside the test VM, as root).
#
# Usage: run_tests.sh [PROGRAM [HARNESS-ARGS...]]
#   no arguments: every test program, in dependency order
#   PROGRAM:      one program, e.g. vfio_device_test; HARNESS-ARGS are
#                 passed on, e.g. -t get_info or -r device.get_info
#
# Each program prints KTAP. Around each one a "vgpu-selftest: BIN" marker
# goes to the kernel log so kernel findings can be tied to a test.
#
# On a kernel with kmemleak (make check-debug) the leaks found before the
# tests are set aside, and after the run (devices removed, modules
# unloaded) a scan reports what the tests leaked, as the test
# "kmemleak leaks.scan". With VGPU_FUZZ=1 a full run also runs
# ./vgpu_fuzz $VGPU_FUZZ_ARGS after the suite, as "vgpu_fuzz fuzz.run"
# (skipped when the program does not exist).
#
# Environment: VGPU_KO_DIR (where the tests find the .ko files, see
# vgpu_test.c); VGPU_KMEMLEAK: 0 no leak scan, 1 a failure without
# kmemleak, unset: scan when the kernel has it; VGPU_FUZZ, VGPU_FUZZ_ARGS.
cd "$(dirname "$0")" || exit 2

ALL="module_test mdev_type_test vfio_device_test cfg_space_test region_test
     edid_test plane_test cursor_test dmabuf_test region_plane_test damage_test
     region_rearm_test
     migration_test
     mini_vendor_test budget_test
     fault_test mig_fault_test libvgpu_test libvgpu_symbols_test tools_test mdevctl_test
     kunit_test.sh
     qemu_e2e_test"

kmsg() { echo "<5>vgpu-selftest: $*" > /dev/kmsg 2>/dev/null; }

KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak=0
if [ "${VGPU_KMEMLEAK:-}" != 0 ]; then
	if [ -w "$KMEMLEAK" ] && echo scan > "$KMEMLEAK" 2>/dev/null; then
		# What boot left unreferenced is not the tests' doing.
		echo clear > "$KMEMLEAK" && kmemleak=1
	elif [ "${VGPU_KMEMLEAK:-}" = 1 ]; then
		kmemleak=unavailable
	fi
fi

OUR_MODULES="vgpu_bochs vgpu_mini vgpu_test_importer vgpu_display"

# Two scans some seconds apart: an object is reported once it stayed
# unreferenced past kmemleak's minimum age (5 s).
kmemleak_scan() {
	echo scan > "$KMEMLEAK"
	sleep 6
	echo scan > "$KMEMLEAK"
	cat "$KMEMLEAK"
}

# The leak scan, with our modules unloaded, reported as one KTAP test.
kmemleak_check() {
	echo "# selftest: kmemleak"
	echo "1..1"
	if [ "$kmemleak" != 1 ]; then
		echo "not ok 1 leaks.scan # $KMEMLEAK is not available"
		rc=1
		return
	fi
	kmsg "BIN kmemleak"
	kmsg "RUN kmemleak leaks.scan"
	# A leak found while a module is still loaded has its functions in
	# the backtrace by name; once it is unloaded, only as addresses.
	loaded='' early=''
	for m in $OUR_MODULES; do
		[ -e "/sys/module/$m" ] && loaded="$loaded $m"
	done
	[ -n "$loaded" ] && early=$(kmemleak_scan)
	for m in $loaded; do
		rmmod "$m" || echo "# run_tests: rmmod $m failed"
	done
	report=$(kmemleak_scan)
	if [ -n "$report" ]; then
		if [ -n "$early" ]; then
			echo "# found while$loaded were still loaded:"
			echo "$early" | sed 's/^/# /'
			echo "# all, after unloading them:"
		fi
		echo "$report" | sed 's/^/# /'
		# Into the kernel log too: scripts/klog-scan ties it to this test.
		echo "$report" | while IFS= read -r l; do
			echo "<3>kmemleak: $l" > /dev/kmsg
		done
		[ -n "${VGPU_VM_OUT:-}" ] &&
			printf '%s\n' "$early" "$report" > "$VGPU_VM_OUT/kmemleak.log"
		echo "not ok 1 leaks.scan"
		rc=1
	else
		echo "ok 1 leaks.scan"
	fi
	kmsg "END kmemleak"
}

# The fuzzer hook (selftests/vgpu_fuzz, optional), as one KTAP test.
fuzz_run() {
	echo "# selftest: vgpu_fuzz"
	echo "1..1"
	if [ ! -x ./vgpu_fuzz ]; then
		echo "ok 1 fuzz.run # SKIP no selftests/vgpu_fuzz"
		return
	fi
	kmsg "BIN vgpu_fuzz"
	kmsg "RUN vgpu_fuzz fuzz.run"
	frc=$(mktemp)
	# shellcheck disable=SC2086
	{ ./vgpu_fuzz ${VGPU_FUZZ_ARGS:-} 2>&1; echo $? > "$frc"; } | sed -u 's/^/# /'
	if [ "$(cat "$frc")" = 0 ]; then
		echo "ok 1 fuzz.run"
	else
		echo "not ok 1 fuzz.run # exit status $(cat "$frc")"
		rc=1
	fi
	rm -f "$frc"
	kmsg "END vgpu_fuzz"
}

for m in vfio vfio_iommu_type1 mdev; do
	modprobe "$m" || { echo "# run_tests: modprobe $m failed"; exit 2; }
done
# vgem is the importer for the dma-buf import test (skipped without it)
modprobe vgem 2>/dev/null

fuzz=${VGPU_FUZZ:-0}
if [ $# -gt 0 ]; then
	progs=$1
	shift
	fuzz=0
else
	progs=$ALL
fi

rc=0
for p in $progs; do
	if [ ! -x "./$p" ]; then
		echo "# run_tests: no test program '$p' (have: $ALL)"
		exit 2
	fi
	echo "# selftest: $p"
	kmsg "BIN $p"
	"./$p" "$@" || rc=1
	kmsg "END $p"
done
remove_instances() {
	for d in /sys/bus/mdev/devices/*; do
		[ -e "$d/remove" ] && echo 1 > "$d/remove"
	done
}
# Leave nothing behind for whoever runs next. A QEMU left running by a
# failed end-to-end test would hold its device and make removal wait.
if pgrep -f qemu-system-x86_64 >/dev/null; then
	echo "# run_tests: killing leftover QEMU processes:"
	pgrep -af qemu-system-x86_64 | sed 's/^/#   /'
	pkill -KILL -f qemu-system-x86_64
	sleep 1
fi
remove_instances
if [ "$fuzz" = 1 ]; then
	fuzz_run
	remove_instances
fi
[ "$kmemleak" != 0 ] && kmemleak_check
exit $rc
