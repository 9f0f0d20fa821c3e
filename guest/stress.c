// SPDX-License-Identifier: GPL-2.0
/*
 * guest/stress.c - the shared group under concurrent load, with lockdep,
 * KASAN and kmemleak watching (make stress; a short form in make check).
 *
 * Worker processes use the shared group (devices.h SHARED_GROUP) at once:
 *  - drv: DEV_E1000_B bound to e1000 (a kernel DMA driver; refused with
 *    EBUSY while a container holds the group) for 50-300 ms, then unbound
 *    for 200-600 ms;
 *  - ctr0, ctr1, ctr2: each with a container of its own, races for the
 *    group (only one process can have it open: EBUSY for the others) and,
 *    once it has it, SET_CONTAINER (refused with EPERM while e1000 is bound),
 *    SET_IOMMU type1v2, MAP_DMA of one page, GET_DEVICE_FD of DEV_E1000_A
 *    (on vfio-pci throughout), a config space read, the device fd closed,
 *    UNMAP_DMA, 50-250 ms more with the group held, then the group
 *    released in one of three ways in turn:
 *    UNSET_CONTAINER and close, close without UNSET, the container closed
 *    before the group. Every fourth round instead asks GET_DEVICE_FD of the
 *    group outside any container (EINVAL);
 *  - rm: RM_DEV removed (/sys/bus/pci/devices/<RM_DEV>/remove) and found
 *    again by /sys/bus/pci/rescan; counted by whether a container held
 *    the group at the removal (every other round waits up to 3 s for one
 *    to). On arm64, RM_DEV is DEV_E1000_B: a member
 *    found while the group is held joins it, and e1000's probe is refused.
 *    On x86_64 it is DEV_AHCI, of a group of its own (see RM_DEV);
 *  - the checker (the parent): samples, until every worker has done its
 *    rounds, the invariant "never a kernel DMA driver bound while a
 *    container holds the group" (DEV_E1000_B's driver read between two
 *    reads of the holder's epoch: a container held the group throughout
 *    if the epoch did not move and said held), and reads the kernel log.
 *
 * Every call's errno is checked against the ones the contract allows
 * (listed at each call); anything else is a violation. After the workers
 * stop, the group must be claimable (DEV_E1000_B unbound: a container
 * takes the group and opens DEV_E1000_A) and e1000 must bind again once it
 * is released. Result: 0 kernel reports (WARN, BUG, lockdep, KASAN,
 * hung task, as guest/kmsg.c reads them) and 0 violations, and the rate.
 * What the run leaked, kmemleak finds at the end of the boot
 * (guest/leaks.c, the last program).
 *
 * Rounds per worker: `dmaown.stress=N` on the kernel command line (default
 * 20, the short form of make check; make stress asks for 1000), within
 * `dmaown.stress_s=S` seconds (default 900), or the test fails.
 *
 * The unpatched base dies here: e1000 bound into a group a container holds
 * hits the BUG_ON in vfio's group notifier (drv or rm, whichever is first).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "devices.h"
#include "kmsg.h"
#include "selftest.h"

#define NR_CTR		3
/*
 * What rm removes and finds again. Not a member of the shared group on
 * x86_64: there the members sit behind a conventional PCI bridge and share
 * its DMA alias, and 5.10's intel-iommu, removing one, clears the alias's
 * context entry under the members that stay (domain_context_clear() walks
 * every alias); their next attach then finds their old domain and fails
 * with EBUSY for good, series or not (seen here: no claim succeeded after
 * the first removal). arm64's members, two functions of one slot, have
 * stream IDs of their own. Nor the e1000e: QEMU 7.2 aborts on an MSI-X
 * table write out of range when its e1000e is removed and found again
 * (hw/pci/msix.c:218, seen here).
 */
#ifdef DEV_BRIDGE
#define RM_DEV		DEV_AHCI
#define RM_DRV		"ahci"
#define RM_NETDEV	0
#else
#define RM_DEV		DEV_E1000_B
#define RM_DRV		"e1000"
#define RM_NETDEV	1
#endif
/* Held by rm across a removal or rescan, by a ctr worker across a device fd. */
#define BUS_LOCK	"/tmp/stress-bus.lock"
#define MSG_LEN		200
#define EPROBE_DEFER	517	/* the kernel's, not in user space's errno.h */

enum { W_DRV, W_CTR0, W_RM = W_CTR0 + NR_CTR, NR_WORKERS };
static const char *const worker_name[NR_WORKERS] = {
	"drv", "ctr0", "ctr1", "ctr2", "rm",
};

/* What the workers and the checker share (MAP_SHARED). */
struct shared {
	int stop;
	int race;	/* dmaown.stress_race=1 */
	/* The group is in a container (holder's view); epoch moves at each change. */
	int held;
	unsigned long epoch;
	unsigned long rounds[NR_WORKERS];
	/* Outcomes: [worker][kind], kinds per worker below. */
	unsigned long count[NR_WORKERS][4];
	unsigned long violations;
	char first_violation[MSG_LEN];
};
static struct shared *sh;

/* count[] kinds; for a ctr worker, C_GONE counts SET_CONTAINER's EPERM */
enum { C_OK, C_BUSY, C_GONE, C_OTHER };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void violation(const char *fmt, ...)
{
	char msg[MSG_LEN];
	unsigned long n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = __atomic_fetch_add(&sh->violations, 1, __ATOMIC_SEQ_CST);
	if (n == 0)
		snprintf(sh->first_violation, sizeof(sh->first_violation), "%s", msg);
	if (n < 5)
		fprintf(stderr, "stress: violation: %s\n", msg);
}

/* @rc (0 or -errno) of @what must be 0 or one of the errnos in @ok (0-ended). */
static bool allowed(int w, const char *what, int rc, const int *ok)
{
	if (!rc)
		return true;
	for (; *ok; ok++)
		if (-rc == *ok)
			return true;
	violation("%s: %s: %s (%s)", worker_name[w], what, errno_name(-rc),
		  strerror(-rc));
	return false;
}

#define ALLOW(w, what, rc, ...) \
	allowed(w, what, rc, (const int []){ __VA_ARGS__, 0 })

static void rand_sleep_us(unsigned int max)
{
	usleep(rand() % (max + 1));
}

static bool stopping(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE);
}

/*
 * The hotplug lock: rm holds it across a removal and across a rescan; a
 * ctr worker across its group's changes (SET_CONTAINER with SET_IOMMU, the
 * release) and across the use of its device fd (whose release may reset
 * the bus). So a member is removed and found again while the group is held
 * or free, and kernel drivers still bind and unbind meanwhile, but never in
 * the middle of a switch of the group's domain or of a bus reset, where
 * 5.10 itself is not safe (found by this test, not the series's doing):
 *  - iommu_release_device() calls the IOMMU driver's release_device()
 *    before the device leaves its group: a group-wide attach meanwhile
 *    reaches the freed per-device data (KASAN: use-after-free in
 *    arm_smmu_attach_dev(), or ENOENT from its fwspec check);
 *  - pci_bus_lock() and pci_bus_unlock() walk the bus's device list
 *    without the rescan lock: a device added or removed between the two
 *    trips WARN_ON in pci_cfg_access_unlock() (x86_64).
 * `dmaown.stress_race=1` drops the lock around the group's changes (the
 * device fd keeps it), to show the first.
 */
static int bus_lock(void)
{
	int fd = open(BUS_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd >= 0 && flock(fd, LOCK_EX)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void bus_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the lock */
}

/* The hotplug lock around a change of the group's domain, unless racing. */
static int group_lock(void)
{
	return sh->race ? -1 : bus_lock();
}

/*
 * Store, then bump the epoch, both ways: a checker that reads the epoch,
 * held = 1, then the epoch unchanged, saw the group held throughout (set
 * after SET_CONTAINER returned, cleared before the release starts).
 */
static void set_held(int held)
{
	__atomic_store_n(&sh->held, held, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&sh->epoch, 1, __ATOMIC_SEQ_CST);
}

/* drv: e1000 on DEV_E1000_B, bound and unbound. */
static void drv_worker(void)
{
	char drv[DRV_NAME_LEN];
	int rc;

	while (!stopping()) {
		rc = _pci_driver(DEV_E1000_B, drv, sizeof(drv));
		/* ENODEV, ENOENT: removed by rm */
		if (!ALLOW(W_DRV, "read driver", rc, ENODEV, ENOENT))
			break;
		if (rc) {
			sh->count[W_DRV][C_GONE]++;
		} else if (!strcmp(drv, "e1000")) {
			/* ENODEV: unbound or removed meanwhile */
			rc = _pci_unbind("e1000", DEV_E1000_B);
			ALLOW(W_DRV, "unbind e1000", rc, ENODEV);
			sh->count[W_DRV][rc ? C_GONE : C_OTHER]++;
			/* A while without a kernel driver: the containers' turn. */
			if (!rc)
				usleep(200000 + rand() % 400000);
		} else {
			/*
			 * EBUSY: the group is held; ENODEV: gone, or bound by a
			 * rescan; EPROBE_DEFER: being added again by a rescan.
			 */
			rc = _pci_bind("e1000", DEV_E1000_B);
			ALLOW(W_DRV, "bind e1000", rc, EBUSY, ENODEV, EPROBE_DEFER);
			sh->count[W_DRV][rc == -EBUSY ? C_BUSY : rc ? C_GONE : C_OK]++;
			/* Bound a while: the containers must be refused (EPERM). */
			if (!rc)
				usleep(50000 + rand() % 250000);
		}
		__atomic_add_fetch(&sh->rounds[W_DRV], 1, __ATOMIC_RELAXED);
		rand_sleep_us(2000);
	}
}

/* One round of a container worker; @variant 0-3 as in the header. */
static void ctr_round(int w, int group_id, void *buf, int variant)
{
	int container = -1, group = -1, device = -1, lock, rc;
	uint16_t vendor, devid;
	uint64_t unmapped;
	bool set = false;

	rc = _vfio_group_open(group_id, &group);
	/* EBUSY: another worker has it open */
	if (!ALLOW(w, "open group", rc, EBUSY) || rc) {
		sh->count[w][C_BUSY]++;
		return;
	}
	if (variant == 3) {
		/* Outside any container: no device fd. */
		rc = _vfio_device_fd(group, DEV_E1000_A, &device);
		if (!rc)
			violation("%s: GET_DEVICE_FD outside a container succeeded", worker_name[w]);
		else
			ALLOW(w, "GET_DEVICE_FD outside a container", rc, EINVAL);
		sh->count[w][C_OTHER]++;
		goto out;
	}
	rc = _vfio_container_open(&container);
	if (!ALLOW(w, "open container", rc, 0) || rc)
		goto out;
	lock = group_lock();
	rc = _vfio_group_set_container(group, container);
	/*
	 * EPERM: e1000 is bound to a member; EBUSY: the group is not on its
	 * default domain (iommu_group_claim_dma_owner()), or the IOMMU
	 * driver refused an attach: seen on x86_64 while rm removed a member
	 * of the shared group (before RM_DEV moved off it), allowed as the
	 * documented answer. Either way the group must be claimable once
	 * everything is released (checked at the end).
	 */
	if (!ALLOW(w, "SET_CONTAINER", rc, EPERM, EBUSY) || rc) {
		sh->count[w][rc == -EPERM ? C_GONE : C_BUSY]++;
		bus_unlock(lock);
		goto out;
	}
	set = true;
	set_held(1);
	rc = _vfio_set_iommu(container, VFIO_TYPE1v2_IOMMU);
	bus_unlock(lock);
	if (!ALLOW(w, "SET_IOMMU", rc, 0) || rc)
		goto out;
	rc = _vfio_map_dma(container, buf, VFIO_TEST_IOVA, 4096);
	if (!ALLOW(w, "MAP_DMA", rc, 0) || rc)
		goto out;
	lock = bus_lock();
	rc = _vfio_device_fd(group, DEV_E1000_A, &device);
	if (ALLOW(w, "GET_DEVICE_FD", rc, 0) && !rc) {
		rc = _vfio_config_ids(device, &vendor, &devid);
		ALLOW(w, "config read", rc, 0);
		close_fd(&device);
	}
	bus_unlock(lock);
	rc = _vfio_unmap_dma(container, VFIO_TEST_IOVA, 4096, &unmapped);
	ALLOW(w, "UNMAP_DMA", rc, 0);
	sh->count[w][C_OK]++;
	/* Hold the group a while: rm removes members of a held group too. */
	usleep(50000 + rand() % 200000);
out:
	close_fd(&device);
	if (set) {
		/* The group stays held until the release below. */
		set_held(0);
		lock = group_lock();
		switch (variant) {
		case 0:
			rc = _vfio_group_unset_container(group);
			ALLOW(w, "UNSET_CONTAINER", rc, 0);
			break;
		case 2:
			close_fd(&container);
			break;
		}
	}
	close_fd(&group);
	close_fd(&container);
	if (set)
		bus_unlock(lock);
}

static void ctr_worker(int w, int group_id)
{
	void *buf;

	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		violation("%s: mmap: %s", worker_name[w], strerror(errno));
		return;
	}
	while (!stopping()) {
		unsigned long r = sh->rounds[w];

		ctr_round(w, group_id, buf, r % 4);
		__atomic_add_fetch(&sh->rounds[w], 1, __ATOMIC_RELAXED);
		rand_sleep_us(2000);
	}
}

/*
 * rm: RM_DEV removed and found again. Counted as removed while the
 * group was held throughout the removal (C_BUSY), free throughout (C_OK),
 * or changing meanwhile (C_OTHER).
 */
static void rm_worker(void)
{
	unsigned long e0, e1;
	int held, lock, rc, i;
	char path[80];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", RM_DEV);
	while (!stopping()) {
		/* Every other round, wait (up to 3 s) for a container to hold the group. */
		for (i = 0; sh->rounds[W_RM] % 2 == 0 && i < 300 && !stopping() &&
		     !__atomic_load_n(&sh->held, __ATOMIC_SEQ_CST); i++)
			usleep(10000);
		lock = bus_lock();
		e0 = __atomic_load_n(&sh->epoch, __ATOMIC_SEQ_CST);
		held = __atomic_load_n(&sh->held, __ATOMIC_SEQ_CST);
		rc = _sysfs_write(path, "1");
		e1 = __atomic_load_n(&sh->epoch, __ATOMIC_SEQ_CST);
		bus_unlock(lock);
		/* ENOENT: not there (a rescan of ours did not find it?) */
		ALLOW(W_RM, "remove", rc, ENOENT);
		if (!rc)
			sh->count[W_RM][e0 != e1 ? C_OTHER : held ? C_BUSY : C_OK]++;
		else
			sh->count[W_RM][C_GONE]++;
		rand_sleep_us(20000);
		lock = bus_lock();
		rc = _sysfs_write("/sys/bus/pci/rescan", "1");
		bus_unlock(lock);
		ALLOW(W_RM, "rescan", rc, 0);
		__atomic_add_fetch(&sh->rounds[W_RM], 1, __ATOMIC_RELAXED);
		rand_sleep_us(100000);
	}
}

/* A kernel driver (not vfio-pci, not none) bound to a member of @group_id. */
static bool kernel_driver_in(int group_id, char *bdf, size_t len)
{
	char members[8][PCI_ADDR_LEN], drv[DRV_NAME_LEN];
	int n, i;

	n = _pci_group_members(group_id, members, ARRAY_SIZE(members));
	if (n <= 0)
		violation("checker: group %d's members: %s", group_id,
			  n ? errno_name(-n) : "none");
	for (i = 0; i < n && i < (int)ARRAY_SIZE(members); i++) {
		if (_pci_driver(members[i], drv, sizeof(drv)))
			continue;	/* removed meanwhile */
		if (drv[0] && strcmp(drv, "vfio-pci")) {
			snprintf(bdf, len, "%s on %s", members[i], drv);
			return true;
		}
	}
	return false;
}

/* Add the kernel's report lines since the last call to *@reports. */
static void read_reports(int kfd, int *reports, char *first, size_t len)
{
	char line[MSG_LEN];
	int rc = _kmsg_reports(kfd, line, sizeof(line));

	if (rc <= 0)
		return;
	if (!*reports)
		snprintf(first, len, "%s", line);
	*reports += rc;
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
	int rc;

	_sysfs_write("/sys/bus/pci/rescan", "1");
	restore_shared_group(_metadata);
	rc = RM_NETDEV ? _pci_restore_netdev(RM_DEV, RM_DRV, 5000) : _pci_restore(RM_DEV, RM_DRV);
	if (rc) {
		TH_LOG("teardown: put %s back on %s: %s", RM_DEV, RM_DRV, errno_name(-rc));
		_metadata->passed = 0;
	}
}

TEST_F_TIMEOUT(stress, shared_group, 3 * 3600)
{
	unsigned long target = cmdline_ul("dmaown.stress", 20);
	unsigned long cap = cmdline_ul("dmaown.stress_s", 900);
	unsigned long samples = 0, held_samples = 0, driver_samples = 0, total = 0, e0, e1;
	char first[MSG_LEN] = "", where[MSG_LEN], path[32];
	int kfd, reports = 0, group_id, w, rc;
	pid_t pid[NR_WORKERS];
	double t0, t, last_kmsg = 0;
	struct vfio_dev v;
	bool done = false;
	int held;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(sh != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(sh, 0, sizeof(*sh));
	sh->race = cmdline_ul("dmaown.stress_race", 0) == 1;

	group_id = pci_group(DEV_E1000_A);
	REQUIRE(pci_group(DEV_E1000_B) == group_id, "%s and %s: not one group",
		DEV_E1000_A, DEV_E1000_B);
	CHECK_OK(_pci_reprobe(DEV_E1000_A, "vfio-pci"), "hand %s to vfio-pci", DEV_E1000_A);
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	CHECK_OK(_path_wait(path, 5000), "wait for %s", path);

	kfd = CHECK_OK(_kmsg_open(), "open /dev/kmsg");
	TH_LOG("%d workers on group %d (%s on vfio-pci, %s bound and unbound; %s removed and rescanned), %lu rounds each, at most %lu s",
	       NR_WORKERS, group_id, DEV_E1000_A, DEV_E1000_B, RM_DEV, target, cap);
	t0 = now_s();
	for (w = 0; w < NR_WORKERS; w++) {
		pid[w] = fork();
		if (pid[w] < 0) {
			rc = -errno;
			__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
			while (w--)
				waitpid(pid[w], NULL, 0);
			REQUIRE(0, "fork: %s", strerror(-rc));
		}
		if (pid[w])
			continue;
		srand(getpid());
		if (w == W_DRV)
			drv_worker();
		else if (w == W_RM)
			rm_worker();
		else
			ctr_worker(w, group_id);
		_exit(0);
	}

	/* The checker. */
	while (!done) {
		e0 = __atomic_load_n(&sh->epoch, __ATOMIC_SEQ_CST);
		held = __atomic_load_n(&sh->held, __ATOMIC_SEQ_CST);
		rc = kernel_driver_in(group_id, where, sizeof(where));
		e1 = __atomic_load_n(&sh->epoch, __ATOMIC_SEQ_CST);
		samples++;
		if (rc)
			driver_samples++;
		if (held && e0 == e1) {
			held_samples++;
			if (rc)
				violation("checker: %s while a container holds group %d",
					  where, group_id);
		}
		t = now_s();
		if (t - last_kmsg > 0.2) {
			read_reports(kfd, &reports, first, sizeof(first));
			last_kmsg = t;
		}
		done = true;
		for (w = 0; w < NR_WORKERS; w++)
			if (sh->rounds[w] < target)
				done = false;
		if (t - t0 > cap || sh->violations || reports)
			done = true;
		usleep(1000);
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	for (w = 0; w < NR_WORKERS; w++)
		waitpid(pid[w], NULL, 0);
	t = now_s() - t0;

	for (w = 0; w < NR_WORKERS; w++)
		total += sh->rounds[w];
	TH_LOG("%lu rounds in %.0f s: %.0f rounds/min", total, t, total * 60 / t);
	TH_LOG("drv %lu: bound %lu, refused EBUSY %lu, unbound %lu, gone %lu",
	       sh->rounds[W_DRV], sh->count[W_DRV][C_OK], sh->count[W_DRV][C_BUSY],
	       sh->count[W_DRV][C_OTHER], sh->count[W_DRV][C_GONE]);
	for (w = W_CTR0; w < W_RM; w++)
		TH_LOG("%s %lu: full cycles %lu, SET_CONTAINER refused with e1000 bound (EPERM) %lu, refused otherwise (group open elsewhere, EBUSY) %lu, outside a container %lu",
		       worker_name[w], sh->rounds[w], sh->count[w][C_OK],
		       sh->count[w][C_GONE], sh->count[w][C_BUSY], sh->count[w][C_OTHER]);
	TH_LOG("rm %lu (%s): removed while held %lu, while free %lu, while changing %lu, absent %lu",
	       sh->rounds[W_RM], RM_DEV, sh->count[W_RM][C_BUSY], sh->count[W_RM][C_OK],
	       sh->count[W_RM][C_OTHER], sh->count[W_RM][C_GONE]);
	TH_LOG("checker: %lu samples, %lu with the group held, %lu with a kernel driver bound",
	       samples, held_samples, driver_samples);
	read_reports(kfd, &reports, first, sizeof(first));
	REQUIRE(!reports, "%d kernel report lines, the first: %s", reports, first);
	REQUIRE(!sh->violations, "%lu violations, the first: %s", sh->violations,
		sh->first_violation);
	for (w = 0; w < NR_WORKERS; w++)
		REQUIRE(sh->rounds[w] >= target, "%s: %lu rounds of %lu in %lu s",
			worker_name[w], sh->rounds[w], target, cap);
	/*
	 * Each case came up: the group held and a kernel driver bound while
	 * sampled, a removal while the group was held (on x86_64 of RM_DEV,
	 * outside the group), a bind refused, a SET_CONTAINER refused.
	 */
	REQUIRE(held_samples && driver_samples && sh->count[W_RM][C_BUSY] &&
		sh->count[W_DRV][C_BUSY] &&
		sh->count[W_CTR0][C_GONE] + sh->count[W_CTR0 + 1][C_GONE] +
		sh->count[W_CTR0 + 2][C_GONE],
		"the run did not cover each case: %lu samples of a held group, %lu with a kernel driver, %lu removals while held, %lu binds refused, SET_CONTAINER refused %lu times",
		held_samples, driver_samples, sh->count[W_RM][C_BUSY], sh->count[W_DRV][C_BUSY],
		sh->count[W_CTR0][C_GONE] + sh->count[W_CTR0 + 1][C_GONE] +
		sh->count[W_CTR0 + 2][C_GONE]);

	/* Released, the group is claimable, and e1000 binds again. */
	CHECK_OK(_sysfs_write("/sys/bus/pci/rescan", "1"), "rescan");
	if (_pci_driver(DEV_E1000_B, where, sizeof(where)) == 0 && where[0])
		pci_unbind(where, DEV_E1000_B);
	vfio_dev_init(&v, DEV_E1000_A);
	rc = _vfio_dev_open(&v, NULL);
	_vfio_dev_close(&v, NULL);
	REQUIRE(!rc, "the released group: %s: %s", v.step, errno_name(-rc));
	pci_bind("e1000", DEV_E1000_B);

	read_reports(kfd, &reports, first, sizeof(first));
	REQUIRE(!reports, "%d kernel report lines, the first: %s", reports, first);
}

TEST_HARNESS_MAIN
