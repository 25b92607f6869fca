// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fuzz: the checks that need an instance to themselves (its lock held
 * for writing). The generation stands still while the plane does - two
 * QUERYs in a row, registers rewritten unchanged, a cursor that only
 * moved - and changes when the plane does; the sysfs generation is the
 * last published one; a new layout gets a new id, a new stride a new
 * plane region index (also across a plane that was off); a valid mode is
 * shown as set and what the guest writes into it is what the host reads
 * through the dma-buf or the plane region; the EDID the VMM sets is what
 * the guest reads, kept by a reset.
 */
#include <drm/drm_fourcc.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vgpu_bochs.h>

#include "vgpu_fuzz.h"

/* Do @a and @b report the same plane (the cursor: wherever it is)? */
static bool fz_same_plane(const struct vfio_device_gfx_plane_info *a,
			  const struct vfio_device_gfx_plane_info *b, unsigned int type)
{
	return a->drm_format == b->drm_format && a->drm_format_mod == b->drm_format_mod &&
	       a->width == b->width && a->height == b->height && a->stride == b->stride &&
	       a->size == b->size && a->x_hot == b->x_hot && a->y_hot == b->y_hot &&
	       a->dmabuf_id == b->dmabuf_id &&
	       (type == VGPU_PLANE_CURSOR || (a->x_pos == b->x_pos && a->y_pos == b->y_pos));
}

/* Write back the current primary (dispi) or cursor registers unchanged. */
static void fz_rewrite_same(struct fz_thread *t, int fd, unsigned int type)
{
	uint64_t bar2 = VFIO_PCI_BAR2_REGION_INDEX;
	uint16_t v[VBE_DISPI_INDEX_NB];
	uint32_t c[VGPU_BOCHS_CURSOR_NR_REGS];
	unsigned int i;

	if (type == VGPU_PLANE_CURSOR) {
		if (vgpu_region_read(fd, bar2, VGPU_BOCHS_MMIO_CURSOR, c, sizeof(c)) == sizeof(c))
			vgpu_region_write(fd, bar2, VGPU_BOCHS_MMIO_CURSOR + 4, c + 1,
					  sizeof(c) - 4);
		return;
	}
	if (vgpu_region_read(fd, bar2, VGPU_BOCHS_MMIO_DISPI, v, sizeof(v)) != sizeof(v) ||
	    v[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS)
		return;		/* with GETCAPS, XRES/YRES/BPP read the maxima */
	for (i = VBE_DISPI_INDEX_XRES; i <= VBE_DISPI_INDEX_Y_OFFSET; i++)
		fz_dispi_write(t, fd, i, v[i]);
}

/*
 * Where the plane's buffer starts in video memory, from the registers
 * (what QUERY does not report), or -1 if the registers read the maxima.
 */
static uint64_t fz_plane_offset(int fd, unsigned int type)
{
	uint16_t r[VBE_DISPI_INDEX_NB];
	uint64_t stride, cpp;
	uint32_t off;

	if (type == VGPU_PLANE_CURSOR)
		return vgpu_region_read(fd, VFIO_PCI_BAR2_REGION_INDEX,
					VGPU_BOCHS_MMIO_CURSOR + VGPU_BOCHS_CURSOR_OFFSET, &off,
					4) == 4 ? off : -1ull;
	if (vgpu_region_read(fd, VFIO_PCI_BAR2_REGION_INDEX, VGPU_BOCHS_MMIO_DISPI, r,
			     sizeof(r)) != sizeof(r) ||
	    r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS)
		return -1ull;
	cpp = r[VBE_DISPI_INDEX_BPP] == 16 ? 2 : 4;
	stride = (r[VBE_DISPI_INDEX_VIRT_WIDTH] > r[VBE_DISPI_INDEX_XRES] ?
		  r[VBE_DISPI_INDEX_VIRT_WIDTH] : r[VBE_DISPI_INDEX_XRES]) * cpp;
	return r[VBE_DISPI_INDEX_Y_OFFSET] * stride + r[VBE_DISPI_INDEX_X_OFFSET] * cpp;
}

/*
 * Change the plane: a new mode (on a region display sometimes with the
 * plane off and queried in between: *@gen becomes what that published),
 * or a cursor image elsewhere.
 */
static void fz_change_plane(struct fz_thread *t, struct fz_inst *in, int fd, unsigned int type,
			    uint32_t *gen)
{
	uint32_t off = fz_below(t, (in->vram - 16 * FZ_PAGE) / FZ_PAGE) * FZ_PAGE;
	struct vfio_device_gfx_plane_info q;
	struct fz_mode m;

	if (type == VGPU_PLANE_CURSOR) {
		vgpu_region_write(fd, VFIO_PCI_BAR2_REGION_INDEX,
				  VGPU_BOCHS_MMIO_CURSOR + VGPU_BOCHS_CURSOR_OFFSET, &off, 4);
		return;
	}
	if (in->region && fz_chance(t, 50)) {
		fz_dispi_write(t, fd, VBE_DISPI_INDEX_ENABLE, 0);
		if (!fz_query(t, in, fd, type, &q))
			*gen = vgpu_generation(&q);
		fz_note(t, "off in between");
	}
	fz_mode_valid(t, in, &m);
	fz_mode_write(t, fd, &m);
}

/*
 * After a change from @a to @b: a buffer elsewhere in video memory is a
 * new layout (a new dmabuf_id); a new stride is shown through a plane
 * region whose last stride it was, so never through the same one.
 */
static void fz_layout_check(struct fz_thread *t, struct fz_inst *in, unsigned int type,
			    const struct vfio_device_gfx_plane_info *a,
			    const struct vfio_device_gfx_plane_info *b, uint64_t from, uint64_t to)
{
	if (!a->drm_format || !b->drm_format)
		return;
	if (!in->region && from != -1ull && to != -1ull && from != to &&
	    a->dmabuf_id == b->dmabuf_id)
		fz_finding(t, "layout-id",
			   "plane %u moved from %#llx to %#llx in video memory but kept dmabuf_id %u",
			   type, (unsigned long long)from, (unsigned long long)to, a->dmabuf_id);
	if (in->region && a->stride != b->stride && a->region_index == b->region_index)
		fz_finding(t, "region-index-stride",
			   "the stride changed (%u -> %u) but the plane region index stayed %u",
			   a->stride, b->stride, a->region_index);
}

/*
 * The sysfs generation is the one last published (@gen): reading it
 * decodes nothing, so not even registers written since change it.
 */
static void fz_sysfs_gen_check(struct fz_thread *t, struct fz_inst *in, uint32_t gen)
{
	long long v = fz_stat_read(in, "generation");

	fz_count(t, ST_SYSFS, v < 0 ? -v : 0);
	if (v != gen)
		fz_finding(t, "sysfs-generation",
			   "vgpu_display/generation reads %lld; the last QUERY published %u",
			   v, gen);
}

/*
 * Alone on the device: two QUERYs with nothing in between agree, also on
 * the generation; rewriting the registers unchanged keeps it; a moved
 * cursor keeps it; a plane that changed has a new one.
 * Context: @in->lock held for writing.
 */
void op_gen_check(struct fz_thread *t, struct fz_inst *in)
{
	struct vfio_device_gfx_plane_info q1, q2, q3;
	unsigned int type = fz_chance(t, 70) ? VGPU_PLANE_PRIMARY : VGPU_PLANE_CURSOR;
	int fd = in->fds[0], step = fz_below(t, 3);
	int32_t pos[2] = { fz_below(t, 2000), fz_below(t, 1000) - 64 };
	uint64_t from, to;
	uint32_t g1, g2, g3, published;

	if (!in->alive || fz_query(t, in, fd, type, &q1) || fz_query(t, in, fd, type, &q2))
		return;
	fz_count(t, ST_GEN_CHECK, 0);
	g1 = vgpu_generation(&q1);
	g2 = vgpu_generation(&q2);
	published = g2;
	if (!fz_same_plane(&q1, &q2, VGPU_PLANE_PRIMARY) || g1 != g2)
		fz_finding(t, "gen-unstable",
			   "two QUERYs of plane %u with nothing in between differ (format %#x/%#x id %u/%u generation %u/%u)",
			   type, q1.drm_format, q2.drm_format, q1.dmabuf_id, q2.dmabuf_id, g1, g2);
	if (step == 1 && type != VGPU_PLANE_CURSOR)
		step = 2;	/* only a cursor can just move */
	from = fz_plane_offset(fd, type);
	if (step == 0)
		fz_rewrite_same(t, fd, type);
	else if (step == 1)
		vgpu_region_write(fd, VFIO_PCI_BAR2_REGION_INDEX,
				  VGPU_BOCHS_MMIO_CURSOR + VGPU_BOCHS_CURSOR_X, pos, sizeof(pos));
	else
		fz_change_plane(t, in, fd, type, &published);
	to = fz_plane_offset(fd, type);
	fz_note(t, "step %d", step);
	if (type == VGPU_PLANE_PRIMARY)
		fz_sysfs_gen_check(t, in, published);
	if (fz_query(t, in, fd, type, &q3))
		return;
	g3 = vgpu_generation(&q3);
	if (fz_same_plane(&q2, &q3, type) && step < 2 && g2 != g3)
		fz_finding(t, "gen-changed",
			   "plane %u: generation %u -> %u though the plane is the same (%s)", type,
			   g2, g3, step ? "the cursor only moved" : "registers rewritten unchanged");
	else if (!fz_same_plane(&q2, &q3, type) && g2 == g3)
		fz_finding(t, "gen-not-bumped",
			   "plane %u changed (format %#x -> %#x, id %u -> %u, %ux%u -> %ux%u) but kept generation %u",
			   type, q2.drm_format, q3.drm_format, q2.dmabuf_id, q3.dmabuf_id,
			   q2.width, q2.height, q3.width, q3.height, g3);
	if (step == 2)
		fz_layout_check(t, in, type, &q2, &q3, from, to);
}

/* What the host reads of the plane at @k must be @tok (64 bytes). */
static void fz_plane_content(struct fz_thread *t, struct fz_inst *in, int fd,
			     const struct vfio_device_gfx_plane_info *q, uint64_t k,
			     const uint8_t *tok)
{
	uint8_t got[64];
	uint8_t *map;
	long n;
	int buf;

	if (in->region) {
		n = vgpu_region_read(fd, q->region_index, k, got, sizeof(got));
		if (n != sizeof(got) || memcmp(got, tok, sizeof(got)))
			fz_finding(t, "region-content",
				   "plane region %u at %#llx does not show what the guest wrote there (%ld)",
				   q->region_index, (unsigned long long)k, n);
		return;
	}
	buf = vgpu_get_dmabuf(fd, q->dmabuf_id);
	fz_count(t, ST_GET_DMABUF, buf < 0 ? -buf : 0);
	if (buf < 0) {
		fz_finding(t, "get-dmabuf", "GET_GFX_DMABUF(%u) of the plane just set: %s",
			   q->dmabuf_id, strerror(-buf));
		return;
	}
	map = mmap(NULL, q->size, PROT_READ, MAP_SHARED, buf, 0);
	fz_count(t, ST_DMABUF_MMAP, map == MAP_FAILED ? errno : 0);
	if (map == MAP_FAILED)
		fz_finding(t, "dmabuf-mmap", "mmap of a %u-byte dma-buf: %s", q->size,
			   strerror(errno));
	else if (fz_guarded_copy(t, got, map + k, sizeof(got)) || memcmp(got, tok, sizeof(got)))
		fz_finding(t, "dmabuf-content",
			   "the dma-buf at %#llx does not show what the guest wrote there",
			   (unsigned long long)k);
	if (map != MAP_FAILED)
		munmap(map, q->size);
	close(buf);
}

static long fz_edid_reg(int fd, uint64_t pos, uint32_t val)
{
	return vgpu_region_write(fd, VGPU_EDID_REGION, pos, &val, 4);
}

/*
 * The VMM's EDID update sequence works (nobody else is on the device); the
 * guest sees the blob in BAR2 while the link is up, also after a reset,
 * and zeros once it is down.
 */
static void fz_edid_coherence(struct fz_thread *t, int fd)
{
	uint8_t blob[128], view[128], zero[128] = { 0 };
	int bad = 0;

	vgpu_make_edid(blob, 640 + fz_below(t, 1280), 480 + fz_below(t, 720));
	bad |= fz_edid_reg(fd, FZ_EDID_LINK, VFIO_DEVICE_GFX_LINK_STATE_DOWN) != 4;
	bad |= fz_edid_reg(fd, FZ_EDID_SIZE_REG, sizeof(blob)) != 4;
	bad |= vgpu_region_write(fd, VGPU_EDID_REGION, FZ_EDID_BLOB, blob, sizeof(blob)) !=
	       sizeof(blob);
	bad |= fz_edid_reg(fd, FZ_EDID_LINK, VFIO_DEVICE_GFX_LINK_STATE_UP) != 4;
	fz_count(t, ST_EDID, bad ? EIO : 0);
	if (bad) {
		fz_finding(t, "edid-sequence", "the EDID update sequence failed with a valid blob");
		return;
	}
	if (fz_chance(t, 50))
		ioctl(fd, VFIO_DEVICE_RESET);	/* the EDID is the VMM's: kept */
	if (vgpu_region_read(fd, VFIO_PCI_BAR2_REGION_INDEX, 0, view, sizeof(view)) !=
	    sizeof(view) || memcmp(view, blob, sizeof(blob)))
		fz_finding(t, "edid-guest-view", "the guest does not read the EDID the VMM set");
	fz_edid_reg(fd, FZ_EDID_LINK, VFIO_DEVICE_GFX_LINK_STATE_DOWN);
	if (vgpu_region_read(fd, VFIO_PCI_BAR2_REGION_INDEX, 0, view, sizeof(view)) !=
	    sizeof(view) || memcmp(view, zero, sizeof(zero)))
		fz_finding(t, "edid-guest-view", "the guest reads an EDID while the link is down");
}

/*
 * Alone on the device: a valid mode reads back from the registers, is
 * shown as set, and what the guest writes into its framebuffer is what
 * the host sees through the dma-buf or the plane region.
 * Context: @in->lock held for writing.
 */
void op_coherence(struct fz_thread *t, struct fz_inst *in)
{
	struct vfio_device_gfx_plane_info q;
	uint16_t v[VBE_DISPI_INDEX_NB];
	uint8_t tok[64], back[64];
	int fd = in->fds[0];
	struct fz_mode m;
	uint64_t addr, k;

	if (!in->alive)
		return;
	if (fz_chance(t, 30)) {
		fz_edid_coherence(t, fd);
		return;
	}
	fz_mode_valid(t, in, &m);
	m.bpp = 32;
	m.virt_w = m.w;
	k = ((uint64_t)m.w * 4 * m.h + FZ_PAGE - 1) / FZ_PAGE * FZ_PAGE;	/* size */
	addr = fz_chance(t, 50) ? fz_below(t, (in->vram - k) / FZ_PAGE + 1) * FZ_PAGE : 0;
	if (addr / (m.w * 4) > 0xffff)
		addr = 0;
	m.y = addr / (m.w * 4);
	m.x = addr % (m.w * 4) / 4;
	fz_note(t, "%ux%u at %#llx", m.w, m.h, (unsigned long long)addr);
	if (fz_mode_write(t, fd, &m) ||
	    vgpu_region_read(fd, VFIO_PCI_BAR2_REGION_INDEX, VGPU_BOCHS_MMIO_DISPI, v,
			     sizeof(v)) != sizeof(v))
		return;
	if (v[VBE_DISPI_INDEX_XRES] != m.w || v[VBE_DISPI_INDEX_YRES] != m.h ||
	    v[VBE_DISPI_INDEX_BPP] != 32 || v[VBE_DISPI_INDEX_VIRT_WIDTH] != m.virt_w)
		fz_finding(t, "dispi-readback", "mode %ux%u read back as %ux%u bpp %u virt %u",
			   m.w, m.h, v[1], v[2], v[3], v[6]);
	if (fz_query(t, in, fd, VGPU_PLANE_PRIMARY, &q))
		return;
	fz_count(t, ST_COHERENCE, 0);
	if (q.drm_format != DRM_FORMAT_XRGB8888 || q.width != m.w || q.height != m.h ||
	    q.stride != m.w * 4) {
		fz_finding(t, "mode-not-shown", "mode %ux%u at 32 bpp shows as format %#x %ux%u stride %u",
			   m.w, m.h, q.drm_format, q.width, q.height, q.stride);
		return;
	}
	k = fz_below(t, q.size - sizeof(tok) + 1) & ~3ull;	/* size: whole pages */
	fz_fill(t, tok, sizeof(tok));
	if (vgpu_region_write(fd, VFIO_PCI_BAR0_REGION_INDEX, addr + k, tok, sizeof(tok)) !=
	    sizeof(tok) ||
	    vgpu_region_read(fd, VFIO_PCI_BAR0_REGION_INDEX, addr + k, back, sizeof(back)) !=
	    sizeof(back) || memcmp(tok, back, sizeof(tok))) {
		fz_finding(t, "vram-readback", "video memory at %#llx does not read back",
			   (unsigned long long)(addr + k));
		return;
	}
	fz_plane_content(t, in, fd, &q, k, tok);
}
