// SPDX-License-Identifier: GPL-2.0
/*
 * guest/rebind.c - every device unbound and bound again, many times: the
 * late IOMMU group and the managed DMA teardown (arm64, seeds/).
 *
 * On arm64 with a device-tree boot a PCI device joins its IOMMU group only
 * inside its driver's dma_configure (of_dma_configure() -> of_iommu
 * -> iommu_probe_device()), right before the driver's first probe. A bus
 * that counted the driver's use of the group before that call would count
 * nothing at boot and then take a count it never gave at the first unbind
 * (a WARN from iommu_device_unuse_default_domain()), and a VFIO container
 * could claim a group whose devices a kernel driver is still using. This
 * program therefore runs first on arm64, before smoke and ownership have
 * rebound anything, and its tests run in this order:
 *
 *  1. boot_driver_holds_group: DEV_E1000_A has been on e1000 since boot;
 *     DEV_E1000_B goes to vfio-pci; the group is not viable and a container
 *     cannot claim it (EPERM); the kernel logged no report. Then
 *     DEV_E1000_B goes back to e1000.
 *  2. rebind.<device>.twenty_times, for every PCI device (each e1000e, both
 *     e1000, ahci), both amba devices of virt (PL031 RTC, PL061 GPIO) and a
 *     platform device (virtio-mmio with QEMU's virtio-rng-device):
 *     unbind, bind, ROUNDS times. After every bind the driver is back (a
 *     NIC's netdev, ahci's ATA ports), a PCI device is in the same IOMMU
 *     group as before (amba and platform devices, with no IOMMU behind
 *     them, in none), and the kernel logged no report (WARN, BUG, KASAN,
 *     an IOMMU fault; guest/kmsg.c). After the last round a PCI device's
 *     whole group goes to vfio-pci and a container claims it (the kernel
 *     drivers' count of the group went back to zero), then back to its
 *     drivers, still with no report.
 *
 * ahci allocates its port memory with dmam_alloc_coherent(): the buffers
 * are freed by devres release after the driver's remove, through the
 * device's DMA ops, which arch_teardown_dma_ops() clears on arm64 (seeds/,
 * 376991db4b64). Twenty rebinds under the SMMU prove the order.
 *
 * What fails where (mutations of the series, measured: see README):
 *  - PCI counting ownership before of_dma_configure(): 1 (the container
 *    claims the group; DEV_E1000_B's first unbind WARNs in
 *    iommu_device_unuse_default_domain()), 2 for e1000e and ahci at their
 *    first unbind (the same WARN) and for DEV_E1000_A at the group claim
 *    (1 gave DEV_E1000_B a counted use, DEV_E1000_A's uncounted one is
 *    released in round 1, and DEV_E1000_B's move to vfio-pci WARNs);
 *  - arch_teardown_dma_ops() before devres release: 2 for ahci (its
 *    dmam buffers are freed through the wrong DMA ops), and the KUnit
 *    suite driver_core_dma_teardown built into the guest kernel.
 *
 * Every test leaves the devices bound as at boot, unless it is killed by
 * its timeout (the harness then skips the teardown).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "devices.h"
#include "kmsg.h"
#include "selftest.h"

#define ROUNDS		20
/* How long a netdev, ATA port or group node may take after probe. */
#define WAIT_MS		5000
#define MAX_MEMBERS	8

/* Time for a report printed from an IRQ thread (an SMMU event) to appear. */
static const struct timespec settle = { .tv_nsec = 200 * 1000 * 1000 };

/* "/dev/vfio/<g>", in a static buffer. */
static const char *group_node(int g)
{
	static char path[32];

	snprintf(path, sizeof(path), "/dev/vfio/%d", g);
	return path;
}

/*
 * Whether the whole-group claim moves member @drv to vfio-pci: not when
 * it has no driver (a bridge) or is a driver-managed port (pcieport,
 * which vfio-pci would not take).
 */
static bool to_move(const char *drv)
{
	return drv[0] && strcmp(drv, "pcieport");
}

/* Fail the test if the kernel logged a report since @kmsg was read last. */
#define expect_no_report(kmsg, fmt, ...) do {				\
	char __first[256];						\
	int __n = CHECK_OK(_kmsg_reports(kmsg, __first, sizeof(__first)), \
			   "read /dev/kmsg");				\
	REQUIRE(__n == 0, fmt ": the kernel logged %d report line(s), first: %s", \
		##__VA_ARGS__, __n, __first);				\
} while (0)

/* 1. The boot driver's use of the late group was counted. */
FIXTURE(boot) {
	int kmsg;
	int container;
	int group;
};

FIXTURE_SETUP(boot)
{
	self->kmsg = -1;
	self->container = -1;
	self->group = -1;
}

FIXTURE_TEARDOWN(boot)
{
	close_fd(&self->kmsg);
	close_fd(&self->group);
	close_fd(&self->container);
	pci_restore(DEV_E1000_B, "e1000");
	pci_netdev_wait(DEV_E1000_B, WAIT_MS);
}

TEST_F(boot, boot_driver_holds_group)
{
	uint32_t flags;
	int g;

	self->kmsg = CHECK_OK(_kmsg_open(), "open /dev/kmsg");
	pci_expect_driver(DEV_E1000_A, "e1000");
	g = pci_group(DEV_E1000_A);
	pci_reprobe(DEV_E1000_B, "vfio-pci");
	pci_expect_driver(DEV_E1000_B, "vfio-pci");
	REQUIRE(pci_group(DEV_E1000_B) == g, "%s: not in the group of %s (%d)",
		DEV_E1000_B, DEV_E1000_A, g);
	path_wait(group_node(g), WAIT_MS);
	vfio_container_open(&self->container);
	vfio_group_open(g, &self->group);
	vfio_group_status(self->group, &flags);
	REQUIRE(flags == 0, "group %d: status flags 0x%x with %s on e1000 since boot, expected 0",
		g, flags, DEV_E1000_A);
	vfio_group_set_container_err(EPERM, self->group, self->container);
	pci_expect_driver(DEV_E1000_A, "e1000");
	expect_no_report(self->kmsg, "%s to vfio-pci beside %s on e1000",
			 DEV_E1000_B, DEV_E1000_A);
}

/* 2. Unbind and bind, ROUNDS times. */
enum check { NONE, NETDEV, ATA };

FIXTURE(rebind) {
	const char *bus, *drv;	/* the variant's (5.10's teardown has none) */
	char dev[64];
	int kmsg;
	/* The device's group, its members and their drivers at the start. */
	int group;
	int nr_members;
	char members[MAX_MEMBERS][PCI_ADDR_LEN];
	char member_drv[MAX_MEMBERS][DRV_NAME_LEN];
	int container;
	int group_fd;
};

FIXTURE_VARIANT(rebind) {
	const char *bus;
	const char *dev;	/* NULL: the first device bound to drv */
	const char *drv;
	enum check check;
};

FIXTURE_VARIANT_ADD(rebind, e1000e) { "pci", DEV_E1000E, "e1000e", NETDEV };
FIXTURE_VARIANT_ADD(rebind, e1000_a) { "pci", DEV_E1000_A, "e1000", NETDEV };
FIXTURE_VARIANT_ADD(rebind, e1000_b) { "pci", DEV_E1000_B, "e1000", NETDEV };
#ifdef DEV_PORT_E1000E
FIXTURE_VARIANT_ADD(rebind, e1000e_port) { "pci", DEV_PORT_E1000E, "e1000e", NETDEV };
#endif
FIXTURE_VARIANT_ADD(rebind, ahci) { "pci", DEV_AHCI, "ahci", ATA };
#ifdef DEV_AMBA_RTC
FIXTURE_VARIANT_ADD(rebind, pl031) { "amba", DEV_AMBA_RTC, "rtc-pl031", NONE };
FIXTURE_VARIANT_ADD(rebind, pl061) { "amba", DEV_AMBA_GPIO, "pl061_gpio", NONE };
#endif
#ifdef DRV_PLATFORM
FIXTURE_VARIANT_ADD(rebind, platform) { "platform", NULL, DRV_PLATFORM, NONE };
#endif

FIXTURE_SETUP(rebind)
{
	const char *bus = variant->bus;
	int i;

	self->bus = variant->bus;
	self->drv = variant->drv;
	self->kmsg = -1;
	self->group = -1;
	self->nr_members = 0;
	self->container = -1;
	self->group_fd = -1;
	if (variant->dev)
		snprintf(self->dev, sizeof(self->dev), "%s", variant->dev);
	else
		CHECK_OK(_dev_first_bound(bus, variant->drv, self->dev, sizeof(self->dev)),
			 "a %s device bound to %s", bus, variant->drv);
	if (strcmp(bus, "pci"))
		return;
	self->group = pci_group(self->dev);
	self->nr_members = pci_group_members(self->group, self->members);
	REQUIRE(self->nr_members <= MAX_MEMBERS, "group %d: %d members",
		self->group, self->nr_members);
	for (i = 0; i < self->nr_members; i++)
		pci_driver(self->members[i], self->member_drv[i]);
}

/* _dev_restore(), the failure logged: 0 or -errno. */
static int restore_one(const char *bus, const char *dev, const char *drv,
		       struct __test_metadata *_metadata)
{
	int rc = _dev_restore(bus, dev, drv);

	if (rc)
		TH_LOG("put %s back on %s: %s", dev, drv, strerror(-rc));
	return rc;
}

/*
 * Put the group's members (the device is one of them) and the device back
 * on their drivers; every one, even after a failure. 0 or the last -errno.
 */
static int restore_all(FIXTURE_DATA(rebind) *self,
		       struct __test_metadata *_metadata)
{
	int i, rc, ret = 0;

	for (i = 0; i < self->nr_members; i++) {
		if (!to_move(self->member_drv[i]))
			continue;
		rc = restore_one("pci", self->members[i], self->member_drv[i], _metadata);
		ret = rc ? rc : ret;
	}
	if (self->dev[0]) {
		rc = restore_one(self->bus, self->dev, self->drv, _metadata);
		ret = rc ? rc : ret;
	}
	return ret;
}

FIXTURE_TEARDOWN(rebind)
{
	close_fd(&self->group_fd);
	close_fd(&self->container);
	close_fd(&self->kmsg);
	if (restore_all(self, _metadata))
		_metadata->passed = 0;
}

/* The driver is back and working: its driver link, netdev, ATA ports. */
#define expect_bound(bus, dev, drv, check) do {			\
	char __drv[DRV_NAME_LEN];					\
	CHECK_OK(_dev_driver(bus, dev, __drv, sizeof(__drv)),		\
		 "driver of %s", dev);					\
	REQUIRE(!strcmp(__drv, drv), "%s: bound to '%s', expected '%s'", \
		dev, __drv, drv);					\
	if ((check) == NETDEV)						\
		pci_netdev_wait(dev, WAIT_MS);				\
	if ((check) == ATA)						\
		CHECK_OK(_pci_children_wait(dev, "ata", WAIT_MS),	\
			 "wait for the ATA ports of %s", dev);		\
} while (0)

TEST_F_TIMEOUT(rebind, twenty_times, 180)
{
	const char *bus = variant->bus, *drv = variant->drv, *dev = self->dev;
	bool pci = !strcmp(bus, "pci");
	char name[DRV_NAME_LEN];
	int round, i;

	expect_bound(bus, dev, drv, variant->check);
	self->kmsg = CHECK_OK(_kmsg_open(), "open /dev/kmsg");
	for (round = 1; round <= ROUNDS; round++) {
		CHECK_OK(_dev_unbind(bus, drv, dev), "round %d: unbind %s from %s",
			 round, dev, drv);
		CHECK_OK(_dev_driver(bus, dev, name, sizeof(name)), "driver of %s", dev);
		REQUIRE(!name[0], "round %d: %s still bound to '%s'", round, dev, name);
		CHECK_OK(_dev_bind(bus, drv, dev), "round %d: bind %s to %s",
			 round, dev, drv);
		expect_bound(bus, dev, drv, variant->check);
		if (pci)
			REQUIRE(pci_group(dev) == self->group,
				"round %d: %s left group %d", round, dev, self->group);
		else
			CHECK_ERR(ENOENT, _dev_group(bus, dev),
				  "round %d: IOMMU group of %s", round, dev);
		expect_no_report(self->kmsg, "round %d of %s on %s", round, dev, drv);
	}
	TH_LOG("%s: %d rounds of unbind + bind to %s", dev, ROUNDS, drv);
	if (!pci)
		return;

	/* The count is back to zero: the whole group goes to a container. */
	for (i = 0; i < self->nr_members; i++)
		if (to_move(self->member_drv[i]))
			pci_reprobe(self->members[i], "vfio-pci");
	for (i = 0; i < self->nr_members; i++)
		if (to_move(self->member_drv[i]))
			pci_expect_driver(self->members[i], "vfio-pci");
	path_wait(group_node(self->group), WAIT_MS);
	vfio_container_open(&self->container);
	vfio_group_open(self->group, &self->group_fd);
	vfio_group_set_container(self->group_fd, self->container);
	vfio_group_unset_container(self->group_fd);
	close_fd(&self->group_fd);

	/* And back to the drivers, with time for a late IOMMU fault report. */
	CHECK_OK(restore_all(self, _metadata), "put group %d back", self->group);
	expect_bound(bus, dev, drv, variant->check);
	nanosleep(&settle, NULL);
	expect_no_report(self->kmsg, "claim of group %d and back", self->group);
}

TEST_HARNESS_MAIN
