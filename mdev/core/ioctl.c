// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_display: the display ioctls, VFIO_DEVICE_QUERY_GFX_PLANE and
 * VFIO_DEVICE_GET_GFX_DMABUF.
 *
 * QUERY is polled every frame by every display of the VMM: for a plane
 * whose registers did not change it copies the published state (plane.c)
 * under its seqcount and writes the answer, with no lock held and no work
 * proportional to anything. Only then is user memory touched.
 */
#include <linux/bitmap.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vgpu_display.h>

#include "vgpu_display_priv.h"

/* Two consecutive u32 fields of a user struct as one 64-bit store. */
static __always_inline u64 vgpu_pair(u32 first, u32 second)
{
	return IS_ENABLED(CONFIG_CPU_BIG_ENDIAN) ?
	       (u64)first << 32 | second : (u64)second << 32 | first;
}

/* The three input fields of QUERY: argsz, flags, drm_plane_type. */
static int vgpu_query_read(struct vfio_device_gfx_plane_info __user *arg,
			   u32 *argsz, u32 *flags, u32 *type)
{
	if (!user_access_begin(arg, offsetofend(typeof(*arg), drm_plane_type)))
		return -EFAULT;
	unsafe_get_user(*argsz, &arg->argsz, efault);
	unsafe_get_user(*flags, &arg->flags, efault);
	unsafe_get_user(*type, &arg->drm_plane_type, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/*
 * The output fields of QUERY, from drm_format on, from the snapshot @st of
 * plane @type; the generation at offset 60 only with @gen. An absent
 * cursor reports the hotspot 0xffffffff (none).
 *
 * The user access window holds nothing but stores from the stack copy: no
 * lock, no call, no index (objtool checks), and it covers exactly the
 * bytes written. From width on the fields pair up into naturally aligned
 * 64-bit words (the layout is fixed ABI) and are stored two at a time.
 */
static int vgpu_query_write(struct vfio_device_gfx_plane_info __user *arg,
			    const struct vgpu_plane_state *st, u32 type, bool gen)
{
	const u32 none = !st->desc.drm_format && type == VGPU_PLANE_CURSOR ? U32_MAX : 0;
	const size_t len = gen ? sizeof(*arg) : offsetofend(typeof(*arg), dmabuf_id);
	const u64 hot = vgpu_pair(st->desc.x_hot | none, st->desc.y_hot | none);

	BUILD_BUG_ON(offsetof(typeof(*arg), width) % 8 ||
		     offsetof(typeof(*arg), height) != offsetof(typeof(*arg), width) + 4 ||
		     offsetof(typeof(*arg), stride) != offsetof(typeof(*arg), width) + 8 ||
		     offsetof(typeof(*arg), size) != offsetof(typeof(*arg), width) + 12 ||
		     offsetof(typeof(*arg), x_pos) != offsetof(typeof(*arg), width) + 16 ||
		     offsetof(typeof(*arg), x_hot) != offsetof(typeof(*arg), width) + 24 ||
		     offsetof(typeof(*arg), dmabuf_id) != offsetof(typeof(*arg), width) + 32 ||
		     offsetofend(typeof(*arg), dmabuf_id) != VGPU_GFX_PLANE_GENERATION_OFFSET ||
		     sizeof(*arg) != VGPU_GFX_PLANE_GENERATION_OFFSET + 4);

	if (!user_access_begin(arg, len))
		return -EFAULT;
	unsafe_put_user(st->desc.drm_format, &arg->drm_format, efault);
	unsafe_put_user(0ULL, &arg->drm_format_mod, efault);	/* linear */
	unsafe_put_user(vgpu_pair(st->desc.width, st->desc.height),
			(u64 __user *)&arg->width, efault);
	unsafe_put_user(vgpu_pair(st->desc.stride, st->desc.size),
			(u64 __user *)&arg->stride, efault);
	unsafe_put_user(vgpu_pair(st->desc.x_pos, st->desc.y_pos),
			(u64 __user *)&arg->x_pos, efault);
	unsafe_put_user(hot, (u64 __user *)&arg->x_hot, efault);
	if (gen)
		unsafe_put_user(vgpu_pair(st->id, st->generation),
				(u64 __user *)&arg->dmabuf_id, efault);
	else
		unsafe_put_user(st->id, &arg->dmabuf_id, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* Write the damage answer: header, and the bitmap unless @full. */
static int vgpu_damage_write(struct vgpu_gfx_damage __user *ud,
			     struct vgpu_gfx_damage *dmg,
			     const struct vgpu_vram_damage *d, bool full)
{
	u32 bytes = DIV_ROUND_UP(d->nr, 64) * sizeof(u64);
	u64 *arr = NULL;
	int ret = 0;

	dmg->flags |= VGPU_GFX_DAMAGE_ANSWERED | (full ? VGPU_GFX_DAMAGE_FULL : 0);
	if (!full && bytes) {
		arr = kmalloc(bytes, GFP_KERNEL);
		if (!arr)
			return -ENOMEM;
		bitmap_to_arr64(arr, d->bitmap, d->nr);
		if (copy_to_user(ud->bitmap, arr, bytes))
			ret = -EFAULT;
		kfree(arr);
	}
	if (!ret && copy_to_user(ud, dmg, sizeof(*dmg)))
		ret = -EFAULT;
	return ret;
}

/*
 * The damage extension of QUERY (<linux/vgpu_display.h>): @argsz covers a
 * struct vgpu_gfx_damage after the plane info. Which pages of the plane
 * that shows @size bytes (0: off) from @offset of @vram were written since
 * the caller's token. Out of line: its stack and its calls stay off every
 * other QUERY's path.
 */
static noinline int vgpu_query_damage(struct vgpu_vram *vram, void __user *uarg,
				      u32 argsz, u64 offset, u64 size)
{
	struct vgpu_gfx_damage __user *ud = uarg + VGPU_GFX_DAMAGE_OFFSET;
	const u32 room = argsz - VGPU_GFX_DAMAGE_OFFSET - sizeof(*ud);
	struct vgpu_vram_damage d = {};
	struct vgpu_gfx_damage dmg;
	u64 start;
	bool full;
	int ret;

	if (copy_from_user(&dmg, ud, sizeof(dmg)))
		return -EFAULT;
	if (!(dmg.flags & VGPU_GFX_DAMAGE_REQUEST))
		return 0;
	if (dmg.flags != VGPU_GFX_DAMAGE_REQUEST || dmg.reserved ||
	    dmg.bitmap_size % 8 || dmg.bitmap_size > room || !vram)
		return -EINVAL;
	start = round_down(offset, PAGE_SIZE);
	if (size) {
		d.first = start >> PAGE_SHIFT;
		d.nr = (round_up(offset + size, PAGE_SIZE) - start) >> PAGE_SHIFT;
	}
	d.token = dmg.token;
	d.bitmap = bitmap_zalloc(max(d.nr, 1U), GFP_KERNEL);
	if (!d.bitmap)
		return -ENOMEM;
	ret = vgpu_vram_collect(vram, &d);
	if (!ret) {
		full = d.full || dmg.bitmap_size < DIV_ROUND_UP(d.nr, 64) * sizeof(u64);
		dmg.token = d.token;
		dmg.page_size = PAGE_SIZE;
		dmg.page_offset = d.nr ? offset - start : 0;
		dmg.nr_bits = d.nr;
		ret = vgpu_damage_write(ud, &dmg, &d, full);
	}
	bitmap_free(d.bitmap);
	return ret;
}

/*
 * Answer @argsz bytes at @arg with what plane @type publishes. The
 * snapshot is a value: no stack to clear or guard, and no call before the
 * user access.
 */
static int vgpu_query_answer(struct vgpu_planes *ps, struct vgpu_vram *vram,
			     unsigned int type, void __user *arg, u32 argsz)
{
	const struct vgpu_plane_state st = vgpu_plane_snapshot(ps, type);
	int ret;

	ret = vgpu_query_write(arg, &st, type,
			       argsz >= sizeof(struct vfio_device_gfx_plane_info));
	if (ret || argsz < VGPU_GFX_DAMAGE_OFFSET + sizeof(struct vgpu_gfx_damage))
		return ret;
	return vgpu_query_damage(vram, arg, argsz, st.desc.offset,
				 st.desc.drm_format ? st.desc.size : 0);
}

/**
 * vgpu_ioctl_query_plane() - VFIO_DEVICE_QUERY_GFX_PLANE
 * @ps: the planes
 * @vram: video memory of the session, for damage requests
 * @region: the display is a region display (else a dma-buf display)
 * @arg: the user's struct vfio_device_gfx_plane_info
 *
 * A probe for the display's own kind answers 0, any other probe -EINVAL.
 * A query must set exactly that kind and ask for the primary or the
 * cursor plane, with argsz at least 60; a region display also takes plane
 * type 0 for the primary plane, as QEMU sends it. An off or invalid plane
 * is a success with every output field zero (and, for the cursor, the
 * hotspot 0xffffffff: none). The generation (see <linux/vgpu_display.h>)
 * is stored at offset 60 when argsz covers it, and when argsz covers a
 * struct vgpu_gfx_damage after the plane info, that asks for damage
 * (vgpu_query_damage()).
 *
 * The published state is copied to the stack under its seqcount first;
 * only then is user memory touched, with nothing held.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL (bad argsz, flags or plane type), -EFAULT, -ENOMEM.
 */
long vgpu_ioctl_query_plane(struct vgpu_planes *ps, struct vgpu_vram *vram,
			    bool region, struct vfio_device_gfx_plane_info __user *arg)
{
	const u32 minsz = offsetofend(struct vfio_device_gfx_plane_info, dmabuf_id);
	const u32 kind = region ? VFIO_GFX_PLANE_TYPE_REGION : VFIO_GFX_PLANE_TYPE_DMABUF;
	u32 argsz, flags, type;
	int ret;

	ret = vgpu_query_read(arg, &argsz, &flags, &type);
	if (ret)
		return ret;
	if (argsz < minsz)
		return -EINVAL;
	if (flags & VFIO_GFX_PLANE_TYPE_PROBE)
		return flags == (VFIO_GFX_PLANE_TYPE_PROBE | kind) ? 0 : -EINVAL;
	/*
	 * QEMU (7.2 and later) leaves drm_plane_type 0 in its region queries,
	 * meaning the primary plane: a region display takes 0 for it.
	 */
	if (region && !type)
		type = VGPU_PLANE_PRIMARY;
	if (flags != kind || (type != VGPU_PLANE_PRIMARY && type != VGPU_PLANE_CURSOR))
		return -EINVAL;
	type = array_index_nospec(type - 1, VGPU_NUM_PLANES) + 1;

	if (vgpu_plane_stale(ps, type)) {
		ret = vgpu_plane_update(ps, type);
		if (ret)
			return ret;
	}
	return vgpu_query_answer(ps, vram, type, arg, argsz);
}

/**
 * vgpu_ioctl_get_dmabuf() - VFIO_DEVICE_GET_GFX_DMABUF of a dma-buf display
 * @ls: the display's layouts
 * @arg: the user's dmabuf_id
 *
 * Every call exports a new dma-buf with its own file, so fds are
 * independent of each other even for the same id.
 *
 * Context: process context; may sleep.
 * Return: a new O_CLOEXEC read-write fd, or -ENOENT (an id that names no
 * layout of the current open session), -EFAULT, -ENOMEM, -EMFILE.
 */
long vgpu_ioctl_get_dmabuf(struct vgpu_layouts *ls, u32 __user *arg)
{
	struct vgpu_vram *vram;
	struct vgpu_layout *l;
	u32 id;

	if (get_user(id, arg))
		return -EFAULT;
	l = vgpu_layout_take(ls, id, &vram);
	if (!l)
		return -ENOENT;
	/* The export owns the use count and @vram from here, even on failure. */
	return vgpu_dmabuf_export(ls, l, vram);
}
