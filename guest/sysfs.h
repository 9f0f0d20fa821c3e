/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest/sysfs.h - driver binding and IOMMU groups through sysfs.
 *
 * Every function returns 0 (or a count / number, where it says so) on
 * success and -errno on failure; it never prints. The _dev_* functions take
 * a bus ("pci", "amba", "platform") and a device name as in
 * /sys/bus/<bus>/devices; the _pci_* ones name a device by its PCI address
 * ("0000:00:03.0", see devices.h). Test-side wrappers that assert or expect
 * a failure are in selftest.h.
 */
#ifndef GUEST_SYSFS_H
#define GUEST_SYSFS_H

#include <stddef.h>

#define PCI_ADDR_LEN	16	/* "0000:00:00.0" + NUL, rounded up */
#define DRV_NAME_LEN	64

/* Write @str to the sysfs file @path in one write(). */
int _sysfs_write(const char *path, const char *str);

/* The name of the driver bound to @dev into @drv; "" when none is bound. */
int _dev_driver(const char *bus, const char *dev, char *drv, size_t len);

/* Bind / unbind through /sys/bus/<bus>/drivers/<drv>/{bind,unbind}. */
int _dev_bind(const char *bus, const char *drv, const char *dev);
int _dev_unbind(const char *bus, const char *drv, const char *dev);

/* The device's IOMMU group number (>= 0); -ENOENT when it has none. */
int _dev_group(const char *bus, const char *dev);

/*
 * Put the device back on driver @drv as at boot: clear driver_override,
 * unbind whatever else is bound, bind @drv. No-op if @drv is bound already.
 */
int _dev_restore(const char *bus, const char *dev, const char *drv);

/* _pci_restore(), then wait up to @ms for its netdev (a NIC driver). */
int _pci_restore_netdev(const char *bdf, const char *drv, int ms);

/* Set driver_override to @drv; NULL or "" clears it. */
int _dev_driver_override(const char *bus, const char *dev, const char *drv);

/* The first device bound to @drv on @bus into @name; -ENODEV if none. */
int _dev_first_bound(const char *bus, const char *drv, char *name, size_t len);

/* The same on the PCI bus. */
int _pci_driver(const char *bdf, char *drv, size_t len);
int _pci_bind(const char *drv, const char *bdf);
int _pci_unbind(const char *drv, const char *bdf);
int _pci_group(const char *bdf);
int _pci_restore(const char *bdf, const char *drv);
int _pci_driver_override(const char *bdf, const char *drv);

/* Write @bdf to /sys/bus/pci/drivers_probe. */
int _pci_drivers_probe(const char *bdf);

/*
 * Set driver_override to @override (NULL clears it), unbind the current
 * driver if there is one, and write drivers_probe: the way a device is
 * handed to vfio-pci and back.
 */
int _pci_reprobe(const char *bdf, const char *override);

/*
 * Fill @bdfs (sorted) with up to @max members of IOMMU group @group and
 * return how many members the group has.
 */
int _pci_group_members(int group, char (*bdfs)[PCI_ADDR_LEN], int max);

/* The first network interface under the device's net/ into @name. */
int _pci_netdev(const char *bdf, char *name, size_t len);

/*
 * Wait up to @ms milliseconds for the device's net/ directory (a NIC driver
 * bound and its netdev registered); -ETIMEDOUT if it does not appear.
 */
int _pci_netdev_wait(const char *bdf, int ms);

/* Read a hex attribute such as "vendor" or "device" into @val. */
/* The number in the file @path, in @base (strtoull()). */
/* The first line of @path, without its newline, into @buf. */
int _path_read_line(const char *path, char *buf, size_t len);
/* The last path component of the symlink @path into @buf. */
int _link_name(const char *path, char *buf, size_t len);
int _path_read_ull(const char *path, int base, unsigned long long *val);
int _pci_read_hex(const char *bdf, const char *attr, unsigned int *val);

/* How many children of PCI device @bdf have a name starting with @prefix. */
int _pci_children(const char *bdf, const char *prefix);

/* Wait up to @ms for @bdf to be bound to @drv (-ETIMEDOUT if it is not). */
int _pci_driver_wait(const char *bdf, const char *drv, int ms);

/* Wait up to @ms for a child of @bdf named @prefix*; their count, or -ETIMEDOUT. */
int _pci_children_wait(const char *bdf, const char *prefix, int ms);

/* Wait up to @ms milliseconds for @path to exist; -ETIMEDOUT if it does not. */
int _path_wait(const char *path, int ms);

/* The number after `@key=` on the kernel command line; @def if absent. */
unsigned long cmdline_ul(const char *key, unsigned long def);

#endif
