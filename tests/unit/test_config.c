/* The configuration schema: types, unknown keys, component tables,
 * allowed values, Kata's normalisation, and a Kata 1 file. */
#include "test.h"

#include "config.h"
#include "config_validate.h"

static int load(struct kc_config *c, const char *text, struct kc_error *err)
{
	config_defaults(c);
	return config_load_text(c, text, strlen(text), "test.toml", err);
}

static void defaults(void **state)
{
	(void)state;
	struct kc_config c;
	config_defaults(&c);
	assert_int_equal(c.hypervisor.default_vcpus, 1);
	assert_int_equal(c.hypervisor.default_memory, 2048);
	assert_string_equal(c.hypervisor.accel, "kvm");
	assert_string_equal(c.hypervisor.shared_fs, "virtio-9p");
	assert_string_equal(c.runtime.internetworking_model, "tcfilter");
	assert_false(c.runtime.disable_guest_seccomp);
	assert_null(c.source);
	config_free(&c);
}

static void source_is_named(void **state)
{
	(void)state;
	struct kc_config c;
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(load(&c, "[runtime]\n", &err), 0);
	assert_string_equal(c.source, "test.toml");
	config_free(&c);
}

static void kata1_file_loads_without_warnings(void **state)
{
	(void)state;
	struct kc_config c;
	_cleanup_error_ struct kc_error err = {0};
	static const char text[] =
	    "[hypervisor.qemu]\npath = \"/usr/bin/qemu-lite-system-x86_64\"\nkernel = \"/k\"\n"
	    "initrd = \"/i\"\nimage = \"\"\nmachine_type = \"pc\"\nkernel_params = \"\"\nfirmware "
	    "= \"\"\n"
	    "machine_accelerators=\"\"\ndefault_vcpus = -1\ndefault_maxvcpus = 0\ndefault_bridges "
	    "= 1\n"
	    "default_memory = 2048\ndisable_block_device_use = false\nshared_fs = \"virtio-9p\"\n"
	    "virtio_fs_daemon = \"/usr/bin/virtiofsd\"\nvirtio_fs_cache_size = 1024\n"
	    "virtio_fs_extra_args = [\"-o\", \"x\"]\nvirtio_fs_cache = \"always\"\n"
	    "block_device_driver = \"virtio-scsi\"\nenable_iothreads = false\nenable_debug = true\n"
	    "use_vsock = true\ndisable_vhost_net = true\nhotplug_vfio_on_root_bus = "
	    "true\npcie_root_port = 2\n"
	    "entropy_source = \"/dev/urandom\"\nenable_annotations = [\"default_vcpus\"]\n"
	    "valid_hypervisor_paths = [\"/usr/bin/qemu-*\"]\n"
	    "[factory]\nenable_template = false\n[proxy.kata]\npath = \"/p\"\nenable_debug = true\n"
	    "[shim.kata]\npath = \"/s\"\n[agent.kata]\nenable_tracing = false\nkernel_modules = "
	    "[\"e1000\"]\n"
	    "[netmon]\npath = \"/n\"\n[runtime]\nenable_debug = "
	    "true\ninternetworking_model=\"macvtap\"\n"
	    "disable_guest_seccomp=true\nsandbox_cgroup_only=true\nexperimental=[]\n";
	assert_int_equal(load(&c, text, &err), 0);
	assert_int_equal(c.warnings.n, 0);
	assert_int_equal(c.hypervisor.default_vcpus, -1);
	assert_string_equal(c.hypervisor.machine_type, "pc");
	assert_true(c.hypervisor.use_vsock);
	assert_int_equal(c.hypervisor.pcie_root_port, 2);
	assert_int_equal(c.hypervisor.virtio_fs_extra_args.n, 2);
	assert_string_equal(c.hypervisor.virtio_fs_extra_args.v[1], "x");
	assert_true(strlist_contains(&c.hypervisor.enable_annotations, "default_vcpus"));
	assert_string_equal(c.agent.kernel_modules.v[0], "e1000");
	assert_string_equal(c.runtime.internetworking_model, "macvtap");
	assert_true(c.runtime.sandbox_cgroup_only);
	config_free(&c);
}

static void unknown_keys_warn_with_lines(void **state)
{
	(void)state;
	struct kc_config c;
	_cleanup_error_ struct kc_error err = {0};
	assert_int_equal(
	    load(
		&c,
		"top = 2\n[hypervisor.qemu]\npath = \"/q\"\nnew_option = 1\n[runtime]\nfoo = true\n"
		"[brand_new_section]\nx = 1\n",
		&err),
	    0);
	assert_int_equal(c.warnings.n, 4);
	assert_string_equal(c.warnings.v[0], "test.toml:1: unknown key 'top' (ignored)");
	assert_string_equal(c.warnings.v[1],
			    "test.toml:4: unknown key 'new_option' in [hypervisor.qemu] (ignored)");
	assert_string_equal(c.warnings.v[2],
			    "test.toml:6: unknown key 'foo' in [runtime] (ignored)");
	assert_string_equal(c.warnings.v[3],
			    "test.toml:7: unknown section 'brand_new_section' (ignored)");
	assert_string_equal(c.hypervisor.path, "/q");
	config_free(&c);
}

static void wrong_types_are_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"[hypervisor.qemu]\n\ndefault_memory = \"2048\"\n",
	     "test.toml:3:1: [hypervisor.qemu] default_memory: expected a non-negative integer, "
	     "found a string"},
	    {"[hypervisor.qemu]\npath = 5\n",
	     "test.toml:2:1: [hypervisor.qemu] path: expected a string, found an integer"},
	    {"[runtime]\nenable_debug = \"yes\"\n",
	     "[runtime] enable_debug: expected a boolean (true or false), found a string"},
	    {"[hypervisor.qemu]\ndefault_memory = -1\n",
	     "default_memory: -1 is out of range (0 to 4294967295)"},
	    {"[hypervisor.qemu]\ndefault_vcpus = 4294967296\n",
	     "default_vcpus: 4294967296 is out of range"},
	    {"[hypervisor.qemu]\nenable_annotations = \"x\"\n",
	     "expected an array of strings, found a string"},
	    {"[hypervisor.qemu]\nenable_annotations = [\"a\", 2]\n",
	     "test.toml:2:28: [hypervisor.qemu] enable_annotations: element 2: expected a string, "
	     "found integer"},
	    {"[hypervisor.qemu]\npath = \"a\\u0000b\"\n", "a NUL character is not allowed"},
	    {"[hypervisor.firecracker]\npath = \"/fc\"\n",
	     "test.toml:1: [hypervisor.firecracker]: this runtime supports only [hypervisor.qemu]"},
	    {"[proxy.cc]\n", "[proxy.cc]: unknown proxy type (supported: kata)"},
	    {"hypervisor = 1\n", "[hypervisor] must be a table, found integer"},
	    {"runtime = [1]\n", "[runtime] must be a table, found array"},
	    {"[hypervisor.qemu\n", "test.toml:1:17: expected ']' to close the table header"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kc_config c;
		_cleanup_error_ struct kc_error err = {0};
		assert_int_equal(load(&c, cases[i].text, &err), -1);
		assert_contains(kc_error_msg(&err), cases[i].msg);
		config_free(&c);
	}
}

static void values_and_normalisation(void **state)
{
	(void)state;
	struct kc_config c;
	_cleanup_error_ struct kc_error err = {0};
	struct strlist notes = {0};

	assert_int_equal(load(&c,
			      "[hypervisor.qemu]\ndefault_vcpus = 64\ndefault_maxvcpus = 0\n"
			      "default_memory = 0\ndefault_bridges = 9\nmemory_slots = 0\n",
			      &err),
			 0);
	assert_int_equal(config_check_values(&c, 4, &notes, &err), 0);
	assert_int_equal(c.hypervisor.default_vcpus, 4);
	assert_int_equal(c.hypervisor.default_maxvcpus, 4);
	assert_int_equal(c.hypervisor.default_memory, 2048);
	assert_int_equal(c.hypervisor.default_bridges, 5);
	assert_int_equal(c.hypervisor.memory_slots, 10);
	assert_true(notes.n >= 4);
	assert_contains(notes.v[0], "default_vcpus 64 -> 4");
	strlist_free(&notes);
	config_free(&c);

	assert_int_equal(load(&c, "[hypervisor.qemu]\ndefault_vcpus = -1\n", &err), 0);
	assert_int_equal(config_check_values(&c, 8, NULL, &err), 0);
	assert_int_equal(c.hypervisor.default_vcpus, 8);
	config_free(&c);

	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"[hypervisor.qemu]\nblock_device_driver = \"ide\"\n",
	     "test.toml:2: [hypervisor.qemu] block_device_driver: 'ide' is not one of: virtio-scsi "
	     "virtio-blk"},
	    {"[hypervisor.qemu]\nshared_fs = \"nfs\"\n",
	     "'nfs' is not one of: virtio-9p virtio-fs"},
	    {"[hypervisor.qemu]\naccel = \"xen\"\n", "'xen' is not one of: kvm tcg auto"},
	    /* Kata 1: the default initrd gives way; the image is refused by name */
	    {"[hypervisor.qemu]\nimage = \"/img\"\n", "runs Kata's gRPC agent"},
	    {"[hypervisor.qemu]\nimage = \"/img\"\ninitrd = \"/i\"\n",
	     "image and initrd are both set"},
	    {"[hypervisor.qemu]\ninitrd = \"\"\n", "neither image nor initrd is set"},
	    {"[hypervisor.qemu]\nshared_fs = \"virtio-fs\"\nvirtio_fs_daemon = \"\"\n",
	     "needs the path of virtiofsd"},
	    {"[hypervisor.qemu]\nmsize_9p = 100\n", "msize_9p: 100 is out of range"},
	    {"[runtime]\ninternetworking_model = \"magic\"\n", "'magic' is not one of"},
	    {"[runtime]\ndisable_new_netns = true\n[netmon]\nenable_netmon = true\n",
	     "cannot be combined with [netmon] enable_netmon"},
	    {"[runtime]\ndisable_new_netns = true\ninternetworking_model = \"macvtap\"\n",
	     "not \"macvtap\""},
	    {"[agent.kata]\ntrace_mode = \"sometimes\"\n",
	     "'sometimes' is not one of: dynamic static"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kc_error_clear(&err);
		assert_int_equal(load(&c, bad[i].text, &err), 0);
		assert_int_equal(config_check_values(&c, 4, NULL, &err), -1);
		assert_contains(kc_error_msg(&err), bad[i].msg);
		config_free(&c);
	}
}

/* One answer for the runtime's factory and kata-setup: each setting a
 * template cannot serve is named, and the default configuration has none. */
static void template_blockers_are_named(void **state)
{
	(void)state;
	static const struct {
		const char *toml, *why;
	} cases[] = {
	    {"", NULL},
	    {"[hypervisor.qemu]\nshared_fs = \"virtio-fs\"\n", "shared_fs is virtio-fs"},
	    {"[hypervisor.qemu]\nuse_vsock = true\n", "use_vsock"},
	    {"[hypervisor.qemu]\nenable_hugepages = true\n", "enable_hugepages"},
	    {"[hypervisor.qemu]\nenable_mem_prealloc = true\n", "enable_mem_prealloc"},
	    {"[hypervisor.qemu]\nrootless = true\n", "rootless"},
	    {"[hypervisor.qemu]\nmachine_type = \"microvm\"\n", "microvm"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kc_config c;
		struct kc_error err = {0};
		assert_int_equal(load(&c, cases[i].toml, &err), 0);
		const char *why = config_template_blocker(&c);
		if (!cases[i].why)
			assert_null(why);
		else
			assert_non_null(strstr(why, cases[i].why));
		config_free(&c);
		kc_error_clear(&err);
	}
}

/* vm_cache_number: a number (Kata's), or "auto" (sized by the cache's
 * daemon); any other string names the file, the line and the key. */
static void vm_cache_number_auto(void **state)
{
	(void)state;
	struct kc_config c;
	struct kc_error err = {0};
	assert_int_equal(load(&c, "[factory]\nvm_cache_number = \"auto\"\n", &err), 0);
	assert_int_equal(c.factory.vm_cache_number, VM_CACHE_AUTO);
	assert_int_equal(config_check_values(&c, 4, NULL, &err), 0);
	config_free(&c);
	assert_int_equal(load(&c, "[factory]\nvm_cache_number = 3\n", &err), 0);
	assert_int_equal(c.factory.vm_cache_number, 3);
	config_free(&c);
	assert_int_equal(load(&c, "[factory]\nvm_cache_number = \"lots\"\n", &err), -1);
	assert_string_equal(kc_error_msg(&err),
			    "test.toml:2:1: [factory] vm_cache_number: expected a non-negative "
			    "integer or \"auto\", found \"lots\"");
	config_free(&c);
	kc_error_clear(&err);
	assert_int_equal(load(&c, "[factory]\nvm_cache_number = 257\n", &err), 0);
	assert_int_equal(config_check_values(&c, 4, NULL, &err), -1);
	assert_non_null(strstr(kc_error_msg(&err), "257 is out of range"));
	config_free(&c);
	kc_error_clear(&err);
}

static void key_table_is_complete(void **state)
{
	(void)state;
	/* every key resolves to itself, and names are unique per section */
	for (size_t i = 0; i < n_config_keys; i++) {
		assert_ptr_equal(config_key_find(config_keys[i].section, config_keys[i].name),
				 &config_keys[i]);
		assert_true(config_keys[i].offset < sizeof(struct kc_config));
	}
	assert_null(config_key_find("hypervisor.qemu", "no_such_key"));
}

/* configuration.toml(5) documents every key of the schema. */
static void every_key_is_documented(void **state)
{
	(void)state;
	char *page = NULL;
	size_t len = 0;
	FILE *f = fopen("man/configuration.toml.5", "r");
	if (!f)
		skip(); /* run from the source tree to check the page */
	char buf[4096];
	size_t n;
	struct strbuf sb = STRBUF_INIT;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_append_len(&sb, buf, n);
	fclose(f);
	page = strbuf_steal(&sb);
	(void)len;
	const char *section = NULL;
	for (size_t i = 0; i < n_config_keys; i++) {
		char needle[160];
		if (!section || strcmp(section, config_keys[i].section)) {
			section = config_keys[i].section;
			snprintf(needle, sizeof(needle), ".SS [%s]\n", section);
			if (!strstr(page, needle))
				fail_msg("configuration.toml(5) has no section [%s]", section);
		}
		snprintf(needle, sizeof(needle), ".BR %s \"", config_keys[i].name);
		char *sec = strstr(page, section);
		if (!strstr(page, needle) || !sec)
			fail_msg("configuration.toml(5) does not document [%s] %s", section,
				 config_keys[i].name);
	}
	free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults),
	    cmocka_unit_test(source_is_named),
	    cmocka_unit_test(kata1_file_loads_without_warnings),
	    cmocka_unit_test(unknown_keys_warn_with_lines),
	    cmocka_unit_test(wrong_types_are_errors),
	    cmocka_unit_test(values_and_normalisation),
	    cmocka_unit_test(template_blockers_are_named),
	    cmocka_unit_test(vm_cache_number_auto),
	    cmocka_unit_test(key_table_is_complete),
	    cmocka_unit_test(every_key_is_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
