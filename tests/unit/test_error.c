/* The error contract: a reason of any length comes out whole (set and
 * wrap), the code callers test survives context, and what the contract
 * hands out is freed by clear. */
#include "test.h"

#include <errno.h>

#include "error.h"

static void long_reason_comes_out_whole(void **state)
{
	(void)state;
	char reason[4097];
	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(kc_error_set(&err, 0, "KVM unusable: %s; set accel = \"tcg\" in %s",
				      reason, "/etc/kata-containers/configuration.toml"),
			 -1);
	assert_int_equal(strlen(kc_error_msg(&err)), 14 + 4096 + 23 + 39);
	assert_non_null(strstr(kc_error_msg(&err), "set accel = \"tcg\" in /etc/kata-containers/"
						   "configuration.toml"));
	kc_error_wrap(&err, "create %s", "c1");
	assert_int_equal(strncmp(kc_error_msg(&err), "create c1: KVM unusable: rrr", 28), 0);
	size_t len = strlen(kc_error_msg(&err));
	assert_string_equal(kc_error_msg(&err) + len - 18, "configuration.toml");
}

static void code_survives_context(void **state)
{
	(void)state;
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(kc_error_code(&err), 0);
	assert_string_equal(kc_error_msg(&err), "");
	assert_int_equal(kc_error_setc(&err, ENOENT, "container \"%s\" does not exist", "x"),
			 -ENOENT);
	assert_int_equal(kc_error_wrap(&err, "delete"), -ENOENT);
	assert_int_equal(kc_error_code(&err), ENOENT);
	assert_int_equal(err.errnum, 0); /* not a system error: no strerror */
	assert_string_equal(kc_error_msg(&err), "delete: container \"x\" does not exist");

	/* a system error's errno is its code, and its text is appended */
	assert_int_equal(kc_error_set(&err, EACCES, "open %s", "f"), -EACCES);
	assert_int_equal(kc_error_code(&err), EACCES);
	assert_string_equal(kc_error_msg(&err), "open f: Permission denied");

	/* a reworded message changes nothing a caller decides */
	assert_int_equal(kc_error_set(&err, 0, "container exists (but no code)"), -1);
	assert_int_equal(kc_error_code(&err), 0);
}

static void move_and_clear(void **state)
{
	(void)state;
	_cleanup_error_ struct kc_error a = {0}, b = {0};
	kc_error_setc(&a, EEXIST, "taken");
	kc_error_set(&b, 0, "old");
	kc_error_move(&b, &a);
	assert_false(a.set);
	assert_null(a.msg);
	assert_int_equal(kc_error_code(&b), EEXIST);
	assert_string_equal(kc_error_msg(&b), "taken");
	kc_error_clear(&b);
	assert_false(b.set);
	assert_string_equal(kc_error_msg(&b), "");
	/* wrap of nothing says so */
	kc_error_wrap(&b, "ctx");
	assert_string_equal(kc_error_msg(&b), "ctx: unknown error");
	/* a NULL error is allowed: the return value still carries the code */
	assert_int_equal(kc_error_set(NULL, EIO, "x"), -EIO);
	assert_int_equal(kc_error_setc(NULL, ENOENT, "x"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(long_reason_comes_out_whole),
	    cmocka_unit_test(code_survives_context),
	    cmocka_unit_test(move_and_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
