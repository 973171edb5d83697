/* VM directories (see vm_dir.h; sandbox.h for the names it shares). */
#include "vm_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "beneath.h"
#include "fdmount.h"
#include "log.h"
#include "sandbox.h"
#include "strbuf.h"
#include "strutil.h"

/* FNV-1a of root and id: stable, short (socket paths must fit in 108
 * bytes), distinct per --root. */
static void vm_dir_name(const char *root, const char *id, char name[17])
{
	uint64_t h = fnv1a_str(fnv1a_str(fnv1a_str(FNV1A_INIT_SHORT, root), "/"), id);
	snprintf(name, 17, "%016llx", (unsigned long long)h);
}

char *sandbox_vm_dir(const char *root, const char *id)
{
	char name[17];
	vm_dir_name(root, id, name);
	struct strbuf sb = STRBUF_INIT;
	strbuf_appendf(&sb, "%s/%s/%s", KC_RUN_DIR, KC_VM_DIRS, name);
	return sb.s;
}

/* The directory that holds every VM directory: ours, root's only. */
int sandbox_open_vm_dirs(bool create)
{
	_cleanup_close_ int run = open("/run", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (run < 0)
		return -errno;
	const char *rel = KC_RUN_DIR "/" KC_VM_DIRS;
	rel += strlen("/run/");
	return create ? beneath_mkdir_p(run, rel, 0711, BENEATH_STRICT)
		      : beneath_open_dir(run, rel, BENEATH_STRICT);
}

/* The VM directory's last component, checked: a record's vm_dir is
 * trusted only when it is one of ours. */
const char *vm_dir_base(const char *vm_dir)
{
	size_t pl = strlen(KC_RUN_DIR "/" KC_VM_DIRS "/");
	if (!vm_dir || strncmp(vm_dir, KC_RUN_DIR "/" KC_VM_DIRS "/", pl) ||
	    strlen(vm_dir + pl) != 16 || strspn(vm_dir + pl, "0123456789abcdef") != 16)
		return NULL;
	return vm_dir + pl;
}

int sandbox_open_vm_dir(const struct sandbox *sb)
{
	const char *base = vm_dir_base(sb->vm_dir);
	if (!base)
		return -EINVAL;
	_cleanup_close_ int dirs = sandbox_open_vm_dirs(false);
	if (dirs < 0)
		return dirs;
	return beneath_open_dir(dirs, base, BENEATH_STRICT);
}

/* ---- network namespace -------------------------------------------------- */

/* A new network namespace, kept by a bind mount of its nsfs file on
 * vm_dir/netns (made here, O_EXCL). */
int netns_create(int vmfd, struct kc_error *err)
{
	int fd = openat(vmfd, "netns", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return kc_error_set(err, errno, "network namespace file");
	close(fd);
	pid_t pid = fork();
	if (pid < 0)
		return kc_error_set(err, errno, "fork");
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(errno ? errno : 1);
		int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		int m = ns >= 0 ? fd_bind_mount(ns, vmfd, "netns", NULL) : -errno;
		_exit(m < 0 ? -m : 0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		unlinkat(vmfd, "netns", 0);
		return kc_error_set(err, WIFEXITED(st) ? WEXITSTATUS(st) : 0,
				    "new network namespace");
	}
	return 0;
}

void netns_remove(int vmfd)
{
	int r = fd_umount_at(vmfd, "netns");
	if (r < 0)
		kc_warn("unmount the network namespace: %s", strerror(-r));
	unlinkat(vmfd, "netns", 0);
}

/* ---- pid files: a crash between spawning and recording still leaves the
 * processes findable from vm_dir ----------------------------------------- */

void pid_file_write(int vmfd, const char *name, pid_t pid, uint64_t start)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%d %llu\n", pid, (unsigned long long)start);
	_cleanup_error_ struct kc_error err = {0};
	if (beneath_write_atomic(vmfd, name, buf, (size_t)n, 0600, BENEATH_STRICT, &err) < 0)
		kc_warn("%s", kc_error_msg(&err));
}

void pid_file_read(int vmfd, const char *name, pid_t *pid, uint64_t *start)
{
	_cleanup_free_ char *text = NULL;
	if (beneath_read_file(vmfd, name, BENEATH_STRICT, 256, &text, NULL) < 0)
		return;
	int v;
	unsigned long long st;
	if (sscanf(text, "%d %llu", &v, &st) == 2 && v > 0) {
		*pid = v;
		*start = st;
	}
}
