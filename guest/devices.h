/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest/devices.h - the devices every guest has, at fixed addresses.
 *
 * scripts/guest.sh puts them there (QEMU -device ... addr=); the guest tests
 * find them here. Keep the two in step.
 */
#ifndef GUEST_DEVICES_H
#define GUEST_DEVICES_H

/* e1000e on the root bus: an IOMMU group of its own. */
#define DEV_E1000E	"0000:00:03.0"
/* One AHCI controller (dmam_alloc_coherent() port memory). */
#define DEV_AHCI	"0000:00:05.0"

/*
 * Two e1000 in one IOMMU group (SHARED_GROUP lists the whole group, sorted).
 *
 * x86_64: behind a conventional PCI bridge, which joins their group.
 *
 * arm64: the two functions of one multifunction slot without ACS. Behind a
 * bridge, v5.10's SMMUv3 driver cannot cope on a device-tree boot: PCI
 * devices get their group only when a driver probes them, the bridge never
 * gets one, so each e1000 gets a group of its own while both use the
 * bridge's stream ID, and the second attach hits BUG_ON(ste_live) in
 * arm_smmu_write_strtab_ent() on the unpatched base. Functions of one slot
 * have stream IDs of their own and still share a group.
 */
#if defined(__aarch64__)
#define DEV_E1000_A	"0000:00:04.0"
#define DEV_E1000_B	"0000:00:04.1"
#define SHARED_GROUP	{ DEV_E1000_A, DEV_E1000_B }

/*
 * arm64 only: virt's amba devices (no IOMMU behind them) and the platform
 * driver of QEMU's virtio-mmio transports, one of which carries the
 * virtio-rng-device scripts/guest.sh adds (guest/rebind.c finds which).
 */
/*
 * arm64 with IOMMU=virtio only: QEMU's virtio-iommu-pci, at 00:01.0; 5.10's
 * virtio-iommu names its IOMMU device after it (virtio_bus_name()).
 */
#define DEV_VIRTIO_IOMMU	"0000:00:01.0"

#define DEV_AMBA_RTC	"9010000.pl031"
#define DEV_AMBA_GPIO	"9030000.pl061"
#define DRV_PLATFORM	"virtio-mmio"
#else
#define DEV_BRIDGE	"0000:00:04.0"
#define DEV_E1000_A	"0000:01:01.0"
#define DEV_E1000_B	"0000:01:02.0"
#define SHARED_GROUP	{ DEV_BRIDGE, DEV_E1000_A, DEV_E1000_B }

/*
 * x86_64 only: a PCIe root port without ACS (disable-acs=on), bound to
 * pcieport, and an e1000e behind it. Without ACS the port and the e1000e
 * share one IOMMU group (PORT_GROUP, sorted). Not on arm64, where v5.10's
 * SMMUv3 on a device-tree boot gives bridges no group (see above).
 */
#define DEV_PORT	"0000:00:06.0"
#define DEV_PORT_E1000E	"0000:02:00.0"
#define PORT_GROUP	{ DEV_PORT, DEV_PORT_E1000E }
#endif

#endif
