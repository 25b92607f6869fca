// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Messages of failing calls, handed to the program's log function.
 *
 * Only the function the program set is stored, never a message or an
 * error: each message goes out from the call that fails, before it
 * returns its errno.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vgpu.h"
#include "vgpu_priv.h"

static vgpu_log_fn vgpu_log_func;
static void *vgpu_log_data;

VGPU_EXPORT void vgpu_set_log_fn(vgpu_log_fn fn, void *data)
{
	vgpu_log_data = data;
	__atomic_store_n(&vgpu_log_func, fn, __ATOMIC_RELEASE);
}

int vgpu_log(int err, const char *func, const char *fmt, ...)
{
	vgpu_log_fn fn = __atomic_load_n(&vgpu_log_func, __ATOMIC_ACQUIRE);
	char msg[512];
	va_list ap;

	if (!fn)
		return err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(vgpu_log_data, err, func, msg);
	return err;
}

int vgpu_argsz(const void *arg, size_t minsz, const char *func, const char *type)
{
	uint32_t argsz;

	memcpy(&argsz, arg, sizeof(argsz));
	if (argsz >= minsz)
		return 0;
	return vgpu_log(-EINVAL, func, "argsz %u is less than %zu: set it to sizeof(%s)",
			argsz, minsz, type);
}

/* The description of @err for a message: strerror()'s, thread-safe. */
const char *vgpu_errno_text(int err)
{
	return strerrordesc_np(-err) ?: "unknown error";
}
