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
cd "$(dirname "$0")" || exit 2

ALL="module_test mdev_type_test vfio_device_test cfg_space_test region_test
     edid_test plane_test cursor_test dmabuf_test region_plane_test budget_test
     fault_test libvgpu_test tools_test
     qemu_e2e_test"

kmsg() { echo "<5>vgpu-selftest: $*" > /dev/kmsg 2>/dev/null; }

for m in vfio vfio_iommu_type1 mdev; do
	modprobe "$m" || { echo "# run_tests: modprobe $m failed"; exit 2; }
done
# vgem is the importer for the dma-buf import test (skipped without it)
modprobe vgem 2>/dev/null

if [ $# -gt 0 ]; then
	progs=$1
	shift
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
# Leave nothing behind for whoever runs next. A QEMU left running by a
# failed end-to-end test would hold its device and make removal wait.
if pgrep -f qemu-system-x86_64 >/dev/null; then
	echo "# run_tests: killing leftover QEMU processes:"
	pgrep -af qemu-system-x86_64 | sed 's/^/#   /'
	pkill -KILL -f qemu-system-x86_64
	sleep 1
fi
for d in /sys/bus/mdev/devices/*; do
	[ -e "$d/remove" ] && echo 1 > "$d/remove"
done
exit $rc
