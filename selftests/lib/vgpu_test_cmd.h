/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Assertions around the calls of the test library, in the manner of the
 * kernel's iommufd selftests: a test states what a call must do.
 *
 *   test_cmd_x(args)         x must succeed (ASSERT: the test stops)
 *   test_err_x(ERRNO, args)  x must fail with exactly ERRNO (EXPECT: the
 *                            test goes on and reports every mismatch)
 *
 * for example test_cmd_query(fd, VGPU_PLANE_PRIMARY, &info) and
 * test_err_query(EINVAL, fd, 3, &info). The plain test_cmd(expr) and
 * test_err(ERRNO, expr) take any expression that gives 0 or a negative
 * errno; test_cmd_ioctl() and test_err_ioctl() any ioctl, and
 * test_err(EAGAIN, vgpu_ret(read(fd, buf, len))) any system call. A failure names
 * the call and both errors. Usable wherever _metadata is in scope (a test
 * body, a fixture, a helper taking struct __test_metadata *_metadata);
 * the fuzzer and the benchmark use the functions alone.
 */
#ifndef VGPU_TEST_CMD_H
#define VGPU_TEST_CMD_H

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

/* A system call's result as the library answers: @ret, or -errno. */
static inline long vgpu_ret(long ret)
{
	return ret < 0 ? -errno : ret;
}

static inline const char *vgpu_test_strerr(long ret)
{
	return ret > 0 ? "a positive result" : ret ? strerror((int)-ret) : "success";
}

/* @_expr (0 or a negative errno) must give 0. */
#define test_cmd(_expr) ({						\
	long __tc_ret = (_expr);					\
	ASSERT_EQ(0, __tc_ret)						\
		TH_LOG("%s: %s", #_expr, vgpu_test_strerr(__tc_ret));	\
	__tc_ret;							\
})

/* @_expr (0, a count or a negative errno) must fail with @_errno. */
#define test_err(_errno, _expr) ({					\
	int __te_errno = (_errno);					\
	long __te_ret = (_expr);					\
									\
	EXPECT_EQ(-(long)__te_errno, __te_ret)				\
		TH_LOG("%s: %s, expected %s", #_expr,			\
		       vgpu_test_strerr(__te_ret), strerror(__te_errno));	\
	__te_ret;							\
})

/* @_expr (a count or a negative errno) must give exactly @_n. */
#define test_cmd_n(_n, _expr) ({					\
	long __tn_ret = (_expr);					\
	ASSERT_EQ((long)(_n), __tn_ret)					\
		TH_LOG("%s: %ld, %s", #_expr, __tn_ret,			\
		       __tn_ret < 0 ? strerror((int)-__tn_ret) : "short");	\
	__tn_ret;							\
})

#define test_cmd_ioctl(fd, request, arg)				\
	test_cmd(vgpu_ret(ioctl(fd, request, arg)))
#define test_err_ioctl(_errno, fd, request, arg)			\
	test_err(_errno, vgpu_ret(ioctl(fd, request, arg)))

/* instances of our parent's types (sysfs.c) */
#define test_cmd_create(type, uuid)	test_cmd(vgpu_mdev_create(type, uuid))
#define test_err_create(_errno, type, uuid)				\
	test_err(_errno, vgpu_mdev_create(type, uuid))
#define test_cmd_remove(uuid)		test_cmd(vgpu_mdev_remove(uuid))
#define test_err_remove(_errno, uuid)	test_err(_errno, vgpu_mdev_remove(uuid))

/* device information (device.c) */
#define test_cmd_device_info(fd, info, argsz)				\
	test_cmd(vgpu_device_info(fd, info, argsz))
#define test_err_device_info(_errno, fd, info, argsz)			\
	test_err(_errno, vgpu_device_info(fd, info, argsz))
#define test_cmd_region_info(fd, index, info, argsz)			\
	test_cmd(vgpu_region_info(fd, index, info, argsz))
#define test_err_region_info(_errno, fd, index, info, argsz)		\
	test_err(_errno, vgpu_region_info(fd, index, info, argsz))
#define test_cmd_set_irqs(fd, set)					\
	test_cmd_ioctl(fd, VFIO_DEVICE_SET_IRQS, set)
#define test_err_set_irqs(_errno, fd, set)				\
	test_err_ioctl(_errno, fd, VFIO_DEVICE_SET_IRQS, set)
#define test_cmd_reset(fd)	test_cmd_ioctl(fd, VFIO_DEVICE_RESET, NULL)

/* region accesses: the whole length, or the error (device.c) */
#define test_cmd_region_read(fd, index, off, buf, len) ({		\
	size_t __tr_len = (len);					\
									\
	test_cmd_n(__tr_len, vgpu_region_read(fd, index, off, buf, __tr_len)); \
})
#define test_err_region_read(_errno, fd, index, off, buf, len)		\
	test_err(_errno, vgpu_region_read(fd, index, off, buf, len))
#define test_cmd_region_write(fd, index, off, buf, len) ({		\
	size_t __tw_len = (len);					\
									\
	test_cmd_n(__tw_len, vgpu_region_write(fd, index, off, buf, __tw_len)); \
})
#define test_err_region_write(_errno, fd, index, off, buf, len)	\
	test_err(_errno, vgpu_region_write(fd, index, off, buf, len))

/* the guest's registers (plane.c) */
#define test_cmd_dispi_write(fd, index, val)				\
	test_cmd(vgpu_dispi_write(fd, index, val))
#define test_cmd_dispi_read(fd, index, val)				\
	test_cmd(vgpu_dispi_read(fd, index, val))
#define test_cmd_set_mode(fd, w, h, bpp, virt_w, x_off, y_off)		\
	test_cmd(vgpu_set_mode(fd, w, h, bpp, virt_w, x_off, y_off))
#define test_cmd_set_offset(fd, x_off, y_off)				\
	test_cmd(vgpu_set_offset(fd, x_off, y_off))

/* QUERY_GFX_PLANE (plane.c) */
#define test_cmd_query(fd, type, info)	test_cmd(vgpu_test_query(fd, type, info))
#define test_err_query(_errno, fd, type, info)				\
	test_err(_errno, vgpu_test_query(fd, type, info))
#define test_cmd_rquery(fd, type, info)	test_cmd(vgpu_rquery(fd, type, info))
#define test_err_rquery(_errno, fd, type, info)				\
	test_err(_errno, vgpu_rquery(fd, type, info))
#define test_cmd_probe(fd, kind)	test_cmd(vgpu_probe(fd, kind))
#define test_err_probe(_errno, fd, kind) test_err(_errno, vgpu_probe(fd, kind))
#define test_cmd_query_raw(fd, argsz, flags, type, info)		\
	test_cmd(vgpu_query_raw(fd, argsz, flags, type, info))
#define test_err_query_raw(_errno, fd, argsz, flags, type, info)	\
	test_err(_errno, vgpu_query_raw(fd, argsz, flags, type, info))

/* GET_GFX_DMABUF: test_cmd_get_dmabuf() gives the new dma-buf fd. */
#define test_cmd_get_dmabuf(fd, id) ({					\
	uint32_t __tg_id = (id);					\
	int __tg_fd = vgpu_get_dmabuf(fd, __tg_id);			\
									\
	ASSERT_LE(0, __tg_fd) TH_LOG("GET_GFX_DMABUF(%u): %s", __tg_id,	\
				     strerror(-__tg_fd));		\
	__tg_fd;							\
})
#define test_err_get_dmabuf(_errno, fd, id)				\
	test_err(_errno, vgpu_get_dmabuf(fd, id))

/* mmap(): test_cmd_mmap() gives the mapping; a wrong success is unmapped. */
#define test_cmd_mmap(len, prot, flags, fd, off) ({			\
	void *__tm_p = mmap(NULL, len, prot, flags, fd, off);		\
	ASSERT_NE(MAP_FAILED, __tm_p) TH_LOG("mmap(%s, %s): %s", #len,	\
					     #off, strerror(errno));	\
	__tm_p;								\
})
#define test_err_mmap(_errno, len, prot, flags, fd, off) ({		\
	int __tm_want = (_errno), __tm_err = 0;				\
	size_t __tm_len = (len);					\
	void *__tm_p = mmap(NULL, __tm_len, prot, flags, fd, off);	\
									\
	if (__tm_p == MAP_FAILED)					\
		__tm_err = errno;					\
	else								\
		munmap(__tm_p, __tm_len);				\
	EXPECT_EQ(__tm_want, __tm_err) TH_LOG("mmap(%s, %s): %s, expected %s", \
					      #len, #off,		\
					      vgpu_test_strerr(-__tm_err), \
					      strerror(__tm_want));	\
})

#endif /* VGPU_TEST_CMD_H */
