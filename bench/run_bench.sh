#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM: load vgpu_display, vgpu_bochs and the upstream mbochs, create one
# instance of each (vgpu_bochs-uhd and -uhd-region, mbochs-large), a
# second vgpu_bochs-uhd to migrate into, 16 vgpu_bochs-hd for the scale
# figures, and run vgpu_bench. The video memory budget holds those (896
# MiB) and the 16 hd instances the scale bench creates itself (512 MiB).
cd "$(dirname "$0")" || exit 2
for m in vfio vfio_iommu_type1 mdev; do
	modprobe "$m" || exit 2
done
insmod ../mdev/vgpu_display.ko || exit 2
insmod ../mdev/vgpu_bochs.ko vram_budget_mb=1536 || exit 2
insmod build/mbochs/mbochs.ko || exit 2
ours=$(cat /proc/sys/kernel/random/uuid)
peer=$(cat /proc/sys/kernel/random/uuid)
region=$(cat /proc/sys/kernel/random/uuid)
theirs=$(cat /proc/sys/kernel/random/uuid)
types=/sys/class/mdev_bus/vgpu_bochs/mdev_supported_types
echo "$ours" > $types/vgpu_bochs-uhd/create || exit 2
echo "$peer" > $types/vgpu_bochs-uhd/create || exit 2
echo "$region" > $types/vgpu_bochs-uhd-region/create || exit 2
echo "$theirs" > /sys/class/mdev_bus/mbochs/mdev_supported_types/mbochs-large/create || exit 2
scale=
for i in $(seq 16); do
	u=$(cat /proc/sys/kernel/random/uuid)
	echo "$u" > $types/vgpu_bochs-hd/create || exit 2
	scale=${scale:+$scale,}$u
done
echo "run_bench: GLIBC_TUNABLES=${GLIBC_TUNABLES:-(none)}"
./vgpu_bench --ours "$ours" --peer "$peer" --region "$region" --mbochs "$theirs" \
	--scale "$scale" "$@"
