/* Files beneath a directory handle, as an attacker would try them: symlinks
 * out of the tree (relative, absolute, in the middle and at the end), "..",
 * FIFOs in place of files, things already in the way of what we create,
 * and a symlink swapped in and out while we resolve (a thread racing with
 * renameat2(RENAME_EXCHANGE)). Every test runs with openat2 and again with
 * the component walk used where openat2 is missing. Mounts through handles
 * are tested as root. */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "beneath.h"
#include "fdmount.h"
#include "fs.h"

static char top[256];  /* holds tree/ and outside/ */
static char tree[300]; /* the directory we resolve beneath */
static char outside[300];
static int treefd = -1;

static void sh(const char *fmt, ...) _printf_(1, 2);
static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/kc-beneath-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(tree, sizeof(tree), "%s/tree", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	char cmd[2048];
	snprintf(
	    cmd, sizeof(cmd),
	    "set -e; cd %s; mkdir -p tree/dir/sub outside; echo secret > outside/secret;"
	    " echo inside > tree/dir/file; echo root-file > tree/file;"
	    " ln -s dir tree/rel-dir; ln -s ../../outside tree/dir/up-out; ln -s %s tree/abs-out;"
	    " ln -s /dir/file tree/abs-in; mkfifo tree/fifo",
	    top, outside);
	if (system(cmd) != 0)
		return -1;
	treefd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return treefd >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	close(treefd);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static int with_openat2(void **state)
{
	(void)state;
	beneath_force_fallback(false);
	return 0;
}

static int with_walk(void **state)
{
	(void)state;
	beneath_force_fallback(true);
	return 0;
}

static char *read_at(const char *path, enum beneath_mode how, int *rc)
{
	char *s = NULL;
	*rc = beneath_read_file(treefd, path, how, 1 << 20, &s, NULL);
	return s;
}

static void strict_mode(void **state)
{
	(void)state;
	int rc;
	char *s = read_at("dir/file", BENEATH_STRICT, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "inside\n");
	free(s);
	/* an absolute path is taken relative to the directory */
	s = read_at("/dir/file", BENEATH_STRICT, &rc);
	assert_int_equal(rc, 0);
	free(s);
	/* no symlink at all, wherever it is */
	assert_null(read_at("rel-dir/file", BENEATH_STRICT, &rc));
	assert_int_equal(rc, -ELOOP);
	assert_null(read_at("dir/up-out/secret", BENEATH_STRICT, &rc));
	assert_int_equal(rc, -ELOOP);
	assert_null(read_at("abs-in", BENEATH_STRICT, &rc));
	assert_int_equal(rc, -ELOOP);
	/* never above the directory */
	assert_null(read_at("../outside/secret", BENEATH_STRICT, &rc));
	assert_int_equal(rc, -EXDEV);
	assert_null(read_at("dir/../../outside/secret", BENEATH_STRICT, &rc));
	assert_int_equal(rc, -EXDEV);
	/* ".." inside is fine */
	s = read_at("dir/sub/../file", BENEATH_STRICT, &rc);
	assert_int_equal(rc, 0);
	free(s);
}

static void symlinks_mode(void **state)
{
	(void)state;
	int rc;
	char *s = read_at("rel-dir/file", BENEATH_SYMLINKS, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "inside\n");
	free(s);
	/* out by "..", or by an absolute target: refused */
	assert_null(read_at("dir/up-out/secret", BENEATH_SYMLINKS, &rc));
	assert_int_equal(rc, -EXDEV);
	assert_null(read_at("abs-out/secret", BENEATH_SYMLINKS, &rc));
	assert_int_equal(rc, -EXDEV);
	assert_null(read_at("abs-in", BENEATH_SYMLINKS, &rc));
	assert_int_equal(rc, -EXDEV);
}

static void in_root_mode(void **state)
{
	(void)state;
	int rc;
	/* the directory is "/" for absolute targets and for ".." */
	char *s = read_at("abs-in", BENEATH_IN_ROOT, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "inside\n");
	free(s);
	s = read_at("../../../file", BENEATH_IN_ROOT, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "root-file\n");
	free(s);
	/* an absolute link to the real outside resolves inside, where it is not */
	assert_null(read_at("abs-out/secret", BENEATH_IN_ROOT, &rc));
	assert_int_equal(rc, -ENOENT);
	/* "../../outside" from dir/ stops at the root: tree/outside */
	assert_null(read_at("dir/up-out/secret", BENEATH_IN_ROOT, &rc));
	assert_int_equal(rc, -ENOENT);
}

static void special_files(void **state)
{
	(void)state;
	int rc;
	/* a FIFO neither blocks nor is read */
	assert_null(read_at("fifo", BENEATH_STRICT, &rc));
	assert_int_equal(rc, -EINVAL);
	assert_null(read_at("dir", BENEATH_STRICT, &rc));
	assert_int_equal(rc, -EISDIR);
	char *s = NULL;
	assert_int_equal(beneath_read_file(treefd, "dir/file", BENEATH_STRICT, 3, &s, NULL),
			 -EFBIG);
	assert_null(s);
}

static void make_directories(void **state)
{
	(void)state;
	int fd = beneath_mkdir(treefd, "dir/made", 0700, BENEATH_STRICT);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	close(fd);
	/* nothing already there is taken over: a directory, a file, a symlink */
	assert_int_equal(beneath_mkdir(treefd, "dir/made", 0700, BENEATH_STRICT), -EEXIST);
	assert_int_equal(beneath_mkdir(treefd, "dir/file", 0700, BENEATH_STRICT), -EEXIST);
	assert_int_equal(beneath_mkdir(treefd, "dir/up-out", 0700, BENEATH_STRICT), -EEXIST);
	/* nor made through a symlinked parent */
	assert_int_equal(beneath_mkdir(treefd, "dir/up-out/x", 0700, BENEATH_STRICT), -ELOOP);
	assert_int_equal(beneath_mkdir(treefd, "..", 0700, BENEATH_STRICT), -EINVAL);
	assert_int_equal(beneath_unlink(treefd, "dir/made", AT_REMOVEDIR, BENEATH_STRICT), 0);

	fd = beneath_mkdir_p(treefd, "a/b/c", 0755, BENEATH_STRICT);
	assert_true(fd >= 0);
	close(fd);
	fd = beneath_mkdir_p(treefd, "a/b/c", 0755, BENEATH_STRICT);
	assert_true(fd >= 0); /* existing directories are fine */
	close(fd);
	assert_int_equal(beneath_mkdir_p(treefd, "dir/file/x", 0755, BENEATH_STRICT), -ENOTDIR);
	assert_int_equal(beneath_mkdir_p(treefd, "rel-dir/x", 0755, BENEATH_STRICT), -ELOOP);
	/* in a host root an absolute symlink leads inside it */
	fd = beneath_mkdir_p(treefd, "abs-out/made", 0755, BENEATH_IN_ROOT);
	assert_true(fd < 0); /* tree/<outside path> does not exist */
	char p[600];
	snprintf(p, sizeof(p), "%s/made", outside);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(beneath_remove_tree(treefd, "a"), 0);
}

static void atomic_writes(void **state)
{
	(void)state;
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(
	    beneath_write_atomic(treefd, "dir/new", "one", 3, 0640, BENEATH_STRICT, &err), 0);
	int rc;
	char *s = read_at("dir/new", BENEATH_STRICT, &rc);
	assert_string_equal(s, "one");
	free(s);
	/* a symlink at the target is replaced, never written through */
	assert_int_equal(symlinkat("../../outside/secret", treefd, "dir/link-target"), 0);
	assert_int_equal(
	    beneath_write_atomic(treefd, "dir/link-target", "two", 3, 0640, BENEATH_STRICT, &err),
	    0);
	char p[600];
	snprintf(p, sizeof(p), "%s/secret", outside);
	char *o = NULL;
	assert_int_equal(read_file(p, 100, &o, NULL), 0);
	assert_string_equal(o, "secret\n");
	free(o);
	/* nor through a symlinked directory */
	assert_true(beneath_write_atomic(treefd, "dir/up-out/secret", "x", 1, 0640, BENEATH_STRICT,
					 &err) < 0);
	assert_int_equal(err.errnum, ELOOP);
	/* no temporary file is left behind */
	sh("test -z \"$(ls -A %s/dir | grep tmp-)\"", tree);
	assert_int_equal(beneath_unlink(treefd, "dir/new", 0, BENEATH_STRICT), 0);
	assert_int_equal(beneath_unlink(treefd, "dir/link-target", 0, BENEATH_STRICT), 0);
}

/* The plain-path writer shares the core: same guarantees, the caller's
 * own path. */
static void plain_atomic_write(void **state)
{
	(void)state;
	_cleanup_error_ struct kc_error err = {0};
	char p[600], *s = NULL;
	snprintf(p, sizeof(p), "%s/dir/plain", tree);
	assert_int_equal(write_file_atomic(p, "first", 5, 0600, &err), 0);
	assert_int_equal(write_file_atomic(p, "second", 6, 0644, &err), 0);
	assert_int_equal(read_file(p, 100, &s, NULL), 0);
	assert_string_equal(s, "second");
	free(s);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	sh("test -z \"$(ls -A %s/dir | grep tmp-)\"", tree);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/no-such-dir/f", tree);
	assert_true(write_file_atomic(p, "x", 1, 0600, &err) < 0);
	assert_int_equal(err.errnum, ENOENT);
	assert_non_null(strstr(kc_error_msg(&err), p));
}

/* What a write killed before its rename leaves goes; nothing else does. */
static void atomic_leftovers(void **state)
{
	(void)state;
	sh("set -e; mkdir -p %s/left; cd %s/left; echo 1 > .proxy.pid.tmp-0a1b2c3d; "
	   "echo 2 > proxy.pid; echo 3 > .x.tmp-1234; echo 4 > .tmp-01234567; "
	   "mkdir .d.tmp-89abcdef",
	   tree, tree);
	int fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int dfd = openat(fd, "left", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	remove_atomic_leftovers(dfd);
	close(dfd);
	close(fd);
	sh("set -e; cd %s/left; test ! -e .proxy.pid.tmp-0a1b2c3d; test -f proxy.pid; "
	   "test -f .x.tmp-1234; test -f .tmp-01234567; test -d .d.tmp-89abcdef",
	   tree);
	sh("rm -rf %s/left", tree);
}

static void removal(void **state)
{
	(void)state;
	sh("set -e; cd %s; mkdir -p victim/d/e; echo x > victim/d/e/f; ln -s %s victim/out; ln -s "
	   "%s/secret victim/d/sec",
	   tree, outside, outside);
	assert_int_equal(beneath_remove_tree(treefd, "victim"), 0);
	sh("test ! -e %s/victim && test -f %s/secret", tree, outside);
	/* a symlink as the name itself is removed as a link */
	sh("ln -s %s %s/tolink", outside, tree);
	assert_int_equal(beneath_remove_tree(treefd, "tolink"), 0);
	sh("test -d %s && test ! -L %s/tolink", outside, tree);
}

/* ---- races ---------------------------------------------------------------- */

static atomic_bool racing;

/* Swap tree/race (a directory) with tree/race-link (a symlink out of the
 * tree) as fast as the kernel allows. */
static void *swapper(void *arg)
{
	(void)arg;
	while (atomic_load(&racing))
		syscall(SYS_renameat2, treefd, "race", treefd, "race-link",
			2 /* RENAME_EXCHANGE */);
	return NULL;
}

static void swapped_symlink(void **state)
{
	(void)state;
	sh("set -e; cd %s; mkdir -p race; echo inside > race/secret; ln -s %s race-link", tree,
	   outside);
	atomic_store(&racing, true);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, swapper, NULL), 0);
	int inside = 0, refused = 0, escaped = 0, made_outside = 0;
	for (int i = 0; i < 20000; i++) {
		int rc;
		char *s = read_at("race/secret", BENEATH_STRICT, &rc);
		if (s && !strcmp(s, "secret\n"))
			escaped++;
		else if (s)
			inside++;
		else
			refused++;
		free(s);
		s = read_at("race/secret", BENEATH_SYMLINKS, &rc);
		if (s && !strcmp(s, "secret\n"))
			escaped++;
		free(s);
		int fd = beneath_mkdir(treefd, "race/made", 0700, BENEATH_STRICT);
		if (fd >= 0) {
			close(fd);
			/* it must be in the tree's directory, wherever that is now */
			char p[700];
			snprintf(p, sizeof(p), "%s/made", outside);
			if (access(p, F_OK) == 0) {
				made_outside++;
				rmdir(p);
			}
			if (beneath_unlink(treefd, "race/made", AT_REMOVEDIR, BENEATH_STRICT) < 0)
				beneath_unlink(treefd, "race-link/made", AT_REMOVEDIR,
					       BENEATH_STRICT);
		}
	}
	atomic_store(&racing, false);
	pthread_join(t, NULL);
	/* the race was real: both outcomes happened */
	assert_true(inside > 0);
	assert_true(refused > 0);
	assert_int_equal(escaped, 0);
	assert_int_equal(made_outside, 0);
	sh("cd %s && rm -rf race race-link", tree);
}

/* ---- mounts through handles (root) --------------------------------------- */

static void mounts_on_handles(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	sh("set -e; cd %s; mkdir -p msrc mdst; echo src > msrc/f", tree);
	int src = beneath_open_dir(treefd, "msrc", BENEATH_STRICT);
	int dst = beneath_open_dir(treefd, ".", BENEATH_STRICT);
	assert_true(src >= 0 && dst >= 0);
	int m = fd_bind_mount(src, dst, "mdst", NULL);
	assert_true(m >= 0);
	assert_true(fd_is_mount_point(dst, "mdst"));
	assert_int_equal(fd_mount_setattr(m, MS_RDONLY | MS_NOSUID | MS_NODEV, MS_PRIVATE, false),
			 0);
	int rc;
	char *s = read_at("mdst/f", BENEATH_STRICT, &rc);
	assert_string_equal(s, "src\n");
	free(s);
	_cleanup_error_ struct kc_error err = {0};
	assert_true(beneath_write_atomic(treefd, "mdst/g", "x", 1, 0644, BENEATH_STRICT, &err) < 0);
	assert_int_equal(err.errnum, EROFS);
	close(m);
	/* a symlink is never a mount target */
	sh("ln -s %s %s/mlink", outside, tree);
	assert_int_equal(fd_bind_mount(src, dst, "mlink", NULL), -ELOOP);
	assert_false(fd_is_mount_point(dst, "mlink"));
	assert_int_equal(fd_umount_at(dst, "mlink"), 0);
	/* unmount by handle; nothing mounted is not an error */
	assert_int_equal(fd_umount_at(dst, "mdst"), 0);
	assert_false(fd_is_mount_point(dst, "mdst"));
	assert_int_equal(fd_umount_at(dst, "mdst"), 0);
	/* a tree with a mount in it: removed around it, never across */
	sh("mkdir -p %s/mtree/in %s/mtree/other && echo x > %s/msrc/g", tree, tree, tree);
	int mt = beneath_open_dir(treefd, "mtree", BENEATH_STRICT);
	m = fd_bind_mount(src, mt, "in", NULL);
	assert_true(m >= 0);
	close(m);
	assert_int_equal(beneath_remove_tree(treefd, "mtree"), -EBUSY);
	sh("test -f %s/msrc/g && test -f %s/mtree/in/g && test ! -e %s/mtree/other", tree, tree,
	   tree);
	assert_int_equal(fd_umount_at(mt, "in"), 0);
	close(mt);
	assert_int_equal(beneath_remove_tree(treefd, "mtree"), 0);
	close(src);
	close(dst);
	sh("cd %s && rm -rf msrc mdst mlink", tree);
}

/* The share's shape (runtime/share.c): a shared mount (pm), its read-only
 * slave (pv) and a private stage. A bind made in pm with flags has them
 * in pv's copy too - on its submounts as well, with the source's own flags
 * kept - whether the kernel gives them before the bind is attached
 * (mount_setattr) or the stage is used (mount(2) alone). */
static void flags_reach_copies(bool legacy)
{
	if (geteuid() != 0)
		skip();
	sh("set -e; cd %s; mkdir -p fsrc/sub pm pv stage; echo f > fsrc/f;"
	   " mount -t tmpfs -o noexec,size=1m kc-unit fsrc/sub; echo s > fsrc/sub/s;"
	   " mount --bind pm pm; mount --make-private pm; mount --make-shared pm;"
	   " mount --bind pm pv; mount --make-slave pv; mount -o remount,bind,ro pv;"
	   " mount --bind stage stage; mount --make-private stage; mkdir pm/x pm/y",
	   tree);
	fdmount_force_legacy(legacy);
	int src = beneath_open_dir(treefd, "fsrc", BENEATH_STRICT);
	int pm = beneath_open_dir(treefd, "pm", BENEATH_STRICT);
	int stage = beneath_open_dir(treefd, "stage", BENEATH_STRICT);
	assert_true(src >= 0 && pm >= 0 && stage >= 0);
	const struct fd_bind how = {.recursive = true,
				    .flags = MS_RDONLY | MS_NOSUID | MS_NODEV,
				    .propagation = MS_SLAVE,
				    .stage = stage};
	int m = fd_bind_mount(src, pm, "x", &how);
	assert_true(m >= 0);
	close(m);
	/* without flags: a plain bind, its copy writable */
	m = fd_bind_mount(src, pm, "y", NULL);
	assert_true(m >= 0);
	close(m);
	fdmount_force_legacy(false);
	const char *copies[] = {"pm/x", "pv/x", "pv/x/sub"};
	for (size_t i = 0; i < ARRAY_SIZE(copies); i++) {
		int c = beneath_open(treefd, copies[i], O_PATH, 0, BENEATH_STRICT);
		assert_true(c >= 0);
		long f = fd_mount_flags(c);
		assert_true(f >= 0);
		assert_int_equal(f & (MS_RDONLY | MS_NOSUID | MS_NODEV),
				 MS_RDONLY | MS_NOSUID | MS_NODEV);
		if (i == 2)
			assert_true(f & MS_NOEXEC); /* the source's own, kept */
		close(c);
	}
	_cleanup_error_ struct kc_error err = {0};
	assert_true(beneath_write_atomic(treefd, "pv/x/sub/t", "x", 1, 0644, BENEATH_STRICT, &err) <
		    0);
	assert_int_equal(err.errnum, EROFS);
	sh("set -e; cd %s; echo ok >> pm/y/f; test \"$(cat fsrc/f)\" = \"$(printf 'f\\nok')\";"
	   " test -z \"$(ls -A stage)\"",
	   tree);
	/* unmounting the original takes its copies, submounts and all */
	assert_int_equal(fd_umount_at(pm, "x"), 0);
	int pv = beneath_open_dir(treefd, "pv", BENEATH_STRICT);
	assert_true(pv >= 0);
	assert_false(fd_is_mount_point(pv, "x"));
	close(pv);
	sh("test ! -e %s/pv/x/sub/s", tree);
	close(src);
	close(pm);
	close(stage);
	sh("cd %s; umount -l pv; umount -l pm; umount -l stage; umount -l fsrc/sub;"
	   " rm -rf fsrc pm pv stage",
	   tree);
}

static void mount_flags_new_api(void **state)
{
	(void)state;
	flags_reach_copies(false);
}

static void mount_flags_legacy(void **state)
{
	(void)state;
	flags_reach_copies(true);
}

#define BOTH(fn) cmocka_unit_test_setup(fn, with_openat2), cmocka_unit_test_setup(fn, with_walk)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(strict_mode),
	    BOTH(symlinks_mode),
	    BOTH(in_root_mode),
	    BOTH(special_files),
	    BOTH(make_directories),
	    BOTH(atomic_writes),
	    BOTH(removal),
	    cmocka_unit_test(plain_atomic_write),
	    cmocka_unit_test(atomic_leftovers),
	    BOTH(swapped_symlink),
	    cmocka_unit_test(mounts_on_handles),
	    cmocka_unit_test(mount_flags_new_api),
	    cmocka_unit_test(mount_flags_legacy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
