// SPDX-License-Identifier: GPL-2.0
/*
 * guest/bench.c - what DMA ownership costs on the paths it touches, timed
 * in the x86_64 guest (make bench; scripts/bench.sh boots the unpatched
 * base and the series alternately and compares). Runs only when named
 * (dmaown.tests=bench); it asserts nothing about time.
 *
 *   bind_unbind    unbind e1000 from DEV_E1000_A and bind it again: the
 *                  driver core's bind and unbind, and with the series the
 *                  group's kernel-user count (use/unuse default domain);
 *                  also each half (unbind, bind);
 *   vfio_cycle     on the shared group (bridge + two e1000, both e1000 on
 *                  vfio-pci): open the container and the group,
 *                  SET_CONTAINER, SET_IOMMU type1v2, GET_DEVICE_FD, close
 *                  device, group and container; each step is timed too
 *                  (vfio_<step>), so that a difference can be placed,
 *                  and vfio_group_cycle is the cycle without the two
 *                  device steps (whose vfio-pci enable and disable reset
 *                  the device and sleep);
 *   dma_map_unmap  a 4 KiB VFIO_IOMMU_MAP_DMA + UNMAP_DMA pair on that
 *                  container, in rounds of DMA_PAIRS pairs.
 *
 * Prints, for each, one line
 *   bench: <name> median_ns=<m> min_ns=<a> max_ns=<b> n=<samples>
 * after WARMUP untimed runs. Before each timed unbind, bind and vfio_cycle
 * it sleeps a pseudo-random 0-8 ms (not timed): e1000's probe and
 * vfio-pci's reset sleep in whole ticks (4 ms at HZ=250), so a cycle that
 * always starts at the same phase of the tick would turn a few
 * microseconds of difference into whole ticks, one way or the other.
 * Exit 0, or 1 when a step fails (the line `bench: error: ...` says which).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include <linux/vfio.h>

#include "common.h"
#include "devices.h"
#include "sysfs.h"
#include "vfio.h"

#define WARMUP		3
#define BIND_CYCLES	60
#define VFIO_CYCLES	100
#define DMA_ROUNDS	15
#define DMA_PAIRS	1000
#define DMA_SIZE	4096ULL

enum vfio_step {
	S_OPEN, S_SET_CONTAINER, S_SET_IOMMU, S_GET_DEVICE_FD, S_CLOSE_DEVICE,
	S_CLOSE_GROUP, S_CLOSE_CONTAINER, S_STEPS
};

static const char *const step_name[S_STEPS] = {
	"open", "set_container", "set_iommu", "get_device_fd", "close_device",
	"close_group", "close_container",
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Print the line of @name for the @n samples of @v (sorted in place). */
static void report(const char *name, uint64_t *v, int n)
{
	uint64_t med;

	qsort(v, n, sizeof(*v), cmp_u64);
	med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("bench: %s median_ns=%llu min_ns=%llu max_ns=%llu n=%d\n", name,
	       (unsigned long long)med, (unsigned long long)v[0],
	       (unsigned long long)v[n - 1], n);
	fflush(stdout);
}

/* A pseudo-random 0-8 ms pause, the same sequence in every boot. */
static void dephase(void)
{
	static unsigned int seed = 1;

	usleep(rand_r(&seed) % 8000);
}

static int fail(const char *what, int rc)
{
	printf("bench: error: %s: %s\n", what, errno_name(-rc));
	return 1;
}

static int bench_bind_unbind(void)
{
	uint64_t t[BIND_CYCLES], tu[BIND_CYCLES], tb[BIND_CYCLES];
	int i, rc;

	for (i = -WARMUP; i < BIND_CYCLES; i++) {
		uint64_t t0, t1, t2, t3;

		dephase();
		t0 = now_ns();
		rc = _pci_unbind("e1000", DEV_E1000_A);
		if (rc)
			return fail("unbind e1000 from " DEV_E1000_A, rc);
		t1 = now_ns();
		/* unbind ends on a tick (it sleeps): start the bind off it too */
		dephase();
		t2 = now_ns();
		rc = _pci_bind("e1000", DEV_E1000_A);
		if (rc)
			return fail("bind e1000 to " DEV_E1000_A, rc);
		t3 = now_ns();
		if (i >= 0) {
			tu[i] = t1 - t0;
			tb[i] = t3 - t2;
			t[i] = tu[i] + tb[i];
		}
	}
	report("bind_unbind", t, BIND_CYCLES);
	report("unbind", tu, BIND_CYCLES);
	report("bind", tb, BIND_CYCLES);
	return 0;
}

/* One vfio_cycle; @t gets each step's time. */
static int vfio_cycle(int group_id, uint64_t *t)
{
	int container = -1, group = -1, device = -1, rc;
	uint64_t t0 = now_ns(), t1;

#define STEP(s, what, call) do {				\
		rc = (call);					\
		t1 = now_ns();					\
		t[s] = t1 - t0;					\
		t0 = t1;					\
		if (rc) {					\
			fail(what, rc);				\
			goto out;				\
		}						\
	} while (0)

	STEP(S_OPEN, "open container and group",
	     _vfio_container_open(&container) ?: _vfio_group_open(group_id, &group));
	STEP(S_SET_CONTAINER, "VFIO_GROUP_SET_CONTAINER",
	     _vfio_group_set_container(group, container));
	STEP(S_SET_IOMMU, "VFIO_SET_IOMMU", _vfio_set_iommu(container, VFIO_TYPE1v2_IOMMU));
	STEP(S_GET_DEVICE_FD, "VFIO_GROUP_GET_DEVICE_FD",
	     _vfio_device_fd(group, DEV_E1000_A, &device));
	STEP(S_CLOSE_DEVICE, "close device", close(device) ? -errno : 0);
	device = -1;
	STEP(S_CLOSE_GROUP, "close group", close(group) ? -errno : 0);
	group = -1;
	STEP(S_CLOSE_CONTAINER, "close container", close(container) ? -errno : 0);
	container = -1;
#undef STEP
out:
	close_fd(&device);
	close_fd(&group);
	close_fd(&container);
	return rc ? 1 : 0;
}

static int bench_vfio(int group_id)
{
	static uint64_t steps[S_STEPS][VFIO_CYCLES];
	uint64_t total[VFIO_CYCLES], nodev[VFIO_CYCLES], t[S_STEPS];
	char name[40];
	int i, s;

	for (i = -WARMUP; i < VFIO_CYCLES; i++) {
		dephase();
		if (vfio_cycle(group_id, t))
			return 1;
		if (i < 0)
			continue;
		total[i] = 0;
		for (s = 0; s < S_STEPS; s++) {
			steps[s][i] = t[s];
			total[i] += t[s];
		}
		nodev[i] = total[i] - t[S_GET_DEVICE_FD] - t[S_CLOSE_DEVICE];
	}
	report("vfio_cycle", total, VFIO_CYCLES);
	report("vfio_group_cycle", nodev, VFIO_CYCLES);
	for (s = 0; s < S_STEPS; s++) {
		snprintf(name, sizeof(name), "vfio_%s", step_name[s]);
		report(name, steps[s], VFIO_CYCLES);
	}
	return 0;
}

static int bench_dma(int group_id)
{
	int container = -1, group = -1, i, r, rc, ret = 1;
	uint64_t t[DMA_ROUNDS], unmapped;
	void *buf;

	buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return fail("mmap", -errno);
	rc = _vfio_container_open(&container);
	if (!rc)
		rc = _vfio_group_open(group_id, &group);
	if (!rc)
		rc = _vfio_group_set_container(group, container);
	if (!rc)
		rc = _vfio_set_iommu(container, VFIO_TYPE1v2_IOMMU);
	if (rc) {
		fail("container for DMA", rc);
		goto out;
	}
	for (r = -1; r < DMA_ROUNDS; r++) {
		uint64_t t0 = now_ns();

		for (i = 0; i < DMA_PAIRS; i++) {
			rc = _vfio_map_dma(container, buf, VFIO_TEST_IOVA, DMA_SIZE);
			if (!rc)
				rc = _vfio_unmap_dma(container, VFIO_TEST_IOVA,
						     DMA_SIZE, &unmapped);
			if (rc) {
				fail("VFIO_IOMMU_MAP_DMA + UNMAP_DMA", rc);
				goto out;
			}
		}
		/* Per pair; the first round warms up. */
		if (r >= 0)
			t[r] = (now_ns() - t0) / DMA_PAIRS;
	}
	report("dma_map_unmap", t, DMA_ROUNDS);
	ret = 0;
out:
	close_fd(&group);
	close_fd(&container);
	munmap(buf, DMA_SIZE);
	return ret;
}

int main(void)
{
	int group_id, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (bench_bind_unbind())
		return 1;

	/* The shared group to vfio-pci: both e1000 (the bridge has no driver). */
	group_id = _pci_group(DEV_E1000_A);
	if (group_id < 0)
		return fail("IOMMU group of " DEV_E1000_A, group_id);
	rc = _pci_reprobe(DEV_E1000_A, "vfio-pci");
	if (!rc)
		rc = _pci_reprobe(DEV_E1000_B, "vfio-pci");
	if (!rc)
		rc = _pci_driver_wait(DEV_E1000_B, "vfio-pci", 5000);
	if (rc)
		return fail("e1000 to vfio-pci", rc);
	if (bench_vfio(group_id) || bench_dma(group_id))
		return 1;

	rc = _pci_restore(DEV_E1000_A, "e1000");
	if (!rc)
		rc = _pci_restore(DEV_E1000_B, "e1000");
	if (rc)
		return fail("e1000 back", rc);
	return 0;
}
