/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest/devices.h - the PCI devices every guest has, at fixed addresses.
 *
 * scripts/guest.sh puts them there on both architectures (QEMU -device ...
 * addr=); the guest tests find them here. Keep the two in step.
 */
#ifndef GUEST_DEVICES_H
#define GUEST_DEVICES_H

/* e1000e on the root bus: an IOMMU group of its own. */
#define DEV_E1000E	"0000:00:03.0"
/* A conventional PCI bridge and two e1000 behind it: one group of three. */
#define DEV_BRIDGE	"0000:00:04.0"
#define DEV_E1000_A	"0000:01:01.0"
#define DEV_E1000_B	"0000:01:02.0"
/* One AHCI controller (dmam_alloc_coherent() port memory). */
#define DEV_AHCI	"0000:00:05.0"

#endif
