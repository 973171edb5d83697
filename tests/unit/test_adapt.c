/* Adaptation: the effective configuration, each change with its reason and
 * report item, and refusals naming the failing item. Also the TOML writer
 * kata-env prints with, checked by reading its output back. */
#include "test.h"

#include <stdio.h>

#include "adapt.h"
#include "config.h"
#include "toml.h"
#include "toml_write.h"
#include "xalloc.h"

static void evaluate(struct host_facts *f, struct report *r)
{
	fb_evaluate(f, r);
}

static void ready_host_changes_nothing(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct kc_config c;
	struct report r;
	struct adapt_result a;
	_cleanup_error_ struct kc_error err = {0};
	config_defaults(&c);
	c.hypervisor.use_vsock = true;
	evaluate(f, &r);
	assert_int_equal(config_adapt(&c, f, &r, &a, &err), 0);
	assert_string_equal(a.accel, "kvm");
	assert_int_equal(a.n, 0);
	assert_true(c.hypervisor.use_vsock);
	adapt_result_free(&a);
	report_free(&r);
	config_free(&c);
	fb_free(f);
}

static void missing_nodes_turn_features_off(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct kc_config c;
	struct report r;
	struct adapt_result a;
	_cleanup_error_ struct kc_error err = {0};
	fb_device(f, "/dev/vhost-vsock", false, 0, 0);
	fb_device(f, "/dev/vhost-net", false, 0, 0);
	config_defaults(&c);
	c.hypervisor.use_vsock = true;
	c.hypervisor.default_vcpus = 64;
	c.hypervisor.default_memory = 1u << 30;
	evaluate(f, &r);
	assert_int_equal(config_adapt(&c, f, &r, &a, &err), 0);
	assert_false(c.hypervisor.use_vsock);
	assert_true(c.hypervisor.disable_vhost_net);
	assert_int_equal(c.hypervisor.default_vcpus, 8);
	/* the guest leaves QEMU and the host their share */
	struct memory_budget mem;
	rules_memory_budget(&f->res, false, &mem);
	assert_true(mem.fit_mib >= GUEST_MIN_MIB && mem.fit_mib < mem.total_mib - mem.reserve_mib);
	assert_int_equal(c.hypervisor.default_memory, mem.fit_mib);
	assert_contains(a.changes[3].reason, "kept for the host");
	assert_int_equal(a.n, 4);
	assert_string_equal(a.changes[0].key, "hypervisor.qemu.use_vsock");
	assert_string_equal(a.changes[0].item, "devices.vhost-vsock");
	assert_string_equal(a.changes[1].item, "devices.vhost-net");
	assert_contains(a.changes[2].reason, "CPUs");
	adapt_result_free(&a);
	report_free(&r);
	config_free(&c);
	fb_free(f);
}

static void kvm_required_but_unusable_is_refused(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct kc_config c;
	struct report r;
	struct adapt_result a;
	_cleanup_error_ struct kc_error err = {0};
	fb_module(f, "kvm_intel", MOD_ABSENT);
	fb_module(f, "kvm_pvm", MOD_BUILTIN);
	config_defaults(&c);
	c.source = xstrdup("/etc/kata-containers/configuration.toml");
	evaluate(f, &r);
	assert_int_equal(config_adapt(&c, f, &r, &a, &err), -1);
	assert_contains(kc_error_msg(&err), "KVM unusable: KVM is provided by kvm_pvm");
	assert_contains(kc_error_msg(&err), "(report item kvm.guest)");
	assert_contains(kc_error_msg(&err),
			"set accel = \"tcg\" in /etc/kata-containers/configuration.toml");
	adapt_result_free(&a);
	report_free(&r);

	/* the same host with accel = "auto": TCG, and why */
	free(c.hypervisor.accel);
	c.hypervisor.accel = xstrdup("auto");
	struct rules_input in;
	rules_input_defaults(&in, f);
	in.accel = "auto";
	memset(&r, 0, sizeof(r));
	rules_evaluate(&in, &r);
	assert_int_equal(config_adapt(&c, f, &r, &a, &err), 0);
	assert_string_equal(a.accel, "tcg");
	assert_string_equal(a.changes[0].key, "hypervisor.qemu.accel");
	assert_string_equal(a.changes[0].to, "tcg");
	assert_string_equal(a.changes[0].item, "kvm.guest");
	adapt_result_free(&a);
	report_free(&r);
	config_free(&c);
	fb_free(f);
}

static void refusal_names_the_first_kvm_failure(void **state)
{
	(void)state;
	struct host_facts *f = fb_intel_ready();
	struct kc_config c;
	struct report r;
	struct adapt_result a;
	_cleanup_error_ struct kc_error err = {0};
	fb_device(f, "/dev/kvm", false, 0, 0);
	memset(&f->kvm, 0, sizeof(f->kvm));
	config_defaults(&c);
	evaluate(f, &r);
	assert_int_equal(config_adapt(&c, f, &r, &a, &err), -1);
	assert_contains(kc_error_msg(&err), "(report item kvm.device)");
	adapt_result_free(&a);
	report_free(&r);
	config_free(&c);
	fb_free(f);
}

static void toml_writer_round_trips(void **state)
{
	(void)state;
	json_t *doc = json_pack(
	    "{s:{s:s}, s:{s:i, s:b, s:[s,s], s:{s:s}, s:f}, s:[{s:s}, {s:s}], s:n, s:{s:s}}",
	    "Meta", "Version", "1.0.25", "Runtime", "Count", 3, "Debug", 1, "List", "a", "b\"q",
	    "Config", "Path", "/x y", "Ratio", 1.5, "Adaptation", "Key", "k1", "Key", "k2",
	    "Skipped", "weird key", "Value", "line\nbreak\ttab");
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	assert_int_equal(toml_write(mem, doc), 0);
	fclose(mem);
	_cleanup_error_ struct kc_error err = {0};
	struct toml_value *v = toml_parse(text, len, "written", &err);
	if (!v)
		fail_msg("%s\n%s", kc_error_msg(&err), text);
	assert_string_equal(toml_get_path(v, "Meta.Version")->u.s.ptr, "1.0.25");
	assert_int_equal(toml_get_path(v, "Runtime.Count")->u.i, 3);
	assert_true(toml_get_path(v, "Runtime.Debug")->u.b);
	assert_string_equal(toml_get_path(v, "Runtime.List")->u.a.items[1]->u.s.ptr, "b\"q");
	assert_string_equal(toml_get_path(v, "Runtime.Config.Path")->u.s.ptr, "/x y");
	assert_true(toml_get_path(v, "Runtime.Ratio")->u.f == 1.5);
	const struct toml_value *aot = toml_get_path(v, "Adaptation");
	assert_int_equal(aot->type, TOML_ARRAY);
	assert_int_equal(aot->u.a.n, 2);
	assert_string_equal(toml_table_get(aot->u.a.items[1], "Key")->u.s.ptr, "k2");
	assert_null(toml_table_get(v, "Skipped")); /* null is left out */
	assert_string_equal(toml_get_path(v, "weird key.Value")->u.s.ptr, "line\nbreak\ttab");
	toml_free(v);
	free(text);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ready_host_changes_nothing),
	    cmocka_unit_test(missing_nodes_turn_features_off),
	    cmocka_unit_test(kvm_required_but_unusable_is_refused),
	    cmocka_unit_test(refusal_names_the_first_kvm_failure),
	    cmocka_unit_test(toml_writer_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
