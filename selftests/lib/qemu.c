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

bool vgpu_vgem_available(void)
{
	int fd = vgpu_vgem_open(NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}
