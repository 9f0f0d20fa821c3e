// SPDX-License-Identifier: GPL-2.0
/*
 * guest/ownership.c - DMA ownership tests that need QEMU's topology.
 *
 * The contract itself (a container cannot take a group a kernel driver
 * uses, a kernel driver cannot bind into a held group, driver_managed_dma
 * drivers share a group, release on UNSET_CONTAINER, close and SIGKILL,
 * racing SET_CONTAINERs, a rebind right after the release) is the series's
 * kselftest, tools/testing/selftests/vfio/vfio_dma_ownership_test.c, which
 * the guests run from the tree just before this program. What is left here
 * needs devices that only the guests are sure to have (devices.h):
 *
 *  1. pcieport_is_driver_managed (x86_64; a SKIP on arm64): the e1000e
 *     behind a root port without ACS on vfio-pci, the port on pcieport:
 *     viable; a container claims the group and uses the device.
 *  2. hotadd_into_held_group: while a container holds the shared group,
 *     DEV_E1000_B is removed and found again by a rescan: it joins the
 *     held group, e1000 is refused and it stays driverless. Once the
 *     container is released, e1000 binds and the device transmits: every
 *     frame sent is fetched by DMA and completed, which needs the DMA ops
 *     of the group's default domain, not of the blocking domain it was on
 *     when it was probed.
 *  3. kselftest_sigint_restores_drivers: the kselftest, stopped by SIGINT
 *     to its process group (Ctrl-C) in its set_container_race once it
 *     holds the shared group (both devices on vfio-pci, a VFIO group fd
 *     open), puts both devices back on e1000 before it dies.
 *  4. kselftest_spares_busy_device: with DEV_E1000_B's interface up, the
 *     kselftest asked for DEV_E1000_A (same group) skips, exit status 4,
 *     saying which interface is up, and moves neither device.
 *  5. kselftest_single_device_group: on the e1000e's group of one, the
 *     kselftest passes 5 tests and skips the 5 that need a second device
 *     (without that check it would wait for itself in vfio-pci's remove,
 *     unkillable).
 *
 * What fails where (the series or a mutation of it):
 *  - the unpatched base: never runs (the kselftest's bind_into_held_group
 *    kills it first); 2 on its own would kill it at the rescan (e1000
 *    probed into a held group: BUG_ON in vfio's group notifier);
 *  - pcieport without driver_managed_dma: 1 (x86_64);
 *  - the series v1 (Intel's probe_finalize chose the DMA ops from the
 *    blocking domain: direct DMA): 2 on x86_64, no frame completes (and
 *    the DMAR reports faults); the same for AMD's under IOMMU=amd
 *    (mutants/amd-probe-finalize-v1.patch: no frame completes, no event
 *    logged by QEMU's amd-iommu); arm64 sets the DMA ops at each bind and
 *    passes there;
 *  - the kselftest without its signal handler: 3 (the devices stay on
 *    vfio-pci or driverless); without its check of interfaces (may_move()
 *    returning true): 4 (it runs its tests).
 *
 * Every test leaves the devices bound as at boot: the teardown closes the
 * VFIO users first, then puts every device back on its boot driver.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "devices.h"
#include "selftest.h"

/* How long a netdev or group node may take to show up after probe. */
#define WAIT_MS		5000

/* The devices and the drivers they have at boot, put back by the teardown. */
static const struct {
	const char *bdf;
	const char *drv;
	bool netdev;
} boot[] = {
	{ DEV_E1000E, "e1000e", true },
	{ DEV_E1000_A, "e1000", true },
	{ DEV_E1000_B, "e1000", true },
#ifdef DEV_PORT
	{ DEV_PORT, "pcieport", false },
	{ DEV_PORT_E1000E, "e1000e", true },
#endif
};

FIXTURE(ownership) {
	struct vfio_dev v;	/* a VFIO user through the library */
};

FIXTURE_SETUP(ownership)
{
	vfio_dev_init(&self->v, "");
}

FIXTURE_TEARDOWN(ownership)
{
	unsigned int i;
	int rc;

	/*
	 * The VFIO user first: a held group refuses the binds below, and
	 * vfio-pci's remove waits for an open device to be released.
	 */
	_vfio_dev_close(&self->v, NULL);

	/* Every device, even after a failure, so the next test starts clean. */
	for (i = 0; i < ARRAY_SIZE(boot); i++) {
		rc = _pci_restore(boot[i].bdf, boot[i].drv);
		if (!rc && boot[i].netdev)
			rc = _pci_netdev_wait(boot[i].bdf, WAIT_MS);
		if (rc) {
			TH_LOG("teardown: put %s back on %s: %s (%s)", boot[i].bdf,
			       boot[i].drv, errno_name(-rc), strerror(-rc));
			_metadata->passed = 0;
		}
	}
}

/*
 * Hand @bdf to vfio-pci (driver_override, unbind, drivers_probe) and wait
 * for its group's /dev/vfio node.
 */
static int _to_vfio_pci(const char *bdf)
{
	char drv[DRV_NAME_LEN], path[32];
	int rc, group;

	rc = _pci_reprobe(bdf, "vfio-pci");
	if (!rc)
		rc = _pci_driver(bdf, drv, sizeof(drv));
	if (rc)
		return rc;
	if (strcmp(drv, "vfio-pci"))
		return -ENODEV;	/* vfio-pci did not take it */
	group = _pci_group(bdf);
	if (group < 0)
		return group;
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	return _path_wait(path, WAIT_MS);
}

#define to_vfio_pci(bdf) \
	CHECK_OK(_to_vfio_pci(bdf), "hand %s to vfio-pci", bdf)

/* Assert that group @g's status flags are exactly @want. */
#define expect_flags(flags, want, g) \
	REQUIRE((flags) == (want), "group %d: status flags 0x%x, expected 0x%x", \
		g, flags, want)

/*
 * @vbdf goes to vfio-pci while @other stays on the driver-managed @drv:
 * the group is viable, a container claims it and uses @vbdf, and @other
 * keeps its driver throughout. For TEST_F bodies of fixture ownership.
 */
#define expect_usable_beside(vbdf, other, drv) do {			\
	uint32_t __flags;						\
	int __g;							\
	to_vfio_pci(vbdf);						\
	__g = pci_group(vbdf);						\
	vfio_group_flags(__g, &__flags);				\
	expect_flags(__flags, VFIO_GROUP_FLAGS_VIABLE, __g);		\
	vfio_dev_init(&self->v, vbdf);					\
	vfio_dev_open(&self->v);					\
	pci_expect_driver(other, drv);					\
	vfio_dev_close(&self->v);					\
} while (0)

TEST_F(ownership, pcieport_is_driver_managed)
{
#ifndef DEV_PORT
	SKIP(return, "x86_64 only: the arm64 guest has no PCIe root port (devices.h)");
#else
	int g = pci_group(DEV_PORT_E1000E);

	REQUIRE(pci_group(DEV_PORT) == g, "%s: not in the group of %s (%d)",
		DEV_PORT, DEV_PORT_E1000E, g);
	pci_expect_driver(DEV_PORT, "pcieport");
	expect_usable_beside(DEV_PORT_E1000E, DEV_PORT, "pcieport");
#endif
}

/* Wait up to @ms for the number in @path to reach @want. */
static int _wait_ull(const char *path, unsigned long long want, int ms)
{
	unsigned long long v = 0;
	int rc;

	for (;;) {
		rc = _path_read_ull(path, 10, &v);
		if (rc || v >= want)
			return rc;
		if (ms <= 0)
			return -ETIMEDOUT;
		usleep(50 * 1000);
		ms -= 50;
	}
}

static int _ifreq(int s, unsigned long req, const char *ifname,
		  const char *addr)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (addr) {
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &sin->sin_addr);
	}
	if (req == SIOCSIFFLAGS) {
		if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
			return -errno;
		ifr.ifr_flags |= IFF_UP;
	}
	return ioctl(s, req, &ifr) < 0 ? -errno : 0;
}

/*
 * Bring @ifname up (192.0.2.1/24, a documentation address) and send @n
 * UDP broadcasts through it. 0 once its tx_packets has grown by @n: the
 * device fetched each frame by DMA and wrote its descriptor back.
 * -ETIMEDOUT if the carrier or the completions do not come within @ms.
 */
static int _netdev_transmit(const char *ifname, int n, int ms)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	unsigned long long before;
	char path[128], frame[64] = "linux-dma-ownership";
	int s, rc, i, on = 1;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	rc = _ifreq(s, SIOCSIFADDR, ifname, "192.0.2.1");
	if (!rc)
		rc = _ifreq(s, SIOCSIFNETMASK, ifname, "255.255.255.0");
	if (!rc)
		rc = _ifreq(s, SIOCSIFFLAGS, ifname, NULL);
	if (!rc && (setsockopt(s, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) ||
		    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
			       strlen(ifname) + 1)))
		rc = -errno;
	snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", ifname);
	if (!rc)
		rc = _wait_ull(path, 1, ms);
	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_packets",
		 ifname);
	if (!rc)
		rc = _path_read_ull(path, 10, &before);
	inet_pton(AF_INET, "192.0.2.255", &to.sin_addr);
	for (i = 0; !rc && i < n; i++) {
		if (sendto(s, frame, sizeof(frame), 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			rc = -errno;
	}
	close(s);
	return rc ? rc : _wait_ull(path, before + n, ms);
}

TEST_F(ownership, hotadd_into_held_group)
{
	int g = pci_group(DEV_E1000_A);
	char remove[96], name[IFNAMSIZ];

	to_vfio_pci(DEV_E1000_A);
	to_vfio_pci(DEV_E1000_B);
	vfio_dev_init(&self->v, DEV_E1000_A);
	vfio_dev_open(&self->v);

	TH_LOG("removing %s from group %d, held by a container, and rescanning",
	       DEV_E1000_B, g);
	snprintf(remove, sizeof(remove), "/sys/bus/pci/devices/%s/remove",
		 DEV_E1000_B);
	CHECK_OK(_sysfs_write(remove, "1"), "remove %s", DEV_E1000_B);
	CHECK_OK(_sysfs_write("/sys/bus/pci/rescan", "1"), "rescan");
	snprintf(remove, sizeof(remove), "/sys/bus/pci/devices/%s/iommu_group",
		 DEV_E1000_B);
	CHECK_OK(_path_wait(remove, WAIT_MS), "%s back after the rescan",
		 DEV_E1000_B);
	REQUIRE(pci_group(DEV_E1000_B) == g, "%s is back in group %d",
		DEV_E1000_B, g);
	/* e1000 was refused: the group is held */
	pci_expect_driver(DEV_E1000_B, "");

	vfio_dev_close(&self->v);
	pci_bind("e1000", DEV_E1000_B);
	pci_netdev_wait(DEV_E1000_B, WAIT_MS);
	pci_netdev(DEV_E1000_B, name);
	CHECK_OK(_netdev_transmit(name, 8, WAIT_MS),
		 "%s (%s): 8 frames sent and completed", name, DEV_E1000_B);
	/*
	 * Its interface is up now, which keeps the kselftest off the group
	 * (test 3): the teardown binds e1000 again, to an interface down.
	 */
	pci_unbind("e1000", DEV_E1000_B);
}

#define KSELFTEST	"/tests/vfio_dma_ownership_test"

/* What a run of the kselftest printed: its KTAP results, counted. */
struct ksft_run {
	int passes;
	int skips;
	char skip_all[256];	/* its "1..0 # SKIP" line, or "" */
};

/*
 * Run the kselftest on @bdf to its end, its output relayed; @r gets its
 * results. Returns its exit status (see _proc_wait()), or -errno.
 */
static int _kselftest_run(const char *bdf, struct ksft_run *r)
{
	char *const argv[] = { KSELFTEST, (char *)bdf, NULL };
	char line[256];
	FILE *out;
	pid_t pid;
	int in;

	memset(r, 0, sizeof(*r));
	pid = _proc_spawn(argv, &in, &out);
	if (pid < 0)
		return pid;
	close(in);
	while (fgets(line, sizeof(line), out)) {
		fprintf(stderr, "#   kselftest: %s", line);
		if (!strncmp(line, "1..0 # SKIP ", 12))
			snprintf(r->skip_all, sizeof(r->skip_all), "%s", line);
		else if (!strncmp(line, "ok ", 3) && strstr(line, "# SKIP"))
			r->skips++;
		else if (!strncmp(line, "ok ", 3))
			r->passes++;
	}
	fclose(out);
	return _proc_wait(pid);
}

#define RACE_RUN	"#  RUN           ownership.set_container_race ..."

/* Whether some process has /dev/vfio/<@group> open. */
static bool vfio_group_open_anywhere(int group)
{
	char want[32], path[PATH_MAX], link[64];
	struct dirent *p, *f;
	bool found = false;
	DIR *procs, *fds;
	ssize_t n;

	snprintf(want, sizeof(want), "/dev/vfio/%d", group);
	procs = opendir("/proc");
	if (!procs)
		return false;
	while (!found && (p = readdir(procs))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while (!found && (f = readdir(fds))) {
			n = readlinkat(dirfd(fds), f->d_name, link,
				       sizeof(link) - 1);
			if (n > 0) {
				link[n] = '\0';
				found = !strcmp(link, want);
			}
		}
		closedir(fds);
	}
	closedir(procs);
	return found;
}

TEST_F_TIMEOUT(ownership, kselftest_sigint_restores_drivers, 300)
{
	char *const argv[] = { KSELFTEST, DEV_E1000_A, NULL };
	int group = _pci_group(DEV_E1000_A);
	bool racing, held, on_a, on_b;
	int in, status, ms;
	FILE *out;
	pid_t pid;

	pid = _proc_spawn_group(argv, &in, &out);
	REQUIRE(pid > 0, "spawn %s: %s", KSELFTEST, strerror(-pid));
	close(in);
	/*
	 * Into its longest test, whose 20 rounds keep the group held or its
	 * devices off e1000 for seconds, once it holds the group: both
	 * devices on vfio-pci and the group's fd open (polled, not a fixed
	 * pause, which a loaded host can outlast).
	 */
	racing = proc_relay(out, "kselftest", RACE_RUN);
	held = false;
	for (ms = 0; racing && !held && ms < 60000; ms += 10) {
		held = !_pci_driver_wait(DEV_E1000_A, "vfio-pci", 0) &&
		       !_pci_driver_wait(DEV_E1000_B, "vfio-pci", 0) &&
		       group >= 0 && vfio_group_open_anywhere(group);
		if (!held)
			usleep(10 * 1000);
	}
	/* Ctrl-C: the harness (its test runs in a process group of its own) */
	kill(-pid, SIGINT);
	status = _proc_wait(pid);
	/* As it died, before anything it left behind finishes */
	on_a = !_pci_driver_wait(DEV_E1000_A, "e1000", 0);
	on_b = !_pci_driver_wait(DEV_E1000_B, "e1000", 0);
	proc_relay(out, "kselftest", NULL);
	fclose(out);
	REQUIRE(racing, "%s ended before set_container_race", KSELFTEST);
	REQUIRE(held, "the kselftest did not hold group %d (%s, %s on vfio-pci, its fd open) within 60 s of set_container_race",
		group, DEV_E1000_A, DEV_E1000_B);
	REQUIRE(status == 128 + SIGINT,
		"%s: exit status %d, expected %d (SIGINT)", KSELFTEST, status,
		128 + SIGINT);
	REQUIRE(on_a && on_b,
		"%s died with %s%s%s not back on e1000", KSELFTEST,
		on_a ? "" : DEV_E1000_A, on_a || on_b ? "" : " and ",
		on_b ? "" : DEV_E1000_B);
}

TEST_F(ownership, kselftest_spares_busy_device)
{
	char name[IFNAMSIZ];
	struct ksft_run r;
	int s, rc;

	/* DEV_E1000_B's interface up: a device the kselftest must not touch */
	pci_netdev(DEV_E1000_B, name);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	REQUIRE(s >= 0, "socket: %s", strerror(errno));
	rc = _ifreq(s, SIOCSIFFLAGS, name, NULL);
	close(s);
	REQUIRE(!rc, "%s up: %s", name, strerror(-rc));

	rc = _kselftest_run(DEV_E1000_A, &r);
	REQUIRE(rc == 4, "%s: exit status %d, expected 4 (KSFT_SKIP)",
		KSELFTEST, rc);
	REQUIRE(strstr(r.skip_all, "is up"),
		"%s: no '1..0 # SKIP' line naming the interface up",
		KSELFTEST);
	pci_expect_driver(DEV_E1000_A, "e1000");
	pci_expect_driver(DEV_E1000_B, "e1000");
	/* The teardown binds e1000 again, to an interface down */
	pci_unbind("e1000", DEV_E1000_B);
}

/*
 * On a group of one device (the e1000e alone) the kselftest runs what it
 * can and skips the five tests that need a second device: unbinding the
 * last VFIO device of a group it holds would wait for itself.
 */
TEST_F_TIMEOUT(ownership, kselftest_single_device_group, 300)
{
	struct ksft_run r;
	int rc;

	rc = _kselftest_run(DEV_E1000E, &r);
	REQUIRE(rc == 0, "%s: exit status %d", KSELFTEST, rc);
	REQUIRE(r.skips == 5 && r.passes == 5,
		"%d passed and %d skipped, expected 5 and 5", r.passes, r.skips);
	pci_expect_driver(DEV_E1000E, "e1000e");
}

TEST_HARNESS_MAIN
