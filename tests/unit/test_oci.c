/* OCI process objects: what is read, and the field named in every error;
 * signal names and container ids as runc takes them. */
#include "test.h"

#include <signal.h>

#include "oci.h"
#include "oci_default.h"

static int parse(const char *text, struct oci_process *p, struct kc_error *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	assert_non_null(j);
	int rc = oci_process_parse(j, p, err);
	json_decref(j);
	return rc;
}

static void full_process(void **state)
{
	(void)state;
	struct oci_process p;
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(
	    parse(
		"{\"args\":[\"sh\",\"-c\",\"x\"],\"env\":[\"PATH=/bin\",\"A=b\"],\"cwd\":\"/tmp\","
		"\"terminal\":true,\"consoleSize\":{\"height\":30,\"width\":100},"
		"\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[5,6]},"
		"\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_NOT_YET\"],\"effective\":["
		"\"CAP_CHOWN\"]},"
		"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2048,\"soft\":1024},"
		"{\"type\":\"RLIMIT_NOFILE\",\"hard\":4096,\"soft\":4096}],"
		"\"noNewPrivileges\":true,\"oomScoreAdj\":-500}",
		&p, &err),
	    0);
	assert_string_equal(p.argv[2], "x");
	assert_null(p.argv[3]);
	assert_string_equal(oci_env_get(p.envp, "A"), "b");
	assert_null(oci_env_get(p.envp, "PAT"));
	assert_string_equal(p.cwd, "/tmp");
	assert_true(p.terminal);
	assert_int_equal(p.rows, 30);
	assert_int_equal(p.cols, 100);
	assert_int_equal(p.uid, 1000);
	assert_int_equal(p.gid, 100);
	assert_true(p.has_umask);
	assert_int_equal(p.umask, 022);
	assert_int_equal(p.ngids, 2);
	assert_true(p.has_caps);
	/* an unknown capability is ignored, as runc does */
	assert_int_equal(p.cap_bounding, 1ULL << 5);
	assert_int_equal(p.cap_effective, 1ULL << 0);
	assert_int_equal(p.cap_permitted, 0);
	/* a repeated rlimit replaces the earlier one */
	assert_int_equal(p.nrlimits, 1);
	assert_int_equal(p.rlimits[0].limit.rlim_cur, 4096);
	assert_true(p.no_new_privileges);
	assert_int_equal(p.oom_score_adj, -500);
	oci_process_free(&p);
}

static void defaults(void **state)
{
	(void)state;
	struct oci_process p;
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(parse("{\"args\":[\"true\"]}", &p, &err), 0);
	assert_string_equal(p.cwd, "/");
	assert_non_null(p.envp);
	assert_null(p.envp[0]);
	assert_false(p.has_caps);
	assert_false(p.terminal);
	oci_process_free(&p);

	json_t *spec = oci_default_spec();
	assert_non_null(spec);
	assert_int_equal(oci_process_parse(json_object_get(spec, "process"), &p, &err), 0);
	assert_string_equal(p.argv[0], "sh");
	oci_process_free(&p);
	json_decref(spec);
}

static void errors_name_the_field(void **state)
{
	(void)state;
	const char *cases[][2] = {
	    {"[]", "process: must be an object"},
	    {"{}", "process.args: missing"},
	    {"{\"args\":[]}", "process.args: must not be empty"},
	    {"{\"args\":[1]}", "process.args[0]: must be a string"},
	    {"{\"args\":[\"\"]}", "process.args[0]: must not be empty"},
	    {"{\"args\":[\"a\"],\"env\":\"x\"}", "process.env: must be an array"},
	    {"{\"args\":[\"a\"],\"cwd\":\"rel\"}", "process.cwd: 'rel' is not an absolute path"},
	    {"{\"args\":[\"a\"],\"terminal\":1}", "process.terminal: must be true or false"},
	    {"{\"args\":[\"a\"],\"user\":{\"uid\":-1}}", "process.user.uid: must be an integer"},
	    {"{\"args\":[\"a\"],\"user\":{\"additionalGids\":[\"x\"]}}",
	     "process.user.additionalGids[0]"},
	    {"{\"args\":[\"a\"],\"capabilities\":{\"bounding\":[1]}}",
	     "process.capabilities.bounding[0]"},
	    {"{\"args\":[\"a\"],\"rlimits\":[{\"type\":\"RLIMIT_NOPE\",\"hard\":1,\"soft\":1}]}",
	     "unknown rlimit 'RLIMIT_NOPE'"},
	    {"{\"args\":[\"a\"],\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1,\"soft\":2}]}",
	     "soft limit above the hard limit"},
	    {"{\"args\":[\"a\"],\"oomScoreAdj\":5000}", "process.oomScoreAdj"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oci_process p;
		_cleanup_error_ struct kc_error err = {0};
		assert_int_equal(parse(cases[i][0], &p, &err), -1);
		if (!strstr(kc_error_msg(&err), cases[i][1]))
			fail_msg("%s: got '%s', want '%s'", cases[i][0], kc_error_msg(&err),
				 cases[i][1]);
	}
}

static void signals_and_ids(void **state)
{
	(void)state;
	assert_int_equal(oci_signal_number("KILL"), SIGKILL);
	assert_int_equal(oci_signal_number("SIGTERM"), SIGTERM);
	assert_int_equal(oci_signal_number("sigusr1"), SIGUSR1);
	assert_int_equal(oci_signal_number("9"), 9);
	assert_int_equal(oci_signal_number("RTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(oci_signal_number("SIGRTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(oci_signal_number("0"), -1);
	assert_int_equal(oci_signal_number("99"), -1);
	assert_int_equal(oci_signal_number("NOPE"), -1);
	assert_int_equal(oci_signal_number(""), -1);
	assert_true(oci_valid_id("abc-1.2_3+x"));
	assert_false(oci_valid_id("a/b"));
	assert_false(oci_valid_id(".."));
	assert_false(oci_valid_id(""));
	assert_false(oci_valid_id("a b"));
	assert_int_equal(oci_cap_number("CAP_SYS_ADMIN"), 21);
	assert_int_equal(oci_rlimit_number("RLIMIT_NOFILE"), RLIMIT_NOFILE);
}

/* Bind mounts as runc reads them: by type, or by a bind/rbind option. */
static void bind_mounts(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		bool bind, ro;
	} cases[] = {
	    {"{\"type\":\"bind\",\"source\":\"/a\"}", true, false},
	    {"{\"type\":\"none\",\"options\":[\"rbind\",\"ro\"]}", true, true},
	    {"{\"options\":[\"bind\"]}", true, false},
	    {"{\"type\":\"tmpfs\",\"options\":[\"nosuid\",\"ro\"]}", false, true},
	    {"{\"type\":\"proc\",\"options\":[5,\"rw\"]}", false, false},
	    {"{}", false, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *m = json_loads(cases[i].json, 0, NULL);
		assert_non_null(m);
		assert_int_equal(oci_mount_is_bind(m), cases[i].bind);
		assert_int_equal(oci_mount_has_option(m, "ro"), cases[i].ro);
		json_decref(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(full_process),	     cmocka_unit_test(defaults),
	    cmocka_unit_test(errors_name_the_field), cmocka_unit_test(signals_and_ids),
	    cmocka_unit_test(bind_mounts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
