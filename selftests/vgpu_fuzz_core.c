// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz: random values, the per-thread operation log, the histogram,
 * findings, user buffers (normal, straddling a guard page, on it, inside
 * a device mapping, bogus) and guarded memory accesses.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vgpu_fuzz.h"

static __thread struct fz_thread *fz_self;
struct fz *fz_main;

uint64_t fz_pick(struct fz_thread *t, const uint64_t *vals, size_t n)
{
	return vals[fz_below(t, n)];
}

/* An access size: mostly register sized, sometimes odd, rarely huge. */
uint64_t fz_size(struct fz_thread *t)
{
	static const uint64_t sizes[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 20, 24, 28, 31, 32,
		63, 64, 127, 128, 129, 255, 256, 257, 511, 512, 1023, 1024, 2048,
		4095, 4096, 4097, 8192, 65536, FZ_MIB, 2 * FZ_MIB, 2 * FZ_MIB + 1,
		FZ_SCRATCH, FZ_SCRATCH + 1, 1ull << 31, 1ull << 32, 0x7ffff000,
		SIZE_MAX / 2, SIZE_MAX,
	};
	uint64_t r = fz_below(t, 100);

	if (r < 55)
		return 1 + fz_below(t, 8);
	if (r < 90)
		return fz_pick(t, sizes, ARRAY_SIZE(sizes));
	return fz_below(t, 65536);
}

/*
 * An offset in a region of @size bytes: near one of the @nhot interesting
 * offsets (register offsets, block ends), the first bytes, the end, page
 * and 2 MiB boundaries, anywhere, or far past the end.
 */
uint64_t fz_offset(struct fz_thread *t, uint64_t size, const uint64_t *hot,
		   size_t nhot)
{
	static const uint64_t delta[] = { 0, 0, 0, -1ull, 1, -2ull, 2, -4ull, 4, -8ull };
	uint64_t d = fz_pick(t, delta, ARRAY_SIZE(delta));

	switch (fz_below(t, 10)) {
	case 0: case 1: case 2: case 3:
		if (nhot)
			return fz_pick(t, hot, nhot) + d;
		return fz_below(t, 8);
	case 4:
		return fz_below(t, 8);
	case 5:
		return size + d;
	case 6:
		return fz_below(t, size / FZ_PAGE + 1) * FZ_PAGE + d;
	case 7:
		return fz_below(t, size / (2 * FZ_MIB) + 1) * 2 * FZ_MIB + d;
	case 8:
		return fz_below(t, size ? size : 1);
	default:
		return fz_chance(t, 50) ? fz_rand(t) & (VGPU_REGION_OFFSET(1) - 1) :
					  size + fz_below(t, 1ull << 32);
	}
}

/* A register value: an extreme one half of the time. */
uint32_t fz_u32(struct fz_thread *t)
{
	static const uint64_t vals[] = {
		0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
		0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	};

	if (fz_chance(t, 50))
		return fz_pick(t, vals, ARRAY_SIZE(vals));
	return fz_rand(t) >> (32 + fz_below(t, 32));
}

uint16_t fz_u16(struct fz_thread *t)
{
	return fz_u32(t);
}

void fz_fill(struct fz_thread *t, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t r;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		r = fz_rand(t);
		memcpy(p + i, &r, 8);
	}
	for (r = fz_rand(t); i < len; i++, r >>= 8)
		p[i] = r;
}

static const char *const fz_stat_names[ST_NR] = {
	[ST_PREAD] = "pread", [ST_PWRITE] = "pwrite", [ST_PREADV] = "preadv",
	[ST_PWRITEV] = "pwritev", [ST_REG_WRITE] = "reg_write",
	[ST_REG_READ] = "reg_read", [ST_EDID] = "edid_seq", [ST_QUERY] = "query",
	[ST_GET_DMABUF] = "get_dmabuf", [ST_GET_INFO] = "get_info",
	[ST_REGION_INFO] = "region_info", [ST_IRQ_INFO] = "irq_info",
	[ST_SET_IRQS] = "set_irqs", [ST_RESET] = "reset",
	[ST_IOCTL_ANY] = "ioctl_any", [ST_MMAP] = "mmap", [ST_MMAP_LOW] = "mmap_low",
	[ST_TOUCH] = "touch", [ST_MUNMAP] = "munmap", [ST_MREMAP] = "mremap",
	[ST_MPROTECT] = "mprotect", [ST_FORK_TOUCH] = "fork_touch",
	[ST_DMABUF_MMAP] = "dmabuf_mmap", [ST_DMABUF_SYNC] = "dmabuf_sync",
	[ST_DMABUF_LSEEK] = "dmabuf_lseek", [ST_DMABUF_IO] = "dmabuf_rw",
	[ST_DMABUF_NAME] = "dmabuf_name", [ST_DMABUF_IMPORT] = "dmabuf_import",
	[ST_DMABUF_CLOSE] = "dmabuf_close", [ST_SYSFS] = "sysfs_read",
	[ST_CREATE_BAD] = "create_bad", [ST_FD_CYCLE] = "fd_cycle",
	[ST_REOPEN] = "reopen", [ST_REMOVE] = "remove", [ST_GEN_CHECK] = "gen_check",
	[ST_COHERENCE] = "coherence", [ST_DAMAGE] = "damage",
	[ST_MIGRATE] = "migrate",
};

const char *fz_stat_name(unsigned int st)
{
	return st < ST_NR ? fz_stat_names[st] : "?";
}

const char *fz_res_name(int res)
{
	const char *name;

	if (!res)
		return "ok";
	if (res == FZ_SIGBUS)
		return "SIGBUS";
	if (res == FZ_SIGSEGV)
		return "SIGSEGV";
	name = strerrorname_np(res);
	return name ? name : "E?";
}

void fz_count(struct fz_thread *t, enum fz_stat st, int res)
{
	if (res < 0 || res >= FZ_NRES)
		res = FZ_ERRNO_MAX;
	t->hist[st][res]++;
}

static char *fz_line(struct fz_thread *t)
{
	return t->ring[t->ring_pos % FZ_RING];
}

void fz_begin(struct fz_thread *t, const char *op, const char *fmt, ...)
{
	char *line = fz_line(t);
	va_list ap;
	int n;

	__atomic_store_n(&t->busy_since, vgpu_now_ms(), __ATOMIC_RELAXED);
	n = snprintf(line, FZ_LINE, "#%llu %s ", (unsigned long long)t->ops, op);
	va_start(ap, fmt);
	vsnprintf(line + n, FZ_LINE - n, fmt, ap);
	va_end(ap);
	if (t->fz->opt.verbose >= 3)
		fz_log(t->fz, 3, "t%u %s\n", t->id, line);
}

/* Append to the current operation's log line (truncated when full). */
void fz_note(struct fz_thread *t, const char *fmt, ...)
{
	char *line = fz_line(t);
	size_t n = strnlen(line, FZ_LINE);
	va_list ap;

	if (n + 3 >= FZ_LINE)
		return;
	line[n++] = ';';
	line[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(line + n, FZ_LINE - n, fmt, ap);
	va_end(ap);
}

void fz_end(struct fz_thread *t)
{
	t->ring_pos++;
	__atomic_store_n(&t->busy_since, 0, __ATOMIC_RELAXED);
	__atomic_add_fetch(&t->ops, 1, __ATOMIC_RELAXED);
}

/* The last @lines operations of @t, oldest first; print_lock held. */
void fz_print_ring(struct fz_thread *t, unsigned int lines)
{
	unsigned int i, pos = t->ring_pos;
	bool busy = __atomic_load_n(&t->busy_since, __ATOMIC_RELAXED) != 0;

	if (lines > FZ_RING - 1)
		lines = FZ_RING - 1;
	for (i = lines; i > 0; i--) {
		const char *line = t->ring[(pos - i) % FZ_RING];

		if (line[0])
			printf("    t%u %s\n", t->id, line);
	}
	if (busy)
		printf("    t%u (in progress) %s\n", t->id, t->ring[pos % FZ_RING]);
}

void fz_log(struct fz *fz, unsigned int level, const char *fmt, ...)
{
	va_list ap;

	if (fz->opt.verbose < level)
		return;
	pthread_mutex_lock(&fz->print_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&fz->print_lock);
}

/* Count a finding of kind @key; returns how often it was seen. */
static unsigned int fz_kind_count(struct fz *fz, const char *key)
{
	unsigned int i;

	for (i = 0; i < fz->nkinds; i++) {
		if (!strcmp(fz->kinds[i].key, key))
			return ++fz->kinds[i].count;
	}
	if (fz->nkinds == FZ_MAX_KINDS)
		return 2;
	snprintf(fz->kinds[i].key, sizeof(fz->kinds[i].key), "%s", key);
	fz->nkinds++;
	return fz->kinds[i].count = 1;
}

static void fz_finding_report(struct fz *fz, struct fz_thread *t, unsigned int n,
			      const char *key, const char *msg)
{
	unsigned int i;

	if (t)
		printf("FINDING %u [%s] thread %u op #%llu, seed 0x%llx: %s\n", n, key, t->id,
		       (unsigned long long)t->ops, (unsigned long long)fz->opt.seed, msg);
	else
		printf("FINDING %u [%s] main thread, seed 0x%llx: %s\n", n, key,
		       (unsigned long long)fz->opt.seed, msg);
	printf("  reproduce: vgpu_fuzz --seed 0x%llx -j %u %s %llu --types %s%s%s\n",
	       (unsigned long long)fz->opt.seed, fz->opt.threads,
	       fz->opt.duration ? "--duration" : "--ops",
	       fz->opt.duration ? fz->opt.duration : (unsigned long long)fz->opt.ops,
	       fz->opt.types, fz->opt.skip ? " --skip " : "", fz->opt.skip_list);
	if (t) {
		printf("  last operations of thread %u, oldest first:\n", t->id);
		fz_print_ring(t, FZ_RING);
		return;
	}
	printf("  last operations of every thread:\n");
	for (i = 0; i < fz->opt.threads; i++)
		fz_print_ring(&fz->threads[i], 6);
}

/*
 * A violated invariant. The first finding of each kind (@key) is reported
 * in full with the thread's operation log; repeats get a line each, up to
 * a few (all with -v). @t is NULL for findings of the main thread.
 */
void fz_finding(struct fz_thread *t, const char *key, const char *fmt, ...)
{
	struct fz *fz = t ? t->fz : fz_main;
	unsigned int n, seen;
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t)
		fz_note(t, "FINDING %s", key);

	pthread_mutex_lock(&fz->print_lock);
	n = __atomic_add_fetch(&fz->findings, 1, __ATOMIC_SEQ_CST);
	seen = fz_kind_count(fz, key);
	if (seen == 1)
		fz_finding_report(fz, t, n, key, msg);
	else if (seen <= 3 || fz->opt.verbose)
		printf("FINDING %u [%s] again (thread %d op #%llu): %s\n", n, key,
		       t ? (int)t->id : -1, t ? (unsigned long long)t->ops : 0ull, msg);
	fflush(stdout);
	pthread_mutex_unlock(&fz->print_lock);
}

struct fz_eset fz_errs(int first, ...)
{
	struct fz_eset s = { { 0, 0 } };
	va_list ap;
	int e;

	va_start(ap, first);
	for (e = first; e > 0; e = va_arg(ap, int)) {
		if (e < 128)
			s.w[e / 64] |= 1ull << (e % 64);
	}
	va_end(ap);
	return s;
}

bool fz_eset_has(const struct fz_eset *s, int err)
{
	return err > 0 && err < 128 && (s->w[err / 64] >> (err % 64)) & 1;
}

/* The errors any call of the device may give (see the driver's kernel-doc). */
bool fz_err_documented(int err)
{
	static struct fz_eset doc;

	if (!doc.w[0])
		doc = fz_errs(EINVAL, EFAULT, ENOMEM, ENODEV, EPERM, EBUSY, ENOSPC,
			      ENOTTY, ENOENT, E2BIG, EOVERFLOW, EBADF, EMFILE, EAGAIN,
			      EEXIST, ENXIO, EACCES, EOPNOTSUPP, 0);
	return fz_eset_has(&doc, err);
}

static const uint64_t fz_bogus[] = {
	0, 1, 0xfff, 0xffff888000000000ull, 0xffffffffff600000ull,
	0x8000000000000000ull, 0x800000000000ull, 0x7ffffffff000ull, -1ull,
};

/* A user buffer inside a mapping of @in held by @t, or -1 if none. */
int fz_map_buf(struct fz_thread *t, struct fz_inst *in, int dev_writes, struct fz_buf *b)
{
	unsigned int i, s = fz_below(t, FZ_MAPS);
	struct fz_map m = { 0 };
	uint64_t o;

	pthread_mutex_lock(&t->maps_lock);
	for (i = 0; i < FZ_MAPS; i++, s = (s + 1) % FZ_MAPS) {
		if (t->maps[s].addr && t->maps[s].inst == in) {
			m = t->maps[s];
			break;
		}
	}
	pthread_mutex_unlock(&t->maps_lock);
	if (!m.addr)
		return -1;
	o = fz_chance(t, 50) ? fz_below(t, m.len / FZ_PAGE) * FZ_PAGE : fz_below(t, m.len);
	b->kind = FZ_BUF_MAP;
	b->p = m.addr + o;
	b->room = m.len - o;
	b->racy = 1;
	b->exact = 0;	/* another mapping may follow it */
	/* a plane page may lie past video memory: its state is unknown */
	if (m.kind != FZ_MAP_PLANE && (m.prot & (dev_writes ? PROT_WRITE : PROT_READ)))
		b->valid = m.len - o;
	snprintf(b->desc, sizeof(b->desc), "%s-map+%#llx",
		 m.kind == FZ_MAP_BAR0 ? "bar0" : m.kind == FZ_MAP_PLANE ? "plane" : "dmabuf",
		 (unsigned long long)(m.off + o));
	return 0;
}

/* @b: the last @k bytes (at most @size) of @base, before its guard page */
static void fz_buf_at_end(struct fz_buf *b, uint8_t *base, uint64_t size, uint64_t k)
{
	if (k > size)
		k = size;
	b->kind = FZ_BUF_END;
	b->p = base + size - k;
	b->valid = k;
	snprintf(b->desc, sizeof(b->desc), "guard-%llu", (unsigned long long)k);
}

/*
 * A user buffer for a @len byte access whose bytes the kernel writes
 * (@dev_writes) or reads: in the scratch area (its end is a guard page),
 * straddling or ending at the guard page, on it, inside a mapping of the
 * device, or at a bogus address. Return: the buffer kind.
 */
int fz_buf_pick(struct fz_thread *t, struct fz_inst *in, size_t len, int dev_writes,
		struct fz_buf *b)
{
	uint64_t r = fz_below(t, 100), k;

	memset(b, 0, sizeof(*b));
	b->room = SIZE_MAX;	/* the guard page stops the kernel */
	b->exact = 1;
	if (r < 60) {
		k = fz_chance(t, 80) ? 0 : fz_below(t, FZ_PAGE);
		b->kind = FZ_BUF_NORMAL;
		b->p = t->scratch + k;
		b->valid = FZ_SCRATCH - k;
		snprintf(b->desc, sizeof(b->desc), "buf+%llu", (unsigned long long)k);
	} else if (r < 75) {
		k = len && fz_chance(t, 70) ? fz_below(t, len) : len;
		fz_buf_at_end(b, t->scratch, FZ_SCRATCH, k);
	} else if (r < 82) {
		k = fz_below(t, FZ_PAGE);
		b->kind = FZ_BUF_GUARD;
		b->p = t->scratch + FZ_SCRATCH + k;
		snprintf(b->desc, sizeof(b->desc), "guard+%llu", (unsigned long long)k);
	} else if (r >= 95 || fz_map_buf(t, in, dev_writes, b)) {
		b->kind = FZ_BUF_BOGUS;
		b->p = (uint8_t *)(uintptr_t)fz_pick(t, fz_bogus, ARRAY_SIZE(fz_bogus));
		snprintf(b->desc, sizeof(b->desc), "bogus %p", b->p);
	}
	return b->kind;
}

/*
 * Where an ioctl's struct goes: @len is what the call may access. At the
 * start of the arena page, ending at (or straddling) the guard page after
 * it, on the guard page, in a device mapping, or at a bogus address.
 */
void fz_arg_pick(struct fz_thread *t, struct fz_inst *in, size_t len, struct fz_buf *b)
{
	uint64_t r = fz_below(t, 100), k;

	memset(b, 0, sizeof(*b));
	b->room = FZ_PAGE;
	b->exact = 1;
	if (r < 60) {
		k = fz_chance(t, 80) ? 0 : fz_below(t, 64) * 8;
		b->p = t->arena + k;
		b->valid = FZ_PAGE - k;
		snprintf(b->desc, sizeof(b->desc), "arena+%llu", (unsigned long long)k);
		return;
	}
	if (r < 80) {
		k = len && fz_chance(t, 30) ? fz_below(t, len) : len;
		fz_buf_at_end(b, t->arena, FZ_PAGE, k);
		return;
	}
	if (r < 87) {
		b->kind = FZ_BUF_GUARD;
		b->p = t->arena + FZ_PAGE + fz_below(t, FZ_PAGE - 64);
		snprintf(b->desc, sizeof(b->desc), "guard");
		return;
	}
	if (r < 95 && !fz_map_buf(t, in, 1, b) && b->room >= FZ_PAGE) {
		b->room = FZ_PAGE;
		return;
	}
	memset(b, 0, sizeof(*b));
	b->kind = FZ_BUF_BOGUS;
	b->exact = 1;
	b->p = (uint8_t *)(uintptr_t)fz_pick(t, fz_bogus, ARRAY_SIZE(fz_bogus));
	snprintf(b->desc, sizeof(b->desc), "bogus %p", b->p);
}

/*
 * memcpy() that survives SIGBUS/SIGSEGV: 0, FZ_SIGBUS or FZ_SIGSEGV. Nothing
 * set after sigsetjmp() is read after the jump, so no local is clobbered.
 */
int fz_guarded_copy(struct fz_thread *t, void *dst, const void *src, size_t n)
{
	if (sigsetjmp(t->jmp, 1))
		return __atomic_load_n(&t->sig, __ATOMIC_SEQ_CST) == SIGBUS ?
		       FZ_SIGBUS : FZ_SIGSEGV;
	__atomic_store_n(&t->armed, 1, __ATOMIC_SEQ_CST);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	memcpy(dst, src, n);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&t->armed, 0, __ATOMIC_SEQ_CST);
	return 0;
}

/* Read or write @width (at most 8) bytes at @p, guarded. */
int fz_guarded_touch(struct fz_thread *t, uint8_t *p, unsigned int width, int write)
{
	uint64_t v = fz_rand(t);
	int ret;

	if (write)
		return fz_guarded_copy(t, p, &v, width);
	ret = fz_guarded_copy(t, &v, p, width);
	t->sink += v;
	return ret;
}

static void fz_crash_write(const char *s)
{
	if (write(STDOUT_FILENO, s, strlen(s)) < 0)
		return;
}

/* SIGBUS/SIGSEGV: back to the guarded access, or report and die. */
static void fz_on_signal(int sig, siginfo_t *si, void *ctx)
{
	struct fz_thread *t = fz_self;
	char msg[160];
	unsigned int i;

	if (t && __atomic_load_n(&t->armed, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&t->armed, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&t->sig, sig, __ATOMIC_SEQ_CST);
		siglongjmp(t->jmp, 1);
	}
	snprintf(msg, sizeof(msg), "FINDING [crash] signal %d at %p outside a guarded access, thread %d\n",
		 sig, si->si_addr, t ? (int)t->id : -1);
	fz_crash_write(msg);
	for (i = 0; t && i < FZ_RING; i++) {
		fz_crash_write("    ");
		fz_crash_write(t->ring[(t->ring_pos + 1 + i) % FZ_RING]);
		fz_crash_write("\n");
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void fz_signals_init(void)
{
	struct sigaction sa = { .sa_sigaction = fz_on_signal, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

void fz_thread_bind(struct fz_thread *t)
{
	fz_self = t;
}

/* /dev/kmsg from now on, or -1. */
int fz_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static bool fz_kmsg_bad(const char *msg)
{
	static const char *const pats[] = {
		"WARNING:", "BUG:", "BUG ", "Oops", "general protection", "refcount_t",
		"UBSAN", "KASAN", "Bad page state", "list_add corruption",
		"list_del corruption", "Poison overwritten", "Redzone overwritten",
		"Object padding overwritten", "Slab corruption", "Freepointer corrupt",
		"blocked for more than", "Kernel panic", "soft lockup", "hard LOCKUP",
		"self-detected stall", "detected stalls", "suspected memory leak",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pats); i++) {
		if (strstr(msg, pats[i]))
			return true;
	}
	return false;
}

/* New kernel log records; each alarming one is a finding. */
unsigned int fz_kmsg_scan(struct fz *fz)
{
	unsigned int found = 0;
	char rec[2048], *msg, *nl;
	ssize_t n;

	while (fz->kmsg_fd >= 0) {
		n = read(fz->kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records were overwritten: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (fz_kmsg_bad(msg)) {
			fz_finding(NULL, "kernel-log", "kernel log: %s", msg);
			found++;
		}
	}
	return found;
}
