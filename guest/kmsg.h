/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest/kmsg.h - what the kernel logged during a test: its reports.
 *
 * Functions return a count or fd on success and -errno on failure.
 */
#ifndef GUEST_KMSG_H
#define GUEST_KMSG_H

#include <stddef.h>

/* Open /dev/kmsg at its end: reads see only what is logged from now on. */
int _kmsg_open(void);

/*
 * Read the records logged since _kmsg_open() or the last call, and count
 * the kernel reports among them: WARNING, BUG, Oops, KASAN, a bad page,
 * an unhandled fault, a call trace, an IOMMU fault (an SMMUv3 event or a
 * DMAR fault). The first report's message goes to @first ("" if none).
 * Records overwritten before they were read are skipped: the console log,
 * which scripts/verdict.sh judges, still has them.
 */
int _kmsg_reports(int fd, char *first, size_t len);

#endif
