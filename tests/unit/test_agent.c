/* The agent's pure pieces, without a guest: the kernel command line it
 * boots from, the paths a request may name beneath the shared directory,
 * and the container states it reports. */
#include "test.h"

#include "agent.h"
#include "container.h"
#include "mounts.h"
#include "proto.h"

static void cmdline_defaults_and_overrides(void **state)
{
	(void)state;
	struct boot_options o;
	boot_parse_cmdline(NULL, &o);
	assert_int_equal(o.channel, CHANNEL_SERIAL);
	assert_string_equal(o.port_name, PROTO_AGENT_PORT_NAME);
	assert_int_equal(o.vsock_port, PROTO_AGENT_VSOCK_PORT);
	assert_false(o.debug_console);

	boot_parse_cmdline("console=ttyS0 quiet agent.channel=vsock agent.vsock_port=1025 "
			   "agent.debug_console agent.port=my.port",
			   &o);
	assert_int_equal(o.channel, CHANNEL_VSOCK);
	assert_int_equal(o.vsock_port, 1025);
	assert_true(o.debug_console);
	assert_string_equal(o.port_name, "my.port");

	/* nonsense is ignored, never half taken */
	boot_parse_cmdline("agent.vsock_port=0 agent.vsock_port=x agent.port= agent.channel", &o);
	assert_int_equal(o.vsock_port, PROTO_AGENT_VSOCK_PORT);
	assert_string_equal(o.port_name, PROTO_AGENT_PORT_NAME);
	assert_int_equal(o.channel, CHANNEL_SERIAL);
}

static void relative_paths_stay_beneath(void **state)
{
	(void)state;
	static const char *const ok[] = {"c1/rootfs", "a", "a/b/c", "a//b", "..a", "a/..b", "a/."};
	static const char *const bad[] = {"",	       "/etc", "..",	 "../x",
					  "a/../../x", "a/..", "a/../b", "a//..//b"};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!safe_relative(ok[i]))
			fail_msg("'%s' was refused", ok[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (safe_relative(bad[i]))
			fail_msg("'%s' was taken", bad[i]);
}

static void container_states_have_names(void **state)
{
	(void)state;
	assert_string_equal(container_status_name(C_CREATING), "creating");
	assert_string_equal(container_status_name(C_CREATED), "created");
	assert_string_equal(container_status_name(C_RUNNING), "running");
	assert_string_equal(container_status_name(C_PAUSED), "paused");
	assert_string_equal(container_status_name(C_STOPPED), "stopped");
	assert_string_equal(container_status_name((enum container_status)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cmdline_defaults_and_overrides),
	    cmocka_unit_test(relative_paths_stay_beneath),
	    cmocka_unit_test(container_states_have_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
