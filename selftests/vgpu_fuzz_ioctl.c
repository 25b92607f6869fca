// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz: VFIO_DEVICE_QUERY_GFX_PLANE and VFIO_DEVICE_GET_GFX_DMABUF
 * with random argsz, flags, plane types, ids and hostile placements, and
 * the invariants of their answers: a plane that is on has a known format
 * and size >= stride * height, its id works (GET_GFX_DMABUF or
 * GET_REGION_INFO), the generation is never 0, an id always names the
 * same layout.
 */
#include <drm/drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>
#include <linux/vgpu_display.h>

#include "vgpu_fuzz.h"

#define FZ_QUERY_MINSZ	60	/* offsetofend(..., dmabuf_id) */

/* What is wrong with an answer for an on plane, or NULL. */
static const char *fz_plane_on_bad(const struct fz_inst *in, unsigned int type,
				   const struct vfio_device_gfx_plane_info *p)
{
	unsigned int cpp;

	switch (p->drm_format) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
		cpp = 4;
		break;
	case DRM_FORMAT_RGB565:
		cpp = 2;
		break;
	case DRM_FORMAT_RGB888:
		cpp = 3;
		break;
	default:
		return "unknown drm_format";
	}
	if (type == VGPU_PLANE_CURSOR && (p->drm_format != DRM_FORMAT_ARGB8888 ||
					  p->width != 64 || p->height != 64))
		return "a cursor that is not a 64x64 ARGB8888 image";
	if (in->region && p->drm_format == DRM_FORMAT_RGB565)
		return "RGB565 on a region plane (QEMU cannot show it)";
	if (!p->width || !p->height || p->width > in->max_w || p->height > in->max_h)
		return "width/height zero or beyond the type's maximum";
	if (p->stride < (uint64_t)p->width * cpp)
		return "stride < width * bytes per pixel";
	if (p->size < (uint64_t)p->stride * p->height)
		return "size < stride * height";
	if (p->size % FZ_PAGE || p->size > in->vram)
		return "size not page aligned or beyond video memory";
	if (in->region ? p->region_index - FZ_PLANE_REGION > 1 : !p->dmabuf_id)
		return in->region ? "region_index is not a plane region" : "dmabuf_id 0";
	if (type == VGPU_PLANE_PRIMARY && (p->x_pos || p->y_pos))
		return "a primary plane with a position";
	if (type == VGPU_PLANE_CURSOR && p->x_hot < 64 && p->y_hot >= 64)
		return "half a hotspot";
	if (type == VGPU_PLANE_CURSOR && p->x_hot >= 64 && p->y_hot < 64)
		return "half a hotspot";
	if (type == VGPU_PLANE_CURSOR && p->x_hot >= 64 && (p->x_hot != ~0u || p->y_hot != ~0u))
		return "a hotspot that is neither inside the image nor 0xffffffff";
	return NULL;
}

/* What is wrong with a successful QUERY's answer, or NULL. */
static const char *fz_plane_bad(const struct fz_inst *in, unsigned int type, uint32_t argsz,
				const struct vfio_device_gfx_plane_info *p)
{
	if (argsz >= sizeof(*p) && !vgpu_generation(p))
		return "generation 0";
	if (p->drm_format_mod)
		return "a format modifier on a linear framebuffer";
	if (p->drm_format)
		return fz_plane_on_bad(in, type, p);
	if (p->width || p->height || p->stride || p->size || p->dmabuf_id)
		return "a plane that is off with size fields or an id";
	if (type == VGPU_PLANE_CURSOR && (p->x_hot != ~0u || p->y_hot != ~0u))
		return "an absent cursor whose hotspot is not 0xffffffff";
	return NULL;
}

static void fz_plane_report(struct fz_thread *t, const char *why, unsigned int type,
			    const struct vfio_device_gfx_plane_info *p)
{
	fz_finding(t, "plane-invariant",
		   "QUERY type %u: %s (format %#x mod %#llx %ux%u stride %u size %u pos %d,%d hot %#x,%#x id %u gen %u)",
		   type, why, p->drm_format, (unsigned long long)p->drm_format_mod, p->width,
		   p->height, p->stride, p->size, (int)p->x_pos, (int)p->y_pos, p->x_hot,
		   p->y_hot, p->dmabuf_id, vgpu_generation(p));
}

/* A dmabuf_id names one layout for as long as the open session lasts. */
static void fz_id_check(struct fz_thread *t, struct fz_inst *in,
			const struct vfio_device_gfx_plane_info *p)
{
	const uint32_t f[7] = {
		p->drm_format, p->width, p->height, p->stride, p->size, p->x_hot, p->y_hot,
	};
	struct fz_seen *s;
	unsigned int i;

	if (in->region || !p->drm_format)
		return;
	for (i = 0; i < FZ_SEEN; i++) {
		s = &t->seen[i];
		if (s->inst != in || s->epoch != in->epoch || s->id != p->dmabuf_id)
			continue;
		if (memcmp(s->f, f, sizeof(f)))
			fz_finding(t, "id-reused",
				   "dmabuf_id %u named a %ux%u layout (stride %u format %#x hot %#x,%#x), now %ux%u (stride %u format %#x hot %#x,%#x)",
				   p->dmabuf_id, s->f[1], s->f[2], s->f[3], s->f[0], s->f[5],
				   s->f[6], f[1], f[2], f[3], f[0], f[5], f[6]);
		return;
	}
	s = &t->seen[t->seen_pos++ % FZ_SEEN];
	s->inst = in;
	s->epoch = in->epoch;
	s->id = p->dmabuf_id;
	memcpy(s->f, f, sizeof(f));
}

/* QUERY as QEMU does it (argsz 64, zeroed); 0 or -errno. Judged. */
int fz_query(struct fz_thread *t, struct fz_inst *in, int fd, unsigned int type,
	     struct vfio_device_gfx_plane_info *info)
{
	const char *bad;
	int ret;

	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->flags = in->region ? VFIO_GFX_PLANE_TYPE_REGION : VFIO_GFX_PLANE_TYPE_DMABUF;
	info->drm_plane_type = type;
	ret = ioctl(fd, VFIO_DEVICE_QUERY_GFX_PLANE, info) ? -errno : 0;
	fz_count(t, ST_QUERY, -ret);
	if (ret) {
		fz_finding(t, "query-failed", "a QEMU-style QUERY of plane type %u: %s", type,
			   strerror(-ret));
		return ret;
	}
	bad = fz_plane_bad(in, type, sizeof(*info), info);
	if (bad)
		fz_plane_report(t, bad, type, info);
	else
		fz_id_check(t, in, info);
	return 0;
}

/* A region plane's region_index must name a mappable region that holds it. */
static void fz_region_id_check(struct fz_thread *t, int fd,
			       const struct vfio_device_gfx_plane_info *p)
{
	struct vfio_region_info info;
	int ret = vgpu_region_info(fd, p->region_index, &info, sizeof(info));

	fz_count(t, ST_REGION_INFO, -ret);
	if (ret || info.size < p->size || !(info.flags & VFIO_REGION_INFO_FLAG_MMAP))
		fz_finding(t, "plane-region",
			   "QUERY names region %u for a %u-byte plane; GET_REGION_INFO: %s, size %llu, flags %#x",
			   p->region_index, p->size, ret ? strerror(-ret) : "ok",
			   (unsigned long long)info.size, info.flags);
}

/*
 * GET_GFX_DMABUF of the id QUERY reported: a dma-buf at least the plane's
 * size, or ENOENT only if the plane no longer shows that id.
 */
static void fz_dmabuf_id_check(struct fz_thread *t, struct fz_inst *in, int fd,
			       unsigned int type, const struct vfio_device_gfx_plane_info *p)
{
	struct vfio_device_gfx_plane_info again;
	int buf = vgpu_get_dmabuf(fd, p->dmabuf_id);

	fz_count(t, ST_GET_DMABUF, buf < 0 ? -buf : 0);
	fz_note(t, "GET(%u) = %d", p->dmabuf_id, buf);
	if (buf >= 0) {
		if (fz_dmabuf_size_ok(t, buf, p->size) && fz_chance(t, 30))
			fz_buf_keep(t, in, buf, p->size, p->dmabuf_id);
		else
			close(buf);
		return;
	}
	if (buf == -ENOMEM || buf == -EMFILE)
		return;
	if (buf != -ENOENT) {
		fz_finding(t, "get-dmabuf", "GET_GFX_DMABUF(%u) of a queried plane: %s",
			   p->dmabuf_id, strerror(-buf));
		return;
	}
	if (!fz_query(t, in, fd, type, &again) && again.drm_format &&
	    again.dmabuf_id == p->dmabuf_id)
		fz_finding(t, "get-dmabuf-enoent",
			   "GET_GFX_DMABUF(%u): ENOENT, yet QUERY still reports that id",
			   p->dmabuf_id);
}

/* What a VMM does every frame: QUERY, and now and then fetch the plane. */
void fz_query_poll(struct fz_thread *t, struct fz_inst *in, int fd, unsigned int type)
{
	struct vfio_device_gfx_plane_info info;

	if (fz_query(t, in, fd, type, &info) || !info.drm_format)
		return;
	if (!in->region)
		t->last_id[in->idx] = info.dmabuf_id;
	if (in->region && fz_chance(t, 20))
		fz_region_id_check(t, fd, &info);
	else if (!in->region && fz_chance(t, 40))
		fz_dmabuf_id_check(t, in, fd, type, &info);
}

/* Whether a QUERY must be refused (-EINVAL). */
static bool fz_query_refused(const struct fz_inst *in, uint32_t argsz, uint32_t flags,
			     uint32_t type)
{
	uint32_t kind = in->region ? VFIO_GFX_PLANE_TYPE_REGION : VFIO_GFX_PLANE_TYPE_DMABUF;

	if (argsz < FZ_QUERY_MINSZ)
		return true;
	if (flags & VFIO_GFX_PLANE_TYPE_PROBE)
		return flags != (VFIO_GFX_PLANE_TYPE_PROBE | kind);
	if (flags != kind)
		return true;
	if (in->region && !type)
		type = VGPU_PLANE_PRIMARY;
	return type != VGPU_PLANE_PRIMARY && type != VGPU_PLANE_CURSOR;
}

static void fz_query_args(struct fz_thread *t, struct fz_inst *in, uint32_t *argsz,
			  uint32_t *flags, uint32_t *type)
{
	static const uint64_t argszs[] = { 64, 64, 64, 60, 59, 0, 12, 63, 65, 128, 4096, ~0u };
	static const uint64_t odd_flags[] = {
		0, VFIO_GFX_PLANE_TYPE_PROBE,
		VFIO_GFX_PLANE_TYPE_DMABUF | VFIO_GFX_PLANE_TYPE_REGION,
		VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF,
		VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION,
		VFIO_GFX_PLANE_TYPE_DMABUF, VFIO_GFX_PLANE_TYPE_REGION, 8, ~0u,
	};
	uint32_t kind = in->region ? VFIO_GFX_PLANE_TYPE_REGION : VFIO_GFX_PLANE_TYPE_DMABUF;
	uint64_t r = fz_below(t, 100);

	*argsz = fz_chance(t, 60) ? 64 : fz_pick(t, argszs, ARRAY_SIZE(argszs));
	*flags = r < 65 ? kind : r < 75 ? VFIO_GFX_PLANE_TYPE_PROBE | kind :
		 r < 95 ? fz_pick(t, odd_flags, ARRAY_SIZE(odd_flags)) : fz_u32(t);
	r = fz_below(t, 100);
	*type = r < 65 ? VGPU_PLANE_PRIMARY : r < 90 ? VGPU_PLANE_CURSOR :
		r < 95 ? fz_below(t, 4) : fz_u32(t);
}

/* Judge a QUERY of op_query that ran on an unracy buffer. */
static void fz_query_judge(struct fz_thread *t, struct fz_inst *in, const struct fz_buf *b,
			   const uint8_t *before, size_t n, uint32_t argsz, uint32_t flags,
			   uint32_t type, int err)
{
	struct vfio_device_gfx_plane_info out = { 0 };
	int expect = fz_query_refused(in, argsz, flags, type) ? EINVAL : 0;
	size_t need = argsz >= sizeof(out) ? sizeof(out) : FZ_QUERY_MINSZ, written, i;
	size_t touched = expect || (flags & VFIO_GFX_PLANE_TYPE_PROBE) ? 12 : need;
	const char *bad;

	/* an answer also reads the damage header that argsz covers */
	if (touched == need && argsz >= VGPU_GFX_DAMAGE_OFFSET + sizeof(struct vgpu_gfx_damage))
		touched = VGPU_GFX_DAMAGE_OFFSET + sizeof(struct vgpu_gfx_damage);
	if (err == EFAULT) {
		/* the kernel reads 12 bytes to decide, writes need bytes to answer */
		if (b->valid >= touched)
			fz_finding(t, "query-efault", "QUERY argsz %u flags %#x: EFAULT with %zu bytes of %s accessible",
				   argsz, flags, b->valid, b->desc);
		return;
	}
	if (err != expect) {
		fz_finding(t, "query-result", "QUERY argsz %u flags %#x type %u: %s, expected %s",
			   argsz, flags, type, fz_res_name(err), fz_res_name(expect));
		return;
	}
	written = err || (flags & VFIO_GFX_PLANE_TYPE_PROBE) ? 0 : need;
	for (i = written; i < n; i++) {
		if (b->p[i] != before[i]) {
			fz_finding(t, "query-overwrite",
				   "QUERY argsz %u flags %#x (%s) changed byte %zu of the caller's buffer",
				   argsz, flags, fz_res_name(err), i);
			return;
		}
	}
	if (!written)
		return;
	if (n < written) {
		fz_finding(t, "query-no-efault",
			   "QUERY argsz %u succeeded, but only %zu of the %zu bytes it writes are accessible (%s)",
			   argsz, b->valid, written, b->desc);
		return;
	}
	memcpy(&out, b->p, sizeof(out) < n ? sizeof(out) : n);
	if (in->region && !type)
		type = VGPU_PLANE_PRIMARY;
	bad = fz_plane_bad(in, type, argsz, &out);
	if (bad) {
		fz_plane_report(t, bad, type, &out);
	} else if (out.drm_format && !in->region) {
		t->last_id[in->idx] = out.dmabuf_id;
		fz_id_check(t, in, &out);
	}
}

/* QUERY with random arguments at a random place, judged byte by byte. */
void op_query(struct fz_thread *t, struct fz_inst *in)
{
	struct vfio_device_gfx_plane_info q;
	uint8_t before[128];
	uint32_t argsz, flags, type;
	struct fz_buf b;
	size_t n = 0;
	int ret, err;

	fz_query_args(t, in, &argsz, &flags, &type);
	fz_fill(t, &q, sizeof(q));
	q.argsz = argsz;
	q.flags = flags;
	q.drm_plane_type = type;
	fz_arg_pick(t, in, argsz >= sizeof(q) ? sizeof(q) : FZ_QUERY_MINSZ, &b);
	if (b.kind == FZ_BUF_NORMAL || b.kind == FZ_BUF_END || b.kind == FZ_BUF_MAP) {
		n = b.valid < sizeof(before) ? b.valid : sizeof(before);
		fz_fill(t, before, n);
		memcpy(before, &q, n < sizeof(q) ? n : sizeof(q));
		/* no damage request in what follows the plane info: op_damage's */
		if (n > offsetof(struct vgpu_dq, dmg.flags))
			before[offsetof(struct vgpu_dq, dmg.flags)] &= ~VGPU_GFX_DAMAGE_REQUEST;
		if (fz_guarded_copy(t, b.p, before, n))
			n = 0;
	}
	ret = ioctl(fz_inst_fd(t, in), VFIO_DEVICE_QUERY_GFX_PLANE, b.p);
	err = fz_errno(ret);
	fz_count(t, ST_QUERY, err);
	fz_note(t, "QUERY(argsz %u flags %#x type %u, %s) = %s", argsz, flags, type, b.desc,
		fz_res_name(err));
	if (err && !fz_err_documented(err))
		fz_finding(t, "query-errno", "QUERY: undocumented error %s", fz_res_name(err));
	else if (!b.racy && (n || b.kind == FZ_BUF_GUARD || b.kind == FZ_BUF_BOGUS))
		fz_query_judge(t, in, &b, before, n, argsz, flags, type, err);
}

/* GET_GFX_DMABUF with any id from any place. */
void op_get_dmabuf(struct fz_thread *t, struct fz_inst *in)
{
	const uint64_t ids[] = {
		t->last_id[in->idx], t->last_id[in->idx], t->last_id[in->idx] + 1, 0, 1,
		in->stale_id, ~0u, fz_u32(t),
	};
	uint32_t id = fz_pick(t, ids, ARRAY_SIZE(ids));
	struct fz_buf b;
	int fd, err;

	fz_arg_pick(t, in, sizeof(id), &b);
	if (b.valid >= sizeof(id) && fz_guarded_copy(t, b.p, &id, sizeof(id)))
		b.valid = 0;
	fd = ioctl(fz_inst_fd(t, in), VFIO_DEVICE_GET_GFX_DMABUF, b.p);
	err = fz_errno(fd);
	fz_count(t, ST_GET_DMABUF, err);
	fz_note(t, "GET(%u at %s) = %d %s", id, b.desc, fd, fz_res_name(err));
	if (fd >= 0 && (in->region || (b.exact && b.valid < sizeof(id))))
		fz_finding(t, "get-dmabuf", "GET_GFX_DMABUF %s gave fd %d",
			   in->region ? "on a region display" : "from an inaccessible id", fd);
	else if (fd < 0 && in->region && err != ENOTTY)
		fz_finding(t, "get-dmabuf", "GET_GFX_DMABUF on a region display: %s, not ENOTTY",
			   fz_res_name(err));
	else if (fd < 0 && !in->region && !b.racy &&
		 !(err == EFAULT && b.valid < sizeof(id)) &&
		 err != ENOENT && err != EMFILE && err != ENOMEM)
		fz_finding(t, "get-dmabuf", "GET_GFX_DMABUF(%u): %s", id, fz_res_name(err));
	else if (fd >= 0 && !in->region && id == in->stale_id && id && !b.racy)
		fz_finding(t, "stale-id", "GET_GFX_DMABUF(%u), an id of an earlier session, worked",
			   id);
	if (fd < 0)
		return;
	if (!in->region && fz_chance(t, 50))
		fz_buf_keep(t, in, fd, 0, id);
	else
		close(fd);
}

/* Is a damage answer of @q (the request was valid) what the uapi says? */
static const char *fz_damage_bad(const struct vgpu_dq *q, uint32_t room)
{
	const struct vgpu_gfx_damage *d = &q->dmg;
	uint32_t i;

	if (!(d->flags & VGPU_GFX_DAMAGE_ANSWERED) ||
	    (d->flags & ~(VGPU_GFX_DAMAGE_REQUEST | VGPU_GFX_DAMAGE_ANSWERED |
			  VGPU_GFX_DAMAGE_FULL)))
		return "flags";
	if (!d->token)
		return "token 0";
	if (d->page_size != FZ_PAGE || d->page_offset >= FZ_PAGE)
		return "page size or offset";
	if (d->nr_bits > (uint64_t)room * 8 && !(d->flags & VGPU_GFX_DAMAGE_FULL))
		return "more bits than room, and not full";
	if (d->flags & VGPU_GFX_DAMAGE_FULL)
		return NULL;
	for (i = d->nr_bits; i < room * 8 && i % 64; i++)
		if (vgpu_dq_bit(q, i))
			return "a bit past nr_bits";
	return NULL;
}

/* QUERY with the damage extension: any token, flags and sizes. */
void op_damage(struct fz_thread *t, struct fz_inst *in)
{
	static const uint64_t rooms[] = { 0, 8, 12, 64, 256, 1024, 8192, 8200 };
	const uint64_t tokens[] = {
		0, t->damage_token[in->idx], t->damage_token[in->idx],
		t->damage_token[in->idx] + 1, t->damage_token[in->idx] - 1, ~0ULL,
	};
	struct vgpu_dq *q = (struct vgpu_dq *)t->scratch;
	uint32_t room = fz_pick(t, rooms, ARRAY_SIZE(rooms)), argsz, type;
	bool valid;
	int err;

	_Static_assert(sizeof(struct vgpu_dq) <= FZ_SCRATCH, "scratch holds a damage query");
	type = fz_chance(t, 80) ? VGPU_PLANE_PRIMARY : VGPU_PLANE_CURSOR;
	argsz = fz_chance(t, 90) ? sizeof(*q) : fz_below(t, sizeof(*q) + 64);
	memset(q, 0, offsetof(struct vgpu_dq, bitmap));
	q->dmg.token = fz_pick(t, tokens, ARRAY_SIZE(tokens));
	q->dmg.flags = VGPU_GFX_DAMAGE_REQUEST;
	q->dmg.bitmap_size = room;
	if (fz_chance(t, 5))
		q->dmg.flags |= fz_u32(t);
	if (fz_chance(t, 5))
		q->dmg.reserved = fz_u32(t);
	valid = argsz >= VGPU_GFX_DAMAGE_OFFSET + sizeof(q->dmg) &&
		q->dmg.flags == VGPU_GFX_DAMAGE_REQUEST && !q->dmg.reserved && !(room % 8) &&
		room <= argsz - VGPU_GFX_DAMAGE_OFFSET - sizeof(q->dmg);
	q->info.argsz = argsz;
	q->info.flags = in->region ? VFIO_GFX_PLANE_TYPE_REGION : VFIO_GFX_PLANE_TYPE_DMABUF;
	q->info.drm_plane_type = type;
	err = fz_errno(ioctl(fz_inst_fd(t, in), VFIO_DEVICE_QUERY_GFX_PLANE, q));
	fz_count(t, ST_DAMAGE, err);
	fz_note(t, "damage QUERY(argsz %u type %u token %#llx room %u) = %s", argsz, type,
		(unsigned long long)q->dmg.token, room, fz_res_name(err));
	if (err && !fz_err_documented(err))
		fz_finding(t, "damage-errno", "damage QUERY: undocumented error %s",
			   fz_res_name(err));
	else if (!err && !valid && argsz >= VGPU_GFX_DAMAGE_OFFSET + sizeof(q->dmg) &&
		 (q->dmg.flags & VGPU_GFX_DAMAGE_REQUEST))
		fz_finding(t, "damage-invalid", "a bad damage request succeeded");
	else if (!err && valid && fz_damage_bad(q, room))
		fz_finding(t, "damage-answer", "damage answer: %s", fz_damage_bad(q, room));
	else if (valid && err && err != ENOMEM)
		fz_finding(t, "damage-refused", "a valid damage request: %s", fz_res_name(err));
	if (!err && valid)
		t->damage_token[in->idx] = q->dmg.token;
}
