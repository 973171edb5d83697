/* The pod's cgroup path from linux.cgroupsPath: cgroupfs paths kept below
 * the hierarchy's root, systemd's slice:prefix:name expanded as systemd
 * names its units, and everything that could leave the hierarchy refused
 * with the field named. */
#include "test.h"

#include "host_cgroup.h"

static char *path_of(const char *in, bool systemd)
{
	char *out = NULL;
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(host_cgroup_path(in, systemd, &out, &err), 0);
	return out;
}

static void refused(const char *in, bool systemd)
{
	char *out = NULL;
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(host_cgroup_path(in, systemd, &out, &err), -1);
	assert_null(out);
	assert_non_null(strstr(kc_error_msg(&err), "linux.cgroupsPath"));
}

static void cgroupfs_paths(void **state)
{
	(void)state;
	char *p = path_of("/kubepods/burstable/pod1234/abcd", false);
	assert_string_equal(p, "kubepods/burstable/pod1234/abcd");
	free(p);
	p = path_of("relative//double/", false);
	assert_string_equal(p, "relative/double");
	free(p);
	/* none given: no cgroup */
	char *none = (char *)1;
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(host_cgroup_path(NULL, false, &none, &err), 0);
	assert_null(none);
	assert_int_equal(host_cgroup_path("", false, &none, &err), 0);
	assert_null(none);
}

static void systemd_paths(void **state)
{
	(void)state;
	char *p = path_of("kubepods-burstable-pod12.slice:cri-containerd:abc", true);
	assert_string_equal(p, "kubepods.slice/kubepods-burstable.slice/"
			       "kubepods-burstable-pod12.slice/cri-containerd-abc.scope");
	free(p);
	/* recognised by its form without --systemd-cgroup */
	p = path_of("machine.slice:libpod:c1", false);
	assert_string_equal(p, "machine.slice/libpod-c1.scope");
	free(p);
	/* the root slice, an empty slice (system.slice), a unit that is a slice */
	p = path_of("-.slice:kata:x", true);
	assert_string_equal(p, "kata-x.scope");
	free(p);
	p = path_of(":kata:x", true);
	assert_string_equal(p, "system.slice/kata-x.scope");
	free(p);
	p = path_of("a.slice::b-c.slice", true);
	assert_string_equal(p, "a.slice/b-c.slice");
	free(p);
}

static void refusals(void **state)
{
	(void)state;
	refused("/", false);
	refused("/a/../../etc", false);
	refused("/a/./b", false);
	refused("..", false);
	refused("/a/b\nc", false);
	refused("only:two", false);
	refused("a.slice:p:n:extra", true);
	refused("nodots:p:n", true);
	refused("-bad.slice:p:n", true);
	refused("a--b.slice:p:n", true);
	refused("a.slice:p:", true);
	refused("a.slice:..:x/y", true);
	refused("/kubepods/plain", true);
	char big[5000];
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	refused(big, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cgroupfs_paths),
	    cmocka_unit_test(systemd_paths),
	    cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
