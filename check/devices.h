/* Device nodes the runtime opens: /dev/kvm, /dev/vhost-net, /dev/vhost-vsock,
 * /dev/net/tun, /dev/vfio/vfio. */
#ifndef KC_DEVICES_H
#define KC_DEVICES_H

#include "facts.h"
#include "hostroot.h"

struct device_spec {
	const char *path;
	unsigned major, minor; /* the misc device numbers the kernel assigns */
	const char *module;    /* module that provides it */
};

extern const struct device_spec device_specs[];
extern const int n_device_specs;

void devices_probe(const struct host_root *root, struct devices_facts *df);

/* Parse a recorded `.kata-check/devices` table into df. 0, or -1 with the
 * line in df->record_error. */
int devices_parse_recording(const char *text, struct devices_facts *df);

const struct device_spec *device_spec_for(const char *path);

/* libudev's view of the nodes (udev.c); live host root only. */
void udev_probe_devices(struct devices_facts *df);

#endif
