// SPDX-License-Identifier: GPL-2.0
/*
 * Opening a vGPU instance through VFIO (container, group, device) and the
 * basic device ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "vgpu.h"
#include "vgpu_test.h"

FIXTURE(device) {
	VGPU_DEVICE_FIELDS;
};

FIXTURE_SETUP(device)
{
	if (geteuid())
		SKIP(return, "needs root to load modules");
	VGPU_DEVICE_SETUP("hd");
}

FIXTURE_TEARDOWN(device)
{
	vgpu_test_close_remove(self->vgpu, self->uuid);
}

TEST_F(device, get_info)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	test_cmd_ioctl(self->fd, VFIO_DEVICE_GET_INFO, &info);
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
	EXPECT_FALSE(info.flags & VFIO_DEVICE_FLAGS_CAPS);
	/* QEMU's vfio-pci refuses devices with fewer. */
	EXPECT_LE(VFIO_PCI_NUM_REGIONS, info.num_regions);
	EXPECT_LE(VFIO_PCI_NUM_IRQS, info.num_irqs);
	EXPECT_EQ(0, info.cap_offset);
}

TEST_F(device, get_info_argsz)
{
	struct {
		struct vfio_device_info info;
		unsigned char tail[4096];
	} big;
	struct vfio_device_info info;
	size_t minsz = offsetof(struct vfio_device_info, cap_offset);

	/* Too short for the fixed part. */
	memset(&info, 0, sizeof(info));
	info.argsz = minsz - 1;
	test_err_ioctl(EINVAL, self->fd, VFIO_DEVICE_GET_INFO, &info);

	/* Exactly the fixed part (an old caller): no write past argsz. */
	memset(&info, 0xa5, sizeof(info));
	info.argsz = minsz;
	test_cmd_ioctl(self->fd, VFIO_DEVICE_GET_INFO, &info);
	EXPECT_LE(VFIO_PCI_NUM_REGIONS, info.num_regions);
	EXPECT_EQ(0xa5a5a5a5, info.cap_offset);

	/* A larger buffer is fine and the tail is left alone. */
	memset(&big, 0x5a, sizeof(big));
	big.info.argsz = sizeof(big);
	test_cmd_ioctl(self->fd, VFIO_DEVICE_GET_INFO, &big);
	EXPECT_EQ(sizeof(big), big.info.argsz);
	EXPECT_LE(VFIO_PCI_NUM_IRQS, big.info.num_irqs);
	EXPECT_EQ(0x5a, big.tail[0]);
}

TEST_F(device, unknown_ioctl_is_enotty)
{
	test_err_ioctl(ENOTTY, self->fd, _IO(VFIO_TYPE, VFIO_BASE + 60), NULL);
}

TEST_F(device, second_open_is_busy)
{
	struct vgpu *other = NULL;

	test_err(EBUSY, vgpu_open(self->uuid, &other));
	EXPECT_EQ(NULL, other);
	EXPECT_NE(NULL, strstr(vgpu_strerror(-EBUSY), "device busy"));
}

TEST_F(device, open_unknown_uuid)
{
	struct vgpu *other = NULL;

	test_err(ENOENT, vgpu_open("01234567-89ab-cdef-0123-456789abcdef", &other));
	test_err(EINVAL, vgpu_open("bogus", &other));
	EXPECT_EQ(NULL, other);
}

TEST_F(device, reopen_after_close)
{
	int i, ret;

	for (i = 0; i < 3; i++) {
		vgpu_close(self->vgpu);
		self->vgpu = NULL;
		ret = vgpu_open(self->uuid, &self->vgpu);
		ASSERT_EQ(0, ret) TH_LOG("vgpu_open: %s", vgpu_strerror(ret));
	}
}

TEST_F(device, get_device_fd_wrong_name)
{
	/* The group holds only our instance; another name is not found. */
	test_err_ioctl(ENODEV, vgpu_group_fd(self->vgpu), VFIO_GROUP_GET_DEVICE_FD,
		       "01234567-89ab-cdef-0123-456789abcdef");
}

TEST_F(device, remove_while_open_asks_user)
{
	struct vgpu_remover r;
	struct pollfd pfd;
	uint64_t count;
	int efd;

	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	test_cmd(vgpu_set_req_eventfd(self->fd, efd));

	/* removal blocks until we let go, but first it asks us to */
	test_cmd(vgpu_mdev_remove_start(&r, self->uuid));
	pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	ASSERT_EQ(sizeof(count), read(efd, &count, sizeof(count)));
	EXPECT_LE(1, count);
	EXPECT_TRUE(vgpu_mdev_remove_pending(&r));

	vgpu_close(self->vgpu);
	self->vgpu = NULL;
	test_cmd(vgpu_mdev_remove_finish(&r));
	EXPECT_FALSE(vgpu_mdev_exists(self->uuid));
	close(efd);
}

TEST_F(device, set_irqs_validation)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_REQ_IRQ_INDEX,
		.count = 1,
	};
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t count;

	ASSERT_LE(0, efd);
	/* a bad fd, an interrupt that does not exist, a bad action */
	test_err(EBADF, vgpu_set_req_eventfd(self->fd, 1000));
	test_err(EINVAL, vgpu_set_req_eventfd(self->fd, -2));
	set.index = VFIO_PCI_INTX_IRQ_INDEX;
	test_err_set_irqs(EINVAL, self->fd, &set);
	set.index = VFIO_PCI_REQ_IRQ_INDEX;
	set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK;
	test_err_set_irqs(EINVAL, self->fd, &set);

	/* DATA_NONE with count 1 fires the trigger (loopback) */
	test_cmd(vgpu_set_req_eventfd(self->fd, efd));
	set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	test_cmd_set_irqs(self->fd, &set);
	ASSERT_EQ(sizeof(count), read(efd, &count, sizeof(count)));
	EXPECT_EQ(1, count);
	/* -1 unregisters */
	test_cmd(vgpu_set_req_eventfd(self->fd, -1));
	test_cmd_set_irqs(self->fd, &set);
	test_err(EAGAIN, vgpu_ret(read(efd, &count, sizeof(count))));
	close(efd);
}

/*
 * SET_IRQS reads only the data argsz covers: count 0 with DATA_EVENTFD or
 * DATA_BOOL carries no data and is -EINVAL, as vfio-pci answers it - also
 * when the header ends right before unmapped memory, and also when an
 * eventfd lies (outside argsz) right behind the header.
 */
TEST_F(device, set_irqs_reads_nothing_past_argsz)
{
	long page = sysconf(_SC_PAGESIZE);
	struct vfio_irq_set *set;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t count;
	uint8_t *buf;

	ASSERT_LE(0, efd);
	buf = test_cmd_mmap(2 * page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_EQ(0, mprotect(buf + page, page, PROT_NONE));

	/* the header ends where the guard page starts */
	set = (struct vfio_irq_set *)(buf + page - sizeof(*set));
	*set = (struct vfio_irq_set){
		.argsz = sizeof(*set),
		.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_REQ_IRQ_INDEX,
		.count = 0,
	};
	test_err_set_irqs(EINVAL, self->fd, set);
	set->flags = VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER;
	test_err_set_irqs(EINVAL, self->fd, set);

	/* an eventfd behind a header whose argsz does not cover it */
	set = (struct vfio_irq_set *)buf;
	*set = (struct vfio_irq_set){
		.argsz = sizeof(*set),
		.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_REQ_IRQ_INDEX,
		.count = 0,
	};
	memcpy(set->data, &efd, sizeof(efd));
	test_err_set_irqs(EINVAL, self->fd, set);
	/* count 1 but argsz without the data: refused by the validation */
	set->count = 1;
	test_err_set_irqs(EINVAL, self->fd, set);

	/* nothing was installed: a loopback trigger reaches no eventfd */
	*set = (struct vfio_irq_set){
		.argsz = sizeof(*set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_REQ_IRQ_INDEX,
		.count = 1,
	};
	test_cmd_set_irqs(self->fd, set);
	test_err(EAGAIN, vgpu_ret(read(efd, &count, sizeof(count))));

	/* with argsz covering it, the same eventfd is taken */
	test_cmd(vgpu_set_req_eventfd(self->fd, efd));
	test_cmd_set_irqs(self->fd, set);
	ASSERT_EQ(sizeof(count), read(efd, &count, sizeof(count)));
	EXPECT_EQ(1, count);
	munmap(buf, 2 * page);
	close(efd);
}

TEST_HARNESS_MAIN
