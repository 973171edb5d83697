/* libkmod, loaded on demand. libkmod brings libcrypto, libzstd and liblzma
 * with it (about 1 ms and 1.9 MB to load); a kernel without a module
 * directory never needs any of it, so it is dlopen()ed the first time a
 * module database is actually read - as systemd does. This is the only
 * file that resolves libkmod's symbols; callers use the table. */
#ifndef KC_KMOD_API_H
#define KC_KMOD_API_H

#include <libkmod.h>

#include "error.h"

struct kmod_api {
	typeof(kmod_new) *new_ctx;
	typeof(kmod_unref) *unref;
	typeof(kmod_set_log_fn) *set_log_fn;
	typeof(kmod_set_log_priority) *set_log_priority;
	typeof(kmod_load_resources) *load_resources;
	typeof(kmod_config_get_blacklists) *config_get_blacklists;
	typeof(kmod_config_iter_next) *config_iter_next;
	typeof(kmod_config_iter_get_key) *config_iter_get_key;
	typeof(kmod_config_iter_free_iter) *config_iter_free_iter;
	typeof(kmod_list_next) *list_next;
	typeof(kmod_module_new_from_lookup) *module_new_from_lookup;
	typeof(kmod_module_get_module) *module_get_module;
	typeof(kmod_module_get_name) *module_get_name;
	typeof(kmod_module_get_path) *module_get_path;
	typeof(kmod_module_get_options) *module_get_options;
	typeof(kmod_module_get_install_commands) *module_get_install_commands;
	typeof(kmod_module_unref) *module_unref;
	typeof(kmod_module_unref_list) *module_unref_list;
	/* loading (kata-setup) */
	typeof(kmod_module_new_from_name) *module_new_from_name;
	typeof(kmod_module_probe_insert_module) *module_probe_insert_module;
	typeof(kmod_module_remove_module) *module_remove_module;
	typeof(kmod_module_get_refcnt) *module_get_refcnt;
	typeof(kmod_module_get_initstate) *module_get_initstate;
};

/* The loaded table, or NULL with the reason in err (library missing, or a
 * symbol it lacks). Loaded once per process. */
const struct kmod_api *kmod_api_get(struct kc_error *err);

#endif
