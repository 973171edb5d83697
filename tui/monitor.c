/* libudev monitor for the dashboard (see monitor.h). */
#include <libudev.h>
#include <stdlib.h>
#include <unistd.h>

#include "monitor.h"

struct monitor {
	struct udev *udev;
	struct udev_monitor *mon;
};

struct monitor *monitor_open(void)
{
	struct monitor *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->udev = udev_new();
	if (!m->udev)
		goto fail;
	/* without udevd the kernel's own uevents still arrive */
	const char *source = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel";
	m->mon = udev_monitor_new_from_netlink(m->udev, source);
	if (!m->mon)
		goto fail;
	static const char *const subsystems[] = {"misc", "pci", "module", "vfio", NULL};
	for (size_t i = 0; subsystems[i]; i++)
		udev_monitor_filter_add_match_subsystem_devtype(m->mon, subsystems[i], NULL);
	if (udev_monitor_enable_receiving(m->mon) < 0)
		goto fail;
	return m;
fail:
	monitor_close(m);
	return NULL;
}

int monitor_fd(const struct monitor *m)
{
	return udev_monitor_get_fd(m->mon);
}

bool monitor_drain(struct monitor *m)
{
	bool any = false;
	struct udev_device *d;
	while ((d = udev_monitor_receive_device(m->mon))) {
		any = true;
		udev_device_unref(d);
	}
	return any;
}

void monitor_close(struct monitor *m)
{
	if (!m)
		return;
	if (m->mon)
		udev_monitor_unref(m->mon);
	if (m->udev)
		udev_unref(m->udev);
	free(m);
}
