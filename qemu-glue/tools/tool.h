/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the qemu-glue tools share: error reporting and number parsing.
 */
#ifndef VGPU_TOOL_H
#define VGPU_TOOL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vgpu.h"

/* The kernel's attribute macros and ARRAY_SIZE(), as kselftest.h has them */
#ifndef __noreturn
#define __noreturn	__attribute__((__noreturn__))
#endif
#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr)	(sizeof(arr) / sizeof((arr)[0]))
#endif

extern const char *tool_name;

/* Print "tool: error: ..." and exit with @status. */
static inline __printf(2, 3) __noreturn void
tool_die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", tool_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* Exit with a libvgpu error @err, saying what was being done. */
static inline __noreturn void
tool_die_vgpu(const char *what, int err)
{
	tool_die(1, "%s: %s", what, vgpu_strerror(err));
}

/*
 * libvgpu's message of a failing call (vgpu_set_log_fn()): what exactly
 * failed, printed before the tool's own error line.
 */
static inline void tool_log(void *data __attribute__((unused)),
			    int err __attribute__((unused)), const char *func,
			    const char *msg)
{
	fprintf(stderr, "%s: %s: %s\n", tool_name, func, msg);
}

/* Parse a non-negative number of option @opt, or die naming it. */
static inline double tool_number(const char *opt, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || v < 0)
		tool_die(2, "%s wants a non-negative number, not '%s'", opt, arg);
	return v;
}

static inline double tool_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* VGPU_TOOL_H */
