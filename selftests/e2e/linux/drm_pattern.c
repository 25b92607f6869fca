// SPDX-License-Identifier: GPL-2.0
/*
 * The payload of the Linux end-to-end guest: a static program that the
 * guest's /init runs once the stock bochs DRM driver has bound to the
 * vGPU. For each phase of ../pattern.h it draws the phase's picture into a
 * dumb buffer, shows it on the CRTC of the connected connector in a mode of
 * the phase's size, says "PHASE n" on the serial port and waits for any
 * byte from the host before the next phase. Then it says "DONE".
 *
 * Only the raw DRM ioctls of the kernel's uapi headers are used, so the
 * program links statically without libdrm.
 *
 * Usage: drm_pattern [DRM-DEVICE [SERIAL-TTY]]
 *        (default /dev/dri/card0 and /dev/ttyS0)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_mode.h>

#include "../pattern.h"

#define MAX_MODES	256

struct output {
	uint32_t connector_id;
	uint32_t crtc_id;
	unsigned int nr_modes;
	struct drm_mode_modeinfo modes[MAX_MODES];
};

struct buffer {
	uint32_t handle;
	uint32_t fb_id;
};

static int serial_fd = -1;

/* A message for a person: on the serial port if open, else on stderr. */
__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(msg))
		len = sizeof(msg) - 1;
	if (serial_fd >= 0) {
		if (write(serial_fd, msg, len) != len)
			serial_fd = -1;
		else
			tcdrain(serial_fd);
	} else {
		fputs(msg, stderr);
	}
}

static int drm_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

static uint64_t to_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* The serial port in raw mode, so that a single byte ends a read. */
static int serial_open(const char *path)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (tcgetattr(fd, &t)) {
		close(fd);
		return -errno;
	}
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t)) {
		close(fd);
		return -errno;
	}
	tcflush(fd, TCIFLUSH);
	return fd;
}

/* The DRM device, waiting a few seconds for its node to appear. */
static int drm_open(const char *path)
{
	int tries, fd = -1;

	for (tries = 0; tries < 100; tries++) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			break;
		usleep(100 * 1000);
	}
	return fd < 0 ? -errno : fd;
}

/*
 * Fill @conn's arrays for @conn->connector_id. With count_modes 0 on the
 * first call the kernel probes the connector (its EDID, for bochs-drm).
 */
static int get_connector(int fd, struct drm_mode_get_connector *conn,
			 struct drm_mode_modeinfo *modes, unsigned int max_modes,
			 uint32_t *encoders, unsigned int max_encoders)
{
	uint32_t id = conn->connector_id;
	int ret;

	memset(conn, 0, sizeof(*conn));
	conn->connector_id = id;
	ret = drm_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, conn);
	if (ret)
		return ret;
	if (conn->count_modes > max_modes || conn->count_encoders > max_encoders)
		return -E2BIG;
	conn->count_props = 0;
	conn->modes_ptr = to_ptr(modes);
	conn->encoders_ptr = to_ptr(encoders);
	return drm_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, conn);
}

/* A CRTC that @enc_id can drive: its current one, else the first possible. */
static int crtc_for_encoder(int fd, uint32_t enc_id, const uint32_t *crtcs,
			    unsigned int nr_crtcs, uint32_t *crtc_id)
{
	struct drm_mode_get_encoder enc = { .encoder_id = enc_id };
	unsigned int i;
	int ret;

	ret = drm_ioctl(fd, DRM_IOCTL_MODE_GETENCODER, &enc);
	if (ret)
		return ret;
	if (enc.crtc_id) {
		*crtc_id = enc.crtc_id;
		return 0;
	}
	for (i = 0; i < nr_crtcs && i < 32; i++) {
		if (enc.possible_crtcs & (1u << i)) {
			*crtc_id = crtcs[i];
			return 0;
		}
	}
	return -ENODEV;
}

/* The first connected connector with modes, and a CRTC for it. */
static int find_output(int fd, struct output *out)
{
	uint32_t crtcs[32], connectors[32], encoders[32];
	struct drm_mode_card_res res = { 0 };
	struct drm_mode_get_connector conn;
	unsigned int i, j;
	int ret;

	ret = drm_ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res);
	if (ret)
		return ret;
	if (res.count_crtcs > 32 || res.count_connectors > 32)
		return -E2BIG;
	res.count_fbs = 0;
	res.count_encoders = 0;
	res.crtc_id_ptr = to_ptr(crtcs);
	res.connector_id_ptr = to_ptr(connectors);
	ret = drm_ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res);
	if (ret)
		return ret;

	for (i = 0; i < res.count_connectors; i++) {
		conn.connector_id = connectors[i];
		ret = get_connector(fd, &conn, out->modes, MAX_MODES, encoders, 32);
		if (ret)
			return ret;
		if (conn.connection != 1 || !conn.count_modes)
			continue;	/* not DRM_MODE_CONNECTED */

		out->connector_id = conn.connector_id;
		out->nr_modes = conn.count_modes;
		if (conn.encoder_id &&
		    !crtc_for_encoder(fd, conn.encoder_id, crtcs, res.count_crtcs,
				      &out->crtc_id))
			return 0;
		for (j = 0; j < conn.count_encoders; j++) {
			if (!crtc_for_encoder(fd, encoders[j], crtcs,
					      res.count_crtcs, &out->crtc_id))
				return 0;
		}
	}
	return -ENODEV;
}

static void list_modes(const struct output *out)
{
	const struct drm_mode_modeinfo *m;
	unsigned int i;

	say("drm_pattern: connector %u, crtc %u, %u modes:",
	    out->connector_id, out->crtc_id, out->nr_modes);
	for (i = 0; i < out->nr_modes; i++) {
		m = &out->modes[i];
		say(" %ux%u@%u%s", m->hdisplay, m->vdisplay, m->vrefresh,
		    m->type & DRM_MODE_TYPE_PREFERRED ? "*" : "");
	}
	say("\n");
}

/*
 * A mode of @w x @h: the connector's own if it lists one (preferring its
 * highest refresh rate), else a made-up 60 Hz one; bochs-drm programs
 * only the visible size and accepts any timings.
 */
static void pick_mode(const struct output *out, unsigned int w, unsigned int h,
		      struct drm_mode_modeinfo *mode)
{
	const struct drm_mode_modeinfo *best = NULL, *m;
	unsigned int i;

	for (i = 0; i < out->nr_modes; i++) {
		m = &out->modes[i];
		if (m->hdisplay != w || m->vdisplay != h ||
		    (m->flags & DRM_MODE_FLAG_INTERLACE))
			continue;
		if (!best || m->vrefresh > best->vrefresh)
			best = m;
	}
	if (best) {
		*mode = *best;
		return;
	}

	memset(mode, 0, sizeof(*mode));
	mode->hdisplay = w;
	mode->hsync_start = w + 16;
	mode->hsync_end = w + 16 + 96;
	mode->htotal = w + 160;
	mode->vdisplay = h;
	mode->vsync_start = h + 3;
	mode->vsync_end = h + 6;
	mode->vtotal = h + 30;
	mode->vrefresh = 60;
	mode->clock = mode->htotal * mode->vtotal * 60 / 1000;
	mode->type = DRM_MODE_TYPE_USERDEF;
	snprintf(mode->name, sizeof(mode->name), "%ux%u", w, h);
	say("drm_pattern: no %ux%u mode listed; using a made-up one\n", w, h);
}

/* A dumb buffer of @phase's size with the phase's picture, as a framebuffer. */
static int draw(int fd, unsigned int phase, struct buffer *buf)
{
	const struct e2e_phase *p = &e2e_phases[phase];
	struct drm_mode_create_dumb create = {
		.width = p->width,
		.height = p->height,
		.bpp = 32,
	};
	struct drm_mode_fb_cmd2 fb = {
		.width = p->width,
		.height = p->height,
		.pixel_format = DRM_FORMAT_XRGB8888,
	};
	struct drm_mode_map_dumb map = { 0 };
	unsigned int x, y;
	uint8_t *pixels;
	int ret;

	ret = drm_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create);
	if (ret)
		return ret;
	buf->handle = create.handle;
	buf->fb_id = 0;

	map.handle = create.handle;
	ret = drm_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map);
	if (ret)
		return ret;
	pixels = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      fd, map.offset);
	if (pixels == MAP_FAILED)
		return -errno;
	for (y = 0; y < p->height; y++) {
		uint32_t *row = (uint32_t *)(pixels + (size_t)y * create.pitch);

		for (x = 0; x < p->width; x++)
			row[x] = e2e_pixel(phase, x, y);
	}
	munmap(pixels, create.size);

	fb.handles[0] = create.handle;
	fb.pitches[0] = create.pitch;
	ret = drm_ioctl(fd, DRM_IOCTL_MODE_ADDFB2, &fb);
	if (ret)
		return ret;
	buf->fb_id = fb.fb_id;
	return 0;
}

static void buffer_free(int fd, struct buffer *buf)
{
	struct drm_mode_destroy_dumb destroy = { .handle = buf->handle };

	if (buf->fb_id)
		drm_ioctl(fd, DRM_IOCTL_MODE_RMFB, &buf->fb_id);
	if (buf->handle)
		drm_ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	memset(buf, 0, sizeof(*buf));
}

static int show(int fd, const struct output *out, const struct buffer *buf,
		const struct drm_mode_modeinfo *mode)
{
	struct drm_mode_crtc crtc = {
		.crtc_id = out->crtc_id,
		.fb_id = buf->fb_id,
		.set_connectors_ptr = to_ptr(&out->connector_id),
		.count_connectors = 1,
		.mode = *mode,
		.mode_valid = 1,
	};

	return drm_ioctl(fd, DRM_IOCTL_MODE_SETCRTC, &crtc);
}

/* Wait for any byte from the host. */
static int wait_host(void)
{
	char c;
	ssize_t n;

	do {
		n = read(serial_fd, &c, 1);
	} while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : (n < 0 ? -errno : -EPIPE);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *card = argc > 1 ? argv[1] : "/dev/dri/card0";
	const char *tty = argc > 2 ? argv[2] : "/dev/ttyS0";
	struct buffer cur = { 0 }, prev = { 0 };
	struct drm_mode_modeinfo mode;
	static struct output out;
	unsigned int phase;
	double t0 = now_s();
	int fd, ret;

	ret = serial_open(tty);
	if (ret < 0) {
		say("drm_pattern: %s: %s\n", tty, strerror(-ret));
		return 1;
	}
	serial_fd = ret;
	fd = drm_open(card);
	if (fd < 0) {
		say("drm_pattern: %s: %s\n", card, strerror(-fd));
		return 1;
	}
	ret = find_output(fd, &out);
	if (ret) {
		say("drm_pattern: no connected output: %s\n", strerror(-ret));
		return 1;
	}
	list_modes(&out);

	for (phase = 0; phase < E2E_NR_PHASES; phase++) {
		const struct e2e_phase *p = &e2e_phases[phase];

		pick_mode(&out, p->width, p->height, &mode);
		ret = draw(fd, phase, &cur);
		if (ret) {
			say("drm_pattern: phase %u: dumb buffer: %s\n", phase,
			    strerror(-ret));
			return 1;
		}
		ret = show(fd, &out, &cur, &mode);
		if (ret) {
			say("drm_pattern: phase %u: SETCRTC %s: %s\n", phase,
			    mode.name, strerror(-ret));
			return 1;
		}
		buffer_free(fd, &prev);
		prev = cur;
		memset(&cur, 0, sizeof(cur));

		say("drm_pattern: phase %u: %s@%u after %.1f s\n", phase,
		    mode.name, mode.vrefresh, now_s() - t0);
		say("PHASE %u\n", phase);
		ret = wait_host();
		if (ret) {
			say("drm_pattern: reading %s: %s\n", tty, strerror(-ret));
			return 1;
		}
	}
	say("DONE\n");
	buffer_free(fd, &prev);
	close(fd);
	return 0;
}
