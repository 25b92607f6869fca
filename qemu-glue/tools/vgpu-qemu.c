// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu-qemu - the QEMU command line that shows a vGPU's display, printed
 * or run.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <xf86drm.h>

#include "tool.h"

const char *tool_name = "vgpu-qemu";

static const char help_text[] =
	"Usage: vgpu-qemu [options] UUID [-- QEMU-ARGS...]\n"
	"       vgpu-qemu [options] --create SIZE [-- QEMU-ARGS...]\n"
	"\n"
	"Print the QEMU command line that shows the display of vGPU instance UUID,\n"
	"or run it. QEMU-ARGS (the guest's disk, kernel, ...) are appended.\n"
	"\n"
	"Options:\n"
	"  -d, --display KIND  auto (default), vnc, spice, egl-headless, dbus, gtk, sdl\n"
	"                      or none. auto: VNC, through egl-headless for dma-buf\n"
	"                      instances (QEMU shows dma-bufs only with OpenGL) -\n"
	"                      but from QEMU 9.0, which shows a dma-buf console to no\n"
	"                      VNC client, the D-Bus display with OpenGL for those;\n"
	"                      spice and sdl: region instances only\n"
	"      --vnc ADDR      VNC address (default 127.0.0.1:0, i.e. port 5900)\n"
	"      --spice-port N  SPICE port on 127.0.0.1 (default 5930)\n"
	"      --dbus-p2p      the D-Bus display takes peer-to-peer clients (QMP\n"
	"                      add_client) instead of the session bus\n"
	"      --xres W        initial guest resolution, through the EDID region\n"
	"      --yres H        (both or neither; dma-buf instances only: QEMU 7.2\n"
	"                      and 10.0 give the EDID region to dma-buf displays alone)\n"
	"      --ramfb         add ramfb=on (on vfio-pci-nohotplug, which has it): a\n"
	"                      boot display for firmware such as OVMF before the\n"
	"                      guest driver takes over\n"
	"      --migratable    add enable-migration=on, so that QEMU (8.1 and later)\n"
	"                      live-migrates the VM with its vGPU: without it QEMU\n"
	"                      blocks migration, since the device has no DMA dirty\n"
	"                      tracking (it does no DMA); both QEMUs need it\n"
	"      --create SIZE   first create an instance of size hd or uhd: the dma-buf\n"
	"                      type when OpenGL is available, else the region type\n"
	"  -m, --memory MB     guest memory (default 1024)\n"
	"      --qemu PATH     QEMU binary (default qemu-system-x86_64)\n"
	"      --qemu-version X.Y  the QEMU version to write for (default: what\n"
	"                      'PATH --version' says)\n"
	"      --run           run QEMU (replacing this process) instead of printing\n"
	"      --print-uuid    print the instance's UUID as the first line on stdout\n"
	"                      (with --create: the new one), then the command line\n"
	"  -0, --null          print each argument (and the UUID) ending in a NUL byte\n"
	"                      instead of one shell-quoted line (for execv())\n"
	"  -h, --help          show this help\n"
	"\n"
	"OpenGL counts as available when the render node of a GPU driver (not\n"
	"vgem, which cannot render) opens and libEGL loads; VGPU_QEMU_GL=0 or 1\n"
	"overrides the check.\n"
	"Without -0, stdout has one line: the command, quoted for a POSIX shell.\n"
	"Exit status: 0 on success, 1 on failure, 2 for bad usage.\n";

static void print_help(FILE *f)
{
	fputs(help_text, f);
}

/* Can QEMU use OpenGL here: a render node and libEGL? */
static int have_opengl(void)
{
	const char *force = getenv("VGPU_QEMU_GL");
	struct dirent *de;
	drmVersionPtr ver;
	int found = 0;
	void *egl;
	DIR *d;

	if (force && *force)
		return strcmp(force, "0") != 0;
	d = opendir("/dev/dri");
	while (d && !found && (de = readdir(d))) {
		char path[300];
		int fd;

		if (strncmp(de->d_name, "renderD", 7))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* vgem has a render node but cannot render */
		ver = drmGetVersion(fd);
		found = ver && strcmp(ver->name, "vgem");
		drmFreeVersion(ver);
		close(fd);
	}
	if (d)
		closedir(d);
	if (!found)
		return 0;
	egl = dlopen("libEGL.so.1", RTLD_LAZY | RTLD_LOCAL);
	if (egl)
		dlclose(egl);
	return !!egl;
}

/* Does the device have the GFX EDID region (for xres/yres)? */
static int have_edid(int device)
{
	struct vfio_device_info dev = { .argsz = sizeof(dev) };
	uint32_t i;

	if (ioctl(device, VFIO_DEVICE_GET_INFO, &dev))
		return 0;
	for (i = 0; i < dev.num_regions; i++) {
		union {
			struct vfio_region_info info;
			uint8_t raw[1024];
		} r = { .info = { .argsz = sizeof(r), .index = i } };
		uint32_t off;

		if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &r) ||
		    !(r.info.flags & VFIO_REGION_INFO_FLAG_CAPS) ||
		    r.info.argsz > sizeof(r))
			continue;
		for (off = r.info.cap_offset;
		     off && off + sizeof(struct vfio_region_info_cap_type) <= sizeof(r);) {
			struct vfio_region_info_cap_type *t = (void *)(r.raw + off);

			if (t->header.id == VFIO_REGION_INFO_CAP_TYPE &&
			    t->type == VFIO_REGION_TYPE_GFX &&
			    t->subtype == VFIO_REGION_SUBTYPE_GFX_EDID)
				return 1;
			if (t->header.next <= off)
				break;
			off = t->header.next;
		}
	}
	return 0;
}

/* The growing command line. */
static char *args[128];
static int nargs;

static __printf(1, 2) void add(const char *fmt, ...)
{
	va_list ap;

	if (nargs == (int)ARRAY_SIZE(args) - 1)
		tool_die(2, "too many QEMU arguments");
	va_start(ap, fmt);
	if (vasprintf(&args[nargs], fmt, ap) < 0)
		tool_die(1, "out of memory");
	va_end(ap);
	nargs++;
}

/* Print @s quoted for a POSIX shell when it needs it. */
static void print_quoted(const char *s)
{
	static const char safe[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=,./:+@%";
	const char *p;

	if (*s && strspn(s, safe) == strlen(s)) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	}
	putchar('\'');
}

/* What the command line asked for. */
struct opts {
	const char *display, *vnc, *qemu, *create;
	unsigned int xres, yres, spice, memory;
	int ramfb, migratable, run, print_uuid, nul, dbus_p2p;
	int version;		/* QEMU's, major * 100 + minor; -2: not asked yet */
};

/* QEMU 9.0 binds every display to a console: no VNC for a dma-buf one. */
#define QEMU_DMABUF_NO_VNC	900
/* QEMU 8.1 has VFIO migration v2 and the enable-migration property. */
#define QEMU_VFIO_MIGRATION	801

/* "X.Y" (or "X.Y.Z", "QEMU emulator version X.Y...") as X * 100 + Y, or -1. */
static int parse_version(const char *s)
{
	unsigned int major, minor;

	if (sscanf(s, "QEMU emulator version %u.%u", &major, &minor) != 2 &&
	    sscanf(s, "%u.%u", &major, &minor) != 2)
		return -1;
	return major < 100 && minor < 100 ? (int)(major * 100 + minor) : -1;
}

/* The version "@qemu --version" reports, or -1. */
static int qemu_version(const char *qemu)
{
	char buf[256] = "";
	size_t len = 0;
	ssize_t n = 1;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(null, 2);
		execlp(qemu, qemu, "--version", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && n > 0 && len < sizeof(buf) - 1) {
		n = read(fds[0], buf + len, sizeof(buf) - 1 - len);
		len += n > 0 ? n : 0;
	}
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return parse_version(buf);
}

/* The QEMU version @o writes for, in words: "QEMU 10.0". */
static const char *qemu_name(const struct opts *o)
{
	static char name[32];

	snprintf(name, sizeof(name), "QEMU %d.%d", o->version / 100, o->version % 100);
	return name;
}

/* The long options without a short form */
enum {
	O_VNC = 256, O_SPICE, O_XRES, O_YRES, O_RAMFB, O_CREATE, O_QEMU, O_RUN,
	O_UUID, O_P2P, O_QVER, O_MIGRATE,
};

static const struct option long_opts[] = {
	{ "display", required_argument, NULL, 'd' },
	{ "vnc", required_argument, NULL, O_VNC },
	{ "spice-port", required_argument, NULL, O_SPICE },
	{ "xres", required_argument, NULL, O_XRES },
	{ "yres", required_argument, NULL, O_YRES },
	{ "ramfb", no_argument, NULL, O_RAMFB },
	{ "migratable", no_argument, NULL, O_MIGRATE },
	{ "create", required_argument, NULL, O_CREATE },
	{ "memory", required_argument, NULL, 'm' },
	{ "qemu", required_argument, NULL, O_QEMU },
	{ "qemu-version", required_argument, NULL, O_QVER },
	{ "dbus-p2p", no_argument, NULL, O_P2P },
	{ "run", no_argument, NULL, O_RUN },
	{ "print-uuid", no_argument, NULL, O_UUID },
	{ "null", no_argument, NULL, '0' },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

static void parse_options(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "d:m:h0", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->display = optarg;
			break;
		case O_VNC:
			o->vnc = optarg;
			break;
		case O_SPICE:
			o->spice = tool_number("--spice-port", optarg);
			break;
		case O_XRES:
			o->xres = tool_number("--xres", optarg);
			break;
		case O_YRES:
			o->yres = tool_number("--yres", optarg);
			break;
		case O_RAMFB:
			o->ramfb = 1;
			break;
		case O_MIGRATE:
			o->migratable = 1;
			break;
		case O_CREATE:
			o->create = optarg;
			break;
		case 'm':
			o->memory = tool_number("--memory", optarg);
			break;
		case O_QEMU:
			o->qemu = optarg;
			break;
		case O_QVER:
			o->version = parse_version(optarg);
			if (o->version < 0)
				tool_die(2, "--qemu-version takes X.Y, such as 10.0, not '%s'",
					 optarg);
			break;
		case O_P2P:
			o->dbus_p2p = 1;
			break;
		case O_RUN:
			o->run = 1;
			break;
		case O_UUID:
			o->print_uuid = 1;
			break;
		case '0':
			o->nul = 1;
			break;
		case 'h':
			print_help(stdout);
			exit(0);
		default:
			print_help(stderr);
			exit(2);
		}
	}
	if (!!o->xres != !!o->yres)
		tool_die(2, "--xres and --yres go together");
	if (strcmp(o->display, "auto") && strcmp(o->display, "vnc") &&
	    strcmp(o->display, "spice") && strcmp(o->display, "egl-headless") &&
	    strcmp(o->display, "gtk") && strcmp(o->display, "sdl") &&
	    strcmp(o->display, "dbus") && strcmp(o->display, "none"))
		tool_die(2, "unknown --display '%s' (see --help)", o->display);
}

/* Create an instance of size @size (hd, uhd) into @uuid, of the kind @gl fits. */
static void create_instance(const char *size, int gl, char uuid[37])
{
	char type[32];
	int ret;

	if (strcmp(size, "hd") && strcmp(size, "uhd"))
		tool_die(2, "--create takes hd or uhd, not '%s'", size);
	snprintf(type, sizeof(type), "%s%s", size, gl ? "" : "-region");
	ret = vgpu_create(NULL, type, NULL, uuid);
	if (ret)
		tool_die(1, "creating a %s instance: %s", type, vgpu_strerror(ret));
	fprintf(stderr, "vgpu-qemu: created %s instance %s (OpenGL %s)\n", type,
		uuid, gl ? "available" : "not available");
}

/* The display auto stands for: VNC, but D-Bus for dma-bufs from QEMU 9.0. */
static const char *display_kind(const struct opts *o, int dmabuf)
{
	if (strcmp(o->display, "auto"))
		return o->display;
	return dmabuf && o->version >= QEMU_DMABUF_NO_VNC ? "dbus" : "vnc";
}

/* What QEMU (o->version) refuses for a dma-buf instance, as an error. */
static void check_dmabuf_display(const struct opts *o, const char *display)
{
	const char *q = qemu_name(o);

	if (!strcmp(display, "sdl"))
		tool_die(1, "%s's SDL display cannot show dma-bufs; use --display gtk or %s",
			 q, o->version >= QEMU_DMABUF_NO_VNC ? "dbus" : "vnc");
	if (!strcmp(display, "spice"))
		tool_die(1, "%s shows dma-bufs over SPICE only to a local client (gl=on on a unix socket); use --display %s or gtk",
			 q, o->version >= QEMU_DMABUF_NO_VNC ? "dbus" : "vnc (through egl-headless)");
	if (o->version >= QEMU_DMABUF_NO_VNC &&
	    (!strcmp(display, "vnc") || !strcmp(display, "egl-headless")))
		tool_die(1, "%s shows a dma-buf console to no VNC client (\"The console requires display DMABUF support\"); use --display dbus (a D-Bus client) or gtk",
			 q);
}

/*
 * o->version, from "--version" unless --qemu-version gave it. Asked only
 * for a dma-buf instance: a region instance gets the same line from every
 * QEMU, and QEMU under emulation takes seconds to answer.
 */
static void need_version(struct opts *o)
{
	if (o->version == -2)
		o->version = qemu_version(o->qemu);
	if (o->version < 0) {
		fprintf(stderr, "vgpu-qemu: warning: cannot tell the version of %s ('%s --version'); writing for QEMU 7.2 (--qemu-version says otherwise)\n",
			o->qemu, o->qemu);
		o->version = 702;
	}
}

/* Whether device @fd offers VFIO migration (v2), as QEMU asks it. */
static int can_migrate(int fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_migration m;
	} arg = {
		.f.argsz = sizeof(arg),
		.f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION,
	};

	return !ioctl(fd, VFIO_DEVICE_FEATURE, &arg) &&
	       (arg.m.flags & VFIO_MIGRATION_STOP_COPY);
}

/* What --migratable needs of QEMU (o->version) and of instance @uuid. */
static void check_migratable(struct opts *o, const char *uuid, int migrates)
{
	need_version(o);
	if (o->version < QEMU_VFIO_MIGRATION)
		tool_die(1, "%s cannot migrate a VFIO device (VFIO migration v2 and enable-migration=on came with QEMU 8.1); use QEMU 8.1 or later, or leave out --migratable",
			 qemu_name(o));
	if (!migrates)
		tool_die(1, "%s does not offer VFIO migration (its driver or kernel is too old for it); leave out --migratable",
			 uuid);
}

/*
 * Probe instance @uuid (QEMU is not running yet, so it is free) and check
 * that QEMU can show it as @o asks. Return: whether it exports dma-bufs.
 */
static int probe_instance(const char *uuid, struct opts *o, int gl)
{
	int kind, dmabuf, migrates, ret;
	struct vgpu *v;

	ret = vgpu_open(uuid, &v);
	if (ret)
		tool_die(1, "opening %s: %s", uuid, vgpu_strerror(ret));
	kind = vgpu_get_display_kind(v);
	if (kind < 0)
		tool_die_vgpu("probing the display", kind);
	if (kind == VGPU_KIND_NONE)
		tool_die_vgpu(uuid, -ENXIO);
	if (o->xres && !have_edid(vgpu_device_fd(v)))
		tool_die(1, "--xres/--yres need the EDID region, which %s lacks", uuid);
	migrates = o->migratable && can_migrate(vgpu_device_fd(v));
	vgpu_close(v);
	if (o->migratable)
		check_migratable(o, uuid, migrates);
	dmabuf = kind == VGPU_KIND_DMABUF;
	if (o->xres && !dmabuf)
		tool_die(1, "QEMU (7.2 and 10.0 alike) uses the EDID region (--xres/--yres) only with dma-buf displays (\"xres and yres properties need edid support\"); %s is a region instance",
			 uuid);
	if (dmabuf && !gl && strcmp(o->display, "gtk"))
		tool_die(1, "%s exports dma-bufs, which QEMU shows only with OpenGL, and this host has no GPU render node or no libEGL (vgem does not count: it cannot render); use a *-region instance (vgpu-qemu --create hd picks one), or VGPU_QEMU_GL=1 to override the check",
			 uuid);
	if (dmabuf) {
		need_version(o);
		check_dmabuf_display(o, display_kind(o, dmabuf));
	}
	return dmabuf;
}

/* The QEMU command line into args[], @extra (QEMU-ARGS) at its end. */
static void build_args(const struct opts *o, const char *uuid, int dmabuf,
		       char **extra, int nextra)
{
	const char *display = display_kind(o, dmabuf);
	char device[256];
	int i;

	add("%s", o->qemu);
	add("-m");
	add("%u", o->memory);
	add("-vga");
	add("none");
	/* ramfb is a property of the non-hotpluggable variant only */
	snprintf(device, sizeof(device),
		 "%s,sysfsdev=/sys/bus/mdev/devices/%s,display=on%s%s",
		 o->ramfb ? "vfio-pci-nohotplug" : "vfio-pci", uuid,
		 o->ramfb ? ",ramfb=on" : "", o->migratable ? ",enable-migration=on" : "");
	add("-device");
	if (o->xres)
		add("%s,xres=%u,yres=%u", device, o->xres, o->yres);
	else
		add("%s", device);
	add("-display");
	if (!strcmp(display, "vnc") || !strcmp(display, "egl-headless")) {
		add("%s", dmabuf ? "egl-headless" : "none");
		add("-vnc");
		add("%s", o->vnc);
	} else if (!strcmp(display, "spice")) {
		add("none");
		add("-spice");
		add("port=%u,addr=127.0.0.1,disable-ticketing=on", o->spice);
	} else if (!strcmp(display, "dbus")) {
		/* OpenGL makes it pass dma-bufs to its clients */
		add("dbus%s%s", o->dbus_p2p ? ",p2p=yes" : "", dmabuf ? ",gl=on" : "");
	} else if (!strcmp(display, "none")) {
		/* a dma-buf display needs an OpenGL console even unseen */
		add("%s", dmabuf ? "egl-headless" : "none");
	} else {
		add("%s%s", display, dmabuf ? ",gl=on" : "");
	}
	for (i = 0; i < nextra; i++)
		add("%s", extra[i]);
	args[nargs] = NULL;
}

/* args[] on stdout: one shell-quoted line, or (-0) each ending in NUL. */
static int print_args(int nul)
{
	int i;

	for (i = 0; i < nargs; i++) {
		if (nul) {
			fputs(args[i], stdout);
			putchar('\0');
			continue;
		}
		print_quoted(args[i]);
		putchar(i + 1 < nargs ? ' ' : '\n');
	}
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.display = "auto", .vnc = "127.0.0.1:0", .qemu = "qemu-system-x86_64",
		.spice = 5930, .memory = 1024, .version = -2,
	};
	char created[37];
	const char *uuid;
	int gl, dmabuf;

	vgpu_set_log_fn(tool_log, NULL);
	parse_options(argc, argv, &o);
	gl = have_opengl();
	if (o.create) {
		create_instance(o.create, gl, created);
		uuid = created;
	} else if (optind < argc) {
		uuid = argv[optind++];
	} else {
		fprintf(stderr, "vgpu-qemu: error: give an instance UUID or --create\n\n");
		print_help(stderr);
		return 2;
	}
	dmabuf = probe_instance(uuid, &o, gl);
	build_args(&o, uuid, dmabuf, argv + optind, argc - optind);

	if (o.print_uuid)
		printf("%s%c", uuid, o.nul ? '\0' : '\n');
	if (o.run) {
		fflush(stdout);
		execvp(o.qemu, args);
		tool_die(1, "running %s: %s (apt-get install qemu-system-x86, or give --qemu)",
			 o.qemu, strerror(errno));
	}
	return print_args(o.nul);
}
