/* Device node probing: existence, type and number, owner and mode, what
 * the calling user may do with it, and whether the kernel knows the device
 * number (a stale node left in a static /dev would fail at open). */
#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "recorded.h"
#include "strbuf.h"
#include "strutil.h"
#include "xalloc.h"

const struct device_spec device_specs[] = {
    {"/dev/kvm", 10, 232, "kvm"},
    {"/dev/vhost-net", 10, 238, "vhost_net"},
    {"/dev/vhost-vsock", 10, 241, "vhost_vsock"},
    {"/dev/net/tun", 10, 200, "tun"},
    {"/dev/vfio/vfio", 10, 196, "vfio"},
};
const int n_device_specs = (int)ARRAY_SIZE(device_specs);

const struct device_spec *device_spec_for(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(device_specs); i++)
		if (!strcmp(device_specs[i].path, path))
			return &device_specs[i];
	return NULL;
}

/* Name of a numeric id in the host's /etc/passwd or /etc/group. */
static void id_name(const struct host_root *root, const char *file, unsigned id, char *out,
		    size_t len)
{
	_cleanup_free_ char *text = NULL;
	char *cursor, *line;

	snprintf(out, len, "%u", id);
	if (host_read_file(root, file, 1024 * 1024, &text, NULL) < 0)
		return;
	cursor = text;
	while ((line = next_line(&cursor))) {
		/* name:password:id:... (empty fields are legal, so no strtok) */
		char *name = strsep(&line, ":");
		char *num = (line && strsep(&line, ":")) ? strsep(&line, ":") : NULL;
		unsigned v;
		if (num && parse_uint(num, 10, &v) == 0 && v == id) {
			str_copy(out, len, name);
			return;
		}
	}
}

static void check_sysfs(const struct host_root *root, struct device_fact *d)
{
	char path[64], link[256];
	struct stat st;

	d->kernel_has_device = -1;
	if (!d->is_char || host_stat(root, "/sys/dev/char", &st, true) < 0)
		return;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u", d->major, d->minor);
	if (host_readlink(root, path, link, sizeof(link)) < 0) {
		d->kernel_has_device = 0;
		return;
	}
	d->kernel_has_device = 1;
	/* ".../devices/virtual/misc/kvm" -> "misc/kvm" */
	char *last = strrchr(link, '/');
	if (last) {
		*last = '\0';
		char *cls = strrchr(link, '/');
		/* a class path too long for the facts is left unknown, never cut */
		if (snprintf(d->sysfs_class, sizeof(d->sysfs_class), "%s/%s", cls ? cls + 1 : link,
			     last + 1) >= (int)sizeof(d->sysfs_class))
			d->sysfs_class[0] = '\0';
	}
}

static void probe_live_node(const struct host_root *root, struct device_fact *d)
{
	struct stat st;
	int r = host_stat(root, d->path, &st, true);

	if (r < 0) {
		d->stat_errno = -r;
		return;
	}
	d->present = true;
	d->is_char = S_ISCHR(st.st_mode);
	d->major = major(st.st_rdev);
	d->minor = minor(st.st_rdev);
	d->mode = st.st_mode & 07777;
	id_name(root, "/etc/passwd", st.st_uid, d->owner, sizeof(d->owner));
	id_name(root, "/etc/group", st.st_gid, d->group, sizeof(d->group));
	_cleanup_free_ char *full = host_path(root, d->path);
	d->access = (faccessat(AT_FDCWD, full, R_OK, AT_EACCESS) == 0 ? R_OK : 0) |
		    (faccessat(AT_FDCWD, full, W_OK, AT_EACCESS) == 0 ? W_OK : 0);
}

int devices_parse_recording(const char *text, struct devices_facts *df)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *cursor = copy, *line;
	int lineno = 0;

	while ((line = next_line(&cursor))) {
		char path[128], type[4], mode[8], owner[32], group[32], access[4];
		unsigned maj, min, m;
		int used = 0;

		lineno++;
		line = str_trim(line);
		if (!*line || *line == '#')
			continue;
		if (sscanf(line, "%127s %3s %u:%u %7s %31s %31s %3s%n", path, type, &maj, &min,
			   mode, owner, group, access, &used) != 8 ||
		    line[used] != '\0' ||
		    (strcmp(type, "c") && strcmp(type, "b") && strcmp(type, "-")) ||
		    parse_uint(mode, 8, &m) < 0 || m > 07777 || strlen(access) != 2 ||
		    !strchr("r-", access[0]) || !strchr("w-", access[1])) {
			snprintf(df->record_error, sizeof(df->record_error),
				 "%s/devices line %d: expected 'PATH c|b|- MAJOR:MINOR MODE OWNER "
				 "GROUP rw|r-|-w|--'",
				 RECORDED_DIR, lineno);
			return -1;
		}
		for (int i = 0; i < df->n; i++) {
			struct device_fact *d = &df->devs[i];
			if (strcmp(d->path, path))
				continue;
			d->present = true;
			d->stat_errno = 0;
			d->is_char = type[0] == 'c';
			d->major = maj;
			d->minor = min;
			d->mode = (mode_t)m;
			str_copy(d->owner, sizeof(d->owner), owner);
			str_copy(d->group, sizeof(d->group), group);
			d->access = (access[0] == 'r' ? R_OK : 0) | (access[1] == 'w' ? W_OK : 0);
		}
	}
	return 0;
}

void devices_probe(const struct host_root *root, struct devices_facts *df)
{
	_cleanup_free_ char *text = NULL;
	int r;

	df->n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(device_specs) && i < DEVICES_MAX; i++) {
		struct device_fact *d = &df->devs[df->n++];
		memset(d, 0, sizeof(*d));
		d->path = device_specs[i].path;
		d->stat_errno = ENOENT;
		d->access = -1;
		d->kernel_has_device = -1;
	}
	r = recorded_read(root, "devices", &text);
	if (r < 0) {
		snprintf(df->record_error, sizeof(df->record_error), "%s/devices: %s", RECORDED_DIR,
			 strerror(-r));
		df->source = SRC_NONE;
		return;
	}
	if (r > 0) {
		df->source = SRC_RECORDED;
		if (devices_parse_recording(text, df) < 0)
			df->source = SRC_NONE;
	} else {
		df->source = SRC_LIVE;
		for (int i = 0; i < df->n; i++)
			probe_live_node(root, &df->devs[i]);
	}
	for (int i = 0; i < df->n; i++)
		if (df->devs[i].present)
			check_sysfs(root, &df->devs[i]);
	if (root->live) {
		struct stat st;
		df->udev_running = host_stat(root, "/run/udev/control", &st, false) == 0;
		if (df->udev_running)
			udev_probe_devices(df);
	}
}
