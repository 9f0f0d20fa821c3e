// SPDX-License-Identifier: GPL-2.0
/*
 * guest/leaks.c - kmemleak's verdict on the whole boot: the last program of
 * the guest suite, after every other.
 *
 * kmemleak records every allocation from boot and reports an object that
 * two scans found unreferenced and unchanged. One check at the end sees
 * what every program before it leaked: the claims and releases of smoke,
 * badinput, the kselftest and ownership, stress's concurrent ones, and the
 * error paths faults fails allocations on (a leaked domain or group
 * reference there is kmemleak's to find, not the next claim's). A report
 * names the process that allocated (comm) and the allocation's backtrace,
 * so which program leaked is still in the log.
 *
 * One check, not one around each program: a scan takes about 17 s of the
 * x86_64 guest's time under TCG and 5 to 8 s of arm64's, and scanning
 * around stress and faults (a scan before each, two after) took six.
 *
 * Fails on a leak, and when kmemleak is off (kmemleak=off, or it disabled
 * itself): boots without kmemleak skip this program (dmaown.skip=leaks).
 * Skipped when the kernel has no kmemleak.
 */
#include <errno.h>

#include "selftest.h"

FIXTURE(leaks) {
};

FIXTURE_SETUP(leaks)
{
}

FIXTURE_TEARDOWN(leaks)
{
}

TEST_F_TIMEOUT(leaks, since_boot, 600)
{
	int n = _kmemleak_leaks();

	if (n == -ENOENT)
		SKIP(return, "no kmemleak in this kernel: leaks are not looked for");
	REQUIRE(n != -EPERM, "kmemleak is off (kmemleak=off, or it disabled itself: see the kernel log): leaks cannot be looked for");
	CHECK_OK(n, "kmemleak scan");
	REQUIRE(!n, "kmemleak: %d objects leaked since boot", n);
	TH_LOG("kmemleak: no leak since boot");
}

TEST_HARNESS_MAIN
