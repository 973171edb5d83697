/* Binding PCI devices to vfio-pci for passthrough, through the kernel's
 * driver_override: the device's whole IOMMU group must be able to go to
 * VFIO, the previous driver is remembered under /run so that
 * --vfio-release gives the device back, and every step is checked by
 * reading the driver link again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "pci.h"
#include "setup.h"
#include "strutil.h"

static const struct pci_device_fact *find_device(const struct host_facts *f, const char *bdf)
{
	for (int i = 0; i < f->iommu.ndevs; i++)
		if (!strcmp(f->iommu.devs[i].bdf, bdf))
			return &f->iommu.devs[i];
	return NULL;
}

/* The group can go to VFIO if every member is already VFIO-compatible
 * (vfio-pci, pci-stub, a bridge, or no driver) or is being bound too. */
int vfio_check_group(const struct host_facts *f, const struct strlist *binding, const char *bdf,
		     struct kc_error *err)
{
	const struct pci_device_fact *d = find_device(f, bdf);

	if (!f->iommu.pci_scanned)
		return kc_error_set(err, 0, "--vfio %s: PCI devices cannot be listed (%s)", bdf,
				    f->iommu.pci_error);
	if (!d)
		return kc_error_set(
		    err, 0,
		    "--vfio %s: no such PCI device (use the full address, e.g. 0000:01:00.0)", bdf);
	if (d->iommu_group < 0)
		return kc_error_set(
		    err, 0,
		    "--vfio %s: the device is in no IOMMU group; enable the IOMMU first "
		    "(see `kata-check`)",
		    bdf);
	for (int i = 0; i < f->iommu.ndevs; i++) {
		const struct pci_device_fact *m = &f->iommu.devs[i];
		if (m->iommu_group != d->iommu_group || !strcmp(m->bdf, bdf) ||
		    strlist_contains(binding, m->bdf))
			continue;
		if (!m->driver[0] || pci_driver_is_vfio(m->driver) ||
		    !strcmp(m->driver, "pci-stub") || !strcmp(m->driver, "pcieport"))
			continue;
		return kc_error_set(
		    err, 0,
		    "--vfio %s: IOMMU group %d also holds %s, bound to %s; pass it too "
		    "(--vfio %s) or unbind it first",
		    bdf, d->iommu_group, m->bdf, m->driver, m->bdf);
	}
	return 0;
}

static int write_attr(const struct host_root *root, const char *path, const char *value,
		      struct kc_error *err)
{
	/* sysfs attributes are regular files: anything else planted in a host
	 * root (a FIFO would block the open) is refused */
	int fd = host_open(root, path, O_WRONLY | O_NONBLOCK);
	if (fd < 0)
		return kc_error_set(err, -fd, "cannot open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return kc_error_set(err, 0, "%s is not a sysfs attribute (not a regular file)",
				    path);
	}
	ssize_t n = write(fd, value, strlen(value));
	int e = errno;
	close(fd);
	if (n < 0)
		return kc_error_set(err, e, "writing '%s' to %s", value, path);
	return 0;
}

/* The driver bound to a device now, "" for none. */
static void current_driver(const struct host_root *root, const char *bdf, char *out, size_t len)
{
	char path[128], link[256];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	out[0] = '\0';
	if (host_readlink(root, path, link, sizeof(link)) == 0) {
		const char *base = strrchr(link, '/');
		str_copy(out, len, base ? base + 1 : link);
	}
}

int vfio_bind(const struct host_root *root, const struct host_facts *f, const char *bdf,
	      struct kc_error *err)
{
	char path[160], driver[64], state[160];
	const struct pci_device_fact *d = find_device(f, bdf);

	if (!d)
		return kc_error_set(err, 0, "%s: no such PCI device", bdf);
	current_driver(root, bdf, driver, sizeof(driver));
	if (pci_driver_is_vfio(driver))
		return 0;
	/* remember where it came from, for --vfio-release */
	snprintf(state, sizeof(state), "%s/%s", SETUP_VFIO_STATE_DIR, bdf);
	char content[80];
	snprintf(content, sizeof(content), "%s\n", driver);
	if (host_write_file(root, state, content, strlen(content), 0644, err) < 0)
		return -1;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
	if (write_attr(root, path, "vfio-pci", err) < 0)
		return -1;
	if (driver[0]) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		if (write_attr(root, path, bdf, err) < 0)
			return -1;
	}
	if (write_attr(root, "/sys/bus/pci/drivers_probe", bdf, err) < 0)
		return -1;
	current_driver(root, bdf, driver, sizeof(driver));
	if (!pci_driver_is_vfio(driver))
		return kc_error_set(
		    err, 0, "%s did not bind to vfio-pci (driver now: %s); is vfio_pci loaded?",
		    bdf, driver[0] ? driver : "none");
	return 0;
}

int vfio_release(const struct host_root *root, const char *bdf, char *driver, size_t len,
		 struct kc_error *err)
{
	char path[160], state[160], previous[64] = "", now[64];

	snprintf(state, sizeof(state), "%s/%s", SETUP_VFIO_STATE_DIR, bdf);
	host_read_attr(root, state, previous, sizeof(previous));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	if (!host_exists(root, path))
		return kc_error_set(err, 0, "%s: no such PCI device", bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
	/* a newline clears the override; the kernel then picks the default driver */
	if (write_attr(root, path, "\n", err) < 0)
		return -1;
	current_driver(root, bdf, now, sizeof(now));
	if (now[0]) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		if (write_attr(root, path, bdf, err) < 0)
			return -1;
	}
	if (write_attr(root, "/sys/bus/pci/drivers_probe", bdf, err) < 0)
		return -1;
	current_driver(root, bdf, now, sizeof(now));
	str_copy(driver, len, now);
	host_unlink(root, state, 0);
	if (previous[0] && strcmp(previous, now))
		return kc_error_set(err, 0, "%s is now bound to %s, not to %s as before", bdf,
				    now[0] ? now : "no driver", previous);
	return 0;
}
