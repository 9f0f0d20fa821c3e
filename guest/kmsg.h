/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest/kmsg.h - what the kernel logged during a test: its reports, and
 * what kmemleak found.
 *
 * Functions return a count or fd on success and -errno on failure.
 */
#ifndef GUEST_KMSG_H
#define GUEST_KMSG_H

#include <stddef.h>

/* Open /dev/kmsg at its end: reads see only what is logged from now on. */
int _kmsg_open(void);

/*
 * Read the kernel's records logged since _kmsg_open() or the last call,
 * and count the lines among them that are or frame a kernel report:
 * WARNING, BUG, Oops, KASAN, UBSAN, panic, a bad page, an unhandled fault,
 * lockdep, RCU, hung task and kmemleak reports, "cut here" and call trace
 * lines, an IOMMU fault (an SMMUv3 event or error, a DMAR fault). The first report line (else the first framing
 * line) goes to @first ("" if none). Records overwritten before they were
 * read are skipped: read often enough that the ring buffer does not wrap.
 */
int _kmsg_reports(int fd, char *first, size_t len);

/*
 * kmemleak (debugfs mounted if need be): wait until what was allocated last
 * is old enough to report (5 s), scan twice (an object is reported once two
 * scans found it unreferenced and unchanged), and return the number of
 * objects reported as leaked since boot, the first lines of the list
 * printed as "# kmemleak: ...". -ENOENT: the kernel has no kmemleak;
 * -EPERM: kmemleak is off (kmemleak=off, or it disabled itself).
 */
int _kmemleak_leaks(void);

#endif
