// SPDX-License-Identifier: GPL-2.0
/*
 * guest/ownership.c - DMA ownership of IOMMU groups, seen through VFIO.
 *
 * A group is owned either by kernel drivers or by one VFIO container, never
 * both. Drivers that set driver_managed_dma (vfio-pci, pci-stub, pcieport)
 * are not kernel DMA users; any other driver (e1000, e1000e) is. The tests
 * run in this order (fixture `ownership`), and each proves:
 *
 *  1. set_container_needs_viable_group: with DEV_E1000_A on e1000 and
 *     DEV_E1000_B on vfio-pci the group is not viable and SET_CONTAINER
 *     fails with EPERM; with both on vfio-pci it is viable and a container
 *     claims it and uses it.
 *  2. pci_stub_is_driver_managed: DEV_E1000_A on pci-stub, DEV_E1000_B on
 *     vfio-pci: viable; container, type1v2, DMA map, device fd all work.
 *  3. pcieport_is_driver_managed (x86_64; a SKIP on arm64): the e1000e
 *     behind a root port without ACS on vfio-pci, the port on pcieport:
 *     viable; a container claims the group and uses the device.
 *  4. rebind_vfio_pci_while_held: while a container holds the shared group,
 *     DEV_E1000_B leaves vfio-pci and binds to it again; the container
 *     still maps DMA and hands out the rebound device's fd.
 *  5. cycle_e1000e_vfio_50: e1000e -> vfio-pci -> full VFIO use -> close ->
 *     e1000e, 50 times; the netdev comes back every time.
 *  6. killed_holder_releases_group: vfio-client --hold DEV_E1000_A, then
 *     SIGKILL: e1000 binds to both devices again.
 *  7. bind_into_held_group: e1000 bound to DEV_E1000_B while a container
 *     holds its group fails with EBUSY and leaves it driverless; once the
 *     container is released, the same bind succeeds.
 *  8. set_container_race: a second container on a held group fails with
 *     EINVAL; two SET_CONTAINER racing on one group fd: one wins, the other
 *     gets EINVAL or EPERM (20 rounds). After each failure the winner still
 *     owns the group (an e1000 bind fails with EBUSY).
 *  9. hotadd_into_held_group: while a container holds the shared group,
 *     DEV_E1000_B is removed and found again by a rescan: it joins the
 *     held group, e1000 is refused and it stays driverless. Once the
 *     container is released, e1000 binds and the device transmits: every
 *     frame sent is fetched by DMA and completed, which needs the DMA ops
 *     of the group's default domain, not of the blocking domain it was on
 *     when it was probed.
 * 10. rebind_right_after_release: the e1000e on vfio-pci, its group held
 *     by a container; while the group and container fds are closed (the
 *     release), a child unbinds vfio-pci, whose remove waits for the
 *     group to leave its container, and binds e1000e right away: the
 *     bind succeeds (10 rounds, the child 10..100 ms late).
 *
 * 7 and 8 bind a kernel driver into a held group, which kills the unpatched
 * base (BUG_ON in vfio's group notifier): they come last, so every other
 * test gives its result on the base first (scripts/expect-crash.sh relies
 * on 7 being the first to crash it).
 *
 * What fails where (the series or a mutation of it):
 *  - the unpatched base: 1 (SET_CONTAINER succeeds on a non-viable group),
 *    7 crashes the kernel (kernel BUG at drivers/vfio/vfio.c:698), 8 never
 *    runs;
 *  - vfio-pci without driver_managed_dma: a group with a vfio-pci device is
 *    never viable, SET_CONTAINER fails with EPERM: 1, 2, 4, 5 (and every
 *    other test that sets a container: 3, 6, 7, 8);
 *  - pci-stub without driver_managed_dma: 2;
 *  - pcieport without driver_managed_dma: 3 (x86_64);
 *  - no release in the container unset path (UNSET_CONTAINER, last close):
 *    5 on the e1000e's own group at its first cycle, 6 and 7 (and 1, whose
 *    teardown cannot give e1000 the group back; the shared group stays
 *    claimed for the rest of the run);
 *  - the series v1 (Intel's probe_finalize chose the DMA ops from the
 *    blocking domain: direct DMA): 9 on x86_64, no frame completes (and
 *    the DMAR reports faults); arm64 sets the DMA ops at each bind and
 *    passes there;
 *  - VFIO clearing group->container before the release (v1's order),
 *    with a 200 ms delay put between the two to widen the window: 10,
 *    e1000e gets EBUSY; the same delay after the release (v2's order)
 *    passes;
 *  - a failed SET_CONTAINER releases ownership it does not hold: 8, where
 *    the e1000 bind after the failure succeeds instead of EBUSY: in turn
 *    for the EINVAL path (group already set), in the race rounds for the
 *    EPERM path (claim lost; about half the rounds here), which also WARNs
 *    in 1 (iommu_group_release_dma_owner() of a group without owner).
 *
 * Every test leaves the devices bound as at boot: the teardown closes the
 * VFIO users first, then puts every device back on its boot driver.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "devices.h"
#include "selftest.h"

#define VFIO_CLIENT	"/bin/vfio-client"
/* How long a netdev or group node may take to show up after probe. */
#define WAIT_MS		5000
#define CYCLES		50
#define RACE_ROUNDS	20

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
	int container;		/* VFIO fds opened by hand, -1 when closed */
	int container2;		/* a second container */
	int group;
	int device;
	pid_t holder;		/* a vfio-client --hold still running, or 0 */
};

FIXTURE_SETUP(ownership)
{
	vfio_dev_init(&self->v, "");
	self->container = -1;
	self->container2 = -1;
	self->group = -1;
	self->device = -1;
}

FIXTURE_TEARDOWN(ownership)
{
	unsigned int i;
	int rc;

	/*
	 * VFIO users first: a held group refuses the binds below (and on the
	 * base, binding e1000 into it hits the BUG_ON). vfio-pci's remove
	 * also waits for an open device to be released.
	 */
	if (self->holder > 0)
		_proc_kill(self->holder);
	_vfio_dev_close(&self->v, NULL);
	close_fd(&self->device);
	close_fd(&self->group);
	close_fd(&self->container);
	close_fd(&self->container2);

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

/*
 * Let the console catch up before a step that may kill the kernel. Our
 * output reaches the serial console through /init's pipe and the tty's
 * transmit buffer, behind the kernel's own synchronous printk: without a
 * pause, the lines saying which test runs may still sit in a buffer when
 * the kernel dies, and the log would blame the test before.
 */
static void console_settle(void)
{
	const struct timespec pause = { .tv_nsec = 300 * 1000 * 1000 };
	int fd;

	fflush(NULL);
	nanosleep(&pause, NULL);	/* /init passes our lines on */
	fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		tcdrain(fd);		/* and the UART sends them */
		close(fd);
	}
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

TEST_F(ownership, set_container_needs_viable_group)
{
	int g = pci_group(DEV_E1000_A);
	uint32_t flags;

	/* DEV_E1000_A stays on e1000, a kernel DMA user. */
	pci_expect_driver(DEV_E1000_A, "e1000");
	to_vfio_pci(DEV_E1000_B);
	vfio_container_open(&self->container);
	vfio_group_open(g, &self->group);
	vfio_group_status(self->group, &flags);
	expect_flags(flags, 0, g);
	vfio_group_set_container_err(EPERM, self->group, self->container);
	vfio_group_status(self->group, &flags);
	expect_flags(flags, 0, g);

	/* Both on vfio-pci: viable, and the same container claims it. */
	to_vfio_pci(DEV_E1000_A);
	vfio_group_status(self->group, &flags);
	expect_flags(flags, VFIO_GROUP_FLAGS_VIABLE, g);
	vfio_group_set_container(self->group, self->container);
	vfio_group_status(self->group, &flags);
	expect_flags(flags, VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET, g);
	vfio_group_unset_container(self->group);
	close_fd(&self->group);
	close_fd(&self->container);

	/* And used: type1v2, DMA map and unmap, device fd, config space. */
	vfio_dev_init(&self->v, DEV_E1000_A);
	vfio_dev_open(&self->v);
	vfio_dev_close(&self->v);
}

TEST_F(ownership, pci_stub_is_driver_managed)
{
	pci_reprobe(DEV_E1000_A, "pci-stub");
	pci_expect_driver(DEV_E1000_A, "pci-stub");
	expect_usable_beside(DEV_E1000_B, DEV_E1000_A, "pci-stub");
}

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

TEST_F(ownership, rebind_vfio_pci_while_held)
{
	uint16_t vendor, devid;
	uint64_t unmapped;

	to_vfio_pci(DEV_E1000_A);
	to_vfio_pci(DEV_E1000_B);
	vfio_dev_init(&self->v, DEV_E1000_A);
	vfio_dev_open(&self->v);

	/* driver_override stays "vfio-pci". */
	pci_unbind("vfio-pci", DEV_E1000_B);
	pci_expect_driver(DEV_E1000_B, "");
	pci_bind("vfio-pci", DEV_E1000_B);
	pci_expect_driver(DEV_E1000_B, "vfio-pci");

	/* The container still works, for the rebound device too. */
	vfio_map_dma(self->v.container, self->v.buf, VFIO_TEST_IOVA, VFIO_TEST_SIZE);
	vfio_unmap_dma(self->v.container, VFIO_TEST_IOVA, VFIO_TEST_SIZE, &unmapped);
	REQUIRE(unmapped == VFIO_TEST_SIZE, "unmapped 0x%llx, expected 0x%llx",
		(unsigned long long)unmapped, VFIO_TEST_SIZE);
	vfio_device_fd(self->v.group, DEV_E1000_B, &self->device);
	vfio_config_ids(self->device, &vendor, &devid);
	REQUIRE(vendor == 0x8086, "%s: vendor 0x%04x through VFIO", DEV_E1000_B, vendor);
}

/* One cycle of cycle_e1000e_vfio_50; *@what names the step that failed. */
static int e1000e_cycle(struct vfio_dev *v, const char **what)
{
	char name[DRV_NAME_LEN];	/* a driver, then a netdev */
	int rc;

	*what = "hand it to vfio-pci";
	rc = _to_vfio_pci(DEV_E1000E);
	if (rc)
		return rc;
	vfio_dev_init(v, DEV_E1000E);
	rc = _vfio_dev_open(v, NULL);
	*what = v->step;
	if (!rc) {
		*what = "close";
		rc = _vfio_dev_close(v, NULL);
	}
	if (rc)
		return rc;
	*what = "back to e1000e";
	rc = _pci_reprobe(DEV_E1000E, NULL);
	if (!rc)
		rc = _pci_driver(DEV_E1000E, name, sizeof(name));
	if (rc)
		return rc;
	*what = "back to e1000e: e1000e did not bind";
	if (strcmp(name, "e1000e"))
		return -ENODEV;
	*what = "e1000e's netdev";
	rc = _pci_netdev_wait(DEV_E1000E, WAIT_MS);
	return rc ? rc : _pci_netdev(DEV_E1000E, name, sizeof(name));
}

TEST_F_TIMEOUT(ownership, cycle_e1000e_vfio_50, 500)
{
	struct timespec t0;
	const char *what;
	int i, rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 1; i <= CYCLES; i++) {
		rc = e1000e_cycle(&self->v, &what);
		REQUIRE(!rc, "cycle %d: %s: %s (%s)%s%s", i, what, errno_name(-rc),
			strerror(-rc), self->v.info[0] ? ", " : "", self->v.info);
		pci_expect_driver(DEV_E1000E, "e1000e");
		if (i % 10 == 0)
			TH_LOG("%d cycles, %ld ms", i, ms_since(&t0));
	}
	TH_LOG("%d cycles e1000e -> vfio-pci -> e1000e in %ld ms", CYCLES,
	       ms_since(&t0));
}

TEST_F(ownership, killed_holder_releases_group)
{
	char *hold[] = { VFIO_CLIENT, "--hold", DEV_E1000_A, NULL };
	int g = pci_group(DEV_E1000_A);
	FILE *out;
	int in, fd, rc;

	to_vfio_pci(DEV_E1000_A);
	to_vfio_pci(DEV_E1000_B);
	self->holder = proc_spawn(hold, &in, &out);
	close(in);	/* end of file does not release: only the kill does */
	rc = proc_relay(out, "vfio-client", "holding");
	fclose(out);
	REQUIRE(rc, "%s: vfio-client --hold did not hold", DEV_E1000_A);
	vfio_group_open_err(EBUSY, g, &fd);

	rc = _proc_kill(self->holder);
	self->holder = 0;
	REQUIRE(rc == 128 + SIGKILL, "vfio-client: status %d, expected %d (SIGKILL)",
		rc, 128 + SIGKILL);

	/* Nothing gave the group back but the exit of the killed process. */
	pci_restore(DEV_E1000_A, "e1000");
	pci_restore(DEV_E1000_B, "e1000");
	pci_expect_driver(DEV_E1000_A, "e1000");
	pci_expect_driver(DEV_E1000_B, "e1000");
	pci_netdev_wait(DEV_E1000_A, WAIT_MS);
	pci_netdev_wait(DEV_E1000_B, WAIT_MS);
}

TEST_F(ownership, bind_into_held_group)
{
	int g = pci_group(DEV_E1000_A);
	uint16_t vendor, devid;

	to_vfio_pci(DEV_E1000_A);
	to_vfio_pci(DEV_E1000_B);
	vfio_dev_init(&self->v, DEV_E1000_A);
	vfio_dev_open(&self->v);

	pci_driver_override(DEV_E1000_B, NULL);
	pci_unbind("vfio-pci", DEV_E1000_B);
	pci_expect_driver(DEV_E1000_B, "");
	TH_LOG("binding e1000 to %s while a container holds group %d",
	       DEV_E1000_B, g);
	console_settle();	/* the unpatched base dies here */
	pci_bind_err(EBUSY, "e1000", DEV_E1000_B);
	pci_expect_driver(DEV_E1000_B, "");
	/* The container keeps the group: its device still answers. */
	vfio_config_ids(self->v.device, &vendor, &devid);

	vfio_dev_close(&self->v);
	pci_bind("e1000", DEV_E1000_B);
	pci_expect_driver(DEV_E1000_B, "e1000");
	pci_netdev_wait(DEV_E1000_B, WAIT_MS);
}

/*
 * With a container set on the shared group (self->group): e1000 cannot
 * bind to DEV_E1000_B (EBUSY, no driver), which then goes back to vfio-pci.
 */
#define expect_still_held() do {					\
	pci_driver_override(DEV_E1000_B, NULL);				\
	pci_unbind("vfio-pci", DEV_E1000_B);				\
	pci_bind_err(EBUSY, "e1000", DEV_E1000_B);			\
	pci_expect_driver(DEV_E1000_B, "");				\
	pci_driver_override(DEV_E1000_B, "vfio-pci");			\
	pci_bind("vfio-pci", DEV_E1000_B);				\
} while (0)

/*
 * A child racing for the group: open a container of its own, say so on
 * @ready, wait for @go to close, SET_CONTAINER on the shared group fd.
 * Exits 0 when it won, else with the errno.
 */
static void racer(int group, int ready, int go)
{
	int container, rc;
	char c;

	rc = _vfio_container_open(&container);
	if (rc)
		_exit(-rc);
	if (write(ready, "r", 1) != 1 || read(go, &c, 1) != 0)
		_exit(255);
	rc = _vfio_group_set_container(group, container);
	_exit(rc ? -rc : 0);
}

/*
 * One round: two racers, released at once. Returns the winner (0 or 1),
 * -1 when not exactly one won or a loser failed otherwise than EINVAL or
 * EPERM; @err[] gets each racer's exit status.
 */
static int race_once(int group, int err[2])
{
	int ready[2], go[2], i, winner = -1;
	pid_t pid[2];
	char c;

	if (pipe(ready) || pipe(go))
		return -1;
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (!pid[i]) {
			close(ready[0]);
			close(go[1]);
			racer(group, ready[1], go[0]);
		}
	}
	close(ready[1]);
	close(go[0]);
	for (i = 0; i < 2 && pid[i] > 0; i++)
		if (read(ready[0], &c, 1) != 1)
			break;
	close(go[1]);	/* go: both reads return 0 now */
	close(ready[0]);
	for (i = 0; i < 2; i++)
		err[i] = pid[i] > 0 ? _proc_wait(pid[i]) : 255;
	for (i = 0; i < 2; i++) {
		if (err[i] == 0 && (err[!i] == EINVAL || err[!i] == EPERM))
			winner = i;
	}
	return winner;
}

TEST_F_TIMEOUT(ownership, set_container_race, 300)
{
	int g = pci_group(DEV_E1000_A);
	int round, winner, err[2], other;
	int lost_einval = 0, lost_eperm = 0;
	uint32_t flags;

	to_vfio_pci(DEV_E1000_A);
	to_vfio_pci(DEV_E1000_B);
	vfio_group_open(g, &self->group);

	/* First in turn: a second container on a held group gets EINVAL. */
	vfio_container_open(&self->container);
	vfio_group_set_container(self->group, self->container);
	vfio_container_open(&self->container2);
	vfio_group_set_container_err(EINVAL, self->group, self->container2);
	close_fd(&self->container2);
	expect_still_held();
	vfio_group_unset_container(self->group);
	close_fd(&self->container);

	for (round = 1; round <= RACE_ROUNDS; round++) {
		winner = race_once(self->group, err);
		REQUIRE(winner >= 0, "round %d: racers exited %d (%s) and %d (%s): "
			"expected one 0 and one EINVAL or EPERM", round,
			err[0], err[0] ? errno_name(err[0]) : "won",
			err[1], err[1] ? errno_name(err[1]) : "won");
		other = err[!winner];
		if (other == EINVAL)
			lost_einval++;
		else
			lost_eperm++;
		TH_LOG("round %d: racer %d won, the other got %s", round, winner,
		       errno_name(other));
		vfio_group_status(self->group, &flags);
		expect_flags(flags, VFIO_GROUP_FLAGS_VIABLE |
			     VFIO_GROUP_FLAGS_CONTAINER_SET, g);
		expect_still_held();
		vfio_group_unset_container(self->group);
	}
	TH_LOG("%d rounds: the loser got EINVAL %d times, EPERM %d times",
	       RACE_ROUNDS, lost_einval, lost_eperm);
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
}

#define RELEASE_ROUNDS	10

/*
 * The child unbinds vfio-pci @delay_ms after the parent starts to close the
 * group's fds, then binds e1000e; its exit status is 0 or the errno of the
 * step that failed. It is forked before any VFIO fd is opened, so it holds
 * none: the parent's close is the last one, and the release runs there.
 */
static void rebinder(int go, int delay_ms)
{
	char c;
	int rc;

	if (read(go, &c, 1) < 0)
		_exit(EIO);
	usleep(delay_ms * 1000);
	rc = _pci_unbind("vfio-pci", DEV_E1000E);
	if (!rc)
		rc = _pci_bind("e1000e", DEV_E1000E);
	_exit(rc < 0 ? -rc : 0);
}

TEST_F_TIMEOUT(ownership, rebind_right_after_release, 300)
{
	int round, g, rc, go[2];
	pid_t pid;

	for (round = 1; round <= RELEASE_ROUNDS; round++) {
		REQUIRE(!pipe(go), "pipe: %s", strerror(errno));
		pid = fork();
		REQUIRE(pid >= 0, "fork: %s", strerror(errno));
		if (pid == 0) {
			close(go[1]);
			rebinder(go[0], 10 * round);
		}
		close(go[0]);

		to_vfio_pci(DEV_E1000E);
		g = pci_group(DEV_E1000E);
		vfio_group_open(g, &self->group);
		vfio_container_open(&self->container);
		vfio_group_set_container(self->group, self->container);
		vfio_set_iommu(self->container, VFIO_TYPE1v2_IOMMU);
		pci_driver_override(DEV_E1000E, NULL);

		close(go[1]);	/* go: the child's read returns 0 */
		close_fd(&self->group);
		close_fd(&self->container);
		rc = _proc_wait(pid);
		REQUIRE(rc == 0, "round %d: vfio-pci unbound from %s %d ms into the release, then e1000e bound: exit %d (%s)",
			round, DEV_E1000E, 10 * round, rc,
			rc > 0 ? errno_name(rc) : "?");
		pci_expect_driver(DEV_E1000E, "e1000e");
		pci_netdev_wait(DEV_E1000E, WAIT_MS);
	}
	TH_LOG("%d rounds: e1000e bound right after each release",
	       RELEASE_ROUNDS);
}

TEST_HARNESS_MAIN
