/* Mounts through handles (see fdmount.h). */
#include "fdmount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "beneath.h"
#include "macros.h"
#include "strbuf.h"
#include "xalloc.h"

/* The new mount API's numbers and flags (glibc's and the kernel's headers
 * disagree with each other in Debian 12, so they are spelled out here). */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#define KC_OPEN_TREE_CLONE	   1
#define KC_OPEN_TREE_CLOEXEC	   O_CLOEXEC
#define KC_AT_RECURSIVE		   0x8000
#define KC_MOVE_MOUNT_F_EMPTY_PATH 0x04
#define KC_MOVE_MOUNT_T_EMPTY_PATH 0x40
#define KC_MOUNT_ATTR_RDONLY	   0x1
#define KC_MOUNT_ATTR_NOSUID	   0x2
#define KC_MOUNT_ATTR_NODEV	   0x4
#define KC_MOUNT_ATTR_NOEXEC	   0x8

/* the kernel's struct mount_attr: every member is read by mount_setattr(2) */
struct kc_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;    // cppcheck-suppress unusedStructMember
	uint64_t propagation; // cppcheck-suppress unusedStructMember
	uint64_t userns_fd;   // cppcheck-suppress unusedStructMember
};

/* The flags a bind remount may set per mount; statvfs(3)'s ST_ values are
 * the same bits as mount(2)'s MS_ ones. */
#define PER_MOUNT_FLAGS                                                                            \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME)
#define SETTABLE_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

static bool forced_legacy;

void fdmount_force_legacy(bool on)
{
	forced_legacy = on;
}

static void proc_fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* The handle of what is mounted on name now (the top of the stack). */
static int open_target(int dir, const char *name)
{
	int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode)) {
		close(fd);
		return -ELOOP;
	}
	return fd;
}

static int setattr_syscall(int mnt, unsigned long flags, unsigned long propagation, bool recursive)
{
	if (forced_legacy)
		return -ENOSYS;
	struct kc_mount_attr attr = {.propagation = propagation};
	if (flags & MS_RDONLY)
		attr.attr_set |= KC_MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID)
		attr.attr_set |= KC_MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV)
		attr.attr_set |= KC_MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC)
		attr.attr_set |= KC_MOUNT_ATTR_NOEXEC;
	if (syscall(SYS_mount_setattr, mnt, "", AT_EMPTY_PATH | (recursive ? KC_AT_RECURSIVE : 0),
		    &attr, sizeof(attr)) < 0)
		return -errno;
	return 0;
}

long fd_mount_flags(int fd)
{
	struct statvfs sv;
	if (fstatvfs(fd, &sv) < 0)
		return -errno;
	return (long)(sv.f_flag & SETTABLE_FLAGS);
}

/* mount(2)'s bind remount replaces a mount's flags: the ones it has are
 * given again, with flags added. */
static int legacy_remount_one(int mnt, unsigned long flags)
{
	struct statvfs sv;
	if (fstatvfs(mnt, &sv) < 0)
		return -errno;
	unsigned long have = sv.f_flag & PER_MOUNT_FLAGS;
	if ((have & flags) == flags)
		return 0;
	char p[64];
	proc_fd_path(p, sizeof(p), mnt);
	if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | have | flags, NULL) < 0)
		return -errno;
	return 0;
}

/* The mount id of what fd refers to: statx, or /proc/self/fdinfo on
 * kernels before 5.8. 0 if unknown. */
static unsigned long long mount_id_of(int fd)
{
	unsigned long long id = fd_mount_id(fd);
	if (id)
		return id;
	char p[64], line[128];
	snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
	_cleanup_fclose_ FILE *f = fopen(p, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %llu", &id) == 1)
			return id;
	return 0;
}

/* mountinfo's escapes (\040 for a space, ...) undone in place. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (const char *r = s; *r; w++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 4;
		} else {
			*w = *r++;
		}
	}
	*w = '\0';
}

struct mountinfo_entry {
	unsigned long long id, parent;
	char *point;
};

/* Every mount below the one with id top, each opened by its mount point
 * and acted on only if the handle is that very mount: a path swapped
 * meanwhile is refused, never followed. */
static int legacy_remount_below(unsigned long long top, unsigned long flags)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	struct mountinfo_entry *all = NULL;
	size_t n = 0, cap = 0, linecap = 0;
	_cleanup_free_ char *line = NULL;
	while (getline(&line, &linecap, f) > 0) {
		struct mountinfo_entry e = {0};
		int at = 0;
		if (sscanf(line, "%llu %llu %*u:%*u %*s %n", &e.id, &e.parent, &at) != 2 || !at)
			continue;
		char *mp = line + at;
		mp[strcspn(mp, " ")] = '\0';
		unescape_octal(mp);
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			all = xrealloc(all, cap * sizeof(*all));
		}
		e.point = xstrdup(mp);
		all[n++] = e;
	}
	/* the tree below top, whatever order mountinfo lists it in: top's
	 * mark spreads to children until nothing changes */
	bool *below = xcalloc(n ? n : 1, sizeof(*below));
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			if (below[i] || all[i].id == top)
				continue;
			for (size_t j = 0; j < n; j++)
				if (all[i].parent == all[j].id && (all[j].id == top || below[j])) {
					below[i] = grew = true;
					break;
				}
		}
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!below[i])
			continue;
		int m = open(all[i].point, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (m < 0)
			rc = -errno;
		else if (mount_id_of(m) != all[i].id)
			rc = -EBUSY;
		else
			rc = legacy_remount_one(m, flags);
		if (m >= 0)
			close(m);
	}
	for (size_t i = 0; i < n; i++)
		free(all[i].point);
	free(all);
	free(below);
	return rc;
}

static int legacy_remount(int mnt, unsigned long flags, bool recursive)
{
	int r = legacy_remount_one(mnt, flags);
	if (r < 0 || !recursive)
		return r;
	unsigned long long id = mount_id_of(mnt);
	return id ? legacy_remount_below(id, flags) : -ENOTSUP;
}

/* An entry of stage that nothing else uses, like src: a directory or an
 * empty file. Its name is written to name. */
static int make_stage_entry(int stage, int src, char *name, size_t size)
{
	static unsigned counter;
	struct stat st;
	if (fstat(src, &st) < 0)
		return -errno;
	for (int tries = 0; tries < 100; tries++) {
		snprintf(name, size, "%d.%u", (int)getpid(), counter++);
		int r = S_ISDIR(st.st_mode) ? mkdirat(stage, name, 0700) : -1;
		if (!S_ISDIR(st.st_mode)) {
			int fd = openat(stage, name,
					O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
			r = fd < 0 ? -1 : close(fd);
		}
		if (r == 0)
			return S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* In the stage entry: bound, given its flags, then moved onto dst. */
static int bind_in_stage(int src, const char *entry, int dst, const struct fd_bind *how)
{
	int stage = how->stage;
	bool recursive = how->recursive;
	char s[64], d[64];
	_cleanup_close_ int point = open_target(stage, entry);
	if (point < 0)
		return point;
	proc_fd_path(s, sizeof(s), src);
	proc_fd_path(d, sizeof(d), point);
	if (mount(s, d, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return -errno;
	_cleanup_close_ int m = open_target(stage, entry);
	if (m < 0)
		return m;
	int rc = legacy_remount(m, how->flags, recursive);
	proc_fd_path(s, sizeof(s), m);
	if (rc == 0 && how->propagation &&
	    mount(NULL, s, NULL, how->propagation | (recursive ? MS_REC : 0), NULL) < 0)
		rc = -errno;
	proc_fd_path(d, sizeof(d), dst);
	if (rc == 0 && mount(s, d, NULL, MS_MOVE, NULL) < 0)
		rc = -errno;
	if (rc < 0)
		umount2(s, MNT_DETACH);
	return rc;
}

/* mount(2) through the handles' magic links, by way of a new entry of the
 * stage that is removed again. */
static int legacy_bind_staged(int src, int dst, const struct fd_bind *how)
{
	char entry[48];
	int kind = make_stage_entry(how->stage, src, entry, sizeof(entry));
	if (kind < 0)
		return kind;
	int rc = bind_in_stage(src, entry, dst, how);
	unlinkat(how->stage, entry, kind);
	return rc;
}

/* The new mount API: a detached copy of src, changed, attached onto dst.
 * 1 when the kernel (or a seccomp profile) has no such calls. */
static int bind_detached(int src, int dst, const struct fd_bind *how)
{
	if (forced_legacy)
		return 1;
	int tree = (int)syscall(SYS_open_tree, src, "",
				KC_OPEN_TREE_CLONE | KC_OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
				    (how->recursive ? KC_AT_RECURSIVE : 0));
	if (tree < 0)
		return errno == ENOSYS || errno == EPERM ? 1 : -errno;
	/* before anything can copy it */
	int r = how->flags || how->propagation
		    ? setattr_syscall(tree, how->flags, how->propagation, how->recursive)
		    : 0;
	if (r == 0 && syscall(SYS_move_mount, tree, "", dst, "",
			      KC_MOVE_MOUNT_F_EMPTY_PATH | KC_MOVE_MOUNT_T_EMPTY_PATH) < 0)
		r = -errno;
	close(tree);
	return r == -ENOSYS || r == -EPERM ? 1 : r;
}

int fd_bind_mount(int src, int dir, const char *name, const struct fd_bind *how)
{
	static const struct fd_bind plain = {.stage = -1};
	if (!how)
		how = &plain;
	_cleanup_close_ int dst = open_target(dir, name);
	if (dst < 0)
		return dst;
	int r = bind_detached(src, dst, how);
	if (r <= 0)
		return r < 0 ? r : open_target(dir, name);
	if ((how->flags || how->propagation) && how->stage >= 0) {
		r = legacy_bind_staged(src, dst, how);
		return r < 0 ? r : open_target(dir, name);
	}
	char s[64], d[64];
	proc_fd_path(s, sizeof(s), src);
	proc_fd_path(d, sizeof(d), dst);
	if (mount(s, d, NULL, MS_BIND | (how->recursive ? MS_REC : 0), NULL) < 0)
		return -errno;
	int m = open_target(dir, name);
	r = m >= 0 && (how->flags || how->propagation)
		? fd_mount_setattr(m, how->flags, how->propagation, how->recursive)
		: 0;
	if (r < 0) {
		proc_fd_path(s, sizeof(s), m);
		umount2(s, MNT_DETACH);
		close(m);
		return r;
	}
	return m;
}

int fd_mount_setattr(int mnt, unsigned long flags, unsigned long propagation, bool recursive)
{
	int r = setattr_syscall(mnt, flags, propagation, recursive);
	if (r != -ENOSYS && r != -EPERM)
		return r;
	if (flags && (r = legacy_remount(mnt, flags, recursive)) < 0)
		return r;
	char p[64];
	proc_fd_path(p, sizeof(p), mnt);
	if (propagation && mount(NULL, p, NULL, propagation | (recursive ? MS_REC : 0), NULL) < 0)
		return -errno;
	return 0;
}

bool fd_is_mount_point(int dir, const char *name)
{
	_cleanup_close_ int fd = open_target(dir, name);
	if (fd < 0)
		return false;
	unsigned long long a = fd_mount_id(dir), b = fd_mount_id(fd);
	if (a && b)
		return a != b;
	struct stat sd, sf;
	return fstat(dir, &sd) == 0 && fstat(fd, &sf) == 0 && sd.st_dev != sf.st_dev;
}

int fd_umount_at(int dir, const char *name)
{
	/* stacked mounts come off one at a time */
	for (int i = 0; i < 64; i++) {
		if (!fd_is_mount_point(dir, name))
			return 0;
		_cleanup_close_ int fd = open_target(dir, name);
		if (fd < 0)
			return fd == -ENOENT ? 0 : fd;
		char p[64];
		proc_fd_path(p, sizeof(p), fd);
		/* the magic link names this very mount, wherever it now is */
		if (umount2(p, MNT_DETACH) < 0)
			return -errno;
	}
	return -EBUSY;
}
