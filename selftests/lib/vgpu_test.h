/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vgpu-display test library (selftests/lib/libvgpu_test.a): what the
 * selftests, the fuzzer and the benchmark share. Instances and types are
 * libvgpu's (qemu-glue/lib/vgpu.h); this adds only what a test needs
 * beyond it. One file per concept:
 *
 *   sysfs.c    sysfs attributes, mdev types and instances of our parent
 *   module.c   the tree's modules, the kernel-log test markers
 *   device.c   an open test instance, region access and information
 *   plane.c    dispi registers, modes, QUERY_GFX_PLANE, GET_GFX_DMABUF
 *   picture.c  test pictures, PNG, PPM and EDID blocks, vgem
 *   clock.c    clocks and deadlines
 *   qemu.c     a QEMU the test runs: its sockets, its command line, its D-Bus display
 *   memory.c   kernel memory figures, guarded word accesses
 *
 * Functions return 0 (or a count) or a negative errno, so that a test
 * states the exact error; vgpu_test_cmd.h wraps the calls in assertions:
 * test_cmd_x(...) asserts success, test_err_x(ERRNO, ...) the failure.
 */
#ifndef VGPU_TEST_H
#define VGPU_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <linux/vfio.h>
#include <linux/vgpu_display.h>

/* VGPU_PLANE_PRIMARY, VGPU_PLANE_CURSOR and struct vgpu come from libvgpu. */
#include "vgpu.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

#define VGPU_MODULE		"vgpu_bochs"
#define VGPU_CORE_MODULE	"vgpu_display"
#define VGPU_PARENT		"vgpu_bochs"
#define VGPU_MDEV_BUS		"/sys/bus/mdev/devices/"
#define VGPU_TYPES_DIR		"/sys/class/mdev_bus/" VGPU_PARENT "/mdev_supported_types/"
#define VGPU_UUID_LEN		36

/* Region file offsets of the device fd, as in vfio-pci. */
#define VGPU_REGION_OFFSET(i)	((uint64_t)(i) << 40)
#define VGPU_EDID_REGION	9

/* ---- sysfs.c: attributes, types and instances ---- */

int vgpu_sysfs_read(const char *path, char *buf, size_t len);
int vgpu_sysfs_write(const char *path, const char *val);
long long vgpu_sysfs_read_ll(const char *path);
bool vgpu_path_exists(const char *path);

void vgpu_uuid_new(char uuid[VGPU_UUID_LEN + 1]);
/*
 * Types of our parent by their short name ("hd" for vgpu_bochs-hd), as
 * libvgpu's vgpu_find_type() reads them: 0 or a negative errno.
 */
int vgpu_type_find(const char *type, struct vgpu_type *t);
long long vgpu_type_available(const char *type);
/* vgpu_create() and vgpu_remove() of libvgpu, for our parent's types. */
int vgpu_mdev_create(const char *type, const char *uuid);
int vgpu_mdev_remove(const char *uuid);
bool vgpu_mdev_exists(const char *uuid);
/* Remove every instance of our parent (tests start from a clean slate). */
int vgpu_mdev_remove_all(void);
/* The instance's IOMMU group number (/dev/vfio/N), or a negative errno. */
int vgpu_mdev_iommu_group(const char *uuid);
/* /sys/bus/mdev/devices/UUID/vgpu_display/@attr, or a negative errno */
long long vgpu_display_stat(const char *uuid, const char *attr);

/*
 * Remove an instance from another thread, for removals that block until
 * the device is released: vgpu_mdev_remove_start(), then
 * vgpu_mdev_remove_finish() returns its result;
 * vgpu_mdev_remove_pending() tells whether it is still waiting.
 */
struct vgpu_remover {
	const char *uuid;
	int ret;	/* 1 while pending; atomic accesses only */
	unsigned long thread;
};

bool vgpu_mdev_remove_pending(struct vgpu_remover *r);
int vgpu_mdev_remove_start(struct vgpu_remover *r, const char *uuid);
int vgpu_mdev_remove_finish(struct vgpu_remover *r);

/* ---- module.c: the tree's modules, test markers ---- */

/*
 * Announce the running test in the kernel log, so that scripts/klog-scan
 * can name the test behind a kernel warning. Call first in FIXTURE_SETUP.
 */
#define VGPU_MARK() vgpu_test_mark(_metadata->fixture->name, _metadata->name)
void vgpu_test_mark(const char *fixture, const char *test);

/*
 * @rel relative to the top of the tree; a .ko under $VGPU_KO_DIR when set.
 * The result is a static buffer, valid until the next call.
 */
const char *vgpu_tree_path(const char *rel);
int vgpu_load_ko(const char *path, const char *params);
/* selftests/importer/vgpu_test_importer.ko, a kernel dma-buf importer */
int vgpu_importer_ensure_loaded(void);
#define VGPU_IMPORTER_DIR	"/sys/kernel/debug/vgpu_test_importer/"
int vgpu_module_load(void);
/* the display core, vgpu_display.ko, which vgpu_bochs.ko needs */
int vgpu_core_ensure_loaded(void);
int vgpu_core_unload(void);
int vgpu_module_load_params(const char *params);
int vgpu_module_unload(void);
bool vgpu_module_loaded(void);
int vgpu_module_ensure_loaded(void);

/* ---- device.c: an open instance, its regions ---- */

/*
 * The tree's modules loaded, every instance of our parent removed, and an
 * instance of @type under a new UUID (written to @uuid): 0 or -errno.
 */
int vgpu_test_create(const char *type, char uuid[VGPU_UUID_LEN + 1]);
/* The same, and opened: the usual fixture setup. 0 or a negative errno. */
int vgpu_test_create_open(const char *type, char uuid[VGPU_UUID_LEN + 1],
			  struct vgpu **vgpu);
/* Close @vgpu (may be NULL) and remove the instance @uuid. */
void vgpu_test_close_remove(struct vgpu *vgpu, const char *uuid);

/* The fields of a fixture on one open instance, for VGPU_DEVICE_SETUP() */
#define VGPU_DEVICE_FIELDS						\
	char uuid[VGPU_UUID_LEN + 1];					\
	struct vgpu *vgpu;						\
	int fd

/*
 * FIXTURE_SETUP body of a test on one open instance of @type; the fixture
 * has the fields uuid, vgpu and fd (VGPU_DEVICE_FIELDS).
 */
#define VGPU_DEVICE_SETUP(type) do {					\
	int __ret;							\
									\
	VGPU_MARK();							\
	__ret = vgpu_test_create_open(type, self->uuid, &self->vgpu);	\
	ASSERT_EQ(0, __ret) TH_LOG("%s", vgpu_strerror(__ret));		\
	self->fd = vgpu_device_fd(self->vgpu);				\
} while (0)

struct vfio_device_info;
struct vfio_region_info;
/* VFIO_DEVICE_GET_INFO with @argsz (zeroed first): 0 or a negative errno. */
int vgpu_device_info(int fd, struct vfio_device_info *info, uint32_t argsz);
/*
 * VFIO_DEVICE_GET_REGION_INFO of @index with @argsz, into @info (@argsz
 * bytes, zeroed first): 0 or a negative errno.
 */
int vgpu_region_info(int fd, unsigned int index, void *info, uint32_t argsz);
/* The file offset of region @index (and its size, if @size): or -errno. */
long long vgpu_region_offset(int fd, unsigned int index, uint64_t *size);

/* pread/pwrite of region @index at @off: bytes done or a negative errno. */
long vgpu_region_read(int fd, unsigned int index, uint64_t off, void *buf,
		      size_t len);
long vgpu_region_write(int fd, unsigned int index, uint64_t off,
		       const void *buf, size_t len);

/* Register eventfd @efd (-1: none) as the REQ interrupt of device fd @fd. */
int vgpu_set_req_eventfd(int fd, int32_t efd);

/*
 * mmap(MAP_SHARED) on a 2 MiB boundary, so that the kernel can map whole
 * 2 MiB pieces with one PMD (neither the VFIO nor the dma-buf file picks
 * aligned addresses). It first tries, in one call, the address it last
 * returned in this thread, which a caller mapping one frame at a time has
 * unmapped again. MAP_FAILED with errno set on failure.
 */
void *vgpu_mmap_aligned(size_t len, int prot, int fd, off_t off);

/* ---- plane.c: the guest's registers, QUERY and GET ---- */

/* BAR2 dispi register access as a guest driver does it (16-bit). */
int vgpu_dispi_read(int fd, unsigned int index, uint16_t *val);
int vgpu_dispi_write(int fd, unsigned int index, uint16_t val);

/*
 * Program a mode the way bochs-drm does: display off, bpp, size, virtual
 * width/height, offsets, display on (with the linear framebuffer).
 */
int vgpu_set_mode(int fd, unsigned int w, unsigned int h, unsigned int bpp,
		  unsigned int virt_w, unsigned int x_off, unsigned int y_off);
/*
 * The same for a device whose BAR2 starts at file offset @bar2, such as
 * the mbochs sample (its regions do not follow the vfio-pci layout).
 */
int vgpu_dispi_write_at(int fd, uint64_t bar2, unsigned int index, uint16_t val);
int vgpu_set_mode_at(int fd, uint64_t bar2, unsigned int w, unsigned int h,
		     unsigned int bpp, unsigned int virt_w, unsigned int x_off,
		     unsigned int y_off);
int vgpu_set_offset(int fd, unsigned int x_off, unsigned int y_off);
int vgpu_display_off(int fd);

struct vfio_device_gfx_plane_info;
/* QUERY_GFX_PLANE(DMABUF) as QEMU does it (argsz 64, zeroed struct). */
int vgpu_test_query(int fd, unsigned int plane_type,
		    struct vfio_device_gfx_plane_info *info);
/* QUERY_GFX_PLANE(REGION) of @plane_type (QEMU 7.2 passes 0). */
int vgpu_rquery(int fd, unsigned int plane_type,
		struct vfio_device_gfx_plane_info *info);
/* QUERY_GFX_PLANE(PROBE | @kind). */
int vgpu_probe(int fd, uint32_t kind);
/* QUERY_GFX_PLANE with these fields; the rest of @info is left as it is. */
int vgpu_query_raw(int fd, uint32_t argsz, uint32_t flags, uint32_t type,
		   struct vfio_device_gfx_plane_info *info);
/*
 * QUERY_GFX_PLANE(@kind) of @type with the damage extension
 * (<linux/vgpu_display.h>) asking since @token, with room for every page
 * of the largest type: 0 or a negative errno.
 */
#define VGPU_DQ_WORDS	1024
struct vgpu_dq {
	struct vfio_device_gfx_plane_info info;
	struct vgpu_gfx_damage dmg;
	uint64_t bitmap[VGPU_DQ_WORDS];
};

int vgpu_damage_query(int fd, uint32_t kind, unsigned int type, uint64_t token,
		      struct vgpu_dq *q);
/* Bit @i of a damage answer's bitmap. */
bool vgpu_dq_bit(const struct vgpu_dq *q, unsigned int i);

/* GET_GFX_DMABUF: a new fd or a negative errno. */
int vgpu_get_dmabuf(int fd, uint32_t id);
/* The generation QUERY stored at offset 60. */
uint32_t vgpu_generation(const struct vfio_device_gfx_plane_info *info);

/* ---- picture.c: test pictures, PNG, PPM, EDID, vgem ---- */

/* Fill @buf of @len bytes with pattern @seed: every 32-bit word differs. */
void vgpu_fill(void *buf, size_t len, uint32_t seed);
/*
 * Pattern @seed (vgpu_fill()) of @size bytes written into video memory at
 * @offset, as a guest draws: the malloc()ed pattern, or NULL on failure.
 */
uint32_t *vgpu_draw_fill(int fd, uint64_t offset, size_t size, uint32_t seed);
/* A test picture: XRGB8888 pixel (@x, @y) of picture @seed. */
uint32_t vgpu_test_pixel(unsigned int seed, unsigned int x, unsigned int y);
/* Draw picture @seed into video memory at @offset, as a guest would. */
int vgpu_test_draw(int fd, uint64_t offset, unsigned int w, unsigned int h,
		   unsigned int stride, unsigned int seed);
/* Pixels of 8-bit RGB @rgb (@w x @h) that are not picture @seed. */
long vgpu_rgb_mismatches(const uint8_t *rgb, unsigned int w, unsigned int h,
			 unsigned int seed);
/*
 * Pixels of the @w x @h XRGB8888 picture @px that are not phase @phase of
 * e2e/pattern.h (what the end-to-end guests draw), -ERANGE for another
 * size; the first few wrong ones are described in @why (@len bytes).
 */
long vgpu_e2e_mismatches(const uint32_t *px, unsigned int w, unsigned int h,
			 unsigned int phase, char *why, size_t len);
/* Read a PNG as 8-bit RGB or RGBA (@channels); malloc()ed, or NULL. */
uint8_t *vgpu_png_load(const char *path, unsigned int *w, unsigned int *h,
		       unsigned int *channels);
/* Read a PPM (P6, 8 bit: QEMU's screendump) as XRGB8888; malloc()ed, or NULL. */
uint32_t *vgpu_ppm_load(const char *path, unsigned int *w, unsigned int *h);
/* Write XRGB8888 @px (@w x @h) as a PPM (P6): 0, or a negative errno. */
int vgpu_ppm_write(const char *path, const uint32_t *px, unsigned int w,
		   unsigned int h);
/* Fill @buf with the 128-byte EDID block of a @w x @h monitor. */
void vgpu_make_edid(uint8_t buf[128], unsigned int w, unsigned int h);
/* Open vgem's DRM node (render node first), saying which in @path; or -1. */
int vgpu_vgem_open(char path[64]);

/* ---- run.c ---- */

/*
 * Run the shell command line @fmt..., its stdout and stderr collected in
 * @out (@len bytes, NUL-terminated). Return: its exit status, or -1 if it
 * did not exit.
 */
int vgpu_run(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- clock.c ---- */

/* CLOCK_MONOTONIC in nanoseconds, milliseconds and seconds */
uint64_t vgpu_clock_ns(clockid_t clock);
double vgpu_now_ns(void);
int64_t vgpu_now_ms(void);
double vgpu_now_s(void);
/* CLOCK_REALTIME @seconds from now, for pthread_timedjoin_np() and kin. */
struct timespec vgpu_realtime_in(unsigned int seconds);

/* ---- qemu.c ---- */

/* Connect to the unix socket @path, retrying for @timeout s: an fd. */
int vgpu_unix_connect(const char *path, double timeout);
/* Read @fd until @text went by: 0, -ETIMEDOUT or -EPIPE (closed). */
int vgpu_read_until(int fd, const char *text, double timeout);
/* Send the HMP command @cmd (no newline) and wait for the next prompt. */
int vgpu_hmp(int mon, const char *cmd, double timeout);
/*
 * The same, its reply (the echoed command, then what it printed) into
 * @buf, NUL-terminated: 0, -E2BIG (longer than @len - 1), -ETIMEDOUT.
 */
int vgpu_hmp_reply(int mon, const char *cmd, char *buf, size_t len, double timeout);
/*
 * Run @argv[0] with @argv; its standard output, NUL-terminated, in @buf:
 * its length, or a negative errno (-EPROTO: it failed; -E2BIG: too long).
 */
int vgpu_argv_output(char *const *argv, char *buf, size_t len);
/* The QEMU 10.0 scripts/qemu10.sh unpacked: $VGPU_QEMU10 or in the cache */
const char *vgpu_qemu10_path(void);
/* Mesa's software renderer: QEMU's OpenGL in the test VM, over vgem */
#define VGPU_MESA_SWRAST	"/usr/lib/x86_64-linux-gnu/dri/kms_swrast_dri.so"
/*
 * Why QEMU cannot show dma-bufs here (no vgem node, no Mesa software
 * renderer), for a SKIP; NULL when it can.
 */
const char *vgpu_qemu_gl_missing(void);
/*
 * Split the @len bytes of @buf, NUL-terminated strings (vgpu-qemu -0),
 * into @argv (at most @max - 1 of them, then NULL): the count.
 */
int vgpu_split_nul(char *buf, size_t len, char **argv, unsigned int max);

/*
 * e2e/dbus_grab.py, a listener of QEMU 10.0's D-Bus display (-display
 * dbus,p2p=yes,gl=on), attached through QEMU's QMP socket: the dma-buf
 * QEMU shows, as PPM files.
 */
struct vgpu_dbus_grab {
	pid_t pid;
	int in;			/* its standard input: one file name a line */
	int out;		/* its standard output: one answer a line */
	char reply[256];	/* its last answer ("ok dmabuf W H" or why not) */
};

/*
 * Start it on @qmp, each picture waited for up to @timeout s, and wait
 * up to @ready s for it to be attached: 0 or a negative errno.
 */
int vgpu_dbus_grab_start(struct vgpu_dbus_grab *g, const char *qmp, double timeout,
			 double ready);
/*
 * The picture after QEMU's next update, into the PPM file @ppm: 0, -EIO
 * (@g->reply says why: before a dma-buf scanout, "a plain surface"),
 * -ETIMEDOUT or -EPIPE.
 */
int vgpu_dbus_grab(struct vgpu_dbus_grab *g, const char *ppm);
/* End it (the end of its input), if it runs. */
void vgpu_dbus_grab_stop(struct vgpu_dbus_grab *g);

/* ---- memory.c ---- */

/*
 * Kernel memory in KiB: SUnreclaim + PageTables + KernelStack +
 * VmallocUsed, after dropping caches and shrinking the slab caches (and so
 * KASAN's quarantine), so that freed memory does not count. Reclaimable
 * slab (dentry and inode caches) is left out: no driver object lives there,
 * and the tests' own file accesses move it by hundreds of KiB.
 */
long long vgpu_kernel_mem_kb(void);
/* The sum of the /proc/meminfo lines @keys (e.g. "MemAvailable:"), KiB */
long long vgpu_meminfo_kb(const char *const *keys, unsigned int n);
/*
 * Read the word at @p (and with @write store it back, changed and then
 * restored): 0, or the signal (SIGBUS, SIGSEGV) the access raised.
 */
int vgpu_touch32(uint32_t *p, bool write, uint32_t *seen);

/* ---- migration.c: VFIO migration v2 of a device fd ---- */

/* Move device fd @fd to migration state @state; its data fd, if any, to @data_fd. */
int vgpu_mig_set(int fd, uint32_t state, int *data_fd);
/* The migration state of @fd, or ~0 on failure. */
uint32_t vgpu_mig_get(int fd);
/*
 * Read a saving data fd to its end (EOF, or ENOMSG in PRE_COPY): the
 * malloc()ed bytes, their count in @len; NULL on another error.
 */
uint8_t *vgpu_mig_read_all(int data_fd, size_t *len);
/*
 * Append what vgpu_mig_read_all() reads now to the malloc()ed @buf of
 * @len bytes (both updated): 0, -EIO or -ENOMEM.
 */
int vgpu_mig_read_more(int data_fd, uint8_t **buf, size_t *len);
/* Write @len bytes to a resuming data fd, @chunk at a time: 0 or -errno. */
int vgpu_mig_write_all(int data_fd, const uint8_t *buf, size_t len, size_t chunk);
/* VFIO_DEVICE_FEATURE_MIGRATION's flags of @fd, or 0 (PRE_COPY: Linux 6.2). */
uint64_t vgpu_mig_flags(int fd);

/* ---- fault.c: fault injection (fail-nth), on kernels that have it ---- */

#define VGPU_FAULT_KNOBS	7
/* The debugfs knobs vgpu_fault_setup() set, as they were before. */
struct vgpu_fault_state {
	char saved[VGPU_FAULT_KNOBS][16];
};

/* fail-nth, failslab and fail_page_alloc are there. */
bool vgpu_fault_available(void);
/*
 * Make failslab, fail_page_alloc and fail_usercopy fail every kind of
 * allocation and copy, quietly, and never under the VFIO core's
 * vfio_create_group() (an upstream bug); vgpu_fault_teardown() undoes it.
 */
void vgpu_fault_setup(struct vgpu_fault_state *st);
void vgpu_fault_teardown(const struct vgpu_fault_state *st);
/* Fail the @nth injection point of this thread from now on; 0 disarms. */
int vgpu_fault_arm(unsigned int nth);
/* Disarm; true if the armed failure was injected (the counter ran out). */
bool vgpu_fault_disarm(void);

#include "vgpu_test_cmd.h"

#endif /* VGPU_TEST_H */
