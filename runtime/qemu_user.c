/* QEMU's own users (see qemu_user.h). */
#include "qemu_user.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "beneath.h"
#include "sandbox.h"

#define UIDS_DIR ".uids"

static int open_uids(bool create)
{
	_cleanup_close_ int dirs = sandbox_open_vm_dirs(create);
	if (dirs < 0)
		return dirs;
	if (create) {
		int r = beneath_mkdir(dirs, UIDS_DIR, 0700, BENEATH_STRICT);
		if (r >= 0)
			close(r);
		else if (r != -EEXIST)
			return r;
	}
	return beneath_open(dirs, UIDS_DIR, O_RDONLY | O_DIRECTORY, 0, BENEATH_STRICT);
}

int qemu_user_claim(const char *vm_name, uid_t *uid, struct kc_error *err)
{
	_cleanup_close_ int dir = open_uids(true);
	if (dir < 0)
		return kc_error_set(err, -dir, "%s/%s/%s", KC_RUN_DIR, KC_VM_DIRS, UIDS_DIR);
	/* start where the name hashes to: a sandbox tends to keep its uid */
	unsigned h = 2166136261u;
	for (const char *s = vm_name; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	for (unsigned i = 0; i < QEMU_UID_COUNT; i++) {
		unsigned u = QEMU_UID_BASE + (h + i) % QEMU_UID_COUNT;
		char name[16];
		snprintf(name, sizeof(name), "%u", u);
		int fd =
		    openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return kc_error_set(err, errno, "claim uid %u for QEMU", u);
		ssize_t n = write(fd, vm_name, strlen(vm_name));
		close(fd);
		if (n != (ssize_t)strlen(vm_name)) {
			unlinkat(dir, name, 0);
			return kc_error_set(err, EIO, "claim uid %u for QEMU", u);
		}
		*uid = (uid_t)u;
		return 0;
	}
	return kc_error_set(err, 0, "no free uid for QEMU among %u (too many sandboxes)",
			    QEMU_UID_COUNT);
}

/* Unlink the claim name if it is vm_name's. */
static void release_if_owner(int dir, const char *name, const char *vm_name)
{
	_cleanup_free_ char *owner = NULL;
	if (beneath_read_file(dir, name, BENEATH_STRICT, 64, &owner, NULL) == 0 &&
	    !strcmp(owner, vm_name))
		unlinkat(dir, name, 0);
}

void qemu_user_release(const char *vm_name, uid_t uid)
{
	_cleanup_close_ int dir = open_uids(false);
	if (dir < 0)
		return;
	if (uid) {
		char name[16];
		snprintf(name, sizeof(name), "%u", (unsigned)uid);
		release_if_owner(dir, name, vm_name);
		return;
	}
	int dfd = dup(dir);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] != '.')
			release_if_owner(dir, e->d_name, vm_name);
	}
	closedir(d);
}
