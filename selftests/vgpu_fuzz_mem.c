// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz: mappings and dma-bufs. Mappings of BAR0, of the plane
 * regions and of dma-bufs, at random offsets, lengths, flags and
 * protections (MAP_FIXED at low addresses too), kept across mode changes,
 * resets and removals, touched read and write with SIGBUS/SIGSEGV caught:
 * a signal on an in-bounds page of a valid mapping is a finding. Dma-bufs
 * are mapped, synced, renamed, imported into vgem and closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vgpu_fuzz.h"

static const char *const fz_map_names[] = { "BAR0", "plane region", "dma-buf" };

/* A random used slot of @t's mappings (kinds in @kinds), or -1. */
static int fz_slot_pick(struct fz_thread *t, unsigned int kinds)
{
	unsigned int i, s = fz_below(t, FZ_MAPS);
	int found = -1;

	pthread_mutex_lock(&t->maps_lock);
	for (i = 0; i < FZ_MAPS; i++, s = (s + 1) % FZ_MAPS) {
		if (t->maps[s].addr && (kinds >> t->maps[s].kind & 1)) {
			found = s;
			break;
		}
	}
	pthread_mutex_unlock(&t->maps_lock);
	return found;
}

/* Add a mapping, dropping a random one of @t's if all slots are taken. */
int fz_map_add(struct fz_thread *t, const struct fz_map *m)
{
	unsigned int i, s = fz_below(t, FZ_MAPS);

	pthread_mutex_lock(&t->maps_lock);
	for (i = 0; i < FZ_MAPS && t->maps[s].addr; i++)
		s = (s + 1) % FZ_MAPS;
	if (t->maps[s].addr)
		munmap(t->maps[s].addr, t->maps[s].len);
	t->maps[s] = *m;
	pthread_mutex_unlock(&t->maps_lock);
	return s;
}

void fz_maps_release(struct fz_thread *t)
{
	unsigned int s;

	pthread_mutex_lock(&t->maps_lock);
	for (s = 0; s < FZ_MAPS; s++) {
		if (t->maps[s].addr)
			munmap(t->maps[s].addr, t->maps[s].len);
		t->maps[s].addr = NULL;
	}
	pthread_mutex_unlock(&t->maps_lock);
}

/*
 * A signal touching byte @o of mapping @m: a finding unless it may lie past
 * video memory (a plane region page after the first).
 */
static void fz_touch_judge(struct fz_thread *t, const char *key, const struct fz_map *m,
			   uint64_t o, int res, int write)
{
	if (!res || (m->kind == FZ_MAP_PLANE && m->off + o >= FZ_PAGE))
		return;
	fz_finding(t, key,
		   "%s %s page %llu of a valid %s mapping (offset %#llx in it, mapped at %p, %zu bytes, prot %#x)",
		   fz_res_name(res), write ? "writing" : "reading",
		   (unsigned long long)(o / FZ_PAGE), fz_map_names[m->kind],
		   (unsigned long long)(m->off + o), m->addr, m->len, m->prot);
}

/* Whether a mmap of a device region must be refused (-EINVAL). */
static bool fz_mmap_refused(const struct fz_inst *in, uint64_t index, uint64_t off,
			    uint64_t len, int flags)
{
	uint64_t end;

	len = (len + FZ_PAGE - 1) / FZ_PAGE * FZ_PAGE;
	if (!len || off % FZ_PAGE || (flags & MAP_TYPE) == MAP_PRIVATE)
		return true;
	if (index == VFIO_PCI_BAR0_REGION_INDEX)
		end = in->vram;
	else if (in->region && index - FZ_PLANE_REGION < 2)
		end = in->region_size;
	else
		return true;
	return off > end || len > end - off;
}

/* An offset and a length in (or around) a region of @end bytes. */
static void fz_mmap_range(struct fz_thread *t, uint64_t end, uint64_t *off, uint64_t *len)
{
	const uint64_t offs[] = {
		0, 0, 0, FZ_PAGE, FZ_MIB, 2 * FZ_MIB, end - FZ_PAGE, end, end + FZ_PAGE, 1,
		fz_below(t, end / FZ_PAGE + 1) * FZ_PAGE,
	};
	const uint64_t lens[] = {
		FZ_PAGE, 2 * FZ_PAGE, 2 * FZ_MIB, 4 * FZ_MIB, 2 * FZ_MIB + FZ_PAGE, end, 1,
		end + FZ_PAGE, (1 + fz_below(t, 64)) * FZ_PAGE, 0,
	};

	*off = fz_pick(t, offs, ARRAY_SIZE(offs));
	*len = fz_chance(t, 30) && *off < end ? end - *off : fz_pick(t, lens, ARRAY_SIZE(lens));
}

static uint64_t fz_mmap_index(struct fz_thread *t)
{
	static const uint64_t odd_idx[] = { 2, 7, 9, 1, 12, 0x7fffff };
	uint64_t r = fz_below(t, 100);

	return r < 45 ? VFIO_PCI_BAR0_REGION_INDEX :
	       r < 85 ? FZ_PLANE_REGION + fz_below(t, 2) : fz_pick(t, odd_idx, ARRAY_SIZE(odd_idx));
}

/* mmap a device region at a random offset, length, flags and protection. */
void op_mmap(struct fz_thread *t, struct fz_inst *in)
{
	static const uint64_t prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ, PROT_WRITE, PROT_NONE,
		PROT_READ | PROT_EXEC,
	};
	static const uint64_t types[] = { MAP_SHARED, MAP_SHARED, MAP_SHARED, MAP_SHARED_VALIDATE,
					  MAP_PRIVATE };
	int prot = fz_pick(t, prots, ARRAY_SIZE(prots));
	int flags = fz_pick(t, types, ARRAY_SIZE(types));
	struct fz_map m = { .inst = in, .prot = prot };
	uint64_t index, off, len;
	int expect, err;
	uint8_t *p;

	index = fz_mmap_index(t);
	fz_mmap_range(t, index ? in->region_size : in->vram, &off, &len);
	expect = fz_mmap_refused(in, index, off, len, flags) ? EINVAL : 0;
	p = mmap(NULL, len, prot, flags, fz_inst_fd(t, in), VGPU_REGION_OFFSET(index) + off);
	err = p == MAP_FAILED ? errno : 0;
	fz_count(t, ST_MMAP, err);
	fz_note(t, "mmap(region %llu off %#llx len %#llx prot %#x flags %#x) = %s",
		(unsigned long long)index, (unsigned long long)off, (unsigned long long)len,
		prot, flags, fz_res_name(err));
	if (!err && expect) {
		fz_finding(t, "mmap-accepted", "mmap of region %llu at %#llx, %#llx bytes, flags %#x worked; it must fail",
			   (unsigned long long)index, (unsigned long long)off,
			   (unsigned long long)len, flags);
		munmap(p, len);
		return;
	}
	if (err && !expect && err != ENOMEM && !(err == EPERM && (prot & PROT_EXEC)))
		fz_finding(t, "mmap-refused", "mmap of region %llu at %#llx, %#llx bytes: %s",
			   (unsigned long long)index, (unsigned long long)off,
			   (unsigned long long)len, strerror(err));
	if (err)
		return;
	m.addr = p;
	m.len = (len + FZ_PAGE - 1) / FZ_PAGE * FZ_PAGE;
	m.kind = index ? FZ_MAP_PLANE : FZ_MAP_BAR0;
	m.off = off;
	if (fz_chance(t, 50) && (prot & PROT_READ)) {
		err = fz_guarded_touch(t, p, 4, (prot & PROT_WRITE) && fz_chance(t, 50));
		fz_count(t, ST_TOUCH, err);
		fz_touch_judge(t, "sigbus", &m, 0, err, 0);
	}
	fz_map_add(t, &m);
}

/* Touch the first, last and a random page of a new low mapping. */
static void fz_low_touch(struct fz_thread *t, const struct fz_map *m)
{
	uint64_t pages = m->len / FZ_PAGE, o[3] = { 0, (pages - 1) * FZ_PAGE, 0 };
	unsigned int i;
	int res;

	o[2] = fz_below(t, pages) * FZ_PAGE;
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		res = fz_guarded_touch(t, m->addr + o[i], 4, fz_chance(t, 50));
		fz_count(t, ST_TOUCH, res);
		fz_touch_judge(t, "sigbus-low", m, o[i], res, 0);
		if (res)
			return;
	}
}

/*
 * MAP_FIXED into the reserved area at low addresses (from 0x10000), with
 * region offsets that are not 2 MiB aligned: touch, then reserve again.
 */
void op_mmap_low(struct fz_thread *t, struct fz_inst *in)
{
	static const uint64_t offs[] = { FZ_MIB, FZ_MIB, 0, 2 * FZ_MIB - FZ_PAGE, FZ_PAGE,
					 2 * FZ_MIB, 3 * FZ_MIB };
	static const uint64_t lens[] = { FZ_PAGE, 2 * FZ_PAGE, 2 * FZ_MIB, 4 * FZ_MIB,
					 3 * FZ_MIB + FZ_PAGE };
	struct fz *fz = t->fz;
	uint8_t *addr = fz->low + (fz_chance(t, 50) ? 0 : fz_below(t, 256) * FZ_PAGE), *p;
	uint64_t len = fz_pick(t, lens, ARRAY_SIZE(lens)), off = fz_pick(t, offs, ARRAY_SIZE(offs));
	uint64_t index = in->region && fz_chance(t, 30) ? FZ_PLANE_REGION : 0;
	struct fz_map m = { .inst = in, .prot = PROT_READ | PROT_WRITE, .len = len, .off = off };
	int expect = fz_mmap_refused(in, index, off, len, MAP_SHARED) ? EINVAL : 0, err;

	if (!fz->low)
		return;
	pthread_mutex_lock(&fz->low_lock);
	p = mmap(addr, len, m.prot, MAP_SHARED | MAP_FIXED, fz_inst_fd(t, in),
		 VGPU_REGION_OFFSET(index) + off);
	err = p == MAP_FAILED ? errno : 0;
	fz_count(t, ST_MMAP_LOW, err);
	fz_note(t, "mmap(%p, region %llu off %#llx len %#llx, MAP_FIXED) = %s", addr,
		(unsigned long long)index, (unsigned long long)off, (unsigned long long)len,
		fz_res_name(err));
	if (err != expect && err != ENOMEM)
		fz_finding(t, "mmap-low", "MAP_FIXED mmap at %p of region %llu at %#llx, %#llx bytes: %s, expected %s",
			   addr, (unsigned long long)index, (unsigned long long)off,
			   (unsigned long long)len, fz_res_name(err), fz_res_name(expect));
	if (!err) {
		m.addr = p;
		m.kind = index ? FZ_MAP_PLANE : FZ_MAP_BAR0;
		fz_low_touch(t, &m);
	}
	mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	pthread_mutex_unlock(&fz->low_lock);
}

/*
 * The instance of mapping slot @s, read-locked so no close of the device
 * can drop the mapping meanwhile, and a copy of the slot taken under that
 * lock in @m (check m->inst: the slot may have changed before).
 */
static struct fz_inst *fz_slot_hold(struct fz_thread *t, int s, struct fz_map *m)
{
	struct fz_inst *in;

	pthread_mutex_lock(&t->maps_lock);
	in = t->maps[s].inst;
	pthread_mutex_unlock(&t->maps_lock);
	pthread_rwlock_rdlock(&in->lock);
	pthread_mutex_lock(&t->maps_lock);
	*m = t->maps[s];
	pthread_mutex_unlock(&t->maps_lock);
	return in;
}

/*
 * Touch a mapping: a word of its first, last or a random page, read or
 * written, or (dma-bufs) one word of each of its first 64 pages.
 */
void op_touch(struct fz_thread *t, struct fz_inst *unused)
{
	int s = fz_slot_pick(t, 7), res = 0, write = 0;
	uint64_t pages, o = 0, i, n;
	struct fz_inst *in;
	struct fz_map m;

	if (s < 0)
		return;
	in = fz_slot_hold(t, s, &m);
	if (!m.addr || m.inst != in || !(m.prot & (PROT_READ | PROT_WRITE)))
		goto out;
	pages = m.len / FZ_PAGE;
	n = m.kind == FZ_MAP_DMABUF && (m.prot & PROT_READ) && fz_chance(t, 20) ? 64 : 1;
	for (i = 0; i < n && i < pages && !res; i++) {
		o = n > 1 ? i * FZ_PAGE : fz_chance(t, 30) ? 0 : fz_chance(t, 40) ?
		    (pages - 1) * FZ_PAGE : fz_below(t, pages) * FZ_PAGE;
		o += fz_below(t, FZ_PAGE / 8) * 8;
		write = (m.prot & PROT_WRITE) && (!(m.prot & PROT_READ) || fz_chance(t, 40));
		res = fz_guarded_touch(t, m.addr + o, 1u << fz_below(t, 4), write);
	}
	fz_count(t, ST_TOUCH, res);
	fz_note(t, "%s %s %s at %#llx: %s", write ? "write" : "read", fz_map_names[m.kind],
		in->type, (unsigned long long)(m.off + o), fz_res_name(res));
	fz_touch_judge(t, "sigbus", &m, o, res, write);
out:
	pthread_rwlock_unlock(&in->lock);
}

/* Shrink a mapping at either end, split it, grow it (refused), reprotect. */
static void fz_munmap_part(struct fz_thread *t, struct fz_map *m, unsigned int how)
{
	size_t pages = m->len / FZ_PAGE;
	struct fz_map rest = *m;
	void *p;
	int ret;

	switch (how) {
	case 1:		/* the first page */
		ret = munmap(m->addr, FZ_PAGE);
		m->addr += FZ_PAGE;
		m->len -= FZ_PAGE;
		m->off += FZ_PAGE;
		break;
	case 2:		/* the last page */
		ret = munmap(m->addr + m->len - FZ_PAGE, FZ_PAGE);
		m->len -= FZ_PAGE;
		break;
	case 3:		/* a page in the middle: the rest becomes another mapping */
		ret = munmap(m->addr + pages / 2 * FZ_PAGE, FZ_PAGE);
		m->len = pages / 2 * FZ_PAGE;
		rest.addr += (pages / 2 + 1) * FZ_PAGE;
		rest.off += (pages / 2 + 1) * FZ_PAGE;
		rest.len -= (pages / 2 + 1) * FZ_PAGE;
		pthread_mutex_unlock(&t->maps_lock);
		fz_map_add(t, &rest);
		pthread_mutex_lock(&t->maps_lock);
		break;
	default:
		p = mremap(m->addr, m->len, m->len + FZ_PAGE, 0);
		fz_count(t, ST_MREMAP, p == MAP_FAILED ? errno : 0);
		if (p != MAP_FAILED) {
			fz_finding(t, "mremap-grew", "a %s mapping grew with mremap",
				   fz_map_names[m->kind]);
			m->len += FZ_PAGE;
		}
		m->prot = fz_chance(t, 50) ? PROT_READ : PROT_READ | PROT_WRITE;
		ret = mprotect(m->addr, m->len, m->prot);
		fz_count(t, ST_MPROTECT, fz_errno(ret));
		if (ret)
			m->prot = PROT_NONE;
		return;
	}
	fz_count(t, ST_MUNMAP, fz_errno(ret));
}

/* Unmap a mapping of @t, whole or in part. */
void op_munmap(struct fz_thread *t, struct fz_inst *unused)
{
	int s = fz_slot_pick(t, 7), ret;
	unsigned int how = fz_below(t, 5);
	struct fz_inst *in;
	struct fz_map *m;

	if (s < 0)
		return;
	pthread_mutex_lock(&t->maps_lock);
	in = t->maps[s].inst;
	pthread_mutex_unlock(&t->maps_lock);
	/* no close of the device may drop it (or miss its split-off part) */
	pthread_rwlock_rdlock(&in->lock);
	pthread_mutex_lock(&t->maps_lock);
	m = &t->maps[s];
	if (!m->addr || m->inst != in)
		goto out;
	fz_note(t, "%s mapping of %zu bytes, way %u", fz_map_names[m->kind], m->len, how);
	if (how && (m->len > 2 * FZ_PAGE || how == 4)) {
		fz_munmap_part(t, m, how);
		goto out;
	}
	ret = munmap(m->addr, m->len);
	fz_count(t, ST_MUNMAP, fz_errno(ret));
	m->addr = NULL;
out:
	pthread_mutex_unlock(&t->maps_lock);
	pthread_rwlock_unlock(&in->lock);
}

/* Touch a BAR0 or dma-buf mapping from a child process (copied at fork). */
void op_fork_touch(struct fz_thread *t, struct fz_inst *unused)
{
	int s = fz_slot_pick(t, 1 << FZ_MAP_BAR0 | 1 << FZ_MAP_DMABUF), st = 0;
	struct fz_inst *in;
	struct fz_map m;
	pid_t pid;

	if (s < 0)
		return;
	in = fz_slot_hold(t, s, &m);
	if (!m.addr || m.inst != in || !(m.prot & PROT_READ))
		goto out;
	pthread_rwlock_rdlock(&t->fz->fork_lock);
	pid = fork();
	if (!pid) {
		signal(SIGBUS, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		t->sink += __atomic_load_n(&m.addr[0], __ATOMIC_RELAXED);
		t->sink += __atomic_load_n(&m.addr[m.len - 1], __ATOMIC_RELAXED);
		if (m.prot & PROT_WRITE)
			__atomic_fetch_add(&m.addr[m.len / 2], 0, __ATOMIC_RELAXED);
		_exit(t->sink == 1);
	}
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	pthread_rwlock_unlock(&t->fz->fork_lock);
	fz_count(t, ST_FORK_TOUCH, pid < 0 ? errno : WIFSIGNALED(st) ?
		 (WTERMSIG(st) == SIGBUS ? FZ_SIGBUS : FZ_SIGSEGV) : 0);
	if (pid > 0 && WIFSIGNALED(st))
		fz_finding(t, "fork-touch", "a child touching a %s mapping (inherited at fork) died of signal %d",
			   fz_map_names[m.kind], WTERMSIG(st));
out:
	pthread_rwlock_unlock(&in->lock);
}

/* mmap a dma-buf: in bounds and shared it must work, else fail. */
void op_dmabuf_mmap(struct fz_thread *t, struct fz_inst *unused)
{
	static const uint64_t prots[] = { PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
					  PROT_WRITE };
	int s = fz_buf_pick_slot(t), prot, flags, expect, err;
	struct fz_map m = { .kind = FZ_MAP_DMABUF };
	struct fz_dmabuf *b;
	uint64_t off, len;
	uint8_t *p;

	if (s < 0)
		return;
	b = &t->bufs[s];
	prot = fz_pick(t, prots, ARRAY_SIZE(prots));
	flags = fz_chance(t, 85) ? MAP_SHARED : MAP_PRIVATE;
	fz_mmap_range(t, b->size, &off, &len);
	if (fz_chance(t, 50)) {
		off = 0;
		len = b->size;
	}
	len = (len + FZ_PAGE - 1) / FZ_PAGE * FZ_PAGE;
	expect = flags == MAP_SHARED && len && off % FZ_PAGE == 0 && off <= b->size &&
		 len <= b->size - off ? 0 : EINVAL;
	p = mmap(NULL, len, prot, flags, b->fd, off);
	err = p == MAP_FAILED ? errno : 0;
	fz_count(t, ST_DMABUF_MMAP, err);
	fz_note(t, "mmap(dma-buf of %llu bytes, off %#llx len %#llx prot %#x flags %#x) = %s",
		(unsigned long long)b->size, (unsigned long long)off, (unsigned long long)len,
		prot, flags, fz_res_name(err));
	if (!err && expect)
		fz_finding(t, "dmabuf-mmap", "a dma-buf mmap (off %#llx len %#llx flags %#x) worked; it must fail",
			   (unsigned long long)off, (unsigned long long)len, flags);
	else if (err && !expect && err != ENOMEM)
		fz_finding(t, "dmabuf-mmap", "a dma-buf mmap (off %#llx len %#llx): %s",
			   (unsigned long long)off, (unsigned long long)len, strerror(err));
	if (err)
		return;
	if (expect) {
		munmap(p, len);
		return;
	}
	m.addr = p;
	m.len = len;
	m.inst = b->inst;
	m.prot = prot;
	m.off = off;
	fz_map_add(t, &m);
}

