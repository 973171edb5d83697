/* Device passthrough decisions and the guest's view of it (see vfio.h). */
#include "vfio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hotplug.h"
#include "pci.h"
#include "rules.h"
#include "strbuf.h"
#include "strutil.h"

#define VFIO_DIR "/dev/vfio/"

/* "/dev/vfio/12" names group 12; "/dev/vfio/vfio" is the container node,
 * not a group (0); anything else under /dev/vfio is -1. */
static int spec_group(const char *path, int *group)
{
	if (!path || strncmp(path, VFIO_DIR, strlen(VFIO_DIR)))
		return 0;
	const char *name = path + strlen(VFIO_DIR);
	unsigned g;
	if (!strcmp(name, "vfio"))
		return 0;
	if (parse_uint(name, 10, &g) < 0 || g > 65535)
		return -1;
	*group = (int)g;
	return 1;
}

static bool is_bridge(const struct pci_device_fact *d)
{
	return (d->class >> 8) == 0x06; /* host, ISA, PCI-to-PCI bridges: never passed */
}

/* A member the host still uses: one a group cannot go to a VM with
 * (bridges and pci-stub stay, and are not passed). */
static bool host_uses(const struct pci_device_fact *d)
{
	return !is_bridge(d) && strcmp(d->driver, "pci-stub") && !pci_driver_is_vfio(d->driver);
}

/* Every member on a host driver, as one remedy. */
static int refuse_host_drivers(const struct host_facts *f, int group, const char *entry,
			       struct kc_error *err)
{
	struct strbuf who = STRBUF_INIT, fix = STRBUF_INIT;
	for (int i = 0; i < f->iommu.ndevs; i++) {
		const struct pci_device_fact *d = &f->iommu.devs[i];
		if (d->iommu_group != group || !host_uses(d))
			continue;
		strbuf_appendf(&who, "%s%s (%04x:%04x) is bound to %s", who.len ? ", " : "", d->bdf,
			       d->vendor, d->device, d->driver[0] ? d->driver : "no driver");
		strbuf_appendf(&fix, " --vfio-bind %s", d->bdf);
	}
	kc_error_set(err, 0,
		     "%s: IOMMU group %d cannot be passed to the VM: %s; QEMU can pass only "
		     "devices bound to vfio-pci, and the kernel gives a group to a VM only when "
		     "no member is in the host's use: run `kata-setup%s`",
		     entry, group, who.s, fix.s);
	strbuf_release(&who);
	strbuf_release(&fix);
	return -1;
}

/* The kernel lets one process hold a group: one another VM (or program)
 * holds is refused here, not by QEMU's start. */
static int check_group_node(int group, const char *entry, struct kc_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), VFIO_DIR "%d", group);
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0 && errno == EBUSY)
		return kc_error_set(err, 0,
				    "%s: IOMMU group %d is in use: another VM or program holds %s "
				    "(a group goes to one VM at a time)",
				    entry, group, path);
	if (fd < 0)
		return kc_error_set(err, 0,
				    "%s: %s: %s (the group's devices are bound to vfio-pci, so "
				    "the vfio module should have made it)",
				    entry, path, strerror(errno));
	struct stat st;
	bool chr = fstat(fd, &st) == 0 && S_ISCHR(st.st_mode);
	close(fd);
	if (!chr)
		return kc_error_set(err, 0, "%s: %s is not a character device", entry, path);
	return 0;
}

/* One group's devices into out, judged. */
static int plan_group(const struct rtconfig *rc, int group, const char *entry, bool check_nodes,
		      struct vfio_plan *out, struct kc_error *err)
{
	const struct host_facts *f = rc->facts;
	const struct report *r = &rc->a.report;
	const struct report_item *iommu = report_find(r, "iommu.enabled");
	if (!rules_iommu_enabled(f) || !iommu || iommu->raw_level != LEVEL_PASS)
		return kc_error_set(err, 0,
				    "%s: IOMMU group %d cannot be passed: this host's IOMMU is not "
				    "enabled (report item iommu.enabled: %s)%s%s",
				    entry, group, iommu ? iommu->summary : "not checked",
				    iommu && iommu->remedy ? "; " : "",
				    iommu && iommu->remedy ? iommu->remedy : "");
	if (!f->iommu.pci_scanned)
		return kc_error_set(err, 0, "%s: the host's PCI devices cannot be listed: %s",
				    entry, f->iommu.pci_error);
	/* the whole group first: every member the host still uses, at once */
	int members = 0, passed = 0;
	for (int i = 0; i < f->iommu.ndevs; i++) {
		const struct pci_device_fact *d = &f->iommu.devs[i];
		if (d->iommu_group == group && host_uses(d))
			return refuse_host_drivers(f, group, entry, err);
	}
	for (int i = 0; i < f->iommu.ndevs; i++) {
		const struct pci_device_fact *d = &f->iommu.devs[i];
		if (d->iommu_group != group)
			continue;
		members++;
		if (is_bridge(d) || !strcmp(d->driver, "pci-stub"))
			continue;
		char id[48];
		snprintf(id, sizeof(id), "iommu.vfio.%s", d->bdf);
		const struct report_item *it = report_find(r, id);
		if (it && it->raw_level != LEVEL_PASS)
			return kc_error_set(err, 0,
					    "%s: %s (IOMMU group %d): %s (report item %s)%s%s",
					    entry, d->bdf, group, it->summary, it->id,
					    it->remedy ? "; " : "", it->remedy ? it->remedy : "");
		if (out->n >= QEMU_VFIO_MAX)
			return kc_error_set(err, 0, "%s: more than %d devices to pass to one VM",
					    entry, QEMU_VFIO_MAX);
		struct qemu_vfio *v = &out->dev[out->n++];
		memset(v, 0, sizeof(*v));
		str_copy(v->host, sizeof(v->host), d->bdf);
		v->group = group;
		snprintf(v->id, sizeof(v->id), "vfio-%d-%d", group, passed++);
		v->mmio32 = d->mmio32;
		v->mmio64 = d->mmio64;
	}
	if (!members)
		return kc_error_set(
		    err, 0,
		    "%s: IOMMU group %d does not exist on this host (kata-check "
		    "--verbose lists the devices bound to vfio-pci and their groups)",
		    entry, group);
	if (!passed)
		return kc_error_set(
		    err, 0,
		    "%s: IOMMU group %d has no device bound to vfio-pci (only bridges "
		    "or pci-stub): nothing to pass",
		    entry, group);
	return check_nodes ? check_group_node(group, entry, err) : 0;
}

int vfio_plan_for_spec(const json_t *spec, const struct rtconfig *rc, bool check_nodes,
		       struct vfio_plan *out, struct kc_error *err)
{
	memset(out, 0, sizeof(*out));
	int seen[QEMU_VFIO_MAX], nseen = 0;
	size_t i;
	json_t *d;
	json_array_foreach (json_object_get(json_object_get(spec, "linux"), "devices"), i, d) {
		const char *path = json_string_value(json_object_get(d, "path"));
		int group = -1;
		int kind = spec_group(path, &group);
		char entry[96];
		snprintf(entry, sizeof(entry), "linux.devices[%zu] (%s)", i, path ? path : "");
		if (kind < 0)
			return kc_error_set(
			    err, 0,
			    "%s: not an IOMMU group: a device for passthrough is named "
			    "/dev/vfio/N, N its group (/sys/kernel/iommu_groups/N)",
			    entry);
		if (kind == 0)
			continue;
		bool dup = false;
		for (int k = 0; k < nseen; k++)
			dup |= seen[k] == group;
		if (dup)
			continue;
		const char *machine = rc->cfg->hypervisor.machine_type;
		if (machine && !strcmp(machine, "microvm"))
			return kc_error_set(
			    err, 0,
			    "%s: machine_type microvm has no PCI bus to pass a device "
			    "onto: use q35 (or pc)",
			    entry);
		if (rc->cfg->hypervisor.rootless)
			return kc_error_set(err, 0,
					    "%s: rootless = true: an unprivileged QEMU cannot open "
					    "the group's /dev/vfio node or lock the guest's memory "
					    "for DMA; passthrough needs rootless = false",
					    entry);
		if (nseen >= QEMU_VFIO_MAX)
			return kc_error_set(err, 0, "%s: more than %d IOMMU groups", entry,
					    QEMU_VFIO_MAX);
		seen[nseen++] = group;
		if (plan_group(rc, group, entry, check_nodes, out, err) < 0)
			return -1;
	}
	return 0;
}

static bool is_q35(const char *machine)
{
	return machine && strstr(machine, "q35");
}

void vfio_place_cold(struct vfio_plan *p, const char *machine)
{
	for (int i = 0; i < p->n; i++) {
		if (is_q35(machine))
			snprintf(p->dev[i].bus, sizeof(p->dev[i].bus), QEMU_VFIO_PORT "%d", i);
		else
			snprintf(p->dev[i].bus, sizeof(p->dev[i].bus), "pci.0");
	}
}

int vfio_hotplug_buses(bool on_root_bus, const char *machine, unsigned bridges, unsigned ports,
		       char buf[][32], int max)
{
	int n = 0;
	if (on_root_bus && !is_q35(machine)) {
		/* pc's root bus takes devices by ACPI hot-plug */
		if (n < max)
			snprintf(buf[n++], 32, "pci.0");
		return n;
	}
	if (on_root_bus) {
		for (unsigned i = 0; i < ports && n < max; i++)
			snprintf(buf[n++], 32, QEMU_HOTPLUG_PORT "%u", i);
		return n;
	}
	for (unsigned i = 0; i < bridges && n < max; i++)
		snprintf(buf[n++], 32, QEMU_HOTPLUG_BRIDGE "%u", i);
	return n;
}

void vfio_port_reserve(const struct host_facts *f, struct qemu_mmio *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < f->iommu.ndevs; i++) {
		const struct pci_device_fact *d = &f->iommu.devs[i];
		if (!pci_driver_is_vfio(d->driver))
			continue;
		if (d->mmio32 > m->port_mmio32)
			m->port_mmio32 = d->mmio32;
		if (d->mmio64 > m->port_mmio64)
			m->port_mmio64 = d->mmio64;
	}
}

json_t *vfio_strip_spec(json_t *guest_spec)
{
	json_t *devices = json_object_get(json_object_get(guest_spec, "linux"), "devices");
	for (size_t i = json_array_size(devices); i-- > 0;) {
		int group;
		if (spec_group(
			json_string_value(json_object_get(json_array_get(devices, i), "path")),
			&group) == 1)
			json_array_remove(devices, i);
	}
	return guest_spec;
}

json_t *vfio_agent_devices(const struct vfio_plan *p, const json_t *spec)
{
	json_t *list = json_array();
	for (int k = 0; k < p->n; k++) {
		const struct qemu_vfio *v = &p->dev[k];
		json_t *dev = json_pack("{s:s, s:s, s:i}", "pci_path", v->pci_path, "host", v->host,
					"group", v->group);
		/* the nodes the guest makes for it: the mode and owner the
		 * spec gave its group's node */
		size_t i;
		json_t *d;
		json_array_foreach (json_object_get(json_object_get(spec, "linux"), "devices"), i,
				    d) {
			int group;
			if (spec_group(json_string_value(json_object_get(d, "path")), &group) !=
				1 ||
			    group != v->group)
				continue;
			const char *keys[] = {"fileMode", "uid", "gid"};
			for (size_t j = 0; j < ARRAY_SIZE(keys); j++)
				if (json_is_integer(json_object_get(d, keys[j])))
					json_object_set(dev, keys[j], json_object_get(d, keys[j]));
			break;
		}
		json_array_append_new(list, dev);
	}
	return list;
}

json_t *vfio_plan_to_json(const struct vfio_plan *p, bool hotplugged)
{
	json_t *devs = json_array();
	for (int k = 0; k < p->n; k++) {
		const struct qemu_vfio *v = &p->dev[k];
		json_array_append_new(devs, json_pack("{s:s, s:i, s:s, s:s, s:s}", "host", v->host,
						      "group", v->group, "id", v->id, "bus", v->bus,
						      "pci_path", v->pci_path));
	}
	return json_pack("{s:o, s:b}", "devices", devs, "hotplugged", hotplugged);
}

int vfio_plan_from_json(const json_t *j, struct vfio_plan *p)
{
	memset(p, 0, sizeof(*p));
	size_t i;
	json_t *d;
	json_array_foreach (json_object_get(j, "devices"), i, d) {
		if (p->n >= QEMU_VFIO_MAX)
			return -1;
		struct qemu_vfio *v = &p->dev[p->n++];
		const char *host = json_string_value(json_object_get(d, "host"));
		const char *id = json_string_value(json_object_get(d, "id"));
		if (!host || !id)
			return -1;
		str_copy(v->host, sizeof(v->host), host);
		str_copy(v->id, sizeof(v->id), id);
		str_copy(v->bus, sizeof(v->bus),
			 json_string_value(json_object_get(d, "bus")) ?: "");
		str_copy(v->pci_path, sizeof(v->pci_path),
			 json_string_value(json_object_get(d, "pci_path")) ?: "");
		v->group = (int)json_integer_value(json_object_get(d, "group"));
	}
	return 0;
}
