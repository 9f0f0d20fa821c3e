/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest/common.h - small things every guest program uses.
 */
#ifndef GUEST_COMMON_H
#define GUEST_COMMON_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef ARRAY_SIZE	/* kselftest_harness.h has one too */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* "ENODEV" for ENODEV; "E123" for numbers glibc has no name for. */
static inline const char *errno_name(int err)
{
	static __thread char buf[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

/* Close *@fd if it is open and mark it closed (-1). */
static inline void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

#endif
