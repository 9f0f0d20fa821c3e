// SPDX-License-Identifier: GPL-2.0
/*
 * guest/demo.c - the scenario of `make demo`: bind a kernel driver to a
 * device whose IOMMU group a VFIO container holds.
 *
 *   1. both e1000 of the shared group go to vfio-pci;
 *   2. a container takes the group: SET_CONTAINER, SET_IOMMU (type1v2);
 *   3. DEV_E1000_B is unbound from vfio-pci (its driver_override cleared);
 *   4. `e1000` is bound to it through /sys/bus/pci/drivers/e1000/bind.
 *
 * On the unpatched base, step 4 reaches vfio's group notifier, which hits
 * BUG_ON (drivers/vfio/vfio.c:698) and the kernel dies. With the series the
 * bind fails with EBUSY and no driver is bound. Afterwards the container is
 * released and both devices go back to e1000.
 *
 * Prints, for scripts/demo.sh (flushed line by line, so what was printed
 * before a crash is in the log):
 *   # demo: bind e1000 returned: 0 | -EBUSY (Device or resource busy) | ...
 *   # demo: driver bound: e1000 | none | ...
 * Exit: 0 the bind was refused with EBUSY and nothing bound, 1 otherwise
 * (including any setup step failing), 2 bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/vfio.h>

#include "common.h"
#include "devices.h"
#include "vfio.h"

static int step(const char *what, int rc)
{
	if (rc < 0)
		printf("# demo: %s: %s (%s)\n", what, errno_name(-rc), strerror(-rc));
	else
		printf("# demo: %s: ok\n", what);
	return rc;
}

int main(int argc, char **argv)
{
	char drv[DRV_NAME_LEN];
	struct vfio_dev v;
	int rc, bind, ret = 1;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: demo\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (step("e1000 " DEV_E1000_A " -> vfio-pci", _pci_reprobe(DEV_E1000_A, "vfio-pci")) < 0 ||
	    step("e1000 " DEV_E1000_B " -> vfio-pci", _pci_reprobe(DEV_E1000_B, "vfio-pci")) < 0)
		goto restore;

	vfio_dev_init(&v, DEV_E1000_A);
	v.group_id = _pci_group(DEV_E1000_A);
	if (step("find the group", v.group_id) < 0 ||
	    step("open the container", _vfio_container_open(&v.container)) < 0 ||
	    step("open the group", _vfio_group_open(v.group_id, &v.group)) < 0 ||
	    step("SET_CONTAINER", _vfio_group_set_container(v.group, v.container)) < 0 ||
	    step("SET_IOMMU type1v2", _vfio_set_iommu(v.container, VFIO_TYPE1v2_IOMMU)) < 0)
		goto release;
	printf("# demo: a container holds group %d\n", v.group_id);

	if (step("clear driver_override of " DEV_E1000_B,
		 _pci_driver_override(DEV_E1000_B, NULL)) < 0 ||
	    step("unbind " DEV_E1000_B " from vfio-pci", _pci_unbind("vfio-pci", DEV_E1000_B)) < 0)
		goto release;

	printf("# demo: binding e1000 to %s\n", DEV_E1000_B);
	bind = _pci_bind("e1000", DEV_E1000_B);
	if (bind < 0)
		printf("# demo: bind e1000 returned: -%s (%s)\n", errno_name(-bind), strerror(-bind));
	else
		printf("# demo: bind e1000 returned: 0\n");
	rc = _pci_driver(DEV_E1000_B, drv, sizeof(drv));
	if (rc < 0)
		snprintf(drv, sizeof(drv), "? (%s)", errno_name(-rc));
	printf("# demo: driver bound: %s\n", drv[0] ? drv : "none");
	ret = (bind == -EBUSY && rc == 0 && !drv[0]) ? 0 : 1;

release:
	_vfio_dev_close(&v, NULL);
restore:
	step("restore " DEV_E1000_A, _pci_restore(DEV_E1000_A, "e1000"));
	step("restore " DEV_E1000_B, _pci_restore(DEV_E1000_B, "e1000"));
	return ret;
}
