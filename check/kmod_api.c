/* libkmod symbol table, resolved with dlopen() on first use (see kmod_api.h). */
#include "kmod_api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#define LIBKMOD_SONAME "libkmod.so.2"

static struct kmod_api api;
static char load_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define RESOLVE(field, symbol)                                                                     \
	do {                                                                                       \
		*(void **)&api.field = dlsym(handle, #symbol);                                     \
		if (!api.field) {                                                                  \
			snprintf(load_error, sizeof(load_error), "%s lacks %s", LIBKMOD_SONAME,    \
				 #symbol);                                                         \
			goto fail;                                                                 \
		}                                                                                  \
	} while (0)

static void load(void)
{
	void *handle = dlopen(LIBKMOD_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!handle) {
		snprintf(load_error, sizeof(load_error), "cannot load %s: %s", LIBKMOD_SONAME,
			 dlerror());
		return;
	}
	RESOLVE(new_ctx, kmod_new);
	RESOLVE(unref, kmod_unref);
	RESOLVE(set_log_fn, kmod_set_log_fn);
	RESOLVE(set_log_priority, kmod_set_log_priority);
	RESOLVE(load_resources, kmod_load_resources);
	RESOLVE(config_get_blacklists, kmod_config_get_blacklists);
	RESOLVE(config_iter_next, kmod_config_iter_next);
	RESOLVE(config_iter_get_key, kmod_config_iter_get_key);
	RESOLVE(config_iter_free_iter, kmod_config_iter_free_iter);
	RESOLVE(list_next, kmod_list_next);
	RESOLVE(module_new_from_lookup, kmod_module_new_from_lookup);
	RESOLVE(module_get_module, kmod_module_get_module);
	RESOLVE(module_get_name, kmod_module_get_name);
	RESOLVE(module_get_path, kmod_module_get_path);
	RESOLVE(module_get_options, kmod_module_get_options);
	RESOLVE(module_get_install_commands, kmod_module_get_install_commands);
	RESOLVE(module_unref, kmod_module_unref);
	RESOLVE(module_unref_list, kmod_module_unref_list);
	RESOLVE(module_new_from_name, kmod_module_new_from_name);
	RESOLVE(module_probe_insert_module, kmod_module_probe_insert_module);
	RESOLVE(module_remove_module, kmod_module_remove_module);
	RESOLVE(module_get_refcnt, kmod_module_get_refcnt);
	RESOLVE(module_get_initstate, kmod_module_get_initstate);
	return;
fail:
	memset(&api, 0, sizeof(api));
	dlclose(handle);
}

const struct kmod_api *kmod_api_get(struct kc_error *err)
{
	pthread_once(&once, load);
	if (!api.new_ctx) {
		kc_error_set(err, 0, "%s", load_error);
		return NULL;
	}
	return &api;
}
