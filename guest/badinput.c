// SPDX-License-Identifier: GPL-2.0
/*
 * guest/badinput.c - what user space can send to the ownership paths, and
 * what the kernel answers.
 *
 * A catalogue of bad input to the VFIO group and container ioctls and to
 * the PCI bus's bind, unbind, driver_override and drivers_probe files, on
 * the shared group (DEV_E1000_A on vfio-pci, DEV_E1000_B driverless unless
 * a row says otherwise). Each row is one call; it passes when the kernel
 * answers the errno the series documents (the `want` column) and logs no
 * report (guest/kmsg.c) meanwhile. Each row prints a line
 *   # badinput|<id>|<answer>|<want>|<reports>|<what is sent>
 * (answer and want: an errno name or "ok"), and a KTAP result. The base
 * runs it too, before the kselftest kills it: scripts/badinput-table.sh
 * makes the README's table from both logs. The last row binds a kernel
 * driver into a held group, which kills the base: it runs there only with
 * `dmaown.badinput_fatal=1` (make stress, not make check's base run).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "common.h"
#include "devices.h"
#include "kmsg.h"
#include "sysfs.h"
#include "vfio.h"

#define NO_DEV		"0000:ff:1f.7"	/* no such PCI device */
#define LONG_LEN	5000		/* longer than a sysfs write (a page) */

static int group_id;

/* An open group in an optional container; fds -1 when closed. */
struct ctx {
	int group, container, container2, device;
};

static void ctx_close(struct ctx *c)
{
	close_fd(&c->device);
	close_fd(&c->group);
	close_fd(&c->container);
	close_fd(&c->container2);
}

/* Open the group, and a container with it set (@set) and type1v2 (@iommu). */
static int _ctx_open(struct ctx *c, bool set, bool iommu)
{
	int rc;

	rc = _vfio_group_open(group_id, &c->group);
	rc = rc ?: _vfio_container_open(&c->container);
	if (!rc && set)
		rc = _vfio_group_set_container(c->group, c->container);
	if (!rc && iommu)
		rc = _vfio_set_iommu(c->container, VFIO_TYPE1v2_IOMMU);
	return rc;
}

static int ioctl_rc(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

/* A sysfs write of @str; "" writes a lone newline. */
static int sysfs_str(const char *path, const char *str)
{
	return _sysfs_write(path, str[0] ? str : "\n");
}

static char long_str[LONG_LEN + 1];

#define PCI_DRV(drv, file)	"/sys/bus/pci/drivers/" drv "/" file
#define PCI_DEV(bdf, file)	"/sys/bus/pci/devices/" bdf "/" file

static int row_set_container_minus1(struct ctx *c)
{
	int fd = -1;

	return _ctx_open(c, false, false) ?: ioctl_rc(c->group, VFIO_GROUP_SET_CONTAINER, &fd);
}

static int row_set_container_not_vfio(struct ctx *c)
{
	int rc = _ctx_open(c, false, false);

	close_fd(&c->container);
	c->container = open("/dev/null", O_RDWR);
	return rc ?: _vfio_group_set_container(c->group, c->container);
}

static int row_set_container_closed(struct ctx *c)
{
	int rc = _ctx_open(c, false, false), fd = c->container;

	close_fd(&c->container);
	return rc ?: _vfio_group_set_container(c->group, fd);
}

static int row_set_container_group_fd(struct ctx *c)
{
	return _ctx_open(c, false, false) ?: _vfio_group_set_container(c->group, c->group);
}

static int row_set_container_twice(struct ctx *c)
{
	return _ctx_open(c, true, false) ?: _vfio_group_set_container(c->group, c->container);
}

static int row_set_container_second(struct ctx *c)
{
	return _ctx_open(c, true, false) ?: _vfio_container_open(&c->container2) ?:
	       _vfio_group_set_container(c->group, c->container2);
}

static int row_unset_without_set(struct ctx *c)
{
	return _ctx_open(c, false, false) ?: _vfio_group_unset_container(c->group);
}

static int row_unset_twice(struct ctx *c)
{
	return _ctx_open(c, true, true) ?: _vfio_group_unset_container(c->group) ?:
	       _vfio_group_unset_container(c->group);
}

static int row_group_open_twice(struct ctx *c)
{
	return _ctx_open(c, false, false) ?: _vfio_group_open(group_id, &c->container2);
}

static int row_device_fd_unowned(struct ctx *c)
{
	return _ctx_open(c, false, false) ?: _vfio_device_fd(c->group, DEV_E1000_A, &c->device);
}

static int row_device_fd_no_iommu(struct ctx *c)
{
	return _ctx_open(c, true, false) ?: _vfio_device_fd(c->group, DEV_E1000_A, &c->device);
}

static int row_device_fd_no_such(struct ctx *c)
{
	return _ctx_open(c, true, true) ?: _vfio_device_fd(c->group, NO_DEV, &c->device);
}

static int row_device_fd_other_group(struct ctx *c)
{
	return _ctx_open(c, true, true) ?: _vfio_device_fd(c->group, DEV_E1000E, &c->device);
}

static int row_device_fd_driverless(struct ctx *c)
{
	return _ctx_open(c, true, true) ?: _vfio_device_fd(c->group, DEV_E1000_B, &c->device);
}

static int row_device_fd_long_name(struct ctx *c)
{
	int rc = _ctx_open(c, true, true);

	return rc ?: ioctl_rc(c->group, VFIO_GROUP_GET_DEVICE_FD, long_str);
}

static int row_device_fd_bad_pointer(struct ctx *c)
{
	return _ctx_open(c, true, true) ?:
	       ioctl_rc(c->group, VFIO_GROUP_GET_DEVICE_FD, (void *)16);
}

static int row_set_iommu_no_group(struct ctx *c)
{
	return _vfio_container_open(&c->container) ?:
	       _vfio_set_iommu(c->container, VFIO_TYPE1v2_IOMMU);
}

static int row_set_iommu_bad_type(struct ctx *c)
{
	return _ctx_open(c, true, false) ?: _vfio_set_iommu(c->container, 0x7fff);
}

static int row_set_iommu_twice(struct ctx *c)
{
	return _ctx_open(c, true, true) ?: _vfio_set_iommu(c->container, VFIO_TYPE1v2_IOMMU);
}

static int row_status_bad_argsz(struct ctx *c)
{
	struct vfio_group_status st = { .argsz = 4 };

	return _ctx_open(c, false, false) ?: ioctl_rc(c->group, VFIO_GROUP_GET_STATUS, &st);
}

static int row_map_bad_argsz(struct ctx *c)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = 4 };

	return _ctx_open(c, true, true) ?: ioctl_rc(c->container, VFIO_IOMMU_MAP_DMA, &map);
}

static int row_map_no_iommu(struct ctx *c)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };

	return _ctx_open(c, true, false) ?: ioctl_rc(c->container, VFIO_IOMMU_MAP_DMA, &map);
}

static int row_map_unaligned(struct ctx *c)
{
	static char buf[8192] __attribute__((aligned(4096)));

	return _ctx_open(c, true, true) ?: _vfio_map_dma(c->container, buf + 1, 0x10001, 4096);
}

static int row_unmap_unmapped(struct ctx *c)
{
	uint64_t unmapped = 0;
	int rc = _ctx_open(c, true, true) ?:
		 _vfio_unmap_dma(c->container, VFIO_TEST_IOVA, 4096, &unmapped);

	/* Nothing mapped there: success, and nothing unmapped. */
	return rc ?: unmapped ? -EPROTO : 0;
}

static int row_group_bad_ioctl(struct ctx *c)
{
	return _ctx_open(c, false, false) ?: ioctl_rc(c->group, VFIO_BASE + 99, NULL);
}

/* A kernel driver on a member: the group is not the container's to take. */
static int row_set_container_driver_bound(struct ctx *c)
{
	int rc = _pci_bind("e1000", DEV_E1000_B);

	rc = rc ?: _ctx_open(c, true, false);
	ctx_close(c);
	_pci_unbind("e1000", DEV_E1000_B);
	return rc;
}

/*
 * The contract itself: a kernel driver bound into a group a container
 * holds. The series answers EBUSY; the unpatched base dies (vfio's
 * BUG_ON), so this row runs there only with dmaown.badinput_fatal=1
 * (make stress), and comes last.
 */
static int row_bind_into_held_group(struct ctx *c)
{
	int rc = _ctx_open(c, true, true);

	return rc ?: _pci_bind("e1000", DEV_E1000_B);
}

/* Whether the kernel has the series (as the kselftest tells it). */
static bool has_series(void)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, " iommu_group_claim_dma_owner\n") != NULL;
	if (f)
		fclose(f);
	return found;
}

static int row_bind_no_such(struct ctx *c)
{
	(void)c;
	return _pci_bind("e1000", NO_DEV);
}

static int row_bind_wrong_driver(struct ctx *c)
{
	(void)c;
	return _pci_bind("e1000e", DEV_E1000_B);
}

static int row_bind_empty(struct ctx *c)
{
	(void)c;
	return sysfs_str(PCI_DRV("e1000", "bind"), "");
}

static int row_bind_long(struct ctx *c)
{
	(void)c;
	return sysfs_str(PCI_DRV("e1000", "bind"), long_str);
}

static int row_bind_already_bound(struct ctx *c)
{
	(void)c;
	return _pci_bind("e1000", DEV_E1000_A);
}

static int row_bind_override_mismatch(struct ctx *c)
{
	int rc = _pci_driver_override(DEV_E1000_B, "vfio-pci");

	(void)c;
	rc = rc ?: _pci_bind("e1000", DEV_E1000_B);
	_pci_driver_override(DEV_E1000_B, NULL);
	return rc;
}

static int row_unbind_no_such(struct ctx *c)
{
	(void)c;
	return _pci_unbind("e1000", NO_DEV);
}

static int row_unbind_not_bound(struct ctx *c)
{
	(void)c;
	return _pci_unbind("e1000", DEV_E1000_B);
}

static int row_override_long(struct ctx *c)
{
	(void)c;
	return sysfs_str(PCI_DEV(DEV_E1000_B, "driver_override"), long_str);
}

static int row_override_empty(struct ctx *c)
{
	(void)c;
	return sysfs_str(PCI_DEV(DEV_E1000_B, "driver_override"), "");
}

static int row_probe_no_such(struct ctx *c)
{
	(void)c;
	return _pci_drivers_probe(NO_DEV);
}

static int row_probe_empty(struct ctx *c)
{
	(void)c;
	return sysfs_str("/sys/bus/pci/drivers_probe", "");
}

static int row_probe_long(struct ctx *c)
{
	(void)c;
	return sysfs_str("/sys/bus/pci/drivers_probe", long_str);
}

static const struct row {
	const char *id;
	int want;	/* errno, 0 for success */
	int (*fn)(struct ctx *c);
	const char *what;
} rows[] = {
	{ "set_container_fd_-1", EINVAL, row_set_container_minus1,
	  "VFIO_GROUP_SET_CONTAINER, container fd -1" },
	{ "set_container_not_vfio", EINVAL, row_set_container_not_vfio,
	  "VFIO_GROUP_SET_CONTAINER, an fd of /dev/null" },
	{ "set_container_closed", EBADF, row_set_container_closed,
	  "VFIO_GROUP_SET_CONTAINER, a container fd already closed" },
	{ "set_container_group_fd", EINVAL, row_set_container_group_fd,
	  "VFIO_GROUP_SET_CONTAINER, the group's own fd as the container" },
	{ "set_container_twice", EINVAL, row_set_container_twice,
	  "VFIO_GROUP_SET_CONTAINER twice, same container" },
	{ "set_container_second", EINVAL, row_set_container_second,
	  "VFIO_GROUP_SET_CONTAINER into a second container while set" },
	{ "set_container_driver_bound", EPERM, row_set_container_driver_bound,
	  "VFIO_GROUP_SET_CONTAINER while e1000 is bound to a member" },
	{ "unset_without_set", EINVAL, row_unset_without_set,
	  "VFIO_GROUP_UNSET_CONTAINER without SET_CONTAINER" },
	{ "unset_twice", EINVAL, row_unset_twice,
	  "VFIO_GROUP_UNSET_CONTAINER twice" },
	{ "group_open_twice", EBUSY, row_group_open_twice,
	  "open /dev/vfio/N while it is open" },
	{ "device_fd_unowned", EINVAL, row_device_fd_unowned,
	  "VFIO_GROUP_GET_DEVICE_FD, group in no container (unowned)" },
	{ "device_fd_no_iommu", EINVAL, row_device_fd_no_iommu,
	  "VFIO_GROUP_GET_DEVICE_FD before VFIO_SET_IOMMU" },
	{ "device_fd_no_such", ENODEV, row_device_fd_no_such,
	  "VFIO_GROUP_GET_DEVICE_FD, no such device" },
	{ "device_fd_other_group", ENODEV, row_device_fd_other_group,
	  "VFIO_GROUP_GET_DEVICE_FD, a device of another group" },
	{ "device_fd_driverless", ENODEV, row_device_fd_driverless,
	  "VFIO_GROUP_GET_DEVICE_FD, a driverless member" },
	{ "device_fd_long_name", EINVAL, row_device_fd_long_name,
	  "VFIO_GROUP_GET_DEVICE_FD, a 5000-byte name" },
	{ "device_fd_bad_pointer", EFAULT, row_device_fd_bad_pointer,
	  "VFIO_GROUP_GET_DEVICE_FD, name pointer 0x10" },
	{ "group_status_argsz", EINVAL, row_status_bad_argsz,
	  "VFIO_GROUP_GET_STATUS, argsz 4" },
	{ "group_bad_ioctl", ENOTTY, row_group_bad_ioctl,
	  "an unknown ioctl on the group fd" },
	{ "set_iommu_no_group", EINVAL, row_set_iommu_no_group,
	  "VFIO_SET_IOMMU on a container with no group" },
	{ "set_iommu_bad_type", ENODEV, row_set_iommu_bad_type,
	  "VFIO_SET_IOMMU, type 0x7fff" },
	{ "set_iommu_twice", EINVAL, row_set_iommu_twice,
	  "VFIO_SET_IOMMU twice" },
	{ "map_dma_argsz", EINVAL, row_map_bad_argsz,
	  "VFIO_IOMMU_MAP_DMA, argsz 4" },
	{ "map_dma_no_iommu", EINVAL, row_map_no_iommu,
	  "VFIO_IOMMU_MAP_DMA before VFIO_SET_IOMMU" },
	{ "map_dma_unaligned", EINVAL, row_map_unaligned,
	  "VFIO_IOMMU_MAP_DMA, iova and vaddr not page aligned" },
	{ "unmap_dma_unmapped", 0, row_unmap_unmapped,
	  "VFIO_IOMMU_UNMAP_DMA of a range never mapped (0 bytes unmapped)" },
	{ "bind_no_such", ENODEV, row_bind_no_such,
	  "e1000/bind, no such device" },
	{ "bind_wrong_driver", ENODEV, row_bind_wrong_driver,
	  "e1000e/bind, an e1000 device" },
	{ "bind_empty", ENODEV, row_bind_empty,
	  "e1000/bind, an empty line" },
	{ "bind_long", ENODEV, row_bind_long,
	  "e1000/bind, 5000 bytes" },
	{ "bind_already_bound", ENODEV, row_bind_already_bound,
	  "e1000/bind, a device bound to vfio-pci" },
	{ "bind_override_mismatch", ENODEV, row_bind_override_mismatch,
	  "e1000/bind, driver_override names vfio-pci" },
	{ "unbind_no_such", ENODEV, row_unbind_no_such,
	  "e1000/unbind, no such device" },
	{ "unbind_not_bound", ENODEV, row_unbind_not_bound,
	  "e1000/unbind, a driverless device" },
	{ "override_long", EINVAL, row_override_long,
	  "driver_override, 5000 bytes" },
	{ "override_empty", 0, row_override_empty,
	  "driver_override, an empty line (clears it)" },
	{ "drivers_probe_no_such", ENODEV, row_probe_no_such,
	  "drivers_probe, no such device" },
	{ "drivers_probe_empty", ENODEV, row_probe_empty,
	  "drivers_probe, an empty line" },
	{ "drivers_probe_long", ENODEV, row_probe_long,
	  "drivers_probe, 5000 bytes" },
	{ "bind_into_held_group", EBUSY, row_bind_into_held_group,
	  "e1000/bind of a member while a container holds the group" },
};

static const char *answer(int rc)
{
	return rc ? errno_name(-rc) : "ok";
}

int main(void)
{
	char drv[DRV_NAME_LEN], path[32], first[200];
	int kfd, rc, fails = 0, reports;
	unsigned int i;

	memset(long_str, 'a', LONG_LEN);
	printf("TAP version 13\n1..%zu\n", ARRAY_SIZE(rows));
	group_id = _pci_group(DEV_E1000_A);
	rc = group_id < 0 ? group_id : _pci_reprobe(DEV_E1000_A, "vfio-pci");
	if (!rc) {
		snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
		rc = _path_wait(path, 5000);
	}
	if (!rc)
		rc = _pci_driver(DEV_E1000_B, drv, sizeof(drv));
	if (!rc && drv[0])
		rc = _pci_unbind(drv, DEV_E1000_B);
	kfd = rc ? rc : _kmsg_open();
	if (kfd < 0) {
		printf("Bail out! setup (%s on vfio-pci, %s driverless): %s\n",
		       DEV_E1000_A, DEV_E1000_B, errno_name(-kfd));
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ctx c = { -1, -1, -1, -1 };
		bool pass;

		if (rows[i].fn == row_bind_into_held_group && !has_series() &&
		    cmdline_ul("dmaown.badinput_fatal", 0) != 1) {
			printf("# badinput|%s|not run|%s|0|%s\n", rows[i].id,
			       answer(-rows[i].want), rows[i].what);
			printf("ok %u %s # SKIP no DMA ownership here: vfio's BUG_ON (dmaown.badinput_fatal=1 runs it)\n",
			       i + 1, rows[i].id);
			continue;
		}
		fflush(stdout);	/* what ran before, should the kernel die here */

		rc = rows[i].fn(&c);
		ctx_close(&c);
		reports = _kmsg_reports(kfd, first, sizeof(first));
		pass = rc == -rows[i].want && reports == 0;
		fails += !pass;
		printf("# badinput|%s|%s|%s|%d|%s\n", rows[i].id, answer(rc),
		       answer(-rows[i].want), reports, rows[i].what);
		if (reports > 0)
			printf("# %s: kernel report: %s\n", rows[i].id, first);
		printf("%sok %u %s\n", pass ? "" : "not ", i + 1, rows[i].id);
	}
	for (i = 0; i < 2; i++) {
		const char *bdf = i ? DEV_E1000_B : DEV_E1000_A;

		rc = _pci_restore_netdev(bdf, "e1000", 5000);
		if (rc) {
			printf("# put %s back on e1000: %s\n", bdf, errno_name(-rc));
			fails++;
		}
	}
	printf("# %zu rows, %d not as documented\n", ARRAY_SIZE(rows), fails);
	return fails ? 1 : 0;
}
