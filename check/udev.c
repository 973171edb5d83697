/* libudev's view of the device nodes: whether udev has processed each one
 * (its rules set the group and mode, e.g. kvm's 0660 root:kvm). The only
 * file that includes libudev on the host-inspection side. libudev reads the
 * running system's /sys and /run/udev only, so it is used for the live
 * host root alone. */
#include <libudev.h>
#include <sys/sysmacros.h>

#include "devices.h"

void udev_probe_devices(struct devices_facts *df)
{
	struct udev *udev = udev_new();

	if (!udev)
		return;
	for (int i = 0; i < df->n; i++) {
		struct device_fact *d = &df->devs[i];
		struct udev_device *dev;

		if (!d->present || !d->is_char)
			continue;
		dev = udev_device_new_from_devnum(udev, 'c', makedev(d->major, d->minor));
		if (!dev)
			continue;
		d->udev_known = true;
		d->udev_initialized = udev_device_get_is_initialized(dev) > 0;
		udev_device_unref(dev);
	}
	udev_unref(udev);
}
