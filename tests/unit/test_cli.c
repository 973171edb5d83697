/* kata-runtime's command line as runc (urfave/cli) takes it: --name VALUE,
 * --name=VALUE, -name, single-letter flags, repeated flags, booleans with
 * =false, "--", and errors naming the flag. */
#include "test.h"

#include "cli.h"

static struct cli_opt *fresh(void)
{
	static struct cli_opt opts[] = {
	    {"bundle", 'b', true}, {"detach", 'd', false}, {"env", 'e', true},
	    {"tty", 't', false},   {NULL, 0, false},
	};
	for (struct cli_opt *o = opts; o->name; o++)
		o->set = false, o->value = NULL, o->nvalues = 0;
	return opts;
}

static int parse(struct cli_opt *opts, struct kc_error *err, int argc, char **argv)
{
	return cli_parse(argc, argv, 1, opts, err);
}

static void forms_of_a_value(void **state)
{
	(void)state;
	_cleanup_error_ struct kc_error err = {0};
	char *a1[] = {(char *)"create", (char *)"--bundle", (char *)"/b1", (char *)"id"};
	struct cli_opt *o = fresh();
	assert_int_equal(parse(o, &err, 4, a1), 3);
	assert_string_equal(cli_str(o, "bundle"), "/b1");
	char *a2[] = {(char *)"create", (char *)"--bundle=/b2", (char *)"id"};
	o = fresh();
	assert_int_equal(parse(o, &err, 3, a2), 2);
	assert_string_equal(cli_str(o, "bundle"), "/b2");
	char *a3[] = {(char *)"create", (char *)"-bundle", (char *)"/b3",
		      (char *)"-b",	(char *)"/b4",	   (char *)"id"};
	o = fresh();
	assert_int_equal(parse(o, &err, 6, a3), 5);
	/* the last one wins, as in runc */
	assert_string_equal(cli_str(o, "bundle"), "/b4");
	assert_null(cli_str(o, "env"));
}

static void booleans_and_repeats(void **state)
{
	(void)state;
	_cleanup_error_ struct kc_error err = {0};
	char *a[] = {(char *)"exec", (char *)"-d",    (char *)"--tty=false", (char *)"-e",
		     (char *)"A=1",  (char *)"--env", (char *)"B=2",	     (char *)"--env=C=3",
		     (char *)"id",   (char *)"sh"};
	struct cli_opt *o = fresh();
	assert_int_equal(parse(o, &err, 10, a), 8);
	assert_true(cli_bool(o, "detach"));
	assert_false(cli_bool(o, "tty"));
	struct cli_opt *env = cli_get(o, "env");
	assert_int_equal(env->nvalues, 3);
	assert_string_equal(env->values[0], "A=1");
	assert_string_equal(env->values[2], "C=3");
}

static void the_end_of_flags(void **state)
{
	(void)state;
	_cleanup_error_ struct kc_error err = {0};
	/* parsing stops at the first argument, or after "--" */
	char *a1[] = {(char *)"exec", (char *)"id", (char *)"--bundle", (char *)"x"};
	struct cli_opt *o = fresh();
	assert_int_equal(parse(o, &err, 4, a1), 1);
	assert_null(cli_str(o, "bundle"));
	char *a2[] = {(char *)"exec", (char *)"-d", (char *)"--", (char *)"-id-"};
	o = fresh();
	assert_int_equal(parse(o, &err, 4, a2), 3);
	/* "-" alone is an argument */
	char *a3[] = {(char *)"update", (char *)"-"};
	o = fresh();
	assert_int_equal(parse(o, &err, 2, a3), 1);
}

static void errors_name_the_flag(void **state)
{
	(void)state;
	_cleanup_error_ struct kc_error err = {0};
	char *a1[] = {(char *)"create", (char *)"--frobnicate", (char *)"id"};
	assert_int_equal(parse(fresh(), &err, 3, a1), -1);
	assert_string_equal(kc_error_msg(&err), "flag provided but not defined: -frobnicate");
	kc_error_clear(&err);
	char *a2[] = {(char *)"create", (char *)"--bundle"};
	assert_int_equal(parse(fresh(), &err, 2, a2), -1);
	assert_string_equal(kc_error_msg(&err), "flag needs an argument: -bundle");
	kc_error_clear(&err);
	/* a repeated flag past its limit is an error, never dropped silently */
	char *many[2 + 2 * (CLI_MAX_VALUES + 1)];
	int n = 0;
	many[n++] = (char *)"exec";
	for (int i = 0; i <= CLI_MAX_VALUES; i++) {
		many[n++] = (char *)"-e";
		many[n++] = (char *)"X=1";
	}
	assert_int_equal(parse(fresh(), &err, n, many), -1);
	assert_true(strstr(kc_error_msg(&err), "given more than") != NULL);
}

static void one_id(void **state)
{
	(void)state;
	_cleanup_error_ struct kc_error err = {0};
	char *a[] = {(char *)"start", (char *)"c1", (char *)"extra"};
	assert_null(cli_one_id(3, a, 1, "start", &err));
	assert_string_equal(kc_error_msg(&err),
			    "start: expects exactly one argument, the container id");
	assert_string_equal(cli_one_id(2, a, 1, "start", &err), "c1");
	assert_null(cli_one_id(2, a, -1, "start", &err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(forms_of_a_value), cmocka_unit_test(booleans_and_repeats),
	    cmocka_unit_test(the_end_of_flags), cmocka_unit_test(errors_name_the_flag),
	    cmocka_unit_test(one_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
