// SPDX-License-Identifier: GPL-2.0
/*
 * guest/kmsg.c - what the kernel logged during a test: its reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "kmsg.h"

/* A message containing one of these is (part of) a kernel report. */
static const char *const report_marks[] = {
	"WARNING:", "kernel BUG", "BUG:", "Oops", "KASAN", "Bad page",
	"Unable to handle", "Internal error:", "Call trace:", "Call Trace:",
	"[ cut here ]", "event 0x", "DMAR: DRHD: handling fault",
};

int _kmsg_open(void)
{
	int fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

static int is_report(const char *msg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(report_marks); i++)
		if (strstr(msg, report_marks[i]))
			return 1;
	return 0;
}

int _kmsg_reports(int fd, char *first, size_t len)
{
	char rec[8192], *msg, *nl;
	int reports = 0;
	ssize_t n;

	if (len)
		first[0] = '\0';
	for (;;) {
		/* One record per read: "prio,seq,time,flags;message\n ..." */
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten: skip to the oldest left */
		if (n == 0 || (n < 0 && errno == EAGAIN))
			return reports;
		if (n < 0)
			return -errno;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (!is_report(msg))
			continue;
		if (!reports++ && len)
			snprintf(first, len, "%s", msg);
	}
}
