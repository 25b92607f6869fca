// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu-grab - save what a vGPU's guest shows as PNG, or follow its frames.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <xf86drm.h>

#include "tool.h"
#include "vgpu_util.h"

const char *tool_name = "vgpu-grab";

static const char help_text[] =
	"Usage: vgpu-grab [options] UUID\n"
	"       vgpu-grab [options] --fd N\n"
	"       vgpu-grab [-o FILE] --vnc HOST:PORT\n"
	"\n"
	"Save the screen of a vGPU's guest as a PNG file, or follow its frames.\n"
	"The instance must not be in use by a VM: VFIO gives a device to one user.\n"
	"While QEMU runs the VM, grab what it shows through its VNC server with\n"
	"--vnc instead.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE    PNG file to write (default: screen.png)\n"
	"  -c, --cursor FILE    also write the cursor image (RGBA) to FILE\n"
	"  -w, --watch SECONDS  follow frames for SECONDS (or until SIGINT/SIGTERM),\n"
	"                       keeping a copy of the screen up to date from the\n"
	"                       device's damage reports; print once a second the\n"
	"                       frames read, how many showed new pixels (fps), the\n"
	"                       share of the screen copied and the generation, and\n"
	"                       a line for every generation change; FILE is written\n"
	"                       from the copy at the end\n"
	"  -i, --interval MS    time between frames while watching (default 16)\n"
	"  -l, --layouts DIR    while watching, save a PNG of every new layout in DIR\n"
	"      --wait SECONDS   wait up to SECONDS for a guest mode (default 0)\n"
	"      --import NODE    import the dma-buf into DRM device NODE (e.g.\n"
	"                       /dev/dri/renderD128) to prove it importable\n"
	"      --fd N           use the inherited VFIO device fd N (handed over by a\n"
	"                       VMM or a test) instead of opening UUID\n"
	"      --vnc HOST:PORT  grab QEMU's VNC screen (-vnc 127.0.0.1:0 is port\n"
	"                       5900) instead of the device\n"
	"  -q, --quiet          print errors only\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 on success, 1 on failure, 2 for bad usage.\n";

static void print_help(FILE *f)
{
	fputs(help_text, f);
}

static const char *fourcc_name(uint32_t f, char buf[5])
{
	int i;

	for (i = 0; i < 4; i++)
		buf[i] = (char)(f >> (8 * i));
	buf[4] = '\0';
	return buf;
}

/* A cheap fingerprint of the pixels: every 8th line, whole. */
static uint64_t frame_hash(const struct vgpu_frame *fr)
{
	uint64_t h = 1469598103934665603ULL;
	uint32_t y, x, bytes = fr->plane.size / (fr->plane.height ?: 1);

	if (bytes > fr->plane.stride)
		bytes = fr->plane.stride;
	for (y = 0; y < fr->plane.height; y += 8) {
		const uint64_t *p = (const uint64_t *)(fr->pixels + (size_t)y * fr->plane.stride);

		for (x = 0; x < bytes / 8; x++)
			h = (h ^ p[x]) * 1099511628211ULL;
	}
	return h;
}

static void describe(const struct vgpu_frame *fr, char *buf, size_t size)
{
	char fcc[5];

	snprintf(buf, size, "%ux%u %s stride %u id %u",
		 fr->plane.width, fr->plane.height,
		 fourcc_name(fr->plane.drm_format, fcc), fr->plane.stride,
		 fr->plane.id);
}

/* Get a primary frame, waiting up to @wait seconds for a mode. */
static void get_frame(struct vgpu *v, struct vgpu_frame *fr, double wait, int quiet)
{
	double end = tool_now() + wait;
	int ret, said = 0;

	while ((ret = vgpu_frame_get(v, VGPU_PLANE_PRIMARY, fr)) == -ENODATA &&
	       tool_now() < end) {
		if (!quiet && !said++)
			fprintf(stderr, "vgpu-grab: waiting up to %.0f s for the guest to set a mode\n",
				wait);
		usleep(100 * 1000);
	}
	if (ret)
		tool_die_vgpu("reading the screen", ret);
}

static void write_png(const struct vgpu_frame *fr, const char *path, int quiet)
{
	int ret = vgpu_util_write_png(fr, path);
	char d[96];

	if (ret)
		tool_die(1, "writing %s: %s", path, vgpu_util_strerror(ret));
	describe(fr, d, sizeof(d));
	if (!quiet)
		printf("wrote %s (%s)\n", path, d);
}

static void import(const struct vgpu_frame *fr, const char *node, int quiet)
{
	uint32_t handle;
	int fd, ret;

	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		tool_die(1, "opening %s: %s (load a DRM driver, e.g. modprobe vgem)",
			 node, strerror(errno));
	ret = vgpu_frame_import_drm(fr, fd, &handle);
	if (ret)
		tool_die(1, "importing the dma-buf into %s: %s", node, vgpu_strerror(ret));
	drmCloseBufferHandle(fd, handle);
	close(fd);
	if (!quiet)
		printf("imported the dma-buf into %s (GEM handle %u)\n", node, handle);
}

static int watch_stop;	/* atomic: set by a signal handler */

static void on_stop_signal(int sig)
{
	__atomic_store_n(&watch_stop, sig, __ATOMIC_RELAXED);
}

/* SIGINT and SIGTERM end a watch early, as its time would, summary included. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The copy of the screen a watch keeps: grown to the plane's size. */
struct watch_copy {
	uint8_t *buf;
	size_t len;
	uint64_t copied;	/* bytes copied into it, all told */
	uint64_t shown;		/* bytes of the frames read, all told */
};

/* Bring @c up to date with the next frame: its bytes copied, or -errno. */
static long watch_copy_next(struct vgpu *v, struct vgpu_frame *fr, struct watch_copy *c)
{
	long n = vgpu_frame_copy(v, VGPU_PLANE_PRIMARY, c->buf, c->len, fr);

	if (n == -ENOSPC) {
		uint8_t *bigger = realloc(c->buf, fr->plane.size);

		if (!bigger)
			tool_die(1, "out of memory for a copy of %u bytes", fr->plane.size);
		c->buf = bigger;
		c->len = fr->plane.size;
		n = vgpu_frame_copy(v, VGPU_PLANE_PRIMARY, c->buf, c->len, fr);
	}
	if (n >= 0) {
		c->copied += n;
		c->shown += fr->plane.size;
	}
	return n;
}

static void watch(struct vgpu *v, struct vgpu_frame *fr, struct watch_copy *c,
		  double seconds, double interval, const char *layouts, int quiet)
{
	double start = tool_now(), tick = start + 1, t;
	unsigned long reads = 0, updates = 0, tick_reads = 0, tick_updates = 0;
	unsigned long gen_changes = 0, layout_no = 0;
	uint32_t gen = fr->plane.generation;
	uint64_t h, hash, tick_copied = 0, tick_shown = 0;
	char d[96], path[4096];
	long ret;

	catch_stop_signals();
	ret = watch_copy_next(v, fr, c);
	if (ret < 0)
		tool_die_vgpu("reading the screen", ret);
	hash = frame_hash(fr);
	describe(fr, d, sizeof(d));
	if (!quiet)
		printf("watching %.0f s: generation %u, %s\n", seconds, gen, d);
	if (layouts) {
		snprintf(path, sizeof(path), "%s/layout-%03lu.png", layouts, layout_no++);
		write_png(fr, path, quiet);
	}
	while (!__atomic_load_n(&watch_stop, __ATOMIC_RELAXED) &&
	       (t = tool_now()) < start + seconds) {
		usleep((useconds_t)(interval * 1000));
		ret = watch_copy_next(v, fr, c);
		if (ret == -ENODATA)
			continue;
		if (ret < 0)
			tool_die_vgpu("reading the screen", ret);
		reads++;
		tick_reads++;
		tick_copied += ret;
		tick_shown += fr->plane.size;
		if (fr->plane.generation != gen || (fr->changes & VGPU_FRAME_NEW_LAYOUT)) {
			gen_changes++;
			describe(fr, d, sizeof(d));
			if (!quiet)
				printf("%7.2f s  generation %u -> %u: %s\n", t - start, gen,
				       fr->plane.generation, d);
			gen = fr->plane.generation;
			if (layouts) {
				snprintf(path, sizeof(path), "%s/layout-%03lu.png",
					 layouts, layout_no++);
				write_png(fr, path, quiet);
			}
		}
		/* damage says what may have changed; new pixels are what did */
		h = ret ? frame_hash(fr) : hash;
		if (h != hash) {
			hash = h;
			updates++;
			tick_updates++;
		}
		if (t >= tick) {
			if (!quiet)
				printf("%7.2f s  %lu frames read, %lu new (%.1f fps), %.2f %% copied, generation %u\n",
				       t - start, tick_reads, tick_updates,
				       tick_updates / (t - tick + 1),
				       tick_shown ? 100.0 * tick_copied / tick_shown : 0.0, gen);
			tick_reads = 0;
			tick_updates = 0;
			tick_copied = 0;
			tick_shown = 0;
			tick = t + 1;
		}
	}
	if (!quiet) {
		struct vgpu_stats st = { .argsz = sizeof(st) };
		double took = tool_now() - start;

		vgpu_get_stats(v, &st);
		printf("summary: %lu frames read, %lu with new pixels (%.1f fps), %lu generation changes; "
		       "%llu dma-buf gets, %llu cache hits, %llu unchanged; "
		       "copied %llu of %llu bytes (%.2f %%)\n",
		       reads, updates, updates / (took < seconds ? took : seconds), gen_changes,
		       (unsigned long long)st.dmabuf_gets,
		       (unsigned long long)st.cache_hits,
		       (unsigned long long)st.unchanged,
		       (unsigned long long)c->copied, (unsigned long long)c->shown,
		       c->shown ? 100.0 * c->copied / c->shown : 0.0);
	}
}

/* Grab the screen of the VNC server at @addr ("HOST:PORT") into @output. */
static void grab_vnc(const char *addr, const char *output, int quiet)
{
	struct vgpu_util_image img;
	char host[64];
	const char *colon = strrchr(addr, ':');
	int ret;

	if (!colon || colon == addr || (size_t)(colon - addr) >= sizeof(host))
		tool_die(2, "--vnc wants HOST:PORT, e.g. 127.0.0.1:5900, not '%s'", addr);
	memcpy(host, addr, colon - addr);
	host[colon - addr] = '\0';
	ret = vgpu_util_vnc_grab(host, (int)tool_number("--vnc port", colon + 1), 60, &img);
	if (ret == -EACCES)
		tool_die(1, "VNC server %s wants a password; run QEMU's -vnc without one", addr);
	if (ret)
		tool_die(1, "grabbing VNC screen %s: %s", addr, vgpu_util_strerror(ret));
	ret = vgpu_util_image_write_png(&img, output);
	if (ret)
		tool_die(1, "writing %s: %s", output, vgpu_util_strerror(ret));
	if (!quiet)
		printf("wrote %s (%ux%u from VNC %s)\n", output, img.width, img.height, addr);
	vgpu_util_image_free(&img);
}

/* What the command line asked for. */
struct opts {
	const char *output, *cursor, *node, *layouts, *vnc;
	double seconds, interval, wait;
	int fd, quiet;
};

static void parse_options(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "cursor", required_argument, NULL, 'c' },
		{ "watch", required_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "layouts", required_argument, NULL, 'l' },
		{ "wait", required_argument, NULL, 'W' },
		{ "import", required_argument, NULL, 'I' },
		{ "fd", required_argument, NULL, 'F' },
		{ "vnc", required_argument, NULL, 'V' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:c:w:i:l:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'c':
			o->cursor = optarg;
			break;
		case 'w':
			o->seconds = tool_number("--watch", optarg);
			break;
		case 'i':
			o->interval = tool_number("--interval", optarg);
			break;
		case 'l':
			o->layouts = optarg;
			break;
		case 'W':
			o->wait = tool_number("--wait", optarg);
			break;
		case 'I':
			o->node = optarg;
			break;
		case 'F':
			o->fd = (int)tool_number("--fd", optarg);
			break;
		case 'V':
			o->vnc = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			print_help(stdout);
			exit(0);
		default:
			print_help(stderr);
			exit(2);
		}
	}
}

/* Write the cursor image to @path, or say that there is none. */
static void write_cursor(struct vgpu *v, const char *path, int quiet)
{
	struct vgpu_frame cur = { .argsz = sizeof(cur) };
	int ret = vgpu_frame_get(v, VGPU_PLANE_CURSOR, &cur);

	if (ret == -ENODATA && !quiet)
		printf("no cursor shown; %s not written\n", path);
	else if (ret)
		tool_die_vgpu("reading the cursor", ret);
	else
		write_png(&cur, path, quiet);
}

int main(int argc, char **argv)
{
	struct opts o = { .output = "screen.png", .interval = 16, .fd = -1 };
	struct vgpu_frame fr = { .argsz = sizeof(fr) };
	struct vgpu *v;
	int ret;

	vgpu_set_log_fn(tool_log, NULL);
	parse_options(argc, argv, &o);
	if (o.vnc) {
		if (optind != argc || o.fd >= 0 || o.seconds > 0 || o.cursor || o.node) {
			fprintf(stderr, "vgpu-grab: error: --vnc takes only -o\n\n");
			print_help(stderr);
			return 2;
		}
		grab_vnc(o.vnc, o.output, o.quiet);
		return 0;
	}
	/* one instance UUID, or --fd and none */
	if (argc - optind != (o.fd < 0 ? 1 : 0)) {
		fprintf(stderr, "vgpu-grab: error: give one instance UUID, or --fd\n\n");
		print_help(stderr);
		return 2;
	}
	ret = o.fd >= 0 ? vgpu_open_fd(o.fd, &v) : vgpu_open(argv[optind], &v);
	if (ret)
		tool_die(1, "opening %s: %s", o.fd >= 0 ? "--fd" : argv[optind],
			 vgpu_strerror(ret));

	get_frame(v, &fr, o.wait, o.quiet);
	if (o.node)
		import(&fr, o.node, o.quiet);
	if (o.seconds > 0) {
		struct watch_copy c = { };

		watch(v, &fr, &c, o.seconds, o.interval, o.layouts, o.quiet);
		/* the copy is the screen as of the last frame read */
		fr.pixels = c.buf;
		write_png(&fr, o.output, o.quiet);
		free(c.buf);
	} else {
		write_png(&fr, o.output, o.quiet);
	}
	if (o.cursor)
		write_cursor(v, o.cursor, o.quiet);
	vgpu_close(v);
	return 0;
}
