// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz - a seeded, multi-threaded fuzzer of every user- and
 * guest-reachable input of the vgpu_bochs device (Documentation/testing.rst).
 *
 * It loads the modules, creates one instance of each type asked for and
 * lets worker threads run randomly chosen operations on them, each thread
 * from its own PRNG (the seed and its index), checking every answer. A
 * watchdog reports an operation that does not finish; the kernel log is
 * read as it goes. At the end everything is closed and removed, kernel
 * memory must be back near where it started and the modules unloadable.
 * Exit status: 0 without findings, 1 with findings, 2 for usage errors.
 *
 * The fuzzing runs in a child process: a thread stuck in the kernel keeps
 * its process from ever being reaped, so the parent reports the child's
 * exit status as soon as the child says it is done.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vgpu_fuzz.h"

#define FZ_DEFAULT_OPS		50000
#define FZ_DEFAULT_THREADS	4
#define FZ_DEFAULT_HANG		30
#define FZ_DEFAULT_SLACK_KB	4096
#define FZ_PROGRESS_MS		5000
#define FZ_ALL_TYPES		"hd,uhd,hd-region,uhd-region"

enum fz_lock { FZ_LOCK_NONE, FZ_LOCK_READ, FZ_LOCK_WRITE };

/**
 * struct fz_op - an operation the workers choose from
 * @name: for --skip and the log
 * @weight: how often, relative to the others
 * @lock: how the chosen instance's lock is held around it
 * @fn: the operation
 */
struct fz_op {
	const char *name;
	unsigned int weight;
	enum fz_lock lock;
	void (*fn)(struct fz_thread *t, struct fz_inst *in);
};

static const struct fz_op fz_ops[] = {
	{ "rw", 200, FZ_LOCK_READ, op_rw },
	{ "set_mode", 70, FZ_LOCK_READ, op_set_mode },
	{ "pan", 60, FZ_LOCK_READ, op_pan },
	{ "dispi", 40, FZ_LOCK_READ, op_dispi },
	{ "cursor", 35, FZ_LOCK_READ, op_cursor },
	{ "edid", 30, FZ_LOCK_READ, op_edid },
	{ "edid_mapbuf", 25, FZ_LOCK_READ, op_edid_mapbuf },
	{ "query", 140, FZ_LOCK_READ, op_query },
	{ "get_dmabuf", 35, FZ_LOCK_READ, op_get_dmabuf },
	{ "damage", 40, FZ_LOCK_READ, op_damage },
	{ "get_info", 12, FZ_LOCK_READ, op_get_info },
	{ "region_info", 25, FZ_LOCK_READ, op_region_info },
	{ "irq_info", 10, FZ_LOCK_READ, op_irq_info },
	{ "set_irqs", 25, FZ_LOCK_READ, op_set_irqs },
	{ "reset", 5, FZ_LOCK_READ, op_reset },
	{ "ioctl_any", 25, FZ_LOCK_READ, op_ioctl_any },
	{ "mmap", 35, FZ_LOCK_READ, op_mmap },
	{ "mmap_low", 8, FZ_LOCK_READ, op_mmap_low },
	{ "touch", 80, FZ_LOCK_NONE, op_touch },
	{ "munmap", 15, FZ_LOCK_NONE, op_munmap },
	{ "fork_touch", 2, FZ_LOCK_NONE, op_fork_touch },
	{ "dmabuf_mmap", 15, FZ_LOCK_NONE, op_dmabuf_mmap },
	{ "dmabuf_sync", 10, FZ_LOCK_NONE, op_dmabuf_sync },
	{ "dmabuf_misc", 10, FZ_LOCK_NONE, op_dmabuf_misc },
	{ "dmabuf_import", 5, FZ_LOCK_NONE, op_dmabuf_import },
	{ "dmabuf_close", 12, FZ_LOCK_NONE, op_dmabuf_close },
	{ "sysfs", 15, FZ_LOCK_READ, op_sysfs },
	{ "create_bad", 2, FZ_LOCK_READ, op_create_bad },
	{ "fd_cycle", 4, FZ_LOCK_WRITE, op_fd_cycle },
	{ "reopen", 3, FZ_LOCK_WRITE, op_reopen },
	{ "remove", 2, FZ_LOCK_WRITE, op_remove },
	{ "gen_check", 10, FZ_LOCK_WRITE, op_gen_check },
	{ "coherence", 5, FZ_LOCK_WRITE, op_coherence },
	{ "migrate", 4, FZ_LOCK_WRITE, op_migrate },
};

static struct fz fz_run;
static unsigned int fz_total_weight;
static int fz_interrupted;

static void fz_usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"Usage: vgpu_fuzz [options]\n"
		"\n"
		"Fuzz every input of the vgpu_bochs device: run as root where its modules\n"
		"may be loaded (the test VM: make fuzz). Exit status 0 without findings,\n"
		"1 with findings, 2 for usage or setup errors.\n"
		"\n"
		"  -n, --ops N           operations in total (default %u)\n"
		"  -d, --duration SEC    run for SEC seconds instead of a number of operations\n"
		"  -s, --seed S          seed (default: from the clock; always printed)\n"
		"  -j, --threads N       worker threads (default %u, at most %u)\n"
		"  -t, --types LIST      comma-separated types, one instance each\n"
		"                        (default " FZ_ALL_TYPES ")\n"
		"      --skip LIST       comma-separated operations not to run\n"
		"      --hang-timeout S  an operation taking longer is a finding (default %u)\n"
		"      --mem-slack KB    allowed growth of kernel memory (default %u)\n"
		"      --no-unload       leave the modules loaded at the end\n"
		"      --no-fork         fuzz in this process (no supervising parent)\n"
		"  -v, --verbose         more output (-v events, -vvv every operation)\n"
		"  -h, --help            this help\n"
		"\nOperations:",
		FZ_DEFAULT_OPS, FZ_DEFAULT_THREADS, FZ_MAX_THREADS, FZ_DEFAULT_HANG,
		FZ_DEFAULT_SLACK_KB);
	for (i = 0; i < ARRAY_SIZE(fz_ops); i++)
		fprintf(f, "%s %s", i % 7 ? "" : "\n ", fz_ops[i].name);
	fprintf(f, "\n");
}

/* --skip: a bit per operation of the table. */
static int fz_parse_skip(const char *list, uint64_t *skip)
{
	char buf[256], *tok, *save;
	unsigned int i;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(fz_ops); i++) {
			if (!strcmp(tok, fz_ops[i].name))
				break;
		}
		if (i == ARRAY_SIZE(fz_ops)) {
			fprintf(stderr, "vgpu_fuzz: no operation '%s' (see --help)\n", tok);
			return -1;
		}
		*skip |= 1ull << i;
	}
	return 0;
}

static int fz_parse_num(const char *arg, uint64_t *val)
{
	char *end;

	errno = 0;
	*val = strtoull(arg, &end, 0);
	if (errno || end == arg || *end) {
		fprintf(stderr, "vgpu_fuzz: '%s' is not a number\n", arg);
		return -1;
	}
	return 0;
}

enum { OPT_SKIP = 256, OPT_HANG, OPT_SLACK, OPT_NO_UNLOAD, OPT_NO_FORK };

static int fz_parse_one(struct fz_opts *o, int c, const char *arg)
{
	uint64_t v = 0;
	size_t n;

	if (arg && c != 't' && c != OPT_SKIP && fz_parse_num(arg, &v))
		return -1;
	switch (c) {
	case 'n':
		o->ops = v;
		break;
	case 'd':
		o->duration = v;
		break;
	case 's':
		o->seed = v;
		return 1;
	case 'j':
		o->threads = v;
		if (!v || v > FZ_MAX_THREADS)
			return -1;
		break;
	case 't':
		snprintf(o->types, sizeof(o->types), "%s", arg);
		break;
	case OPT_SKIP:
		n = strlen(o->skip_list);
		if (n + strlen(arg) + 2 > sizeof(o->skip_list))
			return -1;
		if (n)
			o->skip_list[n++] = ',';
		memcpy(o->skip_list + n, arg, strlen(arg) + 1);
		return fz_parse_skip(arg, &o->skip);
	case OPT_HANG:
		o->hang_timeout = v;
		break;
	case OPT_SLACK:
		o->mem_slack_kb = v;
		break;
	case OPT_NO_UNLOAD:
		o->no_unload = 1;
		break;
	case OPT_NO_FORK:
		o->no_fork = 1;
		break;
	case 'v':
		o->verbose++;
		break;
	default:
		return -1;
	}
	return 0;
}

/* Return: 0, 1 for --help, -1 for a usage error. */
static int fz_parse(struct fz_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ops", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 'j' },
		{ "types", required_argument, NULL, 't' },
		{ "skip", required_argument, NULL, OPT_SKIP },
		{ "hang-timeout", required_argument, NULL, OPT_HANG },
		{ "mem-slack", required_argument, NULL, OPT_SLACK },
		{ "no-unload", no_argument, NULL, OPT_NO_UNLOAD },
		{ "no-fork", no_argument, NULL, OPT_NO_FORK },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t now = vgpu_clock_ns(CLOCK_REALTIME);
	int c, ret, seeded = 0;

	*o = (struct fz_opts){ .threads = FZ_DEFAULT_THREADS, .hang_timeout = FZ_DEFAULT_HANG,
			       .mem_slack_kb = FZ_DEFAULT_SLACK_KB, .types = FZ_ALL_TYPES };
	while ((c = getopt_long(argc, argv, "n:d:s:j:t:vh", longopts, NULL)) != -1) {
		if (c == 'h')
			return 1;
		ret = fz_parse_one(o, c, optarg);
		if (ret < 0)
			return -1;
		seeded |= ret;
	}
	if (optind < argc)
		return -1;
	if (!seeded)
		o->seed = now / 1000000000 << 20 ^ now % 1000000000 ^ (uint64_t)getpid() << 40;
	if (!o->ops && !o->duration)
		o->ops = FZ_DEFAULT_OPS;
	if (o->duration)
		o->ops = 0;
	return 0;
}

static const struct fz_op *fz_op_pick(struct fz_thread *t)
{
	uint64_t r = fz_below(t, fz_total_weight);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fz_ops); i++) {
		if (t->fz->opt.skip >> i & 1)
			continue;
		if (r < fz_ops[i].weight)
			break;
		r -= fz_ops[i].weight;
	}
	return &fz_ops[i < ARRAY_SIZE(fz_ops) ? i : 0];
}

/* One operation on a random instance, with its lock held as the op says. */
static void fz_step(struct fz_thread *t)
{
	const struct fz_op *op = fz_op_pick(t);
	struct fz_inst *in = &t->fz->inst[fz_below(t, t->fz->ninst)];

	fz_begin(t, op->name, "%s", in->type);
	if (op->lock == FZ_LOCK_WRITE)
		pthread_rwlock_wrlock(&in->lock);
	else if (op->lock == FZ_LOCK_READ)
		pthread_rwlock_rdlock(&in->lock);
	/* exclusive operations may bring an instance back */
	if (op->lock != FZ_LOCK_READ || in->alive)
		op->fn(t, in);
	else
		fz_note(t, "instance gone");
	if (op->lock != FZ_LOCK_NONE)
		pthread_rwlock_unlock(&in->lock);
	fz_end(t);
}

static void *fz_worker(void *arg)
{
	struct fz_thread *t = arg;

	t->tid = gettid();
	fz_thread_bind(t);
	while (!__atomic_load_n(&t->fz->stop, __ATOMIC_RELAXED) &&
	       (!t->ops_target || t->ops < t->ops_target))
		fz_step(t);
	__atomic_store_n(&t->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * Exit right away, telling the parent (which would wait forever on a
 * hang). Threads stuck in the kernel keep the fd table alive: close the
 * standard streams, or a reader of a pipe from them would wait as well.
 */
static void __attribute__((noreturn)) fz_exit_now(struct fz *fz, int code)
{
	char c = code;

	fflush(stdout);
	fflush(stderr);
	close(STDOUT_FILENO);
	close(STDERR_FILENO);
	if (fz->status_fd >= 0 && write(fz->status_fd, &c, 1) < 0)
		code = 1;
	_exit(code);
}

static uint64_t fz_ops_done(struct fz *fz)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < fz->opt.threads; i++)
		n += __atomic_load_n(&fz->threads[i].ops, __ATOMIC_RELAXED);
	return n;
}

/* The kernel stack of a stuck thread, for the hang report. */
static void fz_print_stack(struct fz_thread *t)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", t->tid);
	if (vgpu_sysfs_read(path, buf, sizeof(buf)) || !buf[0])
		return;
	printf("  kernel stack of thread %u (tid %d):\n%s\n", t->id, t->tid, buf);
}

/* An operation that does not finish: report everything and leave. */
static void __attribute__((noreturn)) fz_hang(struct fz *fz, struct fz_thread *t, int64_t ms)
{
	unsigned int i;
	int64_t now = vgpu_now_ms(), since;

	fz_finding(t, "hang", "no progress in thread %u for %lld s (hang timeout %u s)",
		   t->id, (long long)(ms / 1000), fz->opt.hang_timeout);
	pthread_mutex_lock(&fz->print_lock);
	for (i = 0; i < fz->opt.threads; i++) {
		since = __atomic_load_n(&fz->threads[i].busy_since, __ATOMIC_RELAXED);
		if (!since || now - since < 5000)
			continue;
		printf("  thread %u busy for %lld s in: %s\n", i, (long long)((now - since) / 1000),
		       fz->threads[i].ring[fz->threads[i].ring_pos % FZ_RING]);
		fz_print_stack(&fz->threads[i]);
	}
	pthread_mutex_unlock(&fz->print_lock);
	fz_kmsg_scan(fz);
	fz_summary(fz);
	printf("vgpu_fuzz: FAIL: hang; leaving without cleaning up (seed 0x%llx)\n",
	       (unsigned long long)fz->opt.seed);
	fz_exit_now(fz, 1);
}

static void fz_progress(struct fz *fz, int64_t now)
{
	uint64_t ops = fz_ops_done(fz);
	int64_t ms = now - fz->start_ms;
	unsigned int rem = 0, reo = 0, i;

	for (i = 0; i < fz->ninst; i++) {
		rem += fz->inst[i].removals;
		reo += fz->inst[i].reopens;
	}
	fz_log(fz, 0, "vgpu_fuzz: %llds: %llu ops (%llu ops/s), %u findings, %u removals, %u reopens\n",
	       (long long)(ms / 1000), (unsigned long long)ops,
	       (unsigned long long)(ms ? ops * 1000 / ms : 0),
	       __atomic_load_n(&fz->findings, __ATOMIC_RELAXED), rem, reo);
}

/* Until every worker is done: stop on time, watch for hangs, report. */
static void fz_monitor(struct fz *fz)
{
	int64_t now, last = vgpu_now_ms(), busy, oldest;
	unsigned int i, done, stuck;

	do {
		usleep(200 * 1000);
		now = vgpu_now_ms();
		if (fz_interrupted || (fz->opt.duration &&
				       now - fz->start_ms >= fz->opt.duration * 1000ll))
			__atomic_store_n(&fz->stop, 1, __ATOMIC_SEQ_CST);
		/* the thread stuck longest is where a deadlock started */
		for (i = 0, done = 0, oldest = now, stuck = 0; i < fz->opt.threads; i++) {
			busy = __atomic_load_n(&fz->threads[i].busy_since, __ATOMIC_RELAXED);
			if (busy && busy < oldest) {
				oldest = busy;
				stuck = i;
			}
			done += __atomic_load_n(&fz->threads[i].done, __ATOMIC_SEQ_CST);
		}
		if (now - oldest > fz->opt.hang_timeout * 1000ll)
			fz_hang(fz, &fz->threads[stuck], now - oldest);
		if (now - last >= FZ_PROGRESS_MS) {
			last = now;
			fz_progress(fz, now);
			fz_kmsg_scan(fz);
		}
	} while (done < fz->opt.threads);
}

static void fz_on_interrupt(int sig)
{
	__atomic_store_n(&fz_interrupted, 1, __ATOMIC_SEQ_CST);
}

/* The fuzzing itself; returns the exit status. */
static int fz_fuzz(struct fz *fz)
{
	struct sigaction sa = { .sa_handler = fz_on_interrupt };
	int64_t ms;
	uint64_t ops;
	unsigned int i, n;

	fz_main = fz;
	if (fz_setup(fz))
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fz->start_ms = vgpu_now_ms();
	for (i = 0; i < fz->opt.threads; i++) {
		if (pthread_create(&fz->threads[i].thread, NULL, fz_worker, &fz->threads[i])) {
			fprintf(stderr, "vgpu_fuzz: cannot start thread %u\n", i);
			fz_exit_now(fz, 2);
		}
	}
	fz_monitor(fz);
	ms = vgpu_now_ms() - fz->start_ms;
	ops = fz_ops_done(fz);
	fz_finish(fz);
	fz_summary(fz);
	n = __atomic_load_n(&fz->findings, __ATOMIC_SEQ_CST);
	printf("vgpu_fuzz: %llu ops in %.1f s: %llu ops/s (%u threads, %u instances)\n",
	       (unsigned long long)ops, ms / 1000.0,
	       (unsigned long long)(ms ? ops * 1000 / ms : 0), fz->opt.threads, fz->ninst);
	printf("vgpu_fuzz: %s: %u findings (seed 0x%llx)\n", n ? "FAIL" : "PASS", n,
	       (unsigned long long)fz->opt.seed);
	return n ? 1 : 0;
}

static pid_t fz_child;

static void fz_forward(int sig)
{
	if (fz_child > 0)
		kill(fz_child, sig);
}

/*
 * Fuzz in a child and return its exit status as soon as it says it is
 * done, even if it cannot be reaped (threads stuck in the kernel).
 */
static int fz_supervise(struct fz *fz)
{
	struct sigaction sa = { .sa_handler = fz_forward };
	int p[2], st = 0, i;
	ssize_t n;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return 2;
	fflush(stdout);
	fz_child = fork();
	if (fz_child < 0)
		return 2;
	if (!fz_child) {
		close(p[0]);
		fz->status_fd = p[1];
		fz_exit_now(fz, fz_fuzz(fz));
	}
	close(p[1]);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	do {
		n = read(p[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	for (i = 0; i < 50; i++) {
		if (waitpid(fz_child, &st, WNOHANG) == fz_child)
			break;
		usleep(100 * 1000);
	}
	if (n == 1) {
		if (i == 50)
			printf("vgpu_fuzz: the fuzzing process has threads stuck in the kernel; not waiting for it\n");
		return c;
	}
	if (i == 50)
		waitpid(fz_child, &st, 0);
	if (WIFSIGNALED(st)) {
		printf("vgpu_fuzz: FAIL: the fuzzing process died of signal %d (seed 0x%llx)\n",
		       WTERMSIG(st), (unsigned long long)fz->opt.seed);
		return 1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	struct fz *fz = &fz_run;
	unsigned int i;
	int ret;

	ret = fz_parse(&fz->opt, argc, argv);
	if (ret) {
		fz_usage(ret > 0 ? stdout : stderr);
		return ret > 0 ? 0 : 2;
	}
	for (i = 0; i < ARRAY_SIZE(fz_ops); i++)
		fz_total_weight += fz->opt.skip >> i & 1 ? 0 : fz_ops[i].weight;
	if (!fz_total_weight) {
		fprintf(stderr, "vgpu_fuzz: every operation is skipped\n");
		return 2;
	}
	if (fz->opt.ops && fz->opt.ops < fz->opt.threads)
		fz->opt.threads = fz->opt.ops;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("vgpu_fuzz: seed 0x%llx, %u threads, %s %llu, types %s\n",
	       (unsigned long long)fz->opt.seed, fz->opt.threads,
	       fz->opt.duration ? "seconds" : "operations",
	       fz->opt.duration ? fz->opt.duration : (unsigned long long)fz->opt.ops,
	       fz->opt.types);
	if (geteuid()) {
		fprintf(stderr, "vgpu_fuzz: needs root (modules, sysfs, /dev/vfio)\n");
		return 2;
	}
	fz->status_fd = -1;
	if (fz->opt.no_fork)
		return fz_fuzz(fz);
	return fz_supervise(fz);
}
