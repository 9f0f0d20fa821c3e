// SPDX-License-Identifier: GPL-2.0
/*
 * guest/kmsg.c - what the kernel logged during a test: its reports, and
 * what kmemleak found.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common.h"
#include "kmsg.h"
#include "sysfs.h"

/*
 * A kernel message containing one of these is a report (as in
 * scripts/verdict.sh); one containing a frame mark only frames one.
 */
static const char *const report_marks[] = {
	"WARNING: CPU:", "WARNING: at ", "kernel BUG at ", "Oops", "KASAN",
	"UBSAN:", "Kernel panic", "Bad page", "Unable to handle kernel",
	"Internal error:", "general protection fault",
	/* arm-smmu-v3: a fault event, lost events, a stuck command queue */
	"EVTQ overflow", "CMD_SYNC timeout", "unexpected global error",
	/*
	 * intel-iommu; amd_iommu: any event (IO_PAGE_FAULT, a bad DTE...; QEMU
	 * 7.2's amd-iommu has not logged one here, so never seen), a stuck
	 * command queue, lost events
	 */
	"DMAR: DRHD: handling fault", "Event logged [",
	"Completion-Wait loop timed out", "IOMMU event log overflow",
	/* virtio-iommu: a fault the device reports */
	"fault from EP",
	/* lockdep, RCU, the hung task detector, kmemleak */
	"possible circular locking", "possible recursive locking",
	"inconsistent lock state", "bad unlock balance detected",
	"suspicious RCU usage", "blocked for more than",
	"suspected memory leak",
};
static const char *const frame_marks[] = {
	"[ cut here ]", "Call trace:", "Call Trace:",
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

static bool has_mark(const char *msg, const char *const *marks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(msg, marks[i]))
			return true;
	return false;
}

/* 2: a report line, 1: a line that only frames one, 0: neither. */
static int report_kind(const char *msg)
{
	const char *bug = strstr(msg, "BUG: ");

	if (has_mark(msg, report_marks, ARRAY_SIZE(report_marks)))
		return 2;
	/* "BUG: " as a word (not "DEBUG: "); an SMMUv3 "event 0x.. received" */
	if (bug && (bug == msg || !isalnum((unsigned char)bug[-1])))
		return 2;
	if (strstr(msg, "event 0x") && strstr(msg, " received"))
		return 2;
	return has_mark(msg, frame_marks, ARRAY_SIZE(frame_marks));
}

int _kmsg_reports(int fd, char *first, size_t len)
{
	char rec[8192], *msg, *nl;
	int reports = 0, kind;
	bool strong = false;
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
		/* The kernel's own records only: facility 0, prio < 8. */
		if (strtol(rec, NULL, 10) >= 8)
			continue;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');	/* continuation lines follow */
		if (nl)
			*nl = '\0';
		kind = report_kind(msg);
		if (!kind)
			continue;
		/* @first: the first report line, else the first frame line. */
		if (len && (!reports || (kind == 2 && !strong)))
			snprintf(first, len, "%s", msg);
		strong = strong || kind == 2;
		reports++;
	}
}

#define KMEMLEAK	"/sys/kernel/debug/kmemleak"

static int kmemleak_there(void)
{
	if (access(KMEMLEAK, F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	return access(KMEMLEAK, F_OK) ? -ENOENT : 0;
}

static int kmemleak_cmd(const char *cmd)
{
	int rc = kmemleak_there();

	return rc ?: _sysfs_write(KMEMLEAK, cmd);
}

int _kmemleak_leaks(void)
{
	char line[256];
	int n = 0, rc;
	FILE *f;

	rc = kmemleak_there();
	if (rc)
		return rc;
	sleep(6);
	rc = kmemleak_cmd("scan") ?: kmemleak_cmd("scan");
	if (rc)
		return rc;
	f = fopen(KMEMLEAK, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "unreferenced object"))
			n++;
		if (n && n <= 3)
			printf("# kmemleak: %s", line);
	}
	fclose(f);
	/* A test's process ends in _exit(): nothing buffered survives it. */
	fflush(stdout);
	return n;
}
