// SPDX-License-Identifier: GPL-2.0
/*
 * Test library: clocks. Durations and timeouts are measured on
 * CLOCK_MONOTONIC; CLOCK_REALTIME only where an interface wants it.
 */
#include "vgpu_test.h"

uint64_t vgpu_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double vgpu_now_ns(void)
{
	return vgpu_clock_ns(CLOCK_MONOTONIC);
}

int64_t vgpu_now_ms(void)
{
	return vgpu_clock_ns(CLOCK_MONOTONIC) / 1000000;
}

double vgpu_now_s(void)
{
	return vgpu_clock_ns(CLOCK_MONOTONIC) / 1e9;
}

struct timespec vgpu_realtime_in(unsigned int seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	return ts;
}
