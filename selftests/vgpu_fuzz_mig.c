// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz: live migration. Any target state, the data files read a
 * little or a lot, PRECOPY_INFO in any state, and resuming streams of
 * garbage, with or without the stream's magic in front. Every
 * errno must be a documented one, and the device ends RUNNING (by reset
 * if it has to) for the other operations.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vgpu_fuzz.h"

/* Move @fd to @state; its errno, the data fd in @data (or -1). */
static int fz_mig_set(struct fz_thread *t, int fd, uint32_t state, int *data)
{
	int ret = vgpu_mig_set(fd, state, data);

	if (ret)
		*data = -1;
	if (ret && !fz_err_documented(-ret))
		fz_finding(t, "mig-errno", "migration state %u: undocumented error %s", state,
			   fz_res_name(-ret));
	return -ret;
}

/* Read a random amount of a saving data fd, PRECOPY_INFO now and then. */
static void fz_mig_read(struct fz_thread *t, int data)
{
	struct vfio_precopy_info info = { .argsz = sizeof(info) };
	size_t left = fz_below(t, 4) ? fz_below(t, 3u << 20) : 64;
	ssize_t r;

	while (left) {
		r = read(data, t->scratch, left < FZ_SCRATCH ? left : FZ_SCRATCH);
		if (r < 0 && !fz_err_documented(errno) && errno != ENOMSG)
			fz_finding(t, "mig-read", "data fd read: %s", fz_res_name(errno));
		if (r <= 0)
			break;
		left -= r < (ssize_t)left ? (size_t)r : left;
		if (fz_chance(t, 20) && ioctl(data, VFIO_MIG_GET_PRECOPY_INFO, &info) &&
		    !fz_err_documented(errno))
			fz_finding(t, "mig-precopy", "PRECOPY_INFO: %s", fz_res_name(errno));
	}
}

/* Write garbage, or the stream's magic and garbage after it. */
static void fz_mig_write(struct fz_thread *t, int data)
{
	size_t n = 1 + fz_below(t, 8192);
	ssize_t w;

	fz_fill(t, t->scratch, n);
	if (n >= 8 && fz_chance(t, 50))
		memcpy(t->scratch, "VGPUMIG1", 8);
	w = write(data, t->scratch, n);
	if (w < 0 && !fz_err_documented(errno))
		fz_finding(t, "mig-write", "data fd write: %s", fz_res_name(errno));
}

/* One walk through the migration states of @in. */
void op_migrate(struct fz_thread *t, struct fz_inst *in)
{
	static const uint64_t states[] = {
		VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_STOP_COPY,
		VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_RUNNING_P2P,
		VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY_P2P,
		VFIO_DEVICE_STATE_ERROR, 99,
	};
	unsigned int steps = 1 + fz_below(t, 4), i;
	int fd, data = -1, err;
	uint32_t state;

	if (!in->alive)
		return;
	fd = fz_inst_fd(t, in);
	for (i = 0; i < steps; i++) {
		int fresh;

		state = fz_pick(t, states, ARRAY_SIZE(states));
		err = fz_mig_set(t, fd, state, &fresh);
		if (fresh >= 0) {	/* a new session: the last one's file goes */
			if (data >= 0)
				close(data);
			data = fresh;
		}
		fz_count(t, ST_MIGRATE, err);
		fz_note(t, "migration state %u = %s", state, fz_res_name(err));
		if (data < 0 || fresh < 0)
			continue;
		if (state == VFIO_DEVICE_STATE_RESUMING)
			fz_mig_write(t, data);
		else
			fz_mig_read(t, data);
		if (fz_chance(t, 70)) {
			close(data);
			data = -1;
		}
	}
	if (data >= 0)
		close(data);
	/* back to RUNNING for everybody else; a broken load needs the reset */
	if (fz_mig_set(t, fd, VFIO_DEVICE_STATE_RUNNING, &data) &&
	    (ioctl(fd, VFIO_DEVICE_RESET) || vgpu_mig_get(fd) != VFIO_DEVICE_STATE_RUNNING))
		fz_finding(t, "mig-stuck", "the device does not get back to RUNNING");
	if (data >= 0)
		close(data);
}
