// SPDX-License-Identifier: GPL-2.0
/*
 * Test library: talking to a QEMU the test started - its unix sockets
 * (monitor, serial port), what it prints, and the command line a tool
 * prints for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vgpu_test.h"

int vgpu_unix_connect(const char *path, double timeout)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	double end = vgpu_now_s() + timeout;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	do {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		err = errno;
		close(fd);
		usleep(100 * 1000);
	} while (vgpu_now_s() < end);
	return err == ENOENT || err == ECONNREFUSED ? -ETIMEDOUT : -err;
}

int vgpu_read_until(int fd, const char *text, double timeout)
{
	size_t want = strlen(text), have = 0;
	double end = vgpu_now_s() + timeout;
	char buf[2048];

	if (!want || want >= sizeof(buf) / 2)
		return -EINVAL;
	while (vgpu_now_s() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return n ? -errno : -EPIPE;
		have += n;
		buf[have] = '\0';
		if (strstr(buf, text))
			return 0;
		if (have >= sizeof(buf) / 2) {	/* keep what may start @text */
			memmove(buf, buf + have - (want - 1), want - 1);
			have = want - 1;
		}
	}
	return -ETIMEDOUT;
}

int vgpu_hmp(int mon, const char *cmd, double timeout)
{
	size_t len = strlen(cmd);

	if (write(mon, cmd, len) != (ssize_t)len || write(mon, "\n", 1) != 1)
		return -EIO;
	return vgpu_read_until(mon, "(qemu) ", timeout);
}

int vgpu_hmp_reply(int mon, const char *cmd, char *buf, size_t len, double timeout)
{
	size_t clen = strlen(cmd), have = 0;
	double end = vgpu_now_s() + timeout;

	if (len < 2)
		return -EINVAL;
	if (write(mon, cmd, clen) != (ssize_t)clen || write(mon, "\n", 1) != 1)
		return -EIO;
	buf[0] = '\0';
	while (vgpu_now_s() < end) {
		struct pollfd p = { .fd = mon, .events = POLLIN };
		char *prompt;
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		if (have == len - 1)
			return -E2BIG;
		n = read(mon, buf + have, len - 1 - have);
		if (n <= 0)
			return n ? -errno : -EPIPE;
		have += n;
		buf[have] = '\0';
		prompt = strstr(buf, "(qemu) ");
		if (prompt) {
			*prompt = '\0';
			return 0;
		}
	}
	return -ETIMEDOUT;
}

int vgpu_argv_output(char *const *argv, char *buf, size_t len)
{
	int fds[2], st;
	size_t have = 0;
	ssize_t n = 1;
	pid_t pid;

	if (len < 2 || pipe2(fds, O_CLOEXEC))
		return len < 2 ? -EINVAL : -errno;
	pid = fork();
	if (!pid) {
		dup2(fds[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && n > 0 && have < len - 1) {
		n = read(fds[0], buf + have, len - 1 - have);
		have += n > 0 ? n : 0;
	}
	close(fds[0]);
	buf[have] = '\0';
	if (pid < 0)
		return -errno;
	if (waitpid(pid, &st, 0) != pid)
		return -ECHILD;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return -EPROTO;
	return have < len - 1 ? (int)have : -E2BIG;
}

int vgpu_split_nul(char *buf, size_t len, char **argv, unsigned int max)
{
	unsigned int argc = 0;
	size_t i = 0;

	if (!len || buf[len - 1])
		return -EPROTO;
	while (i < len) {
		if (argc + 1 >= max)
			return -E2BIG;
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	return argc;
}

const char *vgpu_qemu10_path(void)
{
	static char path[PATH_MAX];

	if (getenv("VGPU_QEMU10"))
		return getenv("VGPU_QEMU10");
	snprintf(path, sizeof(path), "%s/.cache/vgpu-display/qemu-10.0/bin/qemu-system-x86_64",
		 getenv("HOME") ?: "/root");
	return path;
}

const char *vgpu_qemu_gl_missing(void)
{
	int fd = vgpu_vgem_open(NULL);

	if (fd < 0)
		return "no vgem render node for QEMU's OpenGL (modprobe vgem)";
	close(fd);
	if (access(VGPU_MESA_SWRAST, R_OK))
		return "no Mesa software renderer " VGPU_MESA_SWRAST
		       " (apt-get install libgl1-mesa-dri libegl-mesa0)";
	return NULL;
}

int vgpu_dbus_grab_start(struct vgpu_dbus_grab *g, const char *qmp, double timeout,
			 double ready)
{
	char script[PATH_MAX], secs[32];
	int in[2], out[2];

	g->pid = -1;
	snprintf(script, sizeof(script), "%s", vgpu_tree_path("selftests/e2e/dbus_grab.py"));
	snprintf(secs, sizeof(secs), "%g", timeout);
	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return -errno;
	}
	g->pid = fork();
	if (!g->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl("/usr/bin/python3", "python3", script, qmp, secs, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	g->in = in[1];
	g->out = out[0];
	if (g->pid < 0) {
		close(g->in);
		close(g->out);
		return -errno;
	}
	return vgpu_read_until(g->out, "ready\n", ready);
}

int vgpu_dbus_grab(struct vgpu_dbus_grab *g, const char *ppm)
{
	struct pollfd p = { .fd = g->out, .events = POLLIN };
	size_t len = strlen(ppm);
	ssize_t n;

	g->reply[0] = '\0';
	if (write(g->in, ppm, len) != (ssize_t)len || write(g->in, "\n", 1) != 1)
		return -EPIPE;
	/* its own timeout is for the picture; the PPM takes seconds more */
	if (poll(&p, 1, 300 * 1000) <= 0)
		return -ETIMEDOUT;
	n = read(g->out, g->reply, sizeof(g->reply) - 1);
	if (n <= 0)
		return -EPIPE;
	g->reply[n] = '\0';
	g->reply[strcspn(g->reply, "\n")] = '\0';
	return strncmp(g->reply, "ok ", 3) ? -EIO : 0;
}

void vgpu_dbus_grab_stop(struct vgpu_dbus_grab *g)
{
	if (g->pid <= 0)
		return;
	close(g->in);
	close(g->out);
	waitpid(g->pid, NULL, 0);
	g->pid = -1;
}
