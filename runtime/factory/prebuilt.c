/* Where a sandbox's VM comes from when the VM factory is on: its cache,
 * else its template; the core (create.c) calls this through struct rt's
 * prebuilt_vm and boots cold when it gives none. */
#include "factory.h"

#include "crash.h"
#include "log.h"
#include "sandbox.h"
#include "stages.h"
#include "vmcache.h"

/* A VM the cache hands over (vmcache.h), when the configuration has one
 * and the cache holds a VM of this configuration; 1 when there was none
 * to take (the caller goes on), -1 when one was taken but did not become
 * the sandbox (it was stopped: the caller goes on too). */
static int vm_from_cache(const struct rtconfig *rc, struct sandbox *sb,
			 const struct sandbox_params *sp)
{
	_cleanup_error_ struct kc_error cerr = {0};
	char key[FACTORY_KEY_LEN + 1];
	factory_key(rc, key);
	json_t *vm = NULL;
	struct stage_clock clock;
	stages_begin(&clock);
	int taken = vmcache_take(rc->cfg, key, sp->root, sp->id, &vm, &cerr);
	stages_end(&clock, "cache-take");
	if (taken < 0) {
		kc_info("%s; not used", kc_error_msg(&cerr));
		return 1;
	}
	crash_point("create:vm-taken");
	struct sandbox_cached c = {.vm = vm};
	struct sandbox_params cp = *sp;
	cp.cached = &c;
	int started = sandbox_start(sb, &cp, &cerr);
	json_decref(vm);
	if (started < 0) {
		kc_warn("the VM the cache handed over: %s", kc_error_msg(&cerr));
		return -1;
	}
	kc_info("sandbox %s: a VM from the cache", sp->id);
	return 0;
}

int factory_prebuilt_vm(const struct rtconfig *rc, struct sandbox *sb,
			const struct sandbox_params *sp, int nvfio)
{
	const struct kc_config *cfg = rc->cfg;
	const char *why = NULL;
	if (!cfg->factory.enable_template && !cfg->factory.vm_cache_number)
		return 1;
	if (!factory_usable(cfg, nvfio, &why)) {
		kc_info("VM factory not used: %s", why);
		return 1;
	}
	if (cfg->factory.vm_cache_number && vm_from_cache(rc, sb, sp) == 0)
		return 0;
	if (!cfg->factory.enable_template)
		return 1;
	_cleanup_error_ struct kc_error ferr = {0};
	struct stage_clock clock;
	stages_begin(&clock);
	int cloned = factory_start_clone(rc, true, sb, sp, &ferr);
	/* its own time: finding the template, building it when it must */
	stages_end(&clock, "template");
	if (cloned == 0)
		return 0;
	kc_warn("VM template: %s; booting cold", kc_error_msg(&ferr));
	return 1;
}
