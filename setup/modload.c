/* Loading kernel modules with libkmod, as modprobe does: dependencies
 * first, options from modprobe.d, install commands run, blacklists applied
 * (like `modprobe -b`: an operator's blacklist is respected, and the plan
 * says so). The module database is the host root's; the kernel is always
 * the running one (in tests, a fake kernel under LD_PRELOAD). */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "kmod_api.h"
#include "modules.h"
#include "setup.h"
#include "strbuf.h"
#include "strutil.h"

struct load_log {
	const struct kmod_api *k; // cppcheck-suppress unusedStructMember ; current_log->k

	struct strbuf names;
	char install[256]; /* an install command libkmod would run instead */
};

/* libkmod's print_action has no user data; keep the log per call. */
static _Thread_local struct load_log *current_log;

/* libkmod reports each module it (would) insert, and whether an install
 * command replaces the insertion (the third argument is the options). */
static void record_action(struct kmod_module *m, bool install, const char *options _unused_)
{
	if (!current_log)
		return;
	const char *name = current_log->k->module_get_name(m);
	strbuf_appendf(&current_log->names, "%s%s", current_log->names.len ? " " : "", name);
	const char *cmd = install ? current_log->k->module_get_install_commands(m) : NULL;
	if (cmd)
		str_copy(current_log->install, sizeof(current_log->install), cmd);
}

/* `install X /bin/true` is how modprobe.d disables a module. */
static bool disabling_command(const char *cmd)
{
	while (*cmd == ' ')
		cmd++;
	return str_startswith(cmd, "/bin/true") || str_startswith(cmd, "/bin/false") ||
	       str_startswith(cmd, "/usr/bin/true") || str_startswith(cmd, "/usr/bin/false") ||
	       str_startswith(cmd, "true") || str_startswith(cmd, "false");
}

/* Run an install command as modprobe does - only for the host we run on:
 * a command from another root's modprobe.d is not ours to execute. */
static int run_install(struct kmod_module *m _unused_, const char *cmdline, void *data)
{
	const bool *live = data;
	if (!*live)
		return -EPERM;
	int status = system(cmdline);
	return status == 0 ? 0 : -EINVAL;
}

/* One load or unload, run confined to the host root (host_run_confined):
 * the module database, modprobe.d and the .ko files are the root's, and
 * no symlink among them can lead libkmod out of it. */
struct module_job {
	const struct kmod_api *k;
	char modules_dir[300];
	const char *module, *options;
	bool dry_run, live, unload;
};

/* Filled in the confined child, read in the parent: plain bytes, so the
 * error comes back as its text (module errors are one short sentence). */
struct module_result {
	int rc, errnum;
	char msg[4096];
	char loaded[256];
};

static struct kmod_ctx *open_ctx(const struct kmod_api *k, const char *dir, struct kc_error *err)
{
	char why[512];
	if (modules_index_problem(dir, why, sizeof(why))) {
		kc_error_set(err, 0, "%s", why);
		return NULL;
	}
	char **conf = modprobe_config_files();
	struct kmod_ctx *ctx = k->new_ctx(dir, (const char *const *)conf);
	for (char **c = conf; *c; c++)
		free(*c);
	free(conf);
	if (!ctx) {
		kc_error_set(err, 0, "libkmod could not start");
		return NULL;
	}
	k->set_log_priority(ctx, 0);
	if (k->load_resources(ctx) < 0) {
		k->unref(ctx);
		kc_error_set(err, 0, "the module database in %s is unreadable (run depmod)", dir);
		return NULL;
	}
	return ctx;
}

static int load_in_root(const struct module_job *j, struct module_result *res, struct kc_error *err)
{
	const struct kmod_api *k = j->k;
	struct kmod_module *mod = NULL;
	struct load_log log = {k, STRBUF_INIT, ""};
	struct kmod_ctx *ctx = open_ctx(k, j->modules_dir, err);
	if (!ctx)
		return -1;
	if (k->module_new_from_name(ctx, j->module, &mod) < 0) {
		k->unref(ctx);
		return kc_error_set(err, 0, "%s: no such module", j->module);
	}
	unsigned flags = KMOD_PROBE_APPLY_BLACKLIST | (j->dry_run ? KMOD_PROBE_DRY_RUN : 0);
	current_log = &log;
	int r = k->module_probe_insert_module(mod, flags, j->options, run_install, (void *)&j->live,
					      record_action);
	current_log = NULL;
	str_copy(res->loaded, sizeof(res->loaded), strbuf_str(&log.names));
	strbuf_release(&log.names);
	k->module_unref(mod);
	k->unref(ctx);
	if (log.install[0] && disabling_command(log.install))
		return kc_error_set(err, 0,
				    "%s is disabled in modprobe.d (install %s %s): not loaded",
				    j->module, j->module, log.install);
	if (log.install[0] && !j->live)
		return kc_error_set(err, 0,
				    "%s has an install command in the host's modprobe.d (%s); "
				    "kata-setup runs those only on the host itself (--host-root /)",
				    j->module, log.install);
	if (r == KMOD_PROBE_APPLY_BLACKLIST)
		return kc_error_set(err, 0,
				    "%s is blacklisted in modprobe.d: not loaded (remove the "
				    "blacklist entry to let kata-setup load it)",
				    j->module);
	if (r > 0)
		return kc_error_set(err, 0, "%s is blacklisted: not loaded", j->module);
	if (r == -ENOENT)
		return kc_error_set(err, ENOENT, "%s is not in the module database", j->module);
	if (r < 0)
		return kc_error_set(err, -r, "loading %s failed", j->module);
	return 0;
}

static int unload_in_root(const struct module_job *j, struct kc_error *err)
{
	const struct kmod_api *k = j->k;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx = open_ctx(k, j->modules_dir, err);
	if (!ctx)
		return -1;
	if (k->module_new_from_name(ctx, j->module, &mod) < 0) {
		k->unref(ctx);
		return kc_error_set(err, 0, "%s: no such module", j->module);
	}
	int r = k->module_get_refcnt(mod);
	if (r > 0) {
		k->module_unref(mod);
		k->unref(ctx);
		return kc_error_set(err, 0, "%s is in use (%d users)", j->module, r);
	}
	r = k->module_remove_module(mod, 0);
	k->module_unref(mod);
	k->unref(ctx);
	if (r < 0)
		return kc_error_set(err, -r, "unloading %s failed", j->module);
	return 0;
}

static int module_job_run(void *arg, void *result)
{
	const struct module_job *j = arg;
	struct module_result *res = result;
	_cleanup_error_ struct kc_error err = {0};
	res->rc = j->unload ? unload_in_root(j, &err) : load_in_root(j, res, &err);
	res->errnum = err.errnum;
	str_copy(res->msg, sizeof(res->msg), kc_error_msg(&err));
	return 0;
}

static int module_job(const struct host_root *root, struct module_job *j, struct module_result *res,
		      struct kc_error *err)
{
	memset(res, 0, sizeof(*res));
	j->live = root->live;
	if (host_run_confined(root, module_job_run, j, res, sizeof(*res), err) < 0)
		return -1;
	if (res->rc < 0) {
		kc_error_setc(err, res->errnum, "%s", res->msg);
		err->errnum = res->errnum;
		return -1;
	}
	return 0;
}

int module_load(const struct host_root *root, const char *release, const char *module,
		const char *options, bool dry_run, char *loaded, size_t loaded_len,
		struct kc_error *err)
{
	struct module_job j = {.module = module, .options = options, .dry_run = dry_run};
	struct module_result res;

	if (loaded_len)
		loaded[0] = '\0';
	if (!setup_module_allowed(module))
		return kc_error_set(err, 0, "%s is not a module the runtime needs; refused",
				    module);
	if (!(j.k = kmod_api_get(err)))
		return -1;
	snprintf(j.modules_dir, sizeof(j.modules_dir), "/lib/modules/%s", release);
	int rc = module_job(root, &j, &res, err);
	str_copy(loaded, loaded_len, res.loaded);
	return rc;
}

int module_unload(const struct host_root *root, const char *release, const char *module,
		  struct kc_error *err)
{
	struct module_job j = {.module = module, .unload = true};
	struct module_result res;

	if (!(j.k = kmod_api_get(err)))
		return -1;
	snprintf(j.modules_dir, sizeof(j.modules_dir), "/lib/modules/%s", release);
	return module_job(root, &j, &res, err);
}
