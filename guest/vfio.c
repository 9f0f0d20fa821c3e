// SPDX-License-Identifier: GPL-2.0
/*
 * guest/vfio.c - a VFIO type1 user: container, group, DMA map, device fd.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vfio.h"

void vfio_dev_init(struct vfio_dev *v, const char *bdf)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->bdf, sizeof(v->bdf), "%s", bdf);
	v->group_id = -1;
	v->container = -1;
	v->group = -1;
	v->device = -1;
}

int _vfio_container_open(int *fd)
{
	*fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

int _vfio_check_api(int container)
{
	int ver = ioctl(container, VFIO_GET_API_VERSION);

	if (ver < 0)
		return -errno;
	return ver == VFIO_API_VERSION ? 0 : -EPROTO;
}

int _vfio_check_type1v2(int container)
{
	int ret = ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);

	if (ret < 0)
		return -errno;
	return ret ? 0 : -EOPNOTSUPP;
}

int _vfio_group_open(int group_id, int *fd)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	*fd = open(path, O_RDWR | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

int _vfio_group_status(int group, uint32_t *flags)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st))
		return -errno;
	*flags = st.flags;
	return 0;
}

int _vfio_group_flags(int group_id, uint32_t *flags)
{
	int fd, rc;

	rc = _vfio_group_open(group_id, &fd);
	if (rc)
		return rc;
	rc = _vfio_group_status(fd, flags);
	close(fd);
	return rc;
}

int _vfio_group_set_container(int group, int container)
{
	return ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ? -errno : 0;
}

int _vfio_group_unset_container(int group)
{
	return ioctl(group, VFIO_GROUP_UNSET_CONTAINER) ? -errno : 0;
}

int _vfio_set_iommu(int container, int type)
{
	return ioctl(container, VFIO_SET_IOMMU, type) ? -errno : 0;
}

int _vfio_map_dma(int container, void *vaddr, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

int _vfio_unmap_dma(int container, uint64_t iova, uint64_t size,
		    uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -errno;
	*unmapped = unmap.size;
	return 0;
}

int _vfio_device_fd(int group, const char *bdf, int *fd)
{
	*fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	return *fd < 0 ? -errno : 0;
}

int _vfio_config_ids(int device, uint16_t *vendor, uint16_t *devid)
{
	struct vfio_region_info reg = {
		.argsz = sizeof(reg),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	uint16_t ids[2];
	ssize_t n;

	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg))
		return -errno;
	if (!(reg.flags & VFIO_REGION_INFO_FLAG_READ) || reg.size < sizeof(ids))
		return -EINVAL;
	n = pread(device, ids, sizeof(ids), reg.offset);
	if (n < 0)
		return -errno;
	if (n != sizeof(ids))
		return -EIO;
	/* Config space reads come back little-endian, as on the bus. */
	*vendor = le16toh(ids[0]);
	*devid = le16toh(ids[1]);
	return 0;
}

__attribute__((format(printf, 2, 3)))
static void info(struct vfio_dev *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->info, sizeof(v->info), fmt, ap);
	va_end(ap);
}

static const char *flag_names(uint32_t flags)
{
	static const char *const names[] = {
		"", " viable", " container_set", " viable container_set",
	};

	return names[flags & 3];
}

/* Run one step: record its name, clear info, report, stop on failure. */
#define STEP(name, expr) do {			\
	v->step = (name);			\
	v->info[0] = '\0';			\
	rc = (expr);				\
	if (report)				\
		report(v, rc);			\
	if (rc < 0)				\
		return rc;			\
} while (0)

static int find_group(struct vfio_dev *v)
{
	int rc = _pci_group(v->bdf);

	if (rc < 0)
		return rc;
	v->group_id = rc;
	info(v, "group %d", rc);
	return 0;
}

static int group_status(struct vfio_dev *v, uint32_t want)
{
	int rc = _vfio_group_status(v->group, &v->group_flags);

	if (rc)
		return rc;
	info(v, "flags 0x%x%s", v->group_flags, flag_names(v->group_flags));
	/* After SET_CONTAINER the kernel must say so. */
	return (v->group_flags & want) == want ? 0 : -EPROTO;
}

static int map_dma(struct vfio_dev *v)
{
	v->buf = mmap(NULL, VFIO_TEST_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->buf == MAP_FAILED) {
		v->buf = NULL;
		return -errno;
	}
	info(v, "iova 0x%llx size 0x%llx", VFIO_TEST_IOVA, VFIO_TEST_SIZE);
	return _vfio_map_dma(v->container, v->buf, VFIO_TEST_IOVA, VFIO_TEST_SIZE);
}

static int unmap_dma(struct vfio_dev *v)
{
	uint64_t unmapped = 0;
	int rc;

	rc = _vfio_unmap_dma(v->container, VFIO_TEST_IOVA, VFIO_TEST_SIZE, &unmapped);
	if (rc)
		return rc;
	info(v, "unmapped 0x%llx", (unsigned long long)unmapped);
	return unmapped == VFIO_TEST_SIZE ? 0 : -EIO;
}

static int config_read(struct vfio_dev *v)
{
	unsigned int vendor, devid;
	int rc;

	rc = _vfio_config_ids(v->device, &v->vendor, &v->devid);
	if (rc)
		return rc;
	rc = _pci_read_hex(v->bdf, "vendor", &vendor);
	if (!rc)
		rc = _pci_read_hex(v->bdf, "device", &devid);
	if (rc)
		return rc;
	info(v, "vendor 0x%04x device 0x%04x (sysfs 0x%04x 0x%04x)",
	     v->vendor, v->devid, vendor, devid);
	return v->vendor == vendor && v->devid == devid ? 0 : -EIO;
}

int _vfio_dev_open(struct vfio_dev *v, vfio_report_t report)
{
	int rc;

	STEP("iommu_group", find_group(v));
	STEP("open_container", _vfio_container_open(&v->container));
	STEP("api_version", _vfio_check_api(v->container));
	STEP("type1v2_extension", _vfio_check_type1v2(v->container));
	STEP("open_group", _vfio_group_open(v->group_id, &v->group));
	STEP("group_status", group_status(v, 0));
	STEP("set_container", _vfio_group_set_container(v->group, v->container));
	STEP("group_status_set", group_status(v, VFIO_GROUP_FLAGS_CONTAINER_SET));
	STEP("set_iommu", _vfio_set_iommu(v->container, VFIO_TYPE1v2_IOMMU));
	STEP("map_dma", map_dma(v));
	STEP("unmap_dma", unmap_dma(v));
	STEP("get_device_fd", _vfio_device_fd(v->group, v->bdf, &v->device));
	STEP("config_read", config_read(v));
	return 0;
}

static int close_fd(int *fd)
{
	int rc = 0;

	if (*fd >= 0 && close(*fd))
		rc = -errno;
	*fd = -1;
	return rc;
}

static int close_all(struct vfio_dev *v)
{
	int rc = 0, r;

	/* Device first: the group cannot let go of the container before. */
	r = close_fd(&v->device);
	rc = rc ? rc : r;
	r = close_fd(&v->group);
	rc = rc ? rc : r;
	r = close_fd(&v->container);
	rc = rc ? rc : r;
	if (v->buf && munmap(v->buf, VFIO_TEST_SIZE) && !rc)
		rc = -errno;
	v->buf = NULL;
	return rc;
}

int _vfio_dev_close(struct vfio_dev *v, vfio_report_t report)
{
	int rc;

	STEP("close", close_all(v));
	return 0;
}
