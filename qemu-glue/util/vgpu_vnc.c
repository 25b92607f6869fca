// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Grabbing a screen over VNC: what QEMU shows of a vGPU while it holds the
 * device (VFIO gives a device to one user, so nobody else can query it).
 * A minimal RFB 3.8 client: no security, raw encoding, 32-bit true colour,
 * and the DesktopSize pseudo-encoding so that a guest mode change is
 * followed. Lossless, so a grab can be compared pixel for pixel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vgpu.h"
#include "vgpu_util.h"

#define RFB_ENCODING_RAW		0
#define RFB_ENCODING_DESKTOP_SIZE	(-223)

struct vnc {
	int fd;
	double deadline;
};

static double vnc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read exactly @len bytes before the deadline; 0 or a negative errno. */
static int vnc_read(struct vnc *c, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int left = (int)((c->deadline - vnc_now()) * 1000);
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		n = read(c->fd, p, len);
		if (n <= 0)
			return n ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static int vnc_write(struct vnc *c, const void *buf, size_t len)
{
	return write(c->fd, buf, len) == (ssize_t)len ? 0 : -EIO;
}

static int vnc_skip(struct vnc *c, size_t len)
{
	uint8_t buf[256];
	int ret = 0;

	while (len && !ret) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		ret = vnc_read(c, buf, n);
		len -= n;
	}
	return ret;
}

static int vnc_request(struct vnc *c, unsigned int w, unsigned int h)
{
	uint8_t req[10] = { 3, 0 };	/* FramebufferUpdateRequest, full */
	uint16_t v[2] = { htons(w), htons(h) };

	memcpy(req + 6, v, 4);
	return vnc_write(c, req, sizeof(req));
}

/* Handshake up to ServerInit; the framebuffer size in @w, @h. */
static int vnc_handshake(struct vnc *c, unsigned int *w, unsigned int *h)
{
	static const uint8_t pixfmt[20] = {
		0, 0, 0, 0,		/* SetPixelFormat, padding */
		32, 24, 0, 1,		/* bpp, depth, little endian, true colour */
		0, 255, 0, 255, 0, 255,	/* red, green, blue max (big endian) */
		16, 8, 0,		/* shifts: XRGB8888 */
		0, 0, 0,
	};
	static const uint8_t encodings[12] = {
		2, 0, 0, 2,		/* SetEncodings, 2 of them */
		0, 0, 0, 0,		/* raw */
		0xff, 0xff, 0xff, 0x21,	/* DesktopSize (-223) */
	};
	uint8_t version[12], nsec, types[32], shared = 1, init[24];
	uint32_t result, name_len;
	int ret;

	ret = vnc_read(c, version, sizeof(version));
	if (ret)
		return ret;
	if (memcmp(version, "RFB 003.", 8))
		return -EPROTO;
	ret = vnc_write(c, "RFB 003.008\n", 12) ?: vnc_read(c, &nsec, 1);
	if (ret)
		return ret;
	if (!nsec || vnc_read(c, types, nsec) || !memchr(types, 1, nsec))
		return -EACCES;		/* no "None" security: a password set */
	ret = vnc_write(c, "\1", 1) ?: vnc_read(c, &result, 4);
	if (ret || result)
		return ret ?: -EACCES;
	ret = vnc_write(c, &shared, 1) ?: vnc_read(c, init, sizeof(init));
	if (ret)
		return ret;
	*w = init[0] << 8 | init[1];
	*h = init[2] << 8 | init[3];
	memcpy(&name_len, init + 20, 4);
	return vnc_skip(c, ntohl(name_len)) ?:
	       vnc_write(c, pixfmt, sizeof(pixfmt)) ?:
	       vnc_write(c, encodings, sizeof(encodings)) ?:
	       vnc_request(c, *w, *h);
}

/* Read one FramebufferUpdate into @fb; 1 when the size changed. */
static int vnc_update(struct vnc *c, uint32_t **fb, unsigned int *w,
		      unsigned int *h)
{
	uint8_t hdr[3], rect[12];
	unsigned int i, n, resized = 0;
	int ret;

	ret = vnc_read(c, hdr, sizeof(hdr));
	if (ret)
		return ret;
	n = hdr[1] << 8 | hdr[2];
	for (i = 0; i < n; i++) {
		unsigned int x, y, rw, rh, line;
		int32_t enc;

		ret = vnc_read(c, rect, sizeof(rect));
		if (ret)
			return ret;
		x = rect[0] << 8 | rect[1];
		y = rect[2] << 8 | rect[3];
		rw = rect[4] << 8 | rect[5];
		rh = rect[6] << 8 | rect[7];
		enc = (int32_t)((uint32_t)rect[8] << 24 | rect[9] << 16 |
				rect[10] << 8 | rect[11]);
		if (enc == RFB_ENCODING_DESKTOP_SIZE) {
			uint32_t *grown = realloc(*fb, (size_t)rw * rh * 4);

			if (!grown)
				return -ENOMEM;
			*fb = grown;
			*w = rw;
			*h = rh;
			resized = 1;
			continue;
		}
		if (enc != RFB_ENCODING_RAW || x + rw > *w || y + rh > *h)
			return -EPROTO;
		for (line = 0; line < rh; line++) {
			ret = vnc_read(c, *fb + (size_t)(y + line) * *w + x, (size_t)rw * 4);
			if (ret)
				return ret;
		}
	}
	return resized;
}

int vgpu_util_vnc_grab(const char *host, int port, double timeout,
		       struct vgpu_util_image *image)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	struct vnc c = { .deadline = vnc_now() + timeout };
	unsigned int w = 0, h = 0;
	uint32_t *fb = NULL;
	uint8_t type;
	int ret;

	memset(image, 0, sizeof(*image));
	if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -EINVAL;
	c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.fd < 0)
		return -errno;
	if (connect(c.fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		goto out;
	}
	ret = vnc_handshake(&c, &w, &h);
	if (ret)
		goto out;
	fb = calloc((size_t)w * h, 4);
	if (!fb) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		ret = vnc_read(&c, &type, 1);
		if (ret)
			break;
		if (type == 0) {		/* FramebufferUpdate */
			ret = vnc_update(&c, &fb, &w, &h);
			if (ret < 0)
				break;
			if (!ret)
				break;		/* the whole screen, at its size */
			ret = vnc_request(&c, w, h);
			if (ret)
				break;
		} else if (type == 2) {		/* Bell */
			continue;
		} else if (type == 3) {		/* ServerCutText */
			uint8_t cut[7];
			uint32_t len;

			ret = vnc_read(&c, cut, sizeof(cut));
			if (ret)
				break;
			memcpy(&len, cut + 3, 4);
			ret = vnc_skip(&c, ntohl(len));
			if (ret)
				break;
		} else {
			ret = -EPROTO;
			break;
		}
	}
out:
	close(c.fd);
	if (ret) {
		free(fb);
		return ret;
	}
	image->pixels = fb;
	image->width = w;
	image->height = h;
	return 0;
}

void vgpu_util_image_free(struct vgpu_util_image *image)
{
	free(image->pixels);
	memset(image, 0, sizeof(*image));
}

static const struct {
	int err;
	const char *msg;
} vgpu_util_errors[] = {
	{ -ECONNREFUSED,
	  "nothing listens at that VNC address (is QEMU running with -vnc 127.0.0.1:N?)" },
	{ -EPROTO, "the VNC server spoke something unexpected (is it a VNC server?)" },
	{ -EACCES,
	  "the VNC server wants a password (start QEMU's -vnc without password=on)" },
	{ -ETIMEDOUT, "the VNC server did not send a whole screen in time" },
	{ -EOPNOTSUPP,
	  "PNG writing does not support this pixel format (see vgpu_util_write_png())" },
	{ }
};

const char *vgpu_util_strerror(int err)
{
	unsigned int i;

	for (i = 0; vgpu_util_errors[i].msg; i++)
		if (vgpu_util_errors[i].err == err)
			return vgpu_util_errors[i].msg;
	return strerrordesc_np(-err) ?: "unknown error";
}
