/* factory: Kata 1's `kata-runtime factory init|status|destroy` for the VM
 * templates (factory.h) and the VM cache (vmcache.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "factory.h"
#include "log.h"
#include "rtconfig.h"
#include "commands.h"
#include "runtime.h"
#include "vmcache.h"

static int factory_init(const struct rtconfig *rc, bool foreground, struct kc_error *err)
{
	const char *why = NULL;
	const char *file = rc->a.config->src.path;
	const struct kc_config *cfg = rc->cfg;
	if (!cfg->factory.enable_template && !cfg->factory.vm_cache_number)
		return kc_error_set(err, 0,
				    "vm factory is not enabled: set enable_template = true or "
				    "vm_cache_number (a number, or \"auto\") under [factory] in %s",
				    file ? file : "the configuration");
	if (!factory_usable(cfg, 0, &why)) {
		/* "auto" (the shipped default) asks for what this configuration
		 * can have: none is not a failure, which a service manager would
		 * answer by starting it again and again */
		if (cfg->factory.vm_cache_number == VM_CACHE_AUTO) {
			printf("vm factory: not for this configuration (creates boot): %s\n", why);
			return 0;
		}
		return kc_error_set(err, 0, "vm factory: not for this configuration: %s", why);
	}
	if (cfg->factory.enable_template) {
		struct factory_template t;
		if (factory_template(rc, true, &t, err) < 0)
			return -1;
		if (t.build_ms)
			printf("vm factory initialized: template %s (%u vCPU, %u MiB) built in "
			       "%.1f s in %s\n",
			       t.key, t.vcpus, t.memory_mib, t.build_ms / 1000.0, t.dir);
		else
			printf("vm factory initialized: template %s (%u vCPU, %u MiB) in %s, "
			       "already there\n",
			       t.key, t.vcpus, t.memory_mib, t.dir);
		factory_template_free(&t);
	}
	fflush(stdout);
	if (cfg->factory.vm_cache_number)
		return vmcache_serve(rc, foreground, err);
	return 0;
}

static void print_cache(const json_t *c)
{
	if (!json_is_true(json_object_get(c, "running"))) {
		size_t n = json_array_size(json_object_get(c, "vms"));
		printf("vm cache: not running (%s)",
		       json_string_value(json_object_get(c, "why")) ?: "");
		if (n)
			printf("; %zu VM(s) a daemon that died left (kata-runtime factory destroy "
			       "removes them)",
			       n);
		printf("\n");
		return;
	}
	printf("vm cache: serving %s, daemon pid %d, %d VM(s) of configuration %s %s, since %s\n",
	       json_string_value(json_object_get(c, "endpoint")),
	       (int)json_integer_value(json_object_get(c, "pid")),
	       (int)json_integer_value(json_object_get(c, "number")),
	       json_string_value(json_object_get(c, "key")),
	       !strcmp(json_string_value(json_object_get(c, "from")) ?: "", "template")
		   ? "from the template"
		   : "booted cold",
	       json_string_value(json_object_get(c, "started")));
	int number = (int)json_integer_value(json_object_get(c, "number")),
	    target = (int)json_integer_value(json_object_get(c, "target"));
	if (json_string_value(json_object_get(c, "sized")))
		printf("sized: %s\n", json_string_value(json_object_get(c, "sized")));
	if (target > number)
		printf("keeping %d ready after a burst (%d when quiet, at most %d)\n", target,
		       number, (int)json_integer_value(json_object_get(c, "grow_max")));
	printf("handed out %d, found empty %d, replaced %d (died in the cache), failed boots %d\n",
	       (int)json_integer_value(json_object_get(c, "handed_out")),
	       (int)json_integer_value(json_object_get(c, "empty_takes")),
	       (int)json_integer_value(json_object_get(c, "replaced")),
	       (int)json_integer_value(json_object_get(c, "failed_boots")));
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(c, "vms"), i, v) {
		printf("cached VM %s: %s since %s", json_string_value(json_object_get(v, "id")),
		       json_string_value(json_object_get(v, "state")),
		       json_string_value(json_object_get(v, "since")));
		if (json_object_get(v, "qemu_pid"))
			printf(", QEMU pid %d, %d vCPU, %d MiB",
			       (int)json_integer_value(json_object_get(v, "qemu_pid")),
			       (int)json_integer_value(json_object_get(v, "vcpus")),
			       (int)json_integer_value(json_object_get(v, "memory_mib")));
		printf("\n");
	}
}

static void print_status(const json_t *s)
{
	bool on = json_is_true(json_object_get(s, "enable_template"));
	printf("vm factory: %s", on ? "on" : "off (enable_template = false)");
	if (on && !json_is_true(json_object_get(s, "usable")))
		printf(", but not used: %s",
		       json_string_value(json_object_get(s, "why_not")) ?: "");
	printf("\ntemplate path: %s\n", json_string_value(json_object_get(s, "template_path")));
	printf("this configuration's template: %s\n", json_string_value(json_object_get(s, "key")));
	size_t i;
	json_t *t;
	if (!json_array_size(json_object_get(s, "templates")))
		printf("templates: none (kata-runtime factory init makes one)\n");
	json_array_foreach (json_object_get(s, "templates"), i, t) {
		printf("template %s:%s%s", json_string_value(json_object_get(t, "key")),
		       json_is_true(json_object_get(t, "current")) ? " current," : " stale,",
		       json_is_true(json_object_get(t, "whole")) ? "" : " incomplete,");
		if (json_object_get(t, "vcpus"))
			printf(" %d vCPU, %d MiB,",
			       (int)json_integer_value(json_object_get(t, "vcpus")),
			       (int)json_integer_value(json_object_get(t, "memory_mib")));
		printf(" memory file %.1f MiB, state %.1f KiB\n",
		       (double)json_integer_value(json_object_get(t, "memory_bytes")) / 1048576.0,
		       (double)json_integer_value(json_object_get(t, "state_bytes")) / 1024.0);
	}
	if (json_object_get(s, "cache"))
		print_cache(json_object_get(s, "cache"));
	else
		printf("vm cache: off (vm_cache_number = 0)\n");
}

int cmd_factory(struct rt *rt, int argc, char **argv, struct kc_error *err)
{
	struct cli_opt opts[] = {
	    {"json", 0, false, NULL, "status: print it as JSON"},
	    {"foreground", 0, false, NULL, "init: serve the VM cache in the foreground"},
	    {NULL},
	};
	int pos = cli_parse(argc, argv, 1, opts, err);
	if (pos < 0)
		return 1;
	const char *sub = pos < argc ? argv[pos] : NULL;
	if (!sub || (strcmp(sub, "init") && strcmp(sub, "status") && strcmp(sub, "destroy"))) {
		kc_error_set(err, 0, "factory: %s%s%s: use init, status or destroy",
			     sub ? "unknown subcommand '" : "missing subcommand", sub ? sub : "",
			     sub ? "'" : "");
		return 1;
	}
	/* status --json, as runc's commands take flags after their argument */
	bool json = cli_bool(opts, "json");
	bool foreground = cli_bool(opts, "foreground");
	for (int i = pos + 1; i < argc; i++) {
		if (!strcmp(sub, "status") && !strcmp(argv[i], "--json")) {
			json = true;
			continue;
		}
		if (!strcmp(sub, "init") && !strcmp(argv[i], "--foreground")) {
			foreground = true;
			continue;
		}
		kc_error_set(err, 0, "factory %s: unexpected argument '%s'", sub, argv[i]);
		return 1;
	}
	struct rtconfig rc;
	if (rtconfig_load(&rc, rt->kata_config, err) < 0)
		return 1;
	int r = 0;
	if (!strcmp(sub, "init")) {
		r = factory_init(&rc, foreground, err);
	} else if (!strcmp(sub, "status")) {
		json_t *s = factory_status(&rc);
		if (rc.cfg->factory.vm_cache_number)
			json_object_set_new(s, "cache", vmcache_status(rc.cfg));
		if (json) {
			char *text = json_dumps(s, JSON_INDENT(2));
			printf("%s\n", text);
			free(text);
		} else {
			print_status(s);
		}
		json_decref(s);
	} else {
		/* the cache first: its VMs may be the template's */
		r = vmcache_destroy(rc.cfg, err);
		if (r == 0)
			r = factory_destroy(rc.cfg, err);
		if (r == 0)
			printf("vm factory destroyed\n");
	}
	rtconfig_free(&rc);
	return r < 0 ? 1 : 0;
}
