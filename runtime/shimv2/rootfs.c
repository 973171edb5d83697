/* The rootfs containerd hands the shim as mounts (the snapshot: an
 * overlay, or a bind of a directory) rather than as a ready directory:
 * mounted on bundle/rootfs before create, as containerd's runc shim does,
 * and unmounted after delete. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "beneath.h"
#include "fdmount.h"
#include "github.com/containerd/containerd/api/types/mount.pb-c.h"
#include "log.h"
#include "shimv2.h"
#include "strbuf.h"

static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} mount_flags[] = {
    {"ro", false, MS_RDONLY},	     {"rw", true, MS_RDONLY},
    {"bind", false, MS_BIND},	     {"rbind", false, MS_BIND | MS_REC},
    {"nosuid", false, MS_NOSUID},    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},	     {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},    {"exec", true, MS_NOEXEC},
    {"noatime", false, MS_NOATIME},  {"relatime", false, MS_RELATIME},
    {"sync", false, MS_SYNCHRONOUS}, {"async", true, MS_SYNCHRONOUS},
};

/* Options to flags, the rest to the filesystem's data string. */
static unsigned long parse_options(char **opts, size_t n, struct strbuf *data)
{
	unsigned long flags = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < sizeof(mount_flags) / sizeof(mount_flags[0]); k++)
			if (!strcmp(opts[i], mount_flags[k].name))
				break;
		if (k < sizeof(mount_flags) / sizeof(mount_flags[0])) {
			if (mount_flags[k].clear)
				flags &= ~mount_flags[k].flag;
			else
				flags |= mount_flags[k].flag;
			continue;
		}
		strbuf_appendf(data, "%s%s", data->len ? "," : "", opts[i]);
	}
	return flags;
}

/* bundle/rootfs, resolved beneath the bundle's handle without following a
 * symlink: a handle of what is on top there now, and the /proc/self/fd
 * path through which mount(2) reaches it. */
static int rootfs_target(int bundle, char path[32])
{
	int fd = beneath_open_dir(bundle, "rootfs", BENEATH_STRICT);
	if (fd >= 0)
		snprintf(path, 32, "/proc/self/fd/%d", fd);
	return fd;
}

/* One mount of the snapshot on the rootfs: 0, or -1 with errno. */
static int mount_one(int bundle, const Containerd__Types__Mount *m)
{
	struct strbuf data = STRBUF_INIT;
	unsigned long flags = parse_options(m->options, m->n_options, &data);
	const char *type = m->type && *m->type ? m->type : "none";
	char target[32];
	int t = rootfs_target(bundle, target), rc = -1;
	if (t < 0) {
		errno = -t;
	} else {
		rc = mount(m->source, target, type, flags & ~MS_RDONLY, data.s);
		close(t);
	}
	/* read-only takes a second pass, on the mount just made */
	if (rc == 0 && (flags & MS_RDONLY)) {
		t = rootfs_target(bundle, target);
		if (t < 0) {
			errno = -t;
			rc = -1;
		} else {
			rc =
			    (flags & MS_BIND)
				? mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL)
				: mount(NULL, target, NULL, MS_REMOUNT | MS_RDONLY | flags, data.s);
			int e = errno;
			close(t);
			errno = e;
		}
	}
	int e = errno;
	strbuf_release(&data);
	errno = e;
	return rc;
}

int v2_mount_rootfs(const char *bundle, void *const *mounts, size_t n, struct kc_error *err)
{
	_cleanup_close_ int dir = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return kc_error_set(err, errno, "bundle %s", bundle);
	for (size_t i = 0; i < n; i++) {
		const Containerd__Types__Mount *m = mounts[i];
		if (mount_one(dir, m) < 0) {
			int e = errno;
			fd_umount_at(dir, "rootfs");
			return kc_error_set(err, e, "mount the rootfs (%s %s) on %s/rootfs",
					    m->type && *m->type ? m->type : "none", m->source,
					    bundle);
		}
	}
	return 0;
}

void v2_umount_rootfs(const char *bundle)
{
	int dir = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return;
	/* every layer mounted there */
	fd_umount_at(dir, "rootfs");
	close(dir);
}
