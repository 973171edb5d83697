/* The rootfs containerd hands the shim as mounts (the snapshot: an
 * overlay, or a bind of a directory) rather than as a ready directory:
 * mounted on bundle/rootfs before create, as containerd's runc shim does,
 * and unmounted after delete. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

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

int v2_mount_rootfs(const char *bundle, void *const *mounts, size_t n, struct kc_error *err)
{
	_cleanup_free_ char *target = xasprintf("%s/rootfs", bundle);
	for (size_t i = 0; i < n; i++) {
		const Containerd__Types__Mount *m = mounts[i];
		struct strbuf data = STRBUF_INIT;
		unsigned long flags = parse_options(m->options, m->n_options, &data);
		const char *type = m->type && *m->type ? m->type : "none";
		int rc = mount(m->source, target, type, flags & ~MS_RDONLY, data.s);
		int e = errno;
		/* a read-only bind takes a second pass */
		if (rc == 0 && (flags & MS_BIND) && (flags & MS_RDONLY))
			rc = mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL),
			e = errno;
		else if (rc == 0 && (flags & MS_RDONLY))
			rc = mount(NULL, target, NULL, MS_REMOUNT | MS_RDONLY | flags, data.s),
			e = errno;
		strbuf_release(&data);
		if (rc < 0) {
			for (size_t k = 0; k < i; k++)
				umount2(target, MNT_DETACH);
			return kc_error_set(err, e, "mount the rootfs (%s %s) on %s", type,
					    m->source, target);
		}
	}
	return 0;
}

void v2_umount_rootfs(const char *bundle)
{
	_cleanup_free_ char *target = xasprintf("%s/rootfs", bundle);
	/* every layer mounted there, until none is left */
	for (int i = 0; i < 16 && umount2(target, MNT_DETACH) == 0; i++)
		;
}
