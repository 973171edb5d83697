/* Device node rules for the nodes QEMU opens besides /dev/kvm (which the
 * KVM rules cover): vhost-net, vhost-vsock, tun, and vfio for passthrough. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "rules.h"

static const struct device_row {
	const char *path;
	const char *id;
	enum level missing;
	bool passthrough;
	const char *why;
} device_rows[] = {
    {"/dev/vhost-net", "devices.vhost-net", LEVEL_WARN, false,
     "QEMU opens it for vhost=on networking"},
    {"/dev/vhost-vsock", "devices.vhost-vsock", LEVEL_WARN, false,
     "QEMU opens it for the vsock agent channel"},
    {"/dev/net/tun", "devices.tun", LEVEL_FAIL, false,
     "tap devices for the VM's network are created through it"},
    {"/dev/vfio/vfio", "devices.vfio", LEVEL_WARN, true, "the VFIO container for passthrough"},
};

static void rule_device(const struct host_facts *f, const struct device_row *row, struct report *r)
{
	const struct device_fact *d = facts_device(f, row->path);
	const struct device_spec *spec = device_spec_for(row->path);
	const struct module_facts *m = spec ? facts_module(f, spec->module) : NULL;
	struct report_item *it;

	if (!d)
		return;
	if (d->present && d->is_char && d->kernel_has_device != 0) {
		it = report_add(r, row->id, GROUP_DEVICES, LEVEL_PASS, row->path,
				"character device %u:%u, mode %04o %s:%s", d->major, d->minor,
				(unsigned)d->mode, d->owner, d->group);
		if (spec && (d->major != spec->major || d->minor != spec->minor)) {
			it->level = it->raw_level = LEVEL_WARN;
			report_item_remedy(it, "expected %u:%u; check what this node is",
					   spec->major, spec->minor);
		} else if (d->access >= 0 && d->access != (R_OK | W_OK) && f->euid != 0) {
			report_item_detail(
			    it, "uid %u cannot open it read-write; kata-runtime runs as root",
			    (unsigned)f->euid);
		}
		return;
	}
	if (row->passthrough && !rules_iommu_enabled(f)) {
		report_add(r, row->id, GROUP_DEVICES, LEVEL_SKIP, row->path,
			   "not needed: this host has no enabled IOMMU for passthrough");
		return;
	}
	if (d->present) {
		it =
		    report_add(r, row->id, GROUP_DEVICES, row->missing, row->path, "%s",
			       d->is_char ? "is a stale node: the running kernel has no such device"
					  : "exists but is not a character device");
		report_item_remedy(it, "remove it and load %s so the kernel creates it",
				   spec ? spec->module : "its module");
		return;
	}
	if (d->stat_errno != ENOENT) {
		it = report_add(r, row->id, GROUP_DEVICES, row->missing, row->path,
				"cannot be examined: %s", strerror(d->stat_errno));
		report_item_remedy(it, "check the permissions of /dev in the host root");
		return;
	}
	it = report_add(r, row->id, GROUP_DEVICES, row->missing, row->path, "does not exist");
	report_item_detail(it, "%s", row->why);
	const char *conflict =
	    spec && !strcmp(spec->module, "vhost_vsock") ? rules_vsock_conflict(f) : NULL;
	if (conflict) {
		report_item_remedy(it,
				   "vhost_vsock cannot load while %s owns vsock (see the module "
				   "check); the agent channel uses virtio-serial",
				   conflict);
	} else if (m && m->state == MOD_AVAILABLE && m->unindexed) {
		report_item_remedy(
		    it,
		    "it appears when %s is loaded, which needs `depmod -a` first (see "
		    "the module check)",
		    m->name);
	} else if (m && m->state == MOD_AVAILABLE) {
		report_item_remedy(
		    it, "it appears when %s is loaded: run `kata-setup` (or `modprobe %s`)",
		    m->name, m->name);
		report_item_fix(it, FIX_LOAD_MODULE, m->name);
	} else if (spec && module_present(m)) { /* m is spec's module */
		report_item_remedy(it,
				   "%s is loaded but the node is missing: mount devtmpfs on /dev, "
				   "or `mknod %s c %u %u`",
				   m->name, row->path, spec->major, spec->minor);
	} else {
		report_item_remedy(it, "the kernel lacks %s (see the module check)",
				   spec ? spec->module : "its driver");
	}
}

void rules_devices(const struct rules_input *in, struct report *r)
{
	const struct host_facts *f = in->facts;

	if (f->devices.source == SRC_NONE)
		return; /* reported once, under /dev/kvm */
	for (size_t i = 0; i < ARRAY_SIZE(device_rows); i++)
		rule_device(f, &device_rows[i], r);
}
