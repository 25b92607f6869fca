/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvgpu - open and use a mediated vGPU display from userspace.
 *
 * The consumer side of VFIO_DEVICE_QUERY_GFX_PLANE and
 * VFIO_DEVICE_GET_GFX_DMABUF, as QEMU's vfio-pci display=on uses them:
 * open an instance by UUID, find out whether it exports dma-bufs or shows
 * planes in a region, query the planes, skip work while the plane's
 * generation stays the same, keep a bounded cache of dma-buf fds keyed by
 * dmabuf_id, map the pixels and hand them over, and import a dma-buf into
 * a DRM device to prove it importable. PNG files and VNC grabs are not
 * part of it: the tools have them in libvgpu-util.a (qemu-glue/util).
 *
 * Every call returns 0 or a negative errno of its own; there is no error
 * state kept between calls. vgpu_strerror() turns an errno into a sentence
 * that names the fix, and vgpu_set_log_fn() gets the failing call's own
 * message. The library is not thread-safe per handle: use one struct vgpu
 * from one thread at a time.
 *
 * A struct the caller passes for the library to fill starts with @argsz:
 * set it to sizeof() the struct as your vgpu.h declares it. The library
 * fills no more than that, and sets @argsz to the bytes it filled, so a
 * program built against a newer vgpu.h (a bigger struct) still works with
 * an older library and can tell which fields it got.
 */
#ifndef VGPU_H
#define VGPU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** struct vgpu - an open vGPU instance (opaque) */
struct vgpu;

/**
 * enum vgpu_display_kind - how an instance hands out its planes
 * @VGPU_KIND_NONE: the device has no display (no GFX plane support)
 * @VGPU_KIND_DMABUF: planes are dma-bufs (VFIO_DEVICE_GET_GFX_DMABUF)
 * @VGPU_KIND_REGION: planes are shown in mmap-able device regions
 *
 * Not the kernel's VGPU_DISPLAY_* (mdev/include/vgpu_display.h), whose
 * values differ.
 */
enum vgpu_display_kind {
	VGPU_KIND_NONE = 0,
	VGPU_KIND_DMABUF = 1,
	VGPU_KIND_REGION = 2,
};

/**
 * enum vgpu_plane_type - the planes a display has (DRM_PLANE_TYPE_* values)
 * @VGPU_PLANE_PRIMARY: the framebuffer
 * @VGPU_PLANE_CURSOR: the hardware cursor image
 */
enum vgpu_plane_type {
	VGPU_PLANE_PRIMARY = 1,
	VGPU_PLANE_CURSOR = 2,
};

/**
 * struct vgpu_plane - what QUERY reported for one plane
 * @argsz: the caller sets sizeof(struct vgpu_plane); the library sets the
 *	bytes it filled
 * @drm_format: DRM fourcc of the pixels; 0 when the plane is off
 * @modifier: DRM format modifier (0: linear)
 * @width: pixels
 * @height: lines
 * @stride: bytes from one line to the next
 * @size: bytes of the buffer
 * @x_pos: cursor: position on the primary plane (may be negative)
 * @y_pos: see @x_pos
 * @x_hot: cursor: hotspot, 0xffffffff when the device gives none
 * @y_hot: see @x_hot
 * @id: dmabuf_id (dma-buf display) or region index (region display)
 * @generation: changes whenever the plane's layout changes; 0 when the
 *	device does not report one
 */
struct vgpu_plane {
	uint32_t argsz;
	uint32_t drm_format;
	uint64_t modifier;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint32_t size;
	int32_t x_pos;
	int32_t y_pos;
	uint32_t x_hot;
	uint32_t y_hot;
	uint32_t id;
	uint32_t generation;
};

/* Bits of &struct vgpu_frame.changes */
#define VGPU_FRAME_NEW_LAYOUT	(1u << 0)	/* format, size, stride, buffer */
#define VGPU_FRAME_NEW_MAPPING	(1u << 1)	/* @pixels moved */

/**
 * struct vgpu_frame - a plane ready to read
 * @argsz: the caller sets sizeof(struct vgpu_frame); the library sets the
 *	bytes it filled
 * @changes: VGPU_FRAME_* bits: what changed since the previous frame of
 *	this plane type; 0 means only the contents may have
 * @dmabuf_fd: the dma-buf behind @pixels (owned by the library's cache),
 *	or -1 for a region display
 * @reserved: 0
 * @pixels: the first pixel, mapped; valid until the next vgpu_frame_get()
 *	for the same plane type, or vgpu_close()
 * @plane: the plane as QUERY reported it; last, so that it can grow
 */
struct vgpu_frame {
	uint32_t argsz;
	uint32_t changes;
	int dmabuf_fd;
	uint32_t reserved;
	const uint8_t *pixels;
	struct vgpu_plane plane;
};

/**
 * struct vgpu_stats - what a handle did, for tools and tests
 * @argsz: the caller sets sizeof(struct vgpu_stats); the library sets the
 *	bytes it filled
 * @cached: dma-bufs and region mappings held right now
 * @queries: plane queries made
 * @unchanged: frames whose generation showed nothing to redo
 * @dmabuf_gets: VFIO_DEVICE_GET_GFX_DMABUF calls (cache misses)
 * @cache_hits: frames served from a cached dma-buf or region mapping
 * @evictions: cached dma-bufs closed to stay within the cache size
 */
struct vgpu_stats {
	uint32_t argsz;
	uint32_t cached;
	uint64_t queries;
	uint64_t unchanged;
	uint64_t dmabuf_gets;
	uint64_t cache_hits;
	uint64_t evictions;
};

/* Default bound of the dma-buf cache; QEMU keeps a handful likewise. */
#define VGPU_CACHE_DEFAULT	8

/**
 * vgpu_open() - open a vGPU instance through its VFIO group
 * @uuid: the mdev instance UUID (as in /sys/bus/mdev/devices/UUID)
 * @out: on success, the new handle
 *
 * Opens /dev/vfio/vfio, the instance's IOMMU group, attaches the group to
 * the container with the type1v2 IOMMU and gets the device fd, which is
 * what QEMU does for -device vfio-pci,sysfsdev=... Opening resets the
 * device, as QEMU's does.
 *
 * Return: 0, or a negative errno: -ENOENT if no such instance exists,
 * -EBUSY if another process has it open, -EINVAL for a malformed @uuid,
 * -ENODEV if VFIO lacks the type1v2 IOMMU; vgpu_strerror() explains each.
 */
int vgpu_open(const char *uuid, struct vgpu **out);

/**
 * vgpu_open_fd() - use a VFIO device fd opened elsewhere
 * @device_fd: an open VFIO device fd, e.g. handed over by a VMM
 * @out: on success, the new handle
 *
 * The handle works on a duplicate of @device_fd; the caller keeps its own.
 *
 * Return: 0, or a negative errno (-EBADF for a closed fd, -ENOTTY for an
 * fd that is not a VFIO device).
 */
int vgpu_open_fd(int device_fd, struct vgpu **out);

/**
 * vgpu_close() - close a vGPU handle, its cached dma-bufs and mappings
 * @vgpu: handle from vgpu_open(), or NULL
 */
void vgpu_close(struct vgpu *vgpu);

/**
 * vgpu_device_fd() - the VFIO device fd of an open vGPU
 * @vgpu: an open handle
 *
 * Return: the fd; it stays owned by @vgpu.
 */
int vgpu_device_fd(const struct vgpu *vgpu);

/**
 * vgpu_group_fd() - the VFIO group fd of an open vGPU
 * @vgpu: an open handle
 *
 * Return: the fd (owned by @vgpu), or -1 for a handle from vgpu_open_fd().
 */
int vgpu_group_fd(const struct vgpu *vgpu);

/**
 * vgpu_get_display_kind() - probe how the instance hands out planes
 * @vgpu: an open handle
 *
 * Probes with VFIO_GFX_PLANE_TYPE_PROBE once and remembers the answer.
 *
 * Return: an &enum vgpu_display_kind, or a negative errno.
 */
int vgpu_get_display_kind(struct vgpu *vgpu);

/**
 * vgpu_query() - query one plane
 * @vgpu: an open handle
 * @type: an &enum vgpu_plane_type
 * @plane: filled in, @plane->argsz set by the caller; @plane->drm_format
 *	is 0 when the plane is off
 *
 * Return: 0, -ENXIO for a device without a display, -EINVAL for a bad
 * @type or a @plane->argsz smaller than the first struct vgpu_plane, or
 * another negative errno from the device.
 */
int vgpu_query(struct vgpu *vgpu, enum vgpu_plane_type type,
	       struct vgpu_plane *plane);

/**
 * vgpu_frame_get() - get a plane's pixels, reusing what did not change
 * @vgpu: an open handle
 * @type: an &enum vgpu_plane_type
 * @frame: filled in, @frame->argsz set by the caller
 *
 * Queries the plane. When its generation is the one of the previous frame
 * of @type, the previous mapping is handed out again with
 * &vgpu_frame.changes 0 and nothing else is done. Otherwise a dma-buf
 * display looks the plane's dmabuf_id up in the handle's cache, and only
 * on a miss calls VFIO_DEVICE_GET_GFX_DMABUF and maps the new dma-buf; the
 * cache holds at most vgpu_set_cache_size() dma-bufs, least recently used
 * first out, never the ones current frames point into. A region display
 * maps the plane's region once. Mappings are 2 MiB aligned, so the kernel
 * can use huge-page mappings.
 *
 * Return: 0; -ENODATA when the plane is off ("no plane yet"); -ENXIO for
 * a device without a display; -EINVAL for a bad @type or a too small
 * @frame->argsz; or a negative errno from the device.
 */
int vgpu_frame_get(struct vgpu *vgpu, enum vgpu_plane_type type,
		   struct vgpu_frame *frame);

/**
 * struct vgpu_rect - a rectangle of a plane, in pixels
 * @x: left column
 * @y: top row
 * @width: columns
 * @height: rows
 */
struct vgpu_rect {
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
};

#define VGPU_DAMAGE_MAX_RECTS	64

/* Bits of &struct vgpu_damage.flags */
#define VGPU_DAMAGE_FULL	(1u << 0)	/* all of the plane changed */
#define VGPU_DAMAGE_MERGED	(1u << 1)	/* more than the rects hold */

/**
 * struct vgpu_damage - what changed in a plane since the last time
 * @argsz: set by the caller to sizeof(struct vgpu_damage)
 * @flags: %VGPU_DAMAGE_FULL when everything counts as changed (a new
 *	layout, the first frame, a device without damage reports);
 *	%VGPU_DAMAGE_MERGED when the damage took more than
 *	%VGPU_DAMAGE_MAX_RECTS rectangles, so they were merged into one
 *	bounding rectangle
 * @nr_rects: rectangles in @rects; 0 when nothing changed
 * @reserved: 0
 * @bytes: bytes of the plane the damage covers: what a copy of the
 *	changed part moves (the device reports damage in pages)
 * @rects: the changed rectangles, disjoint, top to bottom
 */
struct vgpu_damage {
	uint32_t argsz;
	uint32_t flags;
	uint32_t nr_rects;
	uint32_t reserved;
	uint64_t bytes;
	struct vgpu_rect rects[VGPU_DAMAGE_MAX_RECTS];
};

/**
 * vgpu_frame_get_damage() - vgpu_frame_get(), and what changed
 * @vgpu: an open handle
 * @type: %VGPU_PLANE_PRIMARY or %VGPU_PLANE_CURSOR
 * @frame: as for vgpu_frame_get()
 * @damage: filled in, @damage->argsz set by the caller: the part of the
 *	plane written since the last vgpu_frame_get_damage() of @type on
 *	this handle - by the guest or by anybody on the host. The device's
 *	damage reports (<linux/vgpu_display.h>) are used when it has them;
 *	otherwise every frame is %VGPU_DAMAGE_FULL.
 *
 * Return: as vgpu_frame_get(), or -EINVAL for a too small @damage->argsz.
 */
int vgpu_frame_get_damage(struct vgpu *vgpu, enum vgpu_plane_type type,
			  struct vgpu_frame *frame, struct vgpu_damage *damage);

/**
 * vgpu_frame_copy() - keep a copy of a plane up to date
 * @vgpu: an open handle
 * @type: %VGPU_PLANE_PRIMARY or %VGPU_PLANE_CURSOR
 * @dst: the copy: the plane's bytes, rows of the plane's stride
 * @len: bytes at @dst; at least the plane's size
 * @frame: filled in as by vgpu_frame_get() (may be NULL)
 *
 * Copies into @dst what changed since the last vgpu_frame_copy() of @type
 * into the same @dst, from the device's damage reports: an unchanged
 * frame costs one query. Copies all of the plane on a new layout, a new
 * @dst, the first call, or a device without damage reports.
 *
 * Return: bytes copied (0: nothing changed), -ENODATA when the plane is
 * off, -ENOSPC when @len is below the plane's size (@frame is filled in:
 * its plane.size is what the copy needs; this is not logged), or as
 * vgpu_frame_get().
 */
long vgpu_frame_copy(struct vgpu *vgpu, enum vgpu_plane_type type, void *dst,
		     size_t len, struct vgpu_frame *frame);

/**
 * vgpu_set_cache_size() - bound the number of cached dma-bufs
 * @vgpu: an open handle
 * @entries: at least 1; the default is %VGPU_CACHE_DEFAULT
 *
 * Shrinks the cache at once if it holds more (current frames excepted).
 *
 * Return: 0, or -EINVAL for 0.
 */
int vgpu_set_cache_size(struct vgpu *vgpu, unsigned int entries);

/**
 * vgpu_get_stats() - counters of what a handle did
 * @vgpu: an open handle
 * @stats: filled in, @stats->argsz set by the caller
 *
 * Return: 0, or -EINVAL for a @stats->argsz smaller than the first
 * struct vgpu_stats.
 */
int vgpu_get_stats(const struct vgpu *vgpu, struct vgpu_stats *stats);

/**
 * vgpu_frame_import_drm() - import a frame's dma-buf into a DRM device
 * @frame: a frame of a dma-buf display
 * @drm_fd: an open DRM device, e.g. a render node
 * @handle: on success, the GEM handle; close it with drmCloseBufferHandle()
 *
 * Proves the dma-buf importable by another driver.
 *
 * Return: 0, -EOPNOTSUPP for a region frame, or the negative errno of
 * DRM_IOCTL_PRIME_FD_TO_HANDLE.
 */
int vgpu_frame_import_drm(const struct vgpu_frame *frame, int drm_fd,
			  uint32_t *handle);

/**
 * typedef vgpu_log_fn - where the library's messages go
 * @data: what vgpu_set_log_fn() was given
 * @err: the negative errno the failing call is about to return
 * @func: the library function that fails, e.g. "vgpu_open"
 * @msg: what failed and, where there is one, the fix; one line, no newline
 *
 * Called from the failing call itself, before it returns @err: a message
 * belongs to that call and is not kept anywhere.
 */
typedef void (*vgpu_log_fn)(void *data, int err, const char *func,
			    const char *msg);

/**
 * vgpu_set_log_fn() - send the library's messages to a function
 * @fn: the function, or NULL (the default) for no messages
 * @data: passed to @fn
 *
 * The setting is process-wide: set it once, before other threads use the
 * library. A call that fails returns its errno whether or not @fn is set;
 * the message only adds what failed (a path, an ioctl, the errno there).
 */
void vgpu_set_log_fn(vgpu_log_fn fn, void *data);

/**
 * vgpu_strerror() - describe an error returned by this library
 * @err: a negative errno returned by a vgpu_*() call
 *
 * Return: a static string naming the problem and, where there is one, the
 * fix.
 */
const char *vgpu_strerror(int err);

/**
 * struct vgpu_type - an mdev type a parent device offers (fixed layout)
 * @parent: the parent device's name in /sys/class/mdev_bus
 * @type: the type's directory name, e.g. "vgpu_bochs-hd"
 * @name: the type's human-readable name, or "" if it has none
 * @description: what the type offers, or ""
 * @device_api: "vfio-pci" for display devices
 * @available: instances that can still be created
 *
 * vgpu_list_types() returns arrays of it, so its size is part of the ABI
 * of VGPU_0 and never changes: more fields would come with new functions.
 */
struct vgpu_type {
	char parent[64];
	char type[64];
	char name[64];
	char description[256];
	char device_api[32];
	unsigned int available;
};

/**
 * struct vgpu_instance - an mdev instance in existence (fixed layout)
 * @uuid: its UUID
 * @parent: its parent device's name
 * @type: its type's directory name
 *
 * Fixed for the same reason as struct vgpu_type.
 */
struct vgpu_instance {
	char uuid[37];
	char parent[64];
	char type[64];
};

/**
 * vgpu_list_types() - the mdev types of every parent device
 * @types: on success, a malloc()ed array (free() it), sorted by parent
 *	and type
 * @count: its length
 *
 * Return: 0 (also with no parents), or a negative errno.
 */
int vgpu_list_types(struct vgpu_type **types, size_t *count);

/**
 * vgpu_list_instances() - the mdev instances in existence
 * @instances: on success, a malloc()ed array (free() it), sorted by UUID
 * @count: its length
 *
 * Return: 0, or a negative errno.
 */
int vgpu_list_instances(struct vgpu_instance **instances, size_t *count);

/**
 * vgpu_find_type() - look an mdev type up by name
 * @parent: parent device name, or NULL for any parent
 * @type: type directory name ("vgpu_bochs-hd") or its short form ("hd")
 * @out: on success, the type
 *
 * The full directory name wins over a short form that also matches.
 *
 * Return: 0; -ENOENT for an unknown type; -EINVAL when several types or
 * parents answer to @type (give the full name, or @parent).
 */
int vgpu_find_type(const char *parent, const char *type, struct vgpu_type *out);

/**
 * vgpu_create() - create an mdev instance
 * @parent: parent device name, or NULL for the only parent offering @type
 * @type: type directory name ("vgpu_bochs-hd") or its short form ("hd")
 * @uuid: the UUID to use, or NULL for a new random one
 * @out_uuid: receives the instance's UUID (37 bytes)
 *
 * @parent and @type are looked up as vgpu_find_type() does.
 *
 * Return: 0; -ENOENT for an unknown type; -ENOSPC when the type has no
 * instance left; -EEXIST when @uuid exists; -EINVAL for a malformed @uuid
 * or an ambiguous @type.
 */
int vgpu_create(const char *parent, const char *type, const char *uuid,
		char out_uuid[37]);

/**
 * vgpu_remove() - remove an mdev instance
 * @uuid: its UUID
 *
 * Blocks while a user (a VM, a dma-buf mapping) still holds the device, as
 * the kernel does.
 *
 * Return: 0, -ENOENT if there is no such instance, or a negative errno.
 */
int vgpu_remove(const char *uuid);

#ifdef __cplusplus
}
#endif

#endif /* VGPU_H */
