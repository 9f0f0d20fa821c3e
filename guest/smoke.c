// SPDX-License-Identifier: GPL-2.0
/*
 * guest/smoke.c - the guest's devices, their groups, rebinding and VFIO.
 *
 * Proves the ground the ownership tests stand on: the devices of devices.h
 * are there with their drivers, the IOMMU groups have the expected shape
 * (on x86_64 also the root port's) behind the IOMMU QEMU was given, every
 * device survives unbind + bind, and the e1000e can go to vfio-pci,
 * be used through VFIO (library and vfio-client) and come back.
 * Every test leaves the devices bound as at boot (see the teardowns).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "selftest.h"

#define VFIO_CLIENT	"/bin/vfio-client"
/* How long a netdev or group node may take to show up after probe. */
#define WAIT_MS		5000

FIXTURE(pci_dev) {
	const FIXTURE_VARIANT(pci_dev) *dev;
};

FIXTURE_VARIANT(pci_dev) {
	const char *bdf;
	const char *drv;	/* bound at boot */
	bool netdev;		/* a NIC: has a net/ directory when bound */
};

FIXTURE_VARIANT_ADD(pci_dev, e1000e) { DEV_E1000E, "e1000e", true };
FIXTURE_VARIANT_ADD(pci_dev, e1000_a) { DEV_E1000_A, "e1000", true };
FIXTURE_VARIANT_ADD(pci_dev, e1000_b) { DEV_E1000_B, "e1000", true };
FIXTURE_VARIANT_ADD(pci_dev, ahci) { DEV_AHCI, "ahci", false };
#ifdef DEV_PORT_E1000E
FIXTURE_VARIANT_ADD(pci_dev, e1000e_port) { DEV_PORT_E1000E, "e1000e", true };
#endif

FIXTURE_SETUP(pci_dev)
{
	self->dev = variant;
}

FIXTURE_TEARDOWN(pci_dev)
{
	pci_restore(self->dev->bdf, self->dev->drv);
}

/* The device exists and its boot driver is bound (with a netdev for NICs). */
TEST_F(pci_dev, bound_at_boot)
{
	char name[32];

	pci_expect_driver(variant->bdf, variant->drv);
	if (variant->netdev) {
		pci_netdev(variant->bdf, name);
		TH_LOG("%s: %s, %s", variant->bdf, variant->drv, name);
	}
}

/* Unbind and bind through sysfs gives the device back to its driver. */
TEST_F(pci_dev, unbind_bind)
{
	char name[32];

	pci_unbind(variant->drv, variant->bdf);
	pci_expect_driver(variant->bdf, "");
	pci_unbind_err(ENODEV, variant->drv, variant->bdf);
	if (variant->netdev)
		pci_netdev_err(ENOENT, variant->bdf, name);

	pci_bind(variant->drv, variant->bdf);
	pci_expect_driver(variant->bdf, variant->drv);
	if (variant->netdev) {
		pci_netdev_wait(variant->bdf, WAIT_MS);
		pci_netdev(variant->bdf, name);
	}
}

/*
 * @other is in the IOMMU group of @bdf, and the group's members are exactly
 * the sorted array @want. For TEST bodies.
 */
#define expect_group_is(bdf, other, want) do {				\
	char __m[8][PCI_ADDR_LEN];					\
	int __g, __n, __i;						\
	__g = pci_group(bdf);						\
	REQUIRE(pci_group(other) == __g, "%s: not in the group of %s (%d)", \
		other, bdf, __g);					\
	__n = pci_group_members(__g, __m);				\
	REQUIRE(__n == (int)ARRAY_SIZE(want),				\
		"%s: group %d has %d members, expected %zu",		\
		bdf, __g, __n, ARRAY_SIZE(want));			\
	for (__i = 0; __i < __n; __i++)					\
		REQUIRE(!strcmp(__m[__i], (want)[__i]),			\
			"%s: group %d member %d is %s, expected %s",	\
			bdf, __g, __i, __m[__i], (want)[__i]);		\
} while (0)

/*
 * The devices are behind the IOMMU QEMU was given: scripts/guest.sh puts
 * dmaown.iommu=<IOMMU> on the command line, and the e1000e's iommu link
 * must name an IOMMU of that driver (intel-iommu: dmar<N>, amd_iommu:
 * ivhd<N>, arm-smmu-v3: smmu3.<address>, virtio-iommu: the virtio-iommu-pci
 * device). A run meant for one IOMMU driver never passes on another. And
 * their DMA is translated: the shared group's default domain is a DMA
 * domain (not identity, as with iommu=pt), or the hot-add test's frames
 * would prove nothing about the DMA ops.
 */
TEST(iommu_is_the_one_given)
{
	static const struct {
		const char *iommu, *name;
	} names[] = {
		{ "intel", "dmar" }, { "amd", "ivhd" }, { "smmuv3", "smmu3." },
#ifdef DEV_VIRTIO_IOMMU
		{ "virtio", DEV_VIRTIO_IOMMU },
#endif
	};
	char cmdline[4096], name[256], path[64], type[32], *arg;
	const char *want = NULL;
	size_t i;
	int rc;

	rc = _path_read_line("/proc/cmdline", cmdline, sizeof(cmdline));
	REQUIRE(!rc, "/proc/cmdline: %s", strerror(-rc));
	arg = strstr(cmdline, "dmaown.iommu=");
	if (!arg)
		SKIP(return, "no dmaown.iommu= on the kernel command line");
	arg += strlen("dmaown.iommu=");
	arg[strcspn(arg, " ")] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(arg, names[i].iommu))
			want = names[i].name;
	REQUIRE(want, "dmaown.iommu=%s: no such IOMMU in this guest", arg);
	rc = _link_name("/sys/bus/pci/devices/" DEV_E1000E "/iommu", name,
			sizeof(name));
	REQUIRE(!rc, "%s: no iommu link: %s", DEV_E1000E, strerror(-rc));
	REQUIRE(!strncmp(name, want, strlen(want)),
		"%s: behind IOMMU %s, expected %s* (dmaown.iommu=%s)",
		DEV_E1000E, name, want, arg);
	TH_LOG("%s: behind %s (dmaown.iommu=%s)", DEV_E1000E, name, arg);
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type",
		 pci_group(DEV_E1000_A));
	rc = _path_read_line(path, type, sizeof(type));
	REQUIRE(!rc, "%s: %s", path, strerror(-rc));
	REQUIRE(!strcmp(type, "DMA"), "%s: default domain type %s, expected DMA",
		path, type);
}

/* A device on the root bus behind the IOMMU is alone in its group. */
TEST(group_e1000e_alone)
{
	char m[8][PCI_ADDR_LEN];
	int g, n;

	g = pci_group(DEV_E1000E);
	n = pci_group_members(g, m);
	REQUIRE(n == 1 && !strcmp(m[0], DEV_E1000E),
		"%s: group %d has %d members (first %s), expected 1",
		DEV_E1000E, g, n, n ? m[0] : "none");
}

/* The two e1000 share one group with nothing else but SHARED_GROUP. */
TEST(group_shared)
{
	static const char *const want[] = SHARED_GROUP;

	expect_group_is(DEV_E1000_A, DEV_E1000_B, want);
}

#ifdef DEV_PORT
/*
 * A root port without ACS shares its group with the e1000e behind it, and
 * pcieport is bound to it.
 */
TEST(group_port_e1000e)
{
	static const char *const want[] = PORT_GROUP;

	pci_expect_driver(DEV_PORT, "pcieport");
	expect_group_is(DEV_PORT_E1000E, DEV_PORT, want);
}
#endif

/* The AHCI controller does not share the e1000e's group. */
TEST(group_ahci_apart)
{
	char m[16][PCI_ADDR_LEN];
	int g, n, i;

	g = pci_group(DEV_AHCI);
	REQUIRE(g != pci_group(DEV_E1000E), "%s: in the group of %s (%d)",
		DEV_AHCI, DEV_E1000E, g);
	n = pci_group_members(g, m);
	for (i = 0; i < n && i < (int)ARRAY_SIZE(m); i++)
		REQUIRE(strcmp(m[i], DEV_E1000E), "%s: group %d lists %s",
			DEV_AHCI, g, DEV_E1000E);
}

FIXTURE(vfio_e1000e) {
	int group_id;
	char group_path[32];
	pid_t holder;		/* a vfio-client --hold still running, or 0 */
};

FIXTURE_SETUP(vfio_e1000e)
{
	pci_expect_driver(DEV_E1000E, "e1000e");
	self->group_id = pci_group(DEV_E1000E);
	snprintf(self->group_path, sizeof(self->group_path), "/dev/vfio/%d",
		 self->group_id);
}

FIXTURE_TEARDOWN(vfio_e1000e)
{
	/* vfio-pci's remove waits for the device to be released: kill first. */
	if (self->holder > 0)
		_proc_kill(self->holder);
	pci_restore(DEV_E1000E, "e1000e");
	pci_netdev_wait(DEV_E1000E, WAIT_MS);
}

/* Hand the e1000e to vfio-pci: override, unbind, drivers_probe. */
#define to_vfio_pci() do {						\
	pci_reprobe(DEV_E1000E, "vfio-pci");				\
	pci_expect_driver(DEV_E1000E, "vfio-pci");			\
	path_wait(self->group_path, WAIT_MS);				\
} while (0)

/* And back: clear the override, unbind, drivers_probe; the netdev returns. */
#define to_e1000e() do {						\
	char __name[32];						\
	pci_reprobe(DEV_E1000E, NULL);					\
	pci_expect_driver(DEV_E1000E, "e1000e");			\
	pci_netdev_wait(DEV_E1000E, WAIT_MS);				\
	pci_netdev(DEV_E1000E, __name);					\
} while (0)

/* vfio-pci round trip, the device used once through the library. */
TEST_F(vfio_e1000e, use_once)
{
	struct vfio_dev v;

	to_vfio_pci();
	vfio_dev_init(&v, DEV_E1000E);
	vfio_dev_open(&v);
	REQUIRE(v.vendor == 0x8086, "%s: vendor 0x%04x through VFIO",
		DEV_E1000E, v.vendor);
	vfio_dev_close(&v);
	to_e1000e();
}

/*
 * vfio-client once, then holding: while it holds, the group cannot be
 * opened a second time; after a line on its stdin it exits 0 and the
 * group is free again.
 */
TEST_F(vfio_e1000e, client_hold)
{
	char *once[] = { VFIO_CLIENT, DEV_E1000E, NULL };
	char *hold[] = { VFIO_CLIENT, "--hold", DEV_E1000E, NULL };
	FILE *out;
	int in, fd, rc;
	pid_t pid;

	to_vfio_pci();

	pid = proc_spawn(once, &in, &out);
	close(in);
	proc_relay(out, "vfio-client", NULL);
	fclose(out);
	rc = _proc_wait(pid);
	REQUIRE(rc == 0, "%s: vfio-client exited %d", DEV_E1000E, rc);

	self->holder = proc_spawn(hold, &in, &out);
	REQUIRE(proc_relay(out, "vfio-client", "holding"),
		"%s: vfio-client --hold did not hold", DEV_E1000E);
	vfio_group_open_err(EBUSY, self->group_id, &fd);
	REQUIRE(write(in, "\n", 1) == 1, "write to vfio-client: %s", strerror(errno));
	close(in);
	proc_relay(out, "vfio-client", NULL);
	fclose(out);
	rc = _proc_wait(self->holder);
	self->holder = 0;
	REQUIRE(rc == 0, "%s: vfio-client --hold exited %d", DEV_E1000E, rc);

	vfio_group_open(self->group_id, &fd);
	close(fd);
	to_e1000e();
}

TEST_HARNESS_MAIN
