// SPDX-License-Identifier: GPL-2.0
/*
 * guest/sysfs.c - driver binding and IOMMU groups through sysfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sysfs.h"

#define PCI_DEVICES	"/sys/bus/pci/devices"

int _sysfs_write(const char *path, const char *str)
{
	size_t len = strlen(str);
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, str, len);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	close(fd);
	return rc;
}

/* /sys/bus/<bus>/devices/<dev>[/<attr>] into @path. */
static void dev_path(char *path, size_t len, const char *bus, const char *dev,
		     const char *attr)
{
	snprintf(path, len, "/sys/bus/%s/devices/%s%s%s", bus, dev,
		 attr ? "/" : "", attr ? attr : "");
}

static int dev_exists(const char *bus, const char *dev)
{
	char path[PATH_MAX];

	dev_path(path, sizeof(path), bus, dev, NULL);
	return access(path, F_OK) ? -ENODEV : 0;
}

/* The last path component of the symlink @path into @buf. */
int _link_name(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

int _dev_driver(const char *bus, const char *dev, char *drv, size_t len)
{
	char path[PATH_MAX];
	int rc;

	rc = dev_exists(bus, dev);
	if (rc)
		return rc;
	dev_path(path, sizeof(path), bus, dev, "driver");
	rc = _link_name(path, drv, len);
	if (rc == -ENOENT) {
		drv[0] = '\0';
		return 0;
	}
	return rc;
}

/* Write @dev to /sys/bus/<bus>/drivers/<drv>/<file>. */
static int drv_write(const char *bus, const char *drv, const char *file,
		     const char *dev)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/%s", bus, drv, file);
	return _sysfs_write(path, dev);
}

int _dev_bind(const char *bus, const char *drv, const char *dev)
{
	return drv_write(bus, drv, "bind", dev);
}

int _dev_unbind(const char *bus, const char *drv, const char *dev)
{
	return drv_write(bus, drv, "unbind", dev);
}

int _dev_group(const char *bus, const char *dev)
{
	char path[PATH_MAX], name[32], *end;
	long group;
	int rc;

	rc = dev_exists(bus, dev);
	if (rc)
		return rc;
	dev_path(path, sizeof(path), bus, dev, "iommu_group");
	rc = _link_name(path, name, sizeof(name));
	if (rc)
		return rc;
	errno = 0;
	group = strtol(name, &end, 10);
	if (errno || *end || group < 0 || group > INT_MAX)
		return -EINVAL;
	return group;
}

int _pci_driver(const char *bdf, char *drv, size_t len)
{
	return _dev_driver("pci", bdf, drv, len);
}

int _pci_bind(const char *drv, const char *bdf)
{
	return _dev_bind("pci", drv, bdf);
}

int _pci_unbind(const char *drv, const char *bdf)
{
	return _dev_unbind("pci", drv, bdf);
}

int _dev_driver_override(const char *bus, const char *dev, const char *drv)
{
	char path[PATH_MAX];

	dev_path(path, sizeof(path), bus, dev, "driver_override");
	/* A lone newline clears the override. */
	return _sysfs_write(path, drv && drv[0] ? drv : "\n");
}

int _pci_driver_override(const char *bdf, const char *drv)
{
	return _dev_driver_override("pci", bdf, drv);
}

int _pci_drivers_probe(const char *bdf)
{
	return _sysfs_write("/sys/bus/pci/drivers_probe", bdf);
}

int _pci_reprobe(const char *bdf, const char *override)
{
	char drv[DRV_NAME_LEN];
	int rc;

	rc = _pci_driver_override(bdf, override);
	if (rc)
		return rc;
	rc = _pci_driver(bdf, drv, sizeof(drv));
	if (rc)
		return rc;
	if (drv[0]) {
		rc = _pci_unbind(drv, bdf);
		if (rc)
			return rc;
	}
	return _pci_drivers_probe(bdf);
}

int _dev_restore(const char *bus, const char *dev, const char *drv)
{
	char cur[DRV_NAME_LEN];
	int rc;

	rc = dev_exists(bus, dev);
	if (!rc)
		rc = _dev_driver_override(bus, dev, NULL);
	if (!rc)
		rc = _dev_driver(bus, dev, cur, sizeof(cur));
	if (rc || !strcmp(cur, drv))
		return rc;
	if (cur[0]) {
		rc = _dev_unbind(bus, cur, dev);
		if (rc)
			return rc;
	}
	return _dev_bind(bus, drv, dev);
}

int _pci_restore(const char *bdf, const char *drv)
{
	return _dev_restore("pci", bdf, drv);
}

int _pci_group(const char *bdf)
{
	return _dev_group("pci", bdf);
}

static int cmp_addr(const void *a, const void *b)
{
	return strcmp(a, b);
}

int _pci_group_members(int group, char (*bdfs)[PCI_ADDR_LEN], int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/devices", group);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		if (len >= PCI_ADDR_LEN) {	/* not a PCI address */
			closedir(dir);
			return -ENAMETOOLONG;
		}
		if (n < max)
			memcpy(bdfs[n], de->d_name, len + 1);
		n++;
	}
	closedir(dir);
	qsort(bdfs, n < max ? n : max, PCI_ADDR_LEN, cmp_addr);
	return n;
}

/*
 * The first entry of directory @path that @want accepts, into @name:
 * 0, @none if there is no such entry, or -errno.
 */
static int dir_first(const char *path, bool (*want)(const struct dirent *),
		     int none, char *name, size_t len)
{
	struct dirent *de;
	int rc = none;
	DIR *dir;

	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (!want(de))
			continue;
		rc = strlen(de->d_name) < len ? 0 : -ENAMETOOLONG;
		if (!rc)
			strcpy(name, de->d_name);
		break;
	}
	closedir(dir);
	return rc;
}

static bool not_dot(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

int _pci_netdev(const char *bdf, char *name, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/net", bdf);
	return dir_first(path, not_dot, -ENOENT, name, len);
}

/* A driver directory's devices are its links, less the driver's module. */
static bool bound_device(const struct dirent *de)
{
	return de->d_type == DT_LNK && strcmp(de->d_name, "module");
}

int _dev_first_bound(const char *bus, const char *drv, char *name, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s", bus, drv);
	return dir_first(path, bound_device, -ENODEV, name, len);
}

int _pci_children(const char *bdf, const char *prefix)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s", bdf);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	closedir(dir);
	return n;
}

int _pci_netdev_wait(const char *bdf, int ms)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/net", bdf);
	return _path_wait(path, ms);
}

int _path_read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int _path_read_ull(const char *path, int base, unsigned long long *val)
{
	char buf[32], *end;
	int rc;

	rc = _path_read_line(path, buf, sizeof(buf));
	if (rc)
		return rc;
	errno = 0;
	*val = strtoull(buf, &end, base);
	return errno || end == buf ? -EINVAL : 0;
}

int _pci_read_hex(const char *bdf, const char *attr, unsigned int *val)
{
	char path[PATH_MAX];
	unsigned long long v;
	int rc;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", bdf, attr);
	rc = _path_read_ull(path, 16, &v);
	if (rc)
		return rc;
	if (v > 0xffffffffULL)
		return -EINVAL;
	*val = v;
	return 0;
}

/*
 * Call @check(@a, @b) every 10 ms for up to @ms milliseconds until it
 * returns non-zero, and return that; -ETIMEDOUT if it never does.
 */
static int poll_ms(int (*check)(const char *a, const char *b),
		   const char *a, const char *b, int ms)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	int rc;

	for (;;) {
		rc = check(a, b);
		if (rc)
			return rc;
		if (ms <= 0)
			return -ETIMEDOUT;
		nanosleep(&tick, NULL);
		ms -= 10;
	}
}

/* 1 if @path exists, 0 if not yet, -errno on another error. */
static int path_exists(const char *path, const char *unused)
{
	(void)unused;
	if (!access(path, F_OK))
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

int _path_wait(const char *path, int ms)
{
	int rc = poll_ms(path_exists, path, NULL, ms);

	return rc < 0 ? rc : 0;
}

/* 1 if @bdf is bound to @drv, 0 if not, -errno on another error. */
static int driver_is(const char *bdf, const char *drv)
{
	char cur[DRV_NAME_LEN];
	int rc = _pci_driver(bdf, cur, sizeof(cur));

	return rc ? rc : !strcmp(cur, drv);
}

int _pci_driver_wait(const char *bdf, const char *drv, int ms)
{
	int rc = poll_ms(driver_is, bdf, drv, ms);

	return rc < 0 ? rc : 0;
}

int _pci_children_wait(const char *bdf, const char *prefix, int ms)
{
	return poll_ms(_pci_children, bdf, prefix, ms);
}

int _pci_restore_netdev(const char *bdf, const char *drv, int ms)
{
	int rc = _pci_restore(bdf, drv);

	return rc ?: _pci_netdev_wait(bdf, ms);
}

unsigned long cmdline_ul(const char *key, unsigned long def)
{
	char line[1024], *p, *save;
	size_t klen = strlen(key);

	if (_path_read_line("/proc/cmdline", line, sizeof(line)))
		return def;
	for (p = strtok_r(line, " ", &save); p; p = strtok_r(NULL, " ", &save))
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return strtoul(p + klen + 1, NULL, 10);
	return def;
}
