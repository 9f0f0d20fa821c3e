/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest/vfio.h - a VFIO type1 user: container, group, DMA map, device fd.
 *
 * The single steps return 0 on success and -errno on failure and never
 * print. _vfio_dev_open() runs them all in order, as vfio-client and the
 * tests do, and reports each step to an optional callback. Test-side
 * wrappers that assert or expect a failure are in selftest.h.
 */
#ifndef GUEST_VFIO_H
#define GUEST_VFIO_H

#include <stddef.h>
#include <stdint.h>

#include "sysfs.h"

/* The DMA mapping the sequence makes and removes again. */
#define VFIO_TEST_IOVA	0x10000000ULL	/* clear of x86's MSI and SMMU's SW_MSI windows */
#define VFIO_TEST_SIZE	0x100000ULL

struct vfio_dev {
	char bdf[PCI_ADDR_LEN];
	int group_id;		/* IOMMU group number, -1 until known */
	int container;		/* file descriptors, -1 when closed */
	int group;
	int device;
	void *buf;		/* the buffer mapped for DMA, NULL when none */
	uint32_t group_flags;	/* VFIO_GROUP_FLAGS_* seen last */
	uint16_t vendor;	/* read through the config space region */
	uint16_t devid;
	const char *step;	/* the step attempted last */
	char info[160];		/* what that step found, "" when nothing */
};

/* Called after every step of _vfio_dev_open() / _vfio_dev_close(). */
typedef void (*vfio_report_t)(const struct vfio_dev *v, int rc);

void vfio_dev_init(struct vfio_dev *v, const char *bdf);

/* Open /dev/vfio/vfio into *@fd. */
int _vfio_container_open(int *fd);
/* VFIO_GET_API_VERSION must be VFIO_API_VERSION, else -EPROTO. */
int _vfio_check_api(int container);
/* VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU), -EOPNOTSUPP if absent. */
int _vfio_check_type1v2(int container);
/* Open /dev/vfio/<group_id> into *@fd. */
int _vfio_group_open(int group_id, int *fd);
int _vfio_group_status(int group, uint32_t *flags);
/* Open /dev/vfio/<group_id>, VFIO_GROUP_GET_STATUS into *@flags, close. */
int _vfio_group_flags(int group_id, uint32_t *flags);
int _vfio_group_set_container(int group, int container);
int _vfio_group_unset_container(int group);
int _vfio_set_iommu(int container, int type);
int _vfio_map_dma(int container, void *vaddr, uint64_t iova, uint64_t size);
/* Unmap; *@unmapped gets the size the kernel says it unmapped. */
int _vfio_unmap_dma(int container, uint64_t iova, uint64_t size,
		    uint64_t *unmapped);
/* VFIO_GROUP_GET_DEVICE_FD for @bdf into *@fd. */
int _vfio_device_fd(int group, const char *bdf, int *fd);
/* Vendor and device id from the config space region. */
int _vfio_config_ids(int device, uint16_t *vendor, uint16_t *devid);

/*
 * Everything, in order: iommu_group, open_container, api_version,
 * type1v2_extension, open_group, group_status, set_container,
 * group_status_set, set_iommu, map_dma, unmap_dma, get_device_fd,
 * config_read (ids compared with sysfs). Stops at the first failure and
 * returns its -errno with v->step naming it; what was opened stays open
 * for _vfio_dev_close().
 */
int _vfio_dev_open(struct vfio_dev *v, vfio_report_t report);
/* Close whatever is open (step "close"); returns the first error. */
int _vfio_dev_close(struct vfio_dev *v, vfio_report_t report);

#endif
