// SPDX-License-Identifier: GPL-2.0
/*
 * guest/faults.c - every allocation on the ownership paths fails in turn.
 *
 * With the kernel's fault injection (CONFIG_FAULT_INJECTION, failslab and
 * fail_page_alloc; configs/guest-debug.config), /proc/thread-self/fail-nth
 * makes the Nth slab or page allocation of this thread fail. For each path
 * below, N = 1, 2, ... until the call no longer reaches an Nth allocation:
 *
 *   claim        VFIO_GROUP_SET_CONTAINER (iommu_group_claim_dma_owner())
 *   set_iommu    VFIO_SET_IOMMU type1v2 (the container's domain attached)
 *   device_fd    VFIO_GROUP_GET_DEVICE_FD of DEV_E1000_A
 *   unset        VFIO_GROUP_UNSET_CONTAINER (the release)
 *   close        close() of the group fd while in a container (the release)
 *   bind         e1000 bound to DEV_E1000_B (really_probe(): dma_configure,
 *                iommu_device_use_default_domain(), e1000's probe)
 *   unbind       e1000 unbound (dma_cleanup, unuse_default_domain())
 *
 * DEV_E1000_A stays on vfio-pci throughout. After each injected failure:
 *  - the call returned an errno, or succeeded (the allocation had a
 *    fallback); either is fine, a crash or a kernel report is not;
 *  - ownership is exactly as before, checked by what the next calls do:
 *    with DEV_E1000_B driverless, a new container claims the group and
 *    lets it go; then (the full check) a container uses DEV_E1000_A, and
 *    e1000 binds to DEV_E1000_B and unbinds. A leaked owner or a leaked
 *    driver count refuses the claim (EPERM) and the bind (EBUSY); a group
 *    left off its default domain refuses the claim (EBUSY).
 *
 * `dmaown.faults_stride=K` (default 1): with K > 1, only every Kth N of
 * the set_iommu, bind and unbind paths (the type1 attach and e1000's probe
 * allocate dozens of times, seconds each under TCG), and on those paths
 * the full check only at the end (make check's short form); the others
 * are checked in full after every failure either way. A leaked domain is
 * kmemleak's: guest/leaks.c scans at the end of the boot.
 *
 * Fails on a leaked count on an error path (mutants/claim-leaks-count.patch:
 * a claim whose attach fails keeps its count, and the next claim is
 * refused with EPERM), and under intel-iommu on a release that detaches a
 * device failing to go back to the default domain (the series before it
 * kept such a device blocked: unset's 15th allocation, then every claim
 * of the group got EBUSY). The unpatched base has no ownership to leak: the
 * base's guests have no fault injection, and faults SKIPs there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "devices.h"
#include "kmsg.h"
#include "selftest.h"

#define DEBUGFS		"/sys/kernel/debug"
#define MAX_NTH		5000

/* Set one knob of a fault attribute in debugfs. */
static int knob(const char *attr, const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), DEBUGFS "/%s/%s", attr, name);
	return _sysfs_write(path, val);
}

/*
 * Fail only on fail-nth: GFP_KERNEL allocations too (ignore-gfp-wait N),
 * order 0 pages too, no message or stack dump for an injected failure (a
 * stack dump would read as a kernel report).
 */
static int _faults_setup(void)
{
	int rc;

	if (access(DEBUGFS "/failslab", F_OK))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	if (access(DEBUGFS "/failslab", F_OK) || access("/proc/thread-self/fail-nth", F_OK))
		return -ENOENT;
	rc = knob("failslab", "ignore-gfp-wait", "N");
	rc = rc ?: knob("failslab", "verbose", "0");
	rc = rc ?: knob("fail_page_alloc", "ignore-gfp-wait", "N");
	rc = rc ?: knob("fail_page_alloc", "ignore-gfp-highmem", "N");
	rc = rc ?: knob("fail_page_alloc", "min-order", "0");
	rc = rc ?: knob("fail_page_alloc", "verbose", "0");
	return rc;
}

/* A path's state: the fds open before its call (sysfs: bind or unbind). */
struct state {
	int group_id;
	int container, group, device, sysfs;
};

static void state_close(struct state *s)
{
	close_fd(&s->sysfs);
	close_fd(&s->device);
	close_fd(&s->group);
	close_fd(&s->container);
}

/* Open container and group; up to @upto: "set" (SET_CONTAINER), "iommu". */
static int _state_open(struct state *s, int upto)
{
	int rc;

	rc = _vfio_container_open(&s->container);
	rc = rc ?: _vfio_group_open(s->group_id, &s->group);
	if (!rc && upto >= 1)
		rc = _vfio_group_set_container(s->group, s->container);
	if (!rc && upto >= 2)
		rc = _vfio_set_iommu(s->container, VFIO_TYPE1v2_IOMMU);
	if (rc)
		state_close(s);
	return rc;
}

enum path { P_CLAIM, P_SET_IOMMU, P_DEVICE_FD, P_UNSET, P_CLOSE, P_BIND, P_UNBIND, NR_PATHS };
static const char *const path_name[NR_PATHS] = {
	"claim", "set_iommu", "device_fd", "unset", "close", "bind", "unbind",
};

/*
 * Open the sysfs file the call writes before fail-nth is armed: the open
 * (a file, kernfs's open file) is not the path under test.
 */
static int _open_sysfs(struct state *s, const char *path)
{
	s->sysfs = open(path, O_WRONLY | O_CLOEXEC);
	return s->sysfs < 0 ? -errno : 0;
}

/* A write of DEV_E1000_B's address to the opened bind or unbind file. */
static int write_dev(struct state *s)
{
	ssize_t n = write(s->sysfs, DEV_E1000_B, strlen(DEV_E1000_B));

	return n < 0 ? -errno : 0;
}

/* Prepare @p's call: the state it needs (B is driverless on entry). */
static int _prepare(enum path p, struct state *s)
{
	switch (p) {
	case P_CLAIM:
		return _state_open(s, 0);
	case P_SET_IOMMU:
		return _state_open(s, 1);
	case P_DEVICE_FD:
	case P_UNSET:
	case P_CLOSE:
		return _state_open(s, 2);
	case P_BIND:
		return _open_sysfs(s, "/sys/bus/pci/drivers/e1000/bind");
	case P_UNBIND:
		return _pci_bind("e1000", DEV_E1000_B) ?:
		       _open_sysfs(s, "/sys/bus/pci/drivers/e1000/unbind");
	default:
		return -EINVAL;
	}
}

/* The call itself, the one that runs with fail-nth armed. */
static int _call(enum path p, struct state *s)
{
	switch (p) {
	case P_CLAIM:
		return _vfio_group_set_container(s->group, s->container);
	case P_SET_IOMMU:
		return _vfio_set_iommu(s->container, VFIO_TYPE1v2_IOMMU);
	case P_DEVICE_FD:
		return _vfio_device_fd(s->group, DEV_E1000_A, &s->device);
	case P_UNSET:
		return _vfio_group_unset_container(s->group);
	case P_CLOSE:
		return close(s->group) ? -errno : (s->group = -1, 0);
	case P_BIND:
	case P_UNBIND:
		return write_dev(s);
	default:
		return -EINVAL;
	}
}

/*
 * Run @p's call with its @nth allocation failing. *@left gets what is left
 * of the count afterwards: 0 when the call got that far (the fault was
 * injected), -1 when fail-nth could not be armed, read or disarmed (then
 * the call's result means nothing). Returns the call's result.
 */
static int _call_nth(enum path p, struct state *s, int nth, int *left)
{
	char buf[16];
	ssize_t n;
	int fd, rc;

	*left = -1;
	fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(buf, sizeof(buf), "%d", nth);
	if (write(fd, buf, strlen(buf)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = _call(p, s);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		buf[n] = '\0';
		*left = atoi(buf);
	}
	if (write(fd, "0", 1) < 0)
		*left = -1;
	close(fd);
	return rc;
}

/* A fresh container claims the group and lets it go: no owner or count leaked. */
static int _claimable(int group_id, char *why, size_t len)
{
	struct state s = { .group_id = group_id, .container = -1, .group = -1,
			   .device = -1, .sysfs = -1 };
	int rc = _state_open(&s, 2);

	state_close(&s);
	if (rc)
		snprintf(why, len, "a new container cannot claim the group: %s",
			 errno_name(-rc));
	return rc;
}

/*
 * Ownership as at the start: DEV_E1000_B driverless (unbound here if the
 * call bound it) and the group claimable; with @full, a container also
 * uses DEV_E1000_A, and e1000 binds to DEV_E1000_B and unbinds once the
 * group is released. The first step that fails goes to @why.
 */
static int _ownership_intact(int group_id, bool full, char *why, size_t len)
{
	char drv[DRV_NAME_LEN];
	struct vfio_dev v;
	int rc;

	rc = _pci_driver(DEV_E1000_B, drv, sizeof(drv));
	if (!rc && drv[0])
		rc = _pci_unbind(drv, DEV_E1000_B);
	if (rc) {
		snprintf(why, len, "unbind %s: %s", DEV_E1000_B, errno_name(-rc));
		return rc;
	}
	if (!full)
		return _claimable(group_id, why, len);
	vfio_dev_init(&v, DEV_E1000_A);
	v.group_id = group_id;
	rc = _vfio_dev_open(&v, NULL);
	if (rc)
		snprintf(why, len, "a container on the group: %s: %s", v.step, errno_name(-rc));
	_vfio_dev_close(&v, NULL);
	if (rc)
		return rc;
	rc = _pci_bind("e1000", DEV_E1000_B);
	if (rc) {
		snprintf(why, len, "e1000 bind after the release: %s", errno_name(-rc));
		return rc;
	}
	rc = _pci_unbind("e1000", DEV_E1000_B);
	if (rc)
		snprintf(why, len, "e1000 unbind: %s", errno_name(-rc));
	return rc;
}

FIXTURE(faults) {
	int unused;
};

FIXTURE_SETUP(faults)
{
}

FIXTURE_TEARDOWN(faults)
{
	restore_shared_group(_metadata);
}

/*
 * Fail each allocation of path @p in turn (every @step-th), checking
 * after each. REQUIRE() here fails the test and returns to the caller.
 */
static void run_path(struct __test_metadata *_metadata, enum path p,
		     int group_id, unsigned long step, int kfd)
{
	int failed = 0, fallback = 0, tried = 0, nth, rc, reports;
	char errs[80] = "", why[160], report[200];
	bool into_driver = false;
	const char *call;

	for (nth = 1; nth < MAX_NTH; nth += step) {
		struct state s = { .group_id = group_id, .container = -1,
				   .group = -1, .device = -1, .sysfs = -1 };
		bool hit;
		int left;

		rc = _prepare(p, &s);
		REQUIRE(!rc, "%s: prepare for fail-nth %d: %s", path_name[p],
			nth, errno_name(-rc));
		rc = _call_nth(p, &s, nth, &left);
		call = rc ? errno_name(-rc) : "ok";
		state_close(&s);
		REQUIRE(left >= 0, "%s: fail-nth %d could not be armed, read or disarmed (call: %s)",
			path_name[p], nth, call);
		hit = left == 0;
		/*
		 * A bind that fails with ENODEV failed after dma_configure():
		 * really_probe() returns dma_configure's error as it is (the
		 * ownership count refused, or an allocation of the bus's), and
		 * turns every later failure (driver_sysfs_add(), the driver's
		 * probe) into 0, which bind_store() answers with ENODEV. What
		 * the series does there (dma_cleanup, the count dropped) is
		 * checked once, at the first; the allocations after it are
		 * the driver core's, e1000's and the network stack's (some
		 * dump_stack() when they fail).
		 */
		if (p == P_BIND && hit && rc == -ENODEV)
			into_driver = true;
		if (!hit) {
			/* No Nth allocation: the path is covered. */
			REQUIRE(!rc, "%s: without a fault: %s", path_name[p], errno_name(-rc));
			rc = _ownership_intact(group_id, true, why, sizeof(why));
			REQUIRE(!rc, "%s, no fault: then %s", path_name[p], why);
			break;
		}
		tried++;
		if (rc) {
			failed++;
			if (!strstr(errs, errno_name(-rc)) &&
			    strlen(errs) + 12 < sizeof(errs)) {
				strcat(errs, " ");
				strcat(errs, errno_name(-rc));
			}
			if (rc != -ENOMEM)
				TH_LOG("%s: allocation %d failed: %s", path_name[p], nth,
				       errno_name(-rc));
		} else {
			fallback++;
		}
		rc = _ownership_intact(group_id, step == 1 || into_driver, why, sizeof(why));
		REQUIRE(!rc, "%s, allocation %d failed (call: %s): then %s",
			path_name[p], nth, call, why);
		reports = _kmsg_reports(kfd, report, sizeof(report));
		REQUIRE(reports <= 0, "%s, allocation %d failed: kernel report: %s",
			path_name[p], nth, report);
		if (into_driver) {
			TH_LOG("bind: allocation %d failed after dma_configure (ENODEV): the allocations from there on are the driver core's and e1000's",
			       nth);
			break;
		}
	}
	REQUIRE(nth < MAX_NTH, "%s: still allocating at %d", path_name[p], nth);
	TH_LOG("%-9s %3d allocations failed in turn%s: %d calls failed (%s), %d succeeded anyway",
	       path_name[p], tried, step > 1 ? " (a stride)" : "", failed,
	       errs[0] ? errs + 1 : "-", fallback);
}

TEST_F_TIMEOUT(faults, every_allocation, 3 * 3600)
{
	unsigned long stride = cmdline_ul("dmaown.faults_stride", 1);
	bool acpi = !access("/sys/firmware/acpi", F_OK);
	char drv[DRV_NAME_LEN], path[32];
	int kfd, group_id, rc;
	enum path p;

	rc = _faults_setup();
	if (rc == -ENOENT)
		SKIP(return, "no fault injection (fail-nth, failslab) in this kernel");
	CHECK_OK(rc, "set up failslab and fail_page_alloc");
	REQUIRE(stride >= 1, "dmaown.faults_stride=%lu: expected >= 1", stride);
	if (stride > 1)
		TH_LOG("short form: every %luth allocation of set_iommu, bind and unbind; e1000 bound after each path, not after each failure",
		       stride);

	group_id = pci_group(DEV_E1000_A);
	CHECK_OK(_pci_reprobe(DEV_E1000_A, "vfio-pci"), "hand %s to vfio-pci", DEV_E1000_A);
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	CHECK_OK(_path_wait(path, 5000), "wait for %s", path);
	pci_driver(DEV_E1000_B, drv);
	if (drv[0])
		pci_unbind(drv, DEV_E1000_B);
	kfd = CHECK_OK(_kmsg_open(), "open /dev/kmsg");

	for (p = 0; p < NR_PATHS && _metadata->passed; p++) {
		/*
		 * Enabling or disabling the device evaluates ACPI's _PRT, and
		 * 5.10's ACPICA does not survive a failed allocation there
		 * (AE_NO_MEMORY on a reference count, then a use-after-free in
		 * acpi_ns_get_attached_object): not the series.
		 */
		if (acpi && (p == P_DEVICE_FD || p == P_BIND || p == P_UNBIND)) {
			TH_LOG("%-9s not on an ACPI guest (5.10's ACPICA fails under a failed allocation in _PRT); the arm64 guest runs it",
			       path_name[p]);
			continue;
		}
		run_path(_metadata, p, group_id,
			 p == P_SET_IOMMU || p == P_BIND || p == P_UNBIND ? stride : 1, kfd);
	}
}

TEST_HARNESS_MAIN
