/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest/selftest.h - kselftest_harness wrappers over sysfs.h, vfio.h and
 * proc.h.
 *
 * Each wrapper is named after the library function without its leading
 * underscore:
 *   pci_unbind(drv, bdf)          must succeed (value-returning ones yield it)
 *   pci_unbind_err(E, drv, bdf)   must fail with errno E
 * A miss logs the call, the device and the errno, marks the test failed and
 * returns from the test function. It does not abort() like ASSERT_*: the
 * 5.10 harness skips FIXTURE_TEARDOWN after an ASSERT, and the teardowns
 * here are what put the devices back on their boot drivers. So use these
 * only in a TEST / TEST_F body, a FIXTURE_SETUP (a failure there skips the
 * test and its teardown, so fail before changing anything) or a
 * FIXTURE_TEARDOWN, not in helpers.
 */
#ifndef GUEST_SELFTEST_H
#define GUEST_SELFTEST_H

#include <string.h>

/*
 * 5.10's harness leaves parameters unused (TEST()'s variant, the timeout
 * handler's ucontext); -Wextra would stop the build. Test programs only.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"

#include "common.h"
#include "devices.h"
#include "kmsg.h"
#include "proc.h"
#include "sysfs.h"
#include "vfio.h"

/* Fail the test and return unless @cond holds. */
#define REQUIRE(cond, fmt, ...) do {					\
	if (!(cond)) {							\
		TH_LOG(fmt, ##__VA_ARGS__);				\
		_metadata->passed = 0;					\
		return;							\
	}								\
} while (0)

/* @expr returns >= 0 or -errno; yields the value. */
#define CHECK_OK(expr, fmt, ...) ({					\
	int __rc = (expr);						\
	REQUIRE(__rc >= 0, fmt ": %s (%s)", ##__VA_ARGS__,		\
		errno_name(-__rc), strerror(-__rc));			\
	__rc;								\
})

/* @expr must fail with -@err. */
#define CHECK_ERR(err, expr, fmt, ...) do {				\
	int __rc = (expr);						\
	REQUIRE(__rc == -(err), fmt ": expected %s, got %s", ##__VA_ARGS__, \
		errno_name(err), __rc < 0 ? errno_name(-__rc) : "success"); \
} while (0)

/* sysfs.h */
#define pci_driver(bdf, drv) \
	CHECK_OK(_pci_driver(bdf, drv, sizeof(drv)), "read driver of %s", bdf)
#define pci_bind(drv, bdf) \
	CHECK_OK(_pci_bind(drv, bdf), "bind %s to %s", bdf, drv)
#define pci_bind_err(e, drv, bdf) \
	CHECK_ERR(e, _pci_bind(drv, bdf), "bind %s to %s", bdf, drv)
#define pci_unbind(drv, bdf) \
	CHECK_OK(_pci_unbind(drv, bdf), "unbind %s from %s", bdf, drv)
#define pci_unbind_err(e, drv, bdf) \
	CHECK_ERR(e, _pci_unbind(drv, bdf), "unbind %s from %s", bdf, drv)
#define pci_driver_override(bdf, drv) \
	CHECK_OK(_pci_driver_override(bdf, drv), "driver_override of %s", bdf)
#define pci_drivers_probe(bdf) \
	CHECK_OK(_pci_drivers_probe(bdf), "drivers_probe %s", bdf)
#define pci_reprobe(bdf, ovr) \
	CHECK_OK(_pci_reprobe(bdf, ovr), "reprobe %s with driver_override '%s'", \
		 bdf, (ovr) ? (ovr) : "")
#define pci_reprobe_err(e, bdf, ovr) \
	CHECK_ERR(e, _pci_reprobe(bdf, ovr), "reprobe %s with driver_override '%s'", \
		  bdf, (ovr) ? (ovr) : "")
#define pci_restore(bdf, drv) \
	CHECK_OK(_pci_restore(bdf, drv), "put %s back on %s", bdf, drv)
#define pci_group(bdf) \
	CHECK_OK(_pci_group(bdf), "IOMMU group of %s", bdf)
#define pci_group_err(e, bdf) \
	CHECK_ERR(e, _pci_group(bdf), "IOMMU group of %s", bdf)
#define pci_group_members(g, bdfs) \
	CHECK_OK(_pci_group_members(g, bdfs, ARRAY_SIZE(bdfs)), \
		 "members of IOMMU group %d", g)
#define pci_netdev(bdf, name) \
	CHECK_OK(_pci_netdev(bdf, name, sizeof(name)), "netdev of %s", bdf)
#define pci_netdev_err(e, bdf, name) \
	CHECK_ERR(e, _pci_netdev(bdf, name, sizeof(name)), "netdev of %s", bdf)
#define pci_netdev_wait(bdf, ms) \
	CHECK_OK(_pci_netdev_wait(bdf, ms), "wait for a netdev of %s", bdf)
#define path_wait(path, ms) \
	CHECK_OK(_path_wait(path, ms), "wait for %s", path)

/* Assert that @bdf is bound to @want ("" = to nothing). */
#define pci_expect_driver(bdf, want) do {				\
	char __drv[DRV_NAME_LEN];					\
	pci_driver(bdf, __drv);						\
	REQUIRE(!strcmp(__drv, want), "%s: bound to '%s', expected '%s'", \
		bdf, __drv, want);					\
} while (0)

/* vfio.h */
#define vfio_dev_open(v) \
	CHECK_OK(_vfio_dev_open(v, NULL), "vfio %s: step %s (%s)", \
		 (v)->bdf, (v)->step, (v)->info)
#define vfio_dev_open_err(e, v) \
	CHECK_ERR(e, _vfio_dev_open(v, NULL), "vfio %s: step %s (%s)", \
		  (v)->bdf, (v)->step, (v)->info)
#define vfio_dev_close(v) \
	CHECK_OK(_vfio_dev_close(v, NULL), "vfio %s: close", (v)->bdf)
#define vfio_group_open(g, fd) \
	CHECK_OK(_vfio_group_open(g, fd), "open /dev/vfio/%d", g)
#define vfio_group_open_err(e, g, fd) \
	CHECK_ERR(e, _vfio_group_open(g, fd), "open /dev/vfio/%d", g)
#define vfio_container_open(fd) \
	CHECK_OK(_vfio_container_open(fd), "open /dev/vfio/vfio")
#define vfio_group_status(g, flags) \
	CHECK_OK(_vfio_group_status(g, flags), "VFIO_GROUP_GET_STATUS")
#define vfio_group_flags(g, flags) \
	CHECK_OK(_vfio_group_flags(g, flags), "VFIO_GROUP_GET_STATUS of group %d", g)
#define vfio_group_set_container(g, c) \
	CHECK_OK(_vfio_group_set_container(g, c), "VFIO_GROUP_SET_CONTAINER")
#define vfio_group_set_container_err(e, g, c) \
	CHECK_ERR(e, _vfio_group_set_container(g, c), "VFIO_GROUP_SET_CONTAINER")
#define vfio_group_unset_container(g) \
	CHECK_OK(_vfio_group_unset_container(g), "VFIO_GROUP_UNSET_CONTAINER")
#define vfio_set_iommu(c, type) \
	CHECK_OK(_vfio_set_iommu(c, type), "VFIO_SET_IOMMU %d", type)
#define vfio_map_dma(c, vaddr, iova, size) \
	CHECK_OK(_vfio_map_dma(c, vaddr, iova, size), "VFIO_IOMMU_MAP_DMA iova 0x%llx", \
		 (unsigned long long)(iova))
#define vfio_unmap_dma(c, iova, size, unmapped) \
	CHECK_OK(_vfio_unmap_dma(c, iova, size, unmapped), "VFIO_IOMMU_UNMAP_DMA iova 0x%llx", \
		 (unsigned long long)(iova))
#define vfio_device_fd(g, bdf, fd) \
	CHECK_OK(_vfio_device_fd(g, bdf, fd), "VFIO_GROUP_GET_DEVICE_FD %s", bdf)
#define vfio_config_ids(dev, vendor, devid) \
	CHECK_OK(_vfio_config_ids(dev, vendor, devid), "config space read")

/*
 * For a FIXTURE_TEARDOWN: put the two e1000 of the shared group back on
 * e1000 as at boot, each with its netdev; a miss fails the test.
 */
static inline void restore_shared_group(struct __test_metadata *_metadata)
{
	static const char *const bdfs[] = { DEV_E1000_A, DEV_E1000_B };
	unsigned int i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(bdfs); i++) {
		rc = _pci_restore_netdev(bdfs[i], "e1000", 5000);
		if (rc) {
			TH_LOG("teardown: put %s back on e1000: %s", bdfs[i],
			       errno_name(-rc));
			_metadata->passed = 0;
		}
	}
}

/* proc.h */
#define proc_spawn(argv, in, out) \
	CHECK_OK(_proc_spawn(argv, in, out), "spawn %s", (argv)[0])

#endif
