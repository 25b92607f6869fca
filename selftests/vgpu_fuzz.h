/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgpu_fuzz - a seeded, multi-threaded fuzzer of every input of the
 * vgpu_bochs device (Documentation/testing.rst): declarations shared by
 * the vgpu_fuzz*.c files.
 *
 * Worker threads share the instances (one per type asked for) and run
 * randomly chosen operations on them: region accesses, guest register
 * sequences, ioctls, mappings, dma-bufs, sysfs, reopen and removal. Each
 * thread draws from its own PRNG, derived from the seed and its index.
 * Every answer is checked; a violated invariant is a finding, reported
 * with the seed and the thread's last operations.
 */
#ifndef VGPU_FUZZ_H
#define VGPU_FUZZ_H

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgpu_test.h"

#define FZ_MAX_THREADS	32
#define FZ_MAX_INST	8
#define FZ_DEV_FDS	3	/* device fds of one instance, one group */
#define FZ_MAPS		12	/* live mappings per thread */
#define FZ_BUFS		6	/* live dma-bufs per thread */
#define FZ_RING		32	/* operations remembered per thread */
#define FZ_LINE		256
#define FZ_PAGE		4096u
#define FZ_SCRATCH	(4u << 20)	/* per-thread buffer before a guard page */
#define FZ_LOW_BASE	0x10000ul	/* MAP_FIXED mappings at low addresses */
#define FZ_LOW_SIZE	(32ul << 20)
#define FZ_MIB		(1024ull * 1024)
#define FZ_USER_END	0x7ffffffff000ull	/* x86-64 TASK_SIZE */

/* Histogram columns: 0 success, an errno, or a signal on a touch. */
#define FZ_ERRNO_MAX	134
#define FZ_SIGBUS	(FZ_ERRNO_MAX + 1)
#define FZ_SIGSEGV	(FZ_ERRNO_MAX + 2)
#define FZ_NRES		(FZ_ERRNO_MAX + 3)

#define FZ_EDID_REGS	24	/* struct vfio_region_gfx_edid */
#define FZ_EDID_SIZE_REG 8	/* its edid_size */
#define FZ_EDID_LINK	20	/* its link_state */
#define FZ_EDID_BLOB	0x400
#define FZ_EDID_SIZE	0x800
#define FZ_CFG_SIZE	256
#define FZ_MMIO_SIZE	0x1000
#define FZ_PLANE_REGION	(VGPU_EDID_REGION + 1)
#define FZ_REGION_SHIFT	40	/* region index in the file offset */

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

/* Rows of the histogram: one count per system call of that kind. */
enum fz_stat {
	ST_PREAD, ST_PWRITE, ST_PREADV, ST_PWRITEV, ST_REG_WRITE, ST_REG_READ,
	ST_EDID, ST_QUERY, ST_GET_DMABUF, ST_GET_INFO, ST_REGION_INFO,
	ST_IRQ_INFO, ST_SET_IRQS, ST_RESET, ST_IOCTL_ANY, ST_MMAP, ST_MMAP_LOW,
	ST_TOUCH, ST_MUNMAP, ST_MREMAP, ST_MPROTECT, ST_FORK_TOUCH,
	ST_DMABUF_MMAP, ST_DMABUF_SYNC, ST_DMABUF_LSEEK, ST_DMABUF_IO,
	ST_DMABUF_NAME, ST_DMABUF_IMPORT, ST_DMABUF_CLOSE, ST_SYSFS,
	ST_CREATE_BAD, ST_FD_CYCLE, ST_REOPEN, ST_REMOVE, ST_GEN_CHECK,
	ST_COHERENCE, ST_DAMAGE, ST_MIGRATE, ST_NR
};

enum fz_map_kind { FZ_MAP_BAR0, FZ_MAP_PLANE, FZ_MAP_DMABUF };

/* How the user buffer of a call is placed (struct fz_buf). */
enum fz_buf_kind { FZ_BUF_NORMAL, FZ_BUF_END, FZ_BUF_GUARD, FZ_BUF_MAP, FZ_BUF_BOGUS };

struct fz_inst;

/**
 * struct fz_map - a live mapping of a thread
 * @addr: start; NULL for a free slot
 * @len: bytes
 * @inst: the device it maps, or the device its dma-buf came from; its
 *	lock is held (for reading) while the mapping is touched
 * @kind: enum fz_map_kind
 * @prot: PROT_* it was mapped with
 * @off: offset of @addr in the region or dma-buf
 *
 * Device mappings (BAR0, plane) are dropped by whoever closes the device,
 * with the instance's lock held for writing; dma-buf mappings live until
 * their thread drops them.
 */
struct fz_map {
	uint8_t *addr;
	size_t len;
	struct fz_inst *inst;
	int kind;
	int prot;
	uint64_t off;
};

/**
 * struct fz_dmabuf - a dma-buf a thread holds
 * @fd: the dma-buf, or -1
 * @size: the plane size QUERY reported for @id
 * @id: the dmabuf_id it was got for
 * @inst: the device it came from (which may be gone since)
 */
struct fz_dmabuf {
	int fd;
	uint64_t size;
	uint32_t id;
	struct fz_inst *inst;
};

/**
 * struct fz_buf - a user buffer handed to the kernel
 * @p: the pointer passed
 * @valid: bytes at @p known to be accessible
 * @room: bytes at @p the kernel may write without reaching memory of ours
 *	outside the buffer (the guard page stops it otherwise)
 * @kind: enum fz_buf_kind
 * @exact: no byte past @valid is accessible (a guard page follows)
 * @racy: other threads may change the contents (device memory): only
 *	answers that do not depend on them are checked
 * @desc: what it is, for the operation log
 */
struct fz_buf {
	uint8_t *p;
	size_t valid;
	size_t room;
	int kind;
	int exact;
	int racy;
	char desc[40];
};

/* A set of errno values (below 128). */
struct fz_eset {
	uint64_t w[2];
};

/**
 * struct fz_inst - one mdev instance, shared by the threads
 * @idx: index in &struct fz.inst
 * @type: its mdev type ("hd", ...)
 * @lock: held for reading by every operation on the device and for
 *	writing to close, reopen, remove it, or to check it alone; the
 *	fields below change only with it held for writing
 * @alive: the instance exists and is open
 * @uuid: its UUID
 * @container: /dev/vfio/vfio
 * @group: its group
 * @fds: device fds (@nfds of them)
 * @nfds: see @fds
 * @efd: eventfd registered as the device request (REQ) interrupt
 * @epoch: counts open sessions and instances of this slot
 * @stale_id: a dmabuf_id of an earlier session of this instance, or 0
 * @region: a region-display type (else dma-buf)
 * @vram: video memory bytes (BAR0 size)
 * @region_size: bytes of each plane region (region types)
 * @num_regions: GET_INFO's num_regions
 * @max_w: largest width (dispi GETCAPS)
 * @max_h: largest height
 * @removals: removals done
 * @reopens: full close/reopen cycles done
 */
struct fz_inst {
	unsigned int idx;
	char type[32];
	pthread_rwlock_t lock;
	int alive;
	char uuid[VGPU_UUID_LEN + 1];
	int container;
	int group;
	int fds[FZ_DEV_FDS];
	int nfds;
	int efd;
	unsigned int epoch;
	uint32_t stale_id;
	int region;
	uint64_t vram;
	uint64_t region_size;
	unsigned int num_regions;
	unsigned int max_w;
	unsigned int max_h;
	unsigned int removals;
	unsigned int reopens;
};

struct fz;

#define FZ_SEEN		16

/**
 * struct fz_seen - a layout a dmabuf_id was reported with
 * @inst: the device
 * @epoch: its &fz_inst.epoch then (ids are per open session)
 * @id: the dmabuf_id
 * @f: format, width, height, stride, size, x_hot, y_hot
 */
struct fz_seen {
	const struct fz_inst *inst;
	unsigned int epoch;
	uint32_t id;
	uint32_t f[7];
};

/**
 * struct fz_thread - one worker
 * @fz: the run
 * @id: index, 0-based
 * @tid: kernel thread id (for /proc/self/task/TID/stack on a hang)
 * @thread: the pthread
 * @rng: PRNG state
 * @ops_target: operations to do, 0 for "until told to stop"
 * @ops: operations done (atomic)
 * @busy_since: start (ms) of the operation in progress, 0 between them (atomic)
 * @done: finished (atomic)
 * @ring_pos: next slot of @ring
 * @ring: the last operations, with their results
 * @hist: results per kind of call
 * @jmp: where a signal on a guarded access returns to
 * @armed: a guarded access is in progress (atomic)
 * @sig: the signal that ended it
 * @sink: values read, so that reads are not optimised away
 * @scratch: FZ_SCRATCH bytes followed by a PROT_NONE page
 * @arena: a page for ioctl structs followed by a PROT_NONE page
 * @maps_lock: protects @maps against device closes by other threads
 * @maps: live mappings
 * @bufs: live dma-bufs
 * @last_id: last dmabuf_id QUERY reported, per instance
 * @damage_token: last damage token QUERY reported, per instance
 * @seen: dmabuf_ids and what they named, most recent ones
 * @seen_pos: next slot of @seen
 */
struct fz_thread {
	struct fz *fz;
	unsigned int id;
	int tid;
	pthread_t thread;
	uint64_t rng;
	uint64_t ops_target;
	uint64_t ops;
	int64_t busy_since;
	int done;
	unsigned int ring_pos;
	char ring[FZ_RING][FZ_LINE];
	uint64_t hist[ST_NR][FZ_NRES];
	sigjmp_buf jmp;
	int armed;
	int sig;
	uint64_t sink;
	uint8_t *scratch;
	uint8_t *arena;
	pthread_mutex_t maps_lock;
	struct fz_map maps[FZ_MAPS];
	struct fz_dmabuf bufs[FZ_BUFS];
	uint32_t last_id[FZ_MAX_INST];
	uint64_t damage_token[FZ_MAX_INST];
	struct fz_seen seen[FZ_SEEN];
	unsigned int seen_pos;
};

/**
 * struct fz_opts - the command line
 * @ops: operations in total (0: use @duration)
 * @seed: the seed
 * @threads: worker threads
 * @duration: seconds to run, 0: use @ops
 * @hang_timeout: seconds an operation may take before it is a finding
 * @verbose: -v count
 * @no_fork: run without the supervising parent process
 * @no_unload: leave the modules loaded at the end
 * @mem_slack_kb: allowed growth of kernel memory over the run
 * @skip: bit mask of operations (table index) not to run
 * @skip_list: --skip as given, for the reproducing command line
 * @types: comma-separated mdev types, one instance each
 */
struct fz_opts {
	uint64_t ops;
	uint64_t seed;
	unsigned int threads;
	unsigned int duration;
	unsigned int hang_timeout;
	unsigned int verbose;
	int no_fork;
	int no_unload;
	long long mem_slack_kb;
	uint64_t skip;
	char skip_list[256];
	char types[256];
};

#define FZ_MAX_KINDS	64

/**
 * struct fz - one fuzzing run
 * @opt: options
 * @inst: the instances
 * @ninst: how many
 * @threads: the workers
 * @stop: workers stop at their next operation (atomic)
 * @status_fd: pipe to the supervising parent, or -1
 * @kmsg_fd: /dev/kmsg, read from the start of the run, or -1
 * @vgem_fd: vgem's DRM node for dma-buf imports, or -1
 * @low: the reserved low-address area, or NULL
 * @low_lock: serialises MAP_FIXED use of @low
 * @fork_lock: held for reading across a fork_touch child's life, for
 *	writing while a device is closed to be opened or removed again (the
 *	child's copies of the fds and mappings would keep it open)
 * @print_lock: serialises reports
 * @findings: findings so far (atomic)
 * @kinds: distinct findings, by key, with counts
 * @nkinds: see @kinds
 * @start_ms: when the workers started
 * @mem_base_kb: kernel memory before the instances were created
 */
struct fz {
	struct fz_opts opt;
	struct fz_inst inst[FZ_MAX_INST];
	unsigned int ninst;
	struct fz_thread *threads;
	int stop;
	int status_fd;
	int kmsg_fd;
	int vgem_fd;
	uint8_t *low;
	pthread_mutex_t low_lock;
	pthread_rwlock_t fork_lock;
	pthread_mutex_t print_lock;
	unsigned int findings;
	struct {
		char key[40];
		unsigned int count;
	} kinds[FZ_MAX_KINDS];
	unsigned int nkinds;
	int64_t start_ms;
	long long mem_base_kb;
};

/* ------------------------------------------------------------------ */
/* vgpu_fuzz_core.c: PRNG helpers, values, log, findings, buffers */

/* The run, for findings of the main thread (set once by main()). */
extern struct fz *fz_main;

static inline uint64_t fz_splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* xorshift64*: the thread's next random number */
static inline uint64_t fz_rand(struct fz_thread *t)
{
	uint64_t x = t->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static inline uint64_t fz_below(struct fz_thread *t, uint64_t n)
{
	return n ? fz_rand(t) % n : 0;
}

static inline bool fz_chance(struct fz_thread *t, unsigned int percent)
{
	return fz_below(t, 100) < percent;
}

/* errno of a failed call returning @ret, 0 for success */
static inline int fz_errno(long ret)
{
	return ret < 0 ? errno : 0;
}

uint64_t fz_pick(struct fz_thread *t, const uint64_t *vals, size_t n);
uint64_t fz_size(struct fz_thread *t);
uint64_t fz_offset(struct fz_thread *t, uint64_t size, const uint64_t *hot,
		   size_t nhot);
uint32_t fz_u32(struct fz_thread *t);
uint16_t fz_u16(struct fz_thread *t);
void fz_fill(struct fz_thread *t, void *buf, size_t len);

const char *fz_stat_name(unsigned int st);
const char *fz_res_name(int res);
void fz_count(struct fz_thread *t, enum fz_stat st, int res);
void fz_begin(struct fz_thread *t, const char *op, const char *fmt, ...) __printf(3, 4);
void fz_note(struct fz_thread *t, const char *fmt, ...) __printf(2, 3);
void fz_end(struct fz_thread *t);
void fz_finding(struct fz_thread *t, const char *key, const char *fmt, ...) __printf(3, 4);
void fz_print_ring(struct fz_thread *t, unsigned int lines);
void fz_log(struct fz *fz, unsigned int level, const char *fmt, ...) __printf(3, 4);

struct fz_eset fz_errs(int first, ...);
bool fz_eset_has(const struct fz_eset *s, int err);
bool fz_err_documented(int err);

int fz_buf_pick(struct fz_thread *t, struct fz_inst *in, size_t len, int dev_writes,
		struct fz_buf *b);
int fz_map_buf(struct fz_thread *t, struct fz_inst *in, int dev_writes, struct fz_buf *b);
void fz_arg_pick(struct fz_thread *t, struct fz_inst *in, size_t len, struct fz_buf *b);
int fz_guarded_copy(struct fz_thread *t, void *dst, const void *src, size_t n);
int fz_guarded_touch(struct fz_thread *t, uint8_t *p, unsigned int width, int write);
void fz_signals_init(void);
void fz_thread_bind(struct fz_thread *t);

int fz_kmsg_open(void);
unsigned int fz_kmsg_scan(struct fz *fz);

/* ------------------------------------------------------------------ */
/* vgpu_fuzz_run.c: setting up, tearing down and the final checks */

int fz_setup(struct fz *fz);
void fz_finish(struct fz *fz);
void fz_summary(struct fz *fz);

/* ------------------------------------------------------------------ */
/* vgpu_fuzz_inst.c: instances */

int fz_inst_setup(struct fz *fz, struct fz_inst *in, const char *type, uint64_t *rng);
void fz_inst_teardown(struct fz *fz, struct fz_inst *in);
int fz_inst_fd(struct fz_thread *t, struct fz_inst *in);
void fz_inst_drop_maps(struct fz *fz, struct fz_inst *in);
void op_fd_cycle(struct fz_thread *t, struct fz_inst *in);
void op_reopen(struct fz_thread *t, struct fz_inst *in);
void op_remove(struct fz_thread *t, struct fz_inst *in);
void op_sysfs(struct fz_thread *t, struct fz_inst *in);
void op_create_bad(struct fz_thread *t, struct fz_inst *in);
long long fz_stat_read(struct fz_inst *in, const char *attr);

/* ------------------------------------------------------------------ */
/* vgpu_fuzz_rw.c: region accesses and guest register sequences */

struct fz_mode {
	unsigned int w, h, bpp, virt_w, x, y;
};

long fz_dispi_write(struct fz_thread *t, int fd, unsigned int index, uint16_t val);
long fz_dispi_read(struct fz_thread *t, int fd, unsigned int index, uint16_t *val);
int fz_mode_valid(struct fz_thread *t, struct fz_inst *in, struct fz_mode *m);
int fz_mode_write(struct fz_thread *t, int fd, const struct fz_mode *m);
void op_rw(struct fz_thread *t, struct fz_inst *in);
void op_set_mode(struct fz_thread *t, struct fz_inst *in);
void op_pan(struct fz_thread *t, struct fz_inst *in);
void op_dispi(struct fz_thread *t, struct fz_inst *in);
void op_cursor(struct fz_thread *t, struct fz_inst *in);
void op_edid(struct fz_thread *t, struct fz_inst *in);
void op_edid_mapbuf(struct fz_thread *t, struct fz_inst *in);

/* ------------------------------------------------------------------ */
/* vgpu_fuzz_ioctl.c: device ioctls and plane invariants */

int fz_query(struct fz_thread *t, struct fz_inst *in, int fd, unsigned int type,
	     struct vfio_device_gfx_plane_info *info);
void fz_query_poll(struct fz_thread *t, struct fz_inst *in, int fd, unsigned int type);
void op_query(struct fz_thread *t, struct fz_inst *in);
void op_get_dmabuf(struct fz_thread *t, struct fz_inst *in);
void op_damage(struct fz_thread *t, struct fz_inst *in);
void op_migrate(struct fz_thread *t, struct fz_inst *in);
void op_get_info(struct fz_thread *t, struct fz_inst *in);
void op_region_info(struct fz_thread *t, struct fz_inst *in);
void op_irq_info(struct fz_thread *t, struct fz_inst *in);
void op_set_irqs(struct fz_thread *t, struct fz_inst *in);
void op_reset(struct fz_thread *t, struct fz_inst *in);
void op_ioctl_any(struct fz_thread *t, struct fz_inst *in);

/* ------------------------------------------------------------------ */
/* vgpu_fuzz_check.c: checks with an instance to oneself */

void op_gen_check(struct fz_thread *t, struct fz_inst *in);
void op_coherence(struct fz_thread *t, struct fz_inst *in);

/* ------------------------------------------------------------------ */
/* vgpu_fuzz_mem.c: mappings */

int fz_map_add(struct fz_thread *t, const struct fz_map *m);
void fz_maps_release(struct fz_thread *t);
void op_mmap(struct fz_thread *t, struct fz_inst *in);
void op_mmap_low(struct fz_thread *t, struct fz_inst *in);
void op_touch(struct fz_thread *t, struct fz_inst *in);
void op_munmap(struct fz_thread *t, struct fz_inst *in);
void op_fork_touch(struct fz_thread *t, struct fz_inst *in);
void op_dmabuf_mmap(struct fz_thread *t, struct fz_inst *in);

/* ------------------------------------------------------------------ */
/* vgpu_fuzz_dmabuf.c: dma-bufs */

void fz_bufs_release(struct fz_thread *t);
void fz_buf_keep(struct fz_thread *t, struct fz_inst *in, int fd, uint64_t size, uint32_t id);
int fz_buf_pick_slot(struct fz_thread *t);
int fz_dmabuf_size_ok(struct fz_thread *t, int fd, uint64_t size);
void op_dmabuf_sync(struct fz_thread *t, struct fz_inst *in);
void op_dmabuf_misc(struct fz_thread *t, struct fz_inst *in);
void op_dmabuf_import(struct fz_thread *t, struct fz_inst *in);
void op_dmabuf_close(struct fz_thread *t, struct fz_inst *in);

#endif /* VGPU_FUZZ_H */
