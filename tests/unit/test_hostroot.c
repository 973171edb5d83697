/* The host-root layer: paths resolve inside the root (absolute symlinks
 * included), and hostile files (FIFOs, directories, huge files) give errors
 * instead of hangs. */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "hostroot.h"

static char tree[256];

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tree, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	char p[512];
	snprintf(tree, sizeof(tree), "/tmp/kc-hostroot-XXXXXX");
	if (!mkdtemp(tree))
		return -1;
	snprintf(p, sizeof(p), "%s/etc", tree);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/opt", tree);
	mkdir(p, 0755);
	put("etc/real.conf", "inside\n");
	put("opt/target", "in the root\n");
	/* an absolute symlink must resolve inside the root, not on this machine */
	snprintf(p, sizeof(p), "%s/etc/abs-link", tree);
	if (symlink("/opt/target", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/etc/escape", tree);
	if (symlink("../../../../../../etc/hostname", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/etc/fifo", tree);
	if (mkfifo(p, 0600) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
	return system(cmd) == 0 ? 0 : -1;
}

static void open_errors(void **state)
{
	(void)state;
	struct host_root root;
	_cleanup_error_ struct kc_error err = {0};
	char p[512];
	assert_int_equal(host_root_open(&root, "/nonexistent/kc-test", &err) < 0, 1);
	assert_non_null(strstr(kc_error_msg(&err), "/nonexistent/kc-test"));
	snprintf(p, sizeof(p), "%s/etc/real.conf", tree);
	kc_error_clear(&err);
	assert_true(host_root_open(&root, p, &err) < 0);
	assert_non_null(strstr(kc_error_msg(&err), "not a directory"));
	assert_int_equal(host_root_open(&root, NULL, &err), 0);
	assert_true(root.live);
	assert_string_equal(root.dir, "/");
	host_root_close(&root);
}

static void reads_inside_root(void **state)
{
	(void)state;
	struct host_root root;
	_cleanup_error_ struct kc_error err = {0};
	char buf[64], *text = NULL;
	size_t len = 0;
	assert_int_equal(host_root_open(&root, tree, &err), 0);
	assert_false(root.live);
	assert_int_equal(host_read_attr(&root, "/etc/real.conf", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "inside");
	assert_int_equal(host_read_attr(&root, "/etc/abs-link", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "in the root");
	/* ".." cannot climb out of the root either */
	assert_int_equal(host_read_attr(&root, "/etc/escape", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(host_read_file(&root, "etc/real.conf", 100, &text, &len), 0);
	assert_int_equal(len, 7);
	free(text);
	assert_int_equal(host_read_file(&root, "/etc/real.conf", 3, &text, &len), -EFBIG);
	assert_int_equal(host_read_attr(&root, "/etc/real.conf", buf, 3), -ENAMETOOLONG);
	assert_int_equal(host_read_attr(&root, "/etc/missing", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(host_readlink(&root, "/etc/abs-link", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/opt/target");
	assert_true(host_exists(&root, "/opt/target"));
	char *path = host_path(&root, "/etc/x");
	assert_true(str_endswith(path, "/etc/x"));
	assert_true(str_startswith(path, tree));
	free(path);
	host_root_close(&root);
}

static void hostile_files(void **state)
{
	(void)state;
	struct host_root root;
	_cleanup_error_ struct kc_error err = {0};
	char buf[64], *text = NULL;
	assert_int_equal(host_root_open(&root, tree, &err), 0);
	/* a FIFO must not block the reader */
	assert_int_equal(host_read_attr(&root, "/etc/fifo", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(host_read_file(&root, "/etc/fifo", 100, &text, NULL), -EINVAL);
	assert_int_equal(host_read_file(&root, "/etc", 100, &text, NULL), -EISDIR);
	host_root_close(&root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(open_errors),
	    cmocka_unit_test(reads_inside_root),
	    cmocka_unit_test(hostile_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
