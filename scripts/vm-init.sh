#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM's initramfs (see scripts/vm-run). Mounts the host's
# root read-only over 9p with a RAM overlay on top, mounts the writable
# results share at /run/vgpu-vm, runs the command the host left there and
# reports its exit status and the kernel log back through the share.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
	echo "vm-init: $*" >/dev/ttyS0
	poweroff -f
}

while read -r m; do
	insmod "/mods/$m" || fail "insmod $m failed"
done < /mods/order
mkdir -p /lower /rw /newroot
opts=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "$opts,ro,cache=loose" hostroot /lower || fail "9p root mount failed"
mount -t tmpfs -o mode=0755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
	fail "overlay mount failed"

R=/newroot
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
mount -t tmpfs -o mode=0755 tmpfs $R/run
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
mkdir -p $R/run/vgpu-vm
mount -t 9p -o "$opts" results $R/run/vgpu-vm || fail "results share mount failed"

. $R/run/vgpu-vm/vm.env
# Modules of the test kernel live in the cache, not in the host's /lib.
mkdir -p $R/lib/modules
ln -sfn "$VM_KMODROOT/lib/modules/$VM_KVER" $R/lib/modules/$VM_KVER
ifconfig lo 127.0.0.1 up
echo "$VM_HUNG_TASK_SECS" > /proc/sys/kernel/hung_task_timeout_secs
stty -F /dev/ttyS1 raw -echo 2>/dev/null

echo "<5>vgpu-vm: command start" > /dev/kmsg
chroot $R /bin/sh -c 'cd "$1" && exec /bin/sh /run/vgpu-vm/cmd.sh' \
	sh "$VM_CWD" </dev/null >/dev/ttyS1 2>&1
rc=$?
echo "<5>vgpu-vm: command exit $rc" > /dev/kmsg
dmesg > $R/run/vgpu-vm/dmesg.log
echo $rc > $R/run/vgpu-vm/rc
sync
umount $R/run/vgpu-vm
poweroff -f
