// SPDX-License-Identifier: GPL-2.0
/*
 * libvirt's QEMU driver, as Debian ships it, starting a domain with a
 * vGPU: qemu-glue/examples/libvirt-domain.xml, with the instance's UUID,
 * the bare-metal guest of e2e/ instead of the disk and a serial port the
 * test speaks to. libvirtd starts QEMU 7.2, which must show each picture
 * the guest draws pixel for pixel - in "virsh screenshot" for a region
 * instance, through libvirt's VNC server for a dma-buf one (egl-headless;
 * 7.2's screendump has no surface for it) - and after "virsh destroy" the
 * instance must be free again (removable at once).
 *
 * The libvirt packages are not installed on the host: $VGPU_LIBVIRT_DEBS
 * names a directory of .debs (scripts/libvirt-debs.sh fetches Debian 12's
 * 9.0 and bookworm-backports' 11.3 into the cache) that the test unpacks
 * over the test VM's RAM overlay, so make check-libvirt runs one VM per
 * libvirt version. libvirtd runs as root without namespaces, cgroups or
 * a security driver (the VM has none of them set up).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vgpu_util.h"
#include "vgpu_test.h"
#include "e2e/pattern.h"

#define EXAMPLE		"qemu-glue/examples/libvirt-domain.xml"
#define EXAMPLE_UUID	"6cc839df-07da-46c5-a1a9-4220439838b0"
#define DIR		"/tmp/vgpu-libvirt"
#define DOMAIN		"vgpu-guest"
#define VIRSH		"virsh -c qemu:///system "
#define LIBVIRTD_LOG	"/var/log/libvirt/libvirtd.log"
#define QEMU_NS		"http://libvirt.org/schemas/domain/qemu/1.0"
#define PRELOAD		"e2e/dmabuf_preload.so"
#define VNC_PORT	5900	/* libvirt's first autoport */

/* Unpacking keeps /lib and /bin, symlinks on a merged /usr, as they are */
#define UNPACK	"for d in %s/*.deb; do dpkg-deb --fsys-tarfile $d | " \
		"tar -C / --keep-directory-symlink -xf - || exit 1; done"
/*
 * What the packages' maintainer scripts would have done: the user and the
 * group "libvirt" (libvirtd.conf's unix_sock_group; without it libvirtd
 * does not start), and
 * the iptables alternatives (libvirt 11.3's network driver, and so the
 * daemon, fails to start without a firewall tool: "could not find a
 * usable firewall backend").
 */
#define ADD_USER "grep -q ^libvirt: /etc/group || { " \
		 "echo libvirt:x:64054: >> /etc/group && " \
		 "echo libvirt-qemu:x:64055: >> /etc/group && echo " \
		 "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/bin/false >> /etc/passwd; }"
#define ALTERNATIVES "for t in iptables ip6tables; do [ -e /usr/sbin/$t ] || " \
		     "ln -s xtables-nft-multi /usr/sbin/$t || exit 1; done"
#define START_DAEMONS "mkdir -p /var/log/libvirt/qemu /var/lib/libvirt/qemu " \
		      "/run/libvirt && virtlogd -d && { libvirtd -d || exit 1; }"

static const char qemu_conf[] =
	"user = \"root\"\ngroup = \"root\"\ndynamic_ownership = 0\nremember_owner = 0\n"
	"namespaces = [ ]\ncgroup_controllers = [ ]\nsecurity_driver = \"none\"\n";

/* Replace the one occurrence of @from in @s (of size @size) by @to. */
static int replace(char *s, size_t size, const char *from, const char *to)
{
	char *at = strstr(s, from);
	size_t fl = strlen(from), tl = strlen(to), rest;

	if (!at || strstr(at + 1, from))
		return -ENOENT;
	rest = strlen(at + fl) + 1;
	if (strlen(s) - fl + tl + 1 > size)
		return -E2BIG;
	memmove(at + tl, at + fl, rest);
	memcpy(at, to, tl);
	return 0;
}

/* Cut from @from to the end of @to (both present once) out of @s. */
static int cut(char *s, const char *from, const char *to)
{
	char *a = strstr(s, from), *b = a ? strstr(a, to) : NULL;

	if (!b)
		return -ENOENT;
	b += strlen(to);
	memmove(a, b, strlen(b) + 1);
	return 0;
}

/*
 * The example domain, for instance @uuid: only the changes a test VM
 * needs. TCG instead of KVM, the e2e guest as the kernel instead of the
 * disk, a serial port instead of the tablet. A region instance has no
 * egl-headless, as the example's own comment says; a dma-buf instance
 * gets vgem's render node and, through libvirt's QEMU namespace, the
 * environment of Mesa's software renderer with e2e/dmabuf_preload.so
 * (qemu_e2e_test.c says why).
 */
static int domain_edit(char *xml, size_t size, const char *uuid, const char *guest,
		       const char *rendernode)
{
	char os[512], gl[128], env[512];

	snprintf(os, sizeof(os),
		 "<type arch='x86_64' machine='pc'>hvm</type>\n    <kernel>%s</kernel>", guest);
	snprintf(gl, sizeof(gl), "<gl rendernode='%s'/>", rendernode ?: "");
	snprintf(env, sizeof(env),
		 "  <qemu:commandline>\n    <qemu:env name='LD_PRELOAD' value='%s'/>\n"
		 "    <qemu:env name='MESA_LOADER_DRIVER_OVERRIDE' value='kms_swrast'/>\n"
		 "  </qemu:commandline>\n</domain>", vgpu_tree_path("selftests/" PRELOAD));
	return replace(xml, size, EXAMPLE_UUID, uuid) ?:
	       replace(xml, size, "<domain type='kvm'>", rendernode ?
		       "<domain type='qemu' xmlns:qemu='" QEMU_NS "'>" : "<domain type='qemu'>") ?:
	       replace(xml, size, "<memory unit='MiB'>2048</memory>",
		       "<memory unit='MiB'>64</memory>") ?:
	       replace(xml, size, "<type arch='x86_64' machine='q35'>hvm</type>", os) ?:
	       cut(xml, "<disk type='file'", "</disk>") ?:
	       (rendernode ? replace(xml, size, "<gl rendernode='/dev/dri/renderD128'/>", gl) ?:
			     replace(xml, size, "</domain>", env) :
			     cut(xml, "<graphics type='egl-headless'>", "</graphics>")) ?:
	       replace(xml, size, "<input type='tablet' bus='usb'/>",
		       "<serial type='unix'><source mode='connect' path='" DIR
		       "/serial'/></serial>");
}

static int domain_xml(const char *uuid, const char *guest, const char *rendernode,
		      const char *path)
{
	char xml[8192];
	size_t len;
	FILE *f = fopen(vgpu_tree_path(EXAMPLE), "r");
	int ret;

	if (!f)
		return -errno;
	len = fread(xml, 1, sizeof(xml) - 1, f);
	fclose(f);
	xml[len] = '\0';
	ret = domain_edit(xml, sizeof(xml), uuid, guest, rendernode);
	if (ret)
		return ret;
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fputs(xml, f) < 0 ? -EIO : 0;
	return fclose(f) || ret ? -EIO : 0;
}

/* Unpack $VGPU_LIBVIRT_DEBS over / and start virtlogd and libvirtd. */
static void start_libvirt(struct __test_metadata *_metadata, const char *debs)
{
	char out[4096];
	FILE *f;

	/* not dpkg -i: that is minutes over 9p under TCG */
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), UNPACK, debs))
		TH_LOG("unpacking %s: %s", debs, out);
	f = fopen("/etc/libvirt/qemu.conf", "a");
	ASSERT_NE(NULL, f);
	fputs(qemu_conf, f);
	fclose(f);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), ADD_USER));
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), ALTERNATIVES)) TH_LOG("%s", out);
	/* libvirtd logs to syslog, which the VM has not: to a file instead */
	f = fopen("/etc/libvirt/libvirtd.conf", "a");
	ASSERT_NE(NULL, f);
	fputs("log_outputs = \"3:file:" LIBVIRTD_LOG "\"\n", f);
	fclose(f);
	ASSERT_EQ(0, vgpu_run(out, sizeof(out), START_DAEMONS)) TH_LOG("%s", out);
}

FIXTURE(libvirt) {
	char uuid[VGPU_UUID_LEN + 1];
	char out[8192];
	int listener;		/* QEMU's serial port connects here */
	int ser;
};

FIXTURE_VARIANT(libvirt) {
	const char *type;
	bool dmabuf;		/* egl-headless and VNC; no screendump on 7.2 */
};

FIXTURE_VARIANT_ADD(libvirt, region) {
	.type = "hd-region",
};

FIXTURE_VARIANT_ADD(libvirt, dmabuf) {
	.type = "hd",
	.dmabuf = true,
};

/*
 * The guest's serial port: QEMU connects to us when it starts, so that
 * nothing the guest says before we would have connected is lost.
 */
static int serial_listen(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = DIR "/serial" };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int serial_accept(int listener, int timeout_ms)
{
	struct pollfd p = { .fd = listener, .events = POLLIN };
	int fd;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -ETIMEDOUT;
	fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

FIXTURE_SETUP(libvirt)
{
	const char *debs = getenv("VGPU_LIBVIRT_DEBS");
	char guest[256], node[64];
	double end;
	int fd;

	VGPU_MARK();
	self->uuid[0] = '\0';
	self->ser = -1;
	self->listener = -1;
	if (!debs)
		SKIP(return, "no VGPU_LIBVIRT_DEBS: make check-libvirt runs this test");
	snprintf(guest, sizeof(guest), "%s/e2e/guest.elf", getenv("PWD") ?: ".");
	ASSERT_EQ(0, access(guest, R_OK)) TH_LOG("no %s (make -C selftests)", guest);
	if (access("/usr/sbin/libvirtd", X_OK))
		start_libvirt(_metadata, debs);
	end = vgpu_now_s() + 60;
	while (vgpu_run(self->out, sizeof(self->out), VIRSH "version") && vgpu_now_s() < end)
		usleep(500 * 1000);
	if (vgpu_run(self->out, sizeof(self->out), VIRSH "version")) {
		vgpu_run(self->out, sizeof(self->out), "tail -n 5 " LIBVIRTD_LOG);
		ASSERT_TRUE(false) TH_LOG("libvirtd did not start: %s", self->out);
	}
	TH_LOG("%s", strtok(self->out, "\n"));

	test_cmd(vgpu_module_ensure_loaded());
	test_cmd(vgpu_mdev_remove_all());
	vgpu_uuid_new(self->uuid);
	if (variant->dmabuf) {
		fd = vgpu_vgem_open(node);
		if (fd < 0)
			SKIP(return, "no vgem render node for QEMU's OpenGL (modprobe vgem)");
		close(fd);
	}
	test_cmd_create(variant->type, self->uuid);
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), "mkdir -p " DIR));
	test_cmd(domain_xml(self->uuid, guest, variant->dmabuf ? node : NULL, DIR "/domain.xml"));
	self->listener = serial_listen();
	ASSERT_LE(0, self->listener);
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), VIRSH "define " DIR "/domain.xml"))
		TH_LOG("%s", self->out);
}

FIXTURE_TEARDOWN(libvirt)
{
	char out[1024];

	if (self->ser >= 0)
		close(self->ser);
	if (self->listener >= 0)
		close(self->listener);
	if (!self->uuid[0])
		return;
	vgpu_run(out, sizeof(out), VIRSH "destroy " DOMAIN);
	vgpu_run(out, sizeof(out), VIRSH "undefine " DOMAIN);
	if (getenv("VGPU_VM_OUT"))
		vgpu_run(out, sizeof(out), "cp /var/log/libvirt/qemu/" DOMAIN ".log %s/libvirt-qemu.log",
			 getenv("VGPU_VM_OUT"));
	vgpu_mdev_remove(self->uuid);
}

/* virsh screenshot, as XRGB in @img: 0 or a negative errno */
static int virsh_screenshot(struct _test_data_libvirt *self, struct vgpu_util_image *img)
{
	unsigned int ch = 0, i;
	uint8_t *rgb;

	unlink(DIR "/shot");
	if (vgpu_run(self->out, sizeof(self->out), VIRSH "screenshot " DOMAIN " " DIR "/shot"))
		return -EIO;
	/* libvirt writes what QEMU gave it; 9.0 and 11.3 convert it to PNG */
	rgb = vgpu_png_load(DIR "/shot", &img->width, &img->height, &ch);
	if (!rgb)
		return -EPROTO;
	img->pixels = malloc(sizeof(uint32_t) * img->width * img->height);
	for (i = 0; img->pixels && i < img->width * img->height; i++)
		img->pixels[i] = rgb[i * ch] << 16 | rgb[i * ch + 1] << 8 | rgb[i * ch + 2];
	free(rgb);
	return img->pixels ? 0 : -ENOMEM;
}

/*
 * What the domain shows must be phase @phase of e2e/pattern.h, exactly:
 * virsh screenshot (QEMU's screendump, which brings the display up to
 * date: the first must match), or for a dma-buf instance on QEMU 7.2,
 * whose screendump has no surface for it, libvirt's VNC server, which
 * refreshes on a timer: grab that until it matches, for a while.
 */
static void check_picture(struct __test_metadata *_metadata, struct _test_data_libvirt *self,
			  bool vnc, unsigned int phase)
{
	double end = vgpu_now_s() + (vnc ? 120 : 0);
	struct vgpu_util_image img = { };
	char why[256];
	long bad = -1;
	int ret;

	do {
		vgpu_util_image_free(&img);
		ret = vnc ? vgpu_util_vnc_grab("127.0.0.1", VNC_PORT, 60, &img) :
			    virsh_screenshot(self, &img);
		if (!ret)
			bad = vgpu_e2e_mismatches(img.pixels, img.width, img.height, phase,
						  why, sizeof(why));
		if (bad > 0)
			TH_LOG("phase %u: %ld pixels wrong: %s", phase, bad, why);
		if ((ret || bad) && vnc)
			usleep(500 * 1000);
	} while ((ret || bad) && vgpu_now_s() < end);
	vgpu_util_image_free(&img);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s %s", vnc ? "VNC" : "virsh screenshot", strerror(-ret),
				 vnc ? "" : self->out);
	ASSERT_EQ(0, bad) TH_LOG("phase %u: %ld pixels differ (-ERANGE: size)", phase, bad);
}

TEST_F_TIMEOUT(libvirt, domain_shows_guest_then_releases_instance, 900)
{
	double t0 = vgpu_now_s();
	unsigned int phase;
	char msg[16];

	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), VIRSH "start " DOMAIN))
		TH_LOG("%s", self->out);
	TH_LOG("virsh start: %.1f s", vgpu_now_s() - t0);
	self->ser = serial_accept(self->listener, 60 * 1000);
	ASSERT_LE(0, self->ser) TH_LOG("QEMU did not connect its serial port");
	for (phase = 0; phase < E2E_NR_PHASES; phase++) {
		snprintf(msg, sizeof(msg), "PHASE %u", phase);
		ASSERT_EQ(0, vgpu_read_until(self->ser, msg, 300)) TH_LOG("no %s", msg);
		check_picture(_metadata, self, variant->dmabuf, phase);
		TH_LOG("%s exact in %s after %.1f s", msg,
		       variant->dmabuf ? "VNC" : "virsh screenshot", vgpu_now_s() - t0);
		ASSERT_EQ(1, write(self->ser, "n", 1));
	}
	ASSERT_EQ(0, vgpu_read_until(self->ser, "DONE", 120));

	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), VIRSH "destroy " DOMAIN))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), VIRSH "domstate " DOMAIN));
	ASSERT_NE(NULL, strstr(self->out, "shut off")) TH_LOG("%s", self->out);
	/* QEMU is gone, so nobody holds the device: it goes at once */
	test_cmd_remove(self->uuid);
	ASSERT_FALSE(vgpu_mdev_exists(self->uuid));
	self->uuid[0] = '\0';
	ASSERT_EQ(0, vgpu_run(self->out, sizeof(self->out), VIRSH "undefine " DOMAIN));
}

TEST_HARNESS_MAIN
