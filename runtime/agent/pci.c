/* Host devices passed to the VM (VFIO on the host), found in the guest by
 * their PCI path: the slots from the root bus, "05/00" - root port 05,
 * slot 00 behind it - which the runtime read from QEMU. Each device gets
 * its drivers (the image's modules, by modalias, as udev would load
 * them), then its device nodes are added to the container's
 * linux.devices and its network interfaces named: the container sees the
 * device as the guest's driver presents it (a NIC is an interface of the
 * pod's network, a GPU or NVMe drive is a node in /dev). */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

#define PCI_ROOT       "/sys/devices/pci0000:00"
#define PCI_PATH_MAX   8     /* bridges deep */
#define PCI_APPEAR_MS  10000 /* a hot-plugged device: the guest's pciehp/SHPC announce it */
#define PCI_DRIVER_MS  3000  /* drivers' probes, and the nodes they make */
#define PCI_WALK_DEPTH 5     /* sysfs levels below the device holding its nodes */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* "05/00" -> {5, 0}; -1 for anything else. */
static int parse_path(const char *s, int *slots)
{
	int n = 0;
	while (*s) {
		char *end;
		long v = strtol(s, &end, 16);
		if (end == s || v < 0 || v > 0x1f || n >= PCI_PATH_MAX || (*end && *end != '/'))
			return -1;
		slots[n++] = (int)v;
		s = *end ? end + 1 : end;
	}
	return n ? n : -1;
}

/* The child of dir that is function 0 of slot: "DDDD:BB:SS.0". */
static bool child_at_slot(const char *dir, int slot, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;
	while (d && !found && (e = readdir(d))) {
		unsigned dom, bus, sl, fn;
		char tail;
		if (sscanf(e->d_name, "%4x:%2x:%2x.%1u%c", &dom, &bus, &sl, &fn, &tail) == 4 &&
		    (int)sl == slot && fn == 0)
			/* a path too long for out is none */
			found = snprintf(out, len, "%s/%s", dir, e->d_name) < (int)len;
	}
	if (d)
		closedir(d);
	return found;
}

/* The device's sysfs directory, waiting for a hot-plugged one to arrive. */
static int find_device(const char *pci_path, char *dir, size_t len, struct kc_error *err)
{
	int slots[PCI_PATH_MAX];
	int n = parse_path(pci_path, slots);
	if (n < 0)
		return kc_error_set(
		    err, 0, "PCI path '%s': slots in hex from the root bus, '/' between", pci_path);
	for (int waited = 0;; waited += 20) {
		char cur[512];
		snprintf(cur, sizeof(cur), PCI_ROOT);
		int k = 0;
		for (; k < n; k++) {
			char next[512];
			if (!child_at_slot(cur, slots[k], next, sizeof(next)))
				break;
			snprintf(cur, sizeof(cur), "%s", next);
		}
		if (k == n) {
			snprintf(dir, len, "%s", cur);
			return 0;
		}
		if (waited >= PCI_APPEAR_MS)
			return kc_error_set(err, ENODEV, "no device at PCI path %s after %d s",
					    pci_path, PCI_APPEAR_MS / 1000);
		sleep_ms(20);
	}
}

/* A sysfs attribute, whole (one read gives all of it). */
static int read_all(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Its first line. */
static int read_line(const char *path, char *buf, size_t len)
{
	if (read_all(path, buf, len) < 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static bool has_entry(const char *dir, const char *name)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

/* Drivers for the device and what its driver makes below it (a virtio
 * device's virtio bus, say): each entry with a modalias and no driver
 * gets the image's module for it. Returns how many were asked for. */
static int load_drivers(const char *dir, int depth, json_t *loaded)
{
	int asked = 0;
	char alias[256], path[600];
	snprintf(path, sizeof(path), "%s/modalias", dir);
	bool bindable = read_line(path, alias, sizeof(alias)) == 0 && alias[0];
	/* a device just announced is being probed by a driver already loaded */
	for (int waited = 0; bindable && waited < 200 && !has_entry(dir, "driver"); waited += 20)
		sleep_ms(20);
	if (bindable && !has_entry(dir, "driver")) {
		char *argv[] = {(char *)"modprobe", (char *)"-q", (char *)"--", alias, NULL};
		if (agent_modprobe(4, argv) == 0) {
			json_array_append_new(loaded, json_string(alias));
			asked++;
		} else {
			log_warn("no module in the image for %s (%s)", dir, alias);
		}
	}
	if (depth >= PCI_WALK_DEPTH)
		return asked;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			asked += load_drivers(path, depth + 1, loaded);
		}
	if (d)
		closedir(d);
	return asked;
}

/* The device nodes (a "dev" file, the name from "uevent") and network
 * interfaces (net/NAME) at or below dir. */
static void collect(const char *dir, int depth, const char *parent, json_t *nodes, json_t *ifaces)
{
	char path[600], line[64];
	if (parent && !strcmp(parent, "net")) {
		const char *name = strrchr(dir, '/');
		json_array_append_new(ifaces, json_string(name + 1));
		return;
	}
	snprintf(path, sizeof(path), "%s/dev", dir);
	unsigned maj, min;
	if (read_line(path, line, sizeof(line)) == 0 && sscanf(line, "%u:%u", &maj, &min) == 2) {
		char uevent[1024] = "", *name = NULL;
		snprintf(path, sizeof(path), "%s/uevent", dir);
		if (read_all(path, uevent, sizeof(uevent)) == 0) {
			char *p = strstr(uevent, "DEVNAME=");
			while (p && p != uevent && p[-1] != '\n')
				p = strstr(p + 1, "DEVNAME=");
			if (p) {
				name = p + 8;
				name[strcspn(name, "\n")] = '\0';
			}
		}
		char sub[600] = "";
		snprintf(path, sizeof(path), "%s/subsystem", dir);
		ssize_t sl = readlink(path, sub, sizeof(sub) - 1);
		sub[sl > 0 ? sl : 0] = '\0';
		const char *s = strrchr(sub, '/');
		bool block = s && !strcmp(s, "/block");
		/* a name that would leave /dev is not taken */
		if (name && *name && !strstr(name, ".."))
			json_array_append_new(nodes, json_pack("{s:s, s:s, s:i, s:i}", "name", name,
							       "type", block ? "b" : "c", "major",
							       (int)maj, "minor", (int)min));
	}
	if (depth >= PCI_WALK_DEPTH)
		return;
	DIR *d = opendir(dir);
	struct dirent *e;
	const char *me = strrchr(dir, '/');
	while (d && (e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			collect(path, depth + 1, me ? me + 1 : NULL, nodes, ifaces);
		}
	if (d)
		closedir(d);
}

/* The spec's linux.devices gains the device's nodes, with the mode and
 * owner the host's spec gave its group. */
static void add_nodes(json_t *spec, const json_t *want, const json_t *nodes)
{
	json_t *lnx = json_object_get(spec, "linux");
	if (!json_is_object(lnx)) {
		lnx = json_object();
		json_object_set_new(spec, "linux", lnx);
	}
	json_t *devices = json_object_get(lnx, "devices");
	if (!json_is_array(devices)) {
		devices = json_array();
		json_object_set_new(lnx, "devices", devices);
	}
	size_t i;
	json_t *n;
	json_array_foreach (nodes, i, n) {
		char path[300];
		snprintf(path, sizeof(path), "/dev/%s",
			 json_string_value(json_object_get(n, "name")));
		json_t *d = json_pack(
		    "{s:s, s:O, s:O, s:O}", "path", path, "type", json_object_get(n, "type"),
		    "major", json_object_get(n, "major"), "minor", json_object_get(n, "minor"));
		const char *keys[] = {"fileMode", "uid", "gid"};
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (json_is_integer(json_object_get(want, keys[k])))
				json_object_set(d, keys[k], json_object_get(want, keys[k]));
		json_array_append_new(devices, d);
	}
}

json_t *pci_prepare_devices(json_t *spec, const json_t *want, struct kc_error *err)
{
	json_t *found = json_array();
	double deadline = 0; /* one window for every device's driver: they probe together */
	size_t i;
	json_t *w;
	json_array_foreach (want, i, w) {
		const char *pci_path = json_string_value(json_object_get(w, "pci_path"));
		const char *host = json_string_value(json_object_get(w, "host"));
		char dir[512];
		if (!pci_path || find_device(pci_path, dir, sizeof(dir), err) < 0) {
			if (!pci_path)
				kc_error_set(err, 0, "vfio[%zu]: no pci_path", i);
			json_decref(found);
			return NULL;
		}
		json_t *modules = json_array();
		load_drivers(dir, 0, modules);
		/* the driver's probe makes the nodes and interfaces, some while
		 * it initializes the device: what they have made within
		 * PCI_DRIVER_MS of the first device's drivers (a device may have
		 * neither) */
		if (!deadline)
			deadline = agent_uptime_ms() + PCI_DRIVER_MS;
		json_t *nodes = json_array(), *ifaces = json_array();
		for (;;) {
			json_array_clear(nodes);
			json_array_clear(ifaces);
			collect(dir, 0, NULL, nodes, ifaces);
			if (json_array_size(nodes) || json_array_size(ifaces) ||
			    agent_uptime_ms() >= deadline)
				break;
			sleep_ms(20);
		}
		char drv[600] = "", link[600];
		snprintf(link, sizeof(link), "%s/driver", dir);
		ssize_t dl = readlink(link, drv, sizeof(drv) - 1);
		drv[dl > 0 ? dl : 0] = '\0';
		const char *dname = strrchr(drv, '/');
		const char *addr = strrchr(dir, '/') + 1;
		add_nodes(spec, w, nodes);
		log_info("passed device %s: %s at PCI path %s, driver %s, %zu node(s), %zu "
			 "interface(s)",
			 host ? host : "?", addr, pci_path, dname ? dname + 1 : "none",
			 json_array_size(nodes), json_array_size(ifaces));
		json_array_append_new(found,
				      json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "host",
						host ? host : "", "pci_path", pci_path, "guest",
						addr, "driver", dname ? dname + 1 : "", "modules",
						modules, "nodes", nodes, "interfaces", ifaces));
	}
	return found;
}
